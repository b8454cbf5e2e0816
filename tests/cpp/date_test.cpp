// R0: dates and legal date arithmetic. Worked cases of domain.md plus laws checked for
// every day from 1900 to 2100 against an independent formulation.
#include <ctai/date.hpp>
#include <ctai/error.hpp>

#include <gtest/gtest.h>

namespace {

using ctai::add_months;
using ctai::add_years;
using ctai::Boundary;
using ctai::Date;
using ctai::Feb29;
using ctai::parse_date;

Date d(const char* iso) { return parse_date(iso); }

// Independent formulation: plain integer calendar, no date library.
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}
struct Ymd {
    int y, m, dd;
};
Ymd ref_add_months(Ymd s, int n, Feb29 feb29) {
    int total = s.y * 12 + (s.m - 1) + n;
    int y = total / 12, m = total % 12 + 1;
    if (s.dd <= days_in_month(y, m)) return {y, m, s.dd};
    if (feb29 == Feb29::march_first && s.m == 2 && s.dd == 29 && m == 2) return {y, 3, 1};
    return {y, m, days_in_month(y, m)};
}
Ymd ymd_of(Date x) { return {x.year(), static_cast<int>(x.month()), static_cast<int>(x.day())}; }
Date date_of(Ymd v) {
    return Date(v.y, static_cast<unsigned>(v.m), static_cast<unsigned>(v.dd));
}

TEST(Date, WorkedCasesOfTheDomainSpec) {
    EXPECT_EQ(add_years(d("2020-02-29"), 1), d("2021-02-28"));
    EXPECT_EQ(add_years(d("2020-02-29"), 4), d("2024-02-29"));
    EXPECT_EQ(add_months(d("2023-03-31"), 1), d("2023-04-30"));
    // Period of 5 years from 2008-06-19: last active day 2013-06-18.
    EXPECT_TRUE(ctai::within_years(d("2008-06-19"), 5, d("2013-06-18")));
    EXPECT_FALSE(ctai::within_years(d("2008-06-19"), 5, d("2013-06-19")));
    EXPECT_EQ(ctai::period_end_years(d("2008-06-19"), 5), d("2013-06-19"));
}

TEST(Date, MarchFirstPolicyChangesOnlyTheTwentyNinthOfFebruaryInACommonYear) {
    EXPECT_EQ(add_years(d("2020-02-29"), 1, Feb29::march_first), d("2021-03-01"));
    EXPECT_EQ(add_years(d("2020-02-29"), 4, Feb29::march_first), d("2024-02-29"));
    EXPECT_EQ(add_months(d("2020-01-31"), 1, Feb29::march_first), d("2020-02-29"));
    EXPECT_EQ(add_months(d("2021-01-31"), 1, Feb29::march_first), d("2021-02-28"));
    EXPECT_EQ(add_months(d("2023-03-31"), 1, Feb29::march_first), d("2023-04-30"));
}

TEST(Date, ParseRejectsDaysThatDoNotExist) {
    EXPECT_THROW(parse_date("2023-02-30"), ctai::ValidationError);
    EXPECT_THROW(parse_date("2023-13-01"), ctai::ValidationError);
    EXPECT_THROW(parse_date("2023-1-01"), ctai::ValidationError);
    EXPECT_THROW(parse_date("01/02/2023"), ctai::ValidationError);
    EXPECT_THROW(parse_date(""), ctai::ValidationError);
    EXPECT_THROW(parse_date("2023-02-2x"), ctai::ValidationError);
    EXPECT_NO_THROW(parse_date("2024-02-29"));
    EXPECT_THROW(parse_date("2023-02-29"), ctai::ValidationError);
}

TEST(Date, ErrorsAreCtaiErrorsThatNeverEchoTheValue) {
    // A date may be a birth date: personal data never goes into a message (R9).
    try {
        parse_date("1990-02-30");
        FAIL();
    } catch (const ctai::Error& e) {
        EXPECT_EQ(std::string(e.what()).find("1990"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("calendar day"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_date("nope"), std::runtime_error);
}

TEST(Date, LenientParsingAcceptsFrenchSpreadsheetDates) {
    EXPECT_EQ(ctai::parse_date_lenient("15/03/2020"), d("2020-03-15"));
    EXPECT_EQ(ctai::parse_date_lenient("2020-03-15"), d("2020-03-15"));
    EXPECT_THROW(ctai::parse_date_lenient("31/02/2020"), ctai::ValidationError);
    EXPECT_THROW(ctai::parse_date_lenient("3/15/2020"), ctai::ValidationError);
}

TEST(Date, IsoRoundTripForEveryDayFrom1900To2100) {
    for (Date x = d("1900-01-01"); x <= d("2100-12-31"); x = x.plus_days(1))
        ASSERT_EQ(parse_date(ctai::to_iso(x)), x);
    EXPECT_EQ(ctai::to_iso(d("0999-01-02")), "0999-01-02");
}

TEST(Date, DayNumbersAreDaysSinceTheUnixEpoch) {
    EXPECT_EQ(d("1970-01-01").days(), 0);
    EXPECT_EQ(d("2000-03-01").days(), 11017);
    EXPECT_EQ(Date::from_days(-1), d("1969-12-31"));
}

TEST(Date, AddMonthsMatchesAnIndependentCalendarForEveryDayFrom1900To2100) {
    const int ns[] = {-24, -12, -1, 1, 2, 6, 11, 12, 13, 24, 48, 60};
    for (Feb29 f : {Feb29::last_day_of_february, Feb29::march_first})
        for (Date x = d("1900-01-01"); x <= d("2100-12-31"); x = x.plus_days(1))
            for (int n : ns) {
                const Ymd want = ref_add_months(ymd_of(x), n, f);
                ASSERT_EQ(add_months(x, n, f), date_of(want)) << ctai::to_iso(x) << " + " << n;
            }
}

TEST(Date, PeriodMembershipAtItsBoundariesForEveryDayFrom1900To2100) {
    for (Boundary b : {Boundary::strict, Boundary::inclusive})
        for (Date s = d("1900-01-01"); s <= d("2100-12-31"); s = s.plus_days(1)) {
            const Date anniversary = add_years(s, 5);
            ASSERT_FALSE(ctai::within_years(s, 5, s.plus_days(-1), b));
            ASSERT_TRUE(ctai::within_years(s, 5, s, b));
            ASSERT_TRUE(ctai::within_years(s, 5, anniversary.plus_days(-1), b));
            ASSERT_EQ(ctai::within_years(s, 5, anniversary, b), b == Boundary::inclusive);
            ASSERT_FALSE(ctai::within_years(s, 5, anniversary.plus_days(1), b));
        }
}

TEST(Date, AgeIsWholeYearsForEveryBirthDayFrom1900To2100) {
    // Independent: the birthday of year Y is the same day, or the last day of February.
    const Date on_dates[] = {d("2000-02-28"), d("2000-02-29"), d("2001-02-28"),
                             d("2001-03-01"), d("2025-03-14"), d("2025-03-15"),
                             d("2100-12-31")};
    for (Date b = d("1900-01-01"); b <= d("2100-12-31"); b = b.plus_days(1))
        for (Date on : on_dates) {
            if (on < b) continue;
            const Ymd bb = ymd_of(b), oo = ymd_of(on);
            const int bday = std::min(bb.dd, days_in_month(oo.y, bb.m));
            const int want = oo.y - bb.y - ((oo.m < bb.m || (oo.m == bb.m && oo.dd < bday)) ? 1 : 0);
            ASSERT_EQ(ctai::age_on(b, on), want) << ctai::to_iso(b) << " on " << ctai::to_iso(on);
        }
}

TEST(Date, UnderTwentyFiveWorkedCase) {
    const ctai::PartialDate born{d("2000-03-15"), ctai::DatePrecision::day};
    EXPECT_EQ(ctai::under_age(born, 25, d("2025-03-14")), ctai::Tri::yes);
    EXPECT_EQ(ctai::under_age(born, 25, d("2025-03-15")), ctai::Tri::no);
}

TEST(Date, PartialBirthDatesGiveUnknownOnlyWhenUndecidable) {
    const auto year_only = ctai::parse_partial_date("2000");
    EXPECT_EQ(year_only.precision, ctai::DatePrecision::year);
    EXPECT_EQ(year_only.last(), d("2000-12-31"));
    EXPECT_EQ(ctai::under_age(year_only, 25, d("2024-12-31")), ctai::Tri::yes);
    EXPECT_EQ(ctai::under_age(year_only, 25, d("2025-06-01")), ctai::Tri::unknown);
    EXPECT_EQ(ctai::under_age(year_only, 25, d("2026-01-01")), ctai::Tri::no);
    EXPECT_EQ(ctai::age_on(year_only, d("2025-06-01")), std::nullopt);
    EXPECT_EQ(ctai::age_on(year_only, d("2025-12-31")), 25);
    EXPECT_EQ(ctai::age_on(year_only, d("2026-01-01")), std::nullopt);

    const auto month_only = ctai::parse_partial_date("2000-02");
    EXPECT_EQ(month_only.last(), d("2000-02-29"));
    EXPECT_EQ(ctai::under_age(month_only, 25, d("2025-01-31")), ctai::Tri::yes);
    EXPECT_EQ(ctai::under_age(month_only, 25, d("2025-02-10")), ctai::Tri::unknown);
    EXPECT_EQ(ctai::under_age(month_only, 25, d("2025-03-01")), ctai::Tri::no);
    EXPECT_EQ(ctai::to_string(month_only), "2000-02");
    EXPECT_EQ(ctai::to_string(year_only), "2000");
    EXPECT_EQ(ctai::parse_partial_date("15/03/2000").first, d("2000-03-15"));
    EXPECT_THROW(ctai::parse_partial_date("2000-13"), ctai::ValidationError);
    EXPECT_THROW(ctai::parse_partial_date("20x0"), ctai::ValidationError);
}

TEST(Date, UnderAgeOnAPartialDateAgreesWithEveryCompatibleFullDate) {
    // Law of R0.4: decided answers are those of every compatible day; unknown only when
    // two compatible days disagree.
    for (const char* text : {"1999", "2000", "2000-02", "2001-12"}) {
        const auto p = ctai::parse_partial_date(text);
        for (Date on = d("2024-01-01"); on <= d("2027-01-01"); on = on.plus_days(7)) {
            bool any_yes = false, any_no = false;
            for (Date b = p.first; b <= p.last(); b = b.plus_days(1))
                (on < add_years(b, 25) ? any_yes : any_no) = true;
            const auto want = any_yes && any_no ? ctai::Tri::unknown
                              : any_yes         ? ctai::Tri::yes
                                                : ctai::Tri::no;
            ASSERT_EQ(ctai::under_age(p, 25, on), want) << text << " on " << ctai::to_iso(on);
        }
    }
}

}  // namespace
