// W4 kernels agree with the scalar rules for every start date and both policies.
#include <ctai/kernels.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace ctai;

TEST(Kernels, IntervalOfActiveStartsMatchesTheScalarRuleForEveryDay) {
    // Every evaluation date of four years (three 29 February neighbourhoods included) and
    // every start in the surrounding six years, under every policy combination.
    for (Boundary b : {Boundary::strict, Boundary::inclusive})
        for (Feb29 f : {Feb29::last_day_of_february, Feb29::march_first})
            for (Date on = parse_date("2023-01-01"); on <= parse_date("2026-12-31"); on = on.plus_days(3)) {
                const DayInterval iv = starts_active_on(on, 5, b, f);
                for (Date s = on.plus_days(-5 * 366 - 5); s <= on.plus_days(5); s = s.plus_days(1))
                    ASSERT_EQ(iv.contains(s.days()), within_years(s, 5, on, b, f))
                        << to_iso(s) << " on " << to_iso(on);
            }
}

TEST(Kernels, AZeroLengthPeriodAgreesWithTheScalarRule) {
    const Date on = parse_date("2024-02-29");
    for (Boundary b : {Boundary::strict, Boundary::inclusive})
        for (Date s = on.plus_days(-3); s <= on.plus_days(3); s = s.plus_days(1))
            EXPECT_EQ(starts_active_on(on, 0, b).contains(s.days()), within_years(s, 0, on, b)) << to_iso(s);
}

TEST(Kernels, ColumnCheckHandlesMissingStartsAndBothWidths) {
    const Date on = parse_date("2025-03-14");
    const std::vector<std::int32_t> s32 = {parse_date("2020-03-15").days(), parse_date("2020-03-14").days(),
                                           no_date, parse_date("2025-03-15").days(),
                                           parse_date("2020-02-29").days()};
    std::vector<std::uint8_t> out(s32.size());
    within_years(s32, 5, on, Boundary::strict, Feb29::last_day_of_february, out);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 0, 0, 0, 0}));
    std::vector<std::int64_t> s64(s32.begin(), s32.end());
    s64[2] = std::numeric_limits<std::int64_t>::min();
    std::vector<std::uint8_t> out64(s64.size());
    within_years(s64, 5, on, Boundary::strict, Feb29::last_day_of_february, out64);
    EXPECT_EQ(out64, out);
}

TEST(Kernels, PeriodEndColumnKeepsMissingValues) {
    const std::vector<std::int32_t> s = {parse_date("2020-02-29").days(), no_date};
    std::vector<std::int32_t> out(2);
    period_end_years(s, 5, Boundary::strict, Feb29::last_day_of_february, out);
    EXPECT_EQ(out[0], parse_date("2025-02-28").days());
    EXPECT_EQ(out[1], no_date);
    period_end_years(s, 5, Boundary::inclusive, Feb29::march_first, out);
    EXPECT_EQ(out[0], parse_date("2025-03-02").days());
}

}  // namespace
