// R8 evaluation report on a small hand-built store (synthetic persons). Every expected
// figure is derived by hand in the comments of build_fixture() and of each test.
#include <ctai/report.hpp>
#include <ctai/stats.hpp>
#include <ctai/store.hpp>
#include <ctai/synthetic.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include <gtest/gtest.h>

#include "report/report_detail.hpp"
#include <nlohmann/json.hpp>
#include "dataset_fixture.hpp"

namespace {

using namespace ctai;

Date d(const char* iso) { return parse_date(iso); }
const ContractId contract{"dijon-2023-2024"};  // period 2023-10-15 .. 2024-10-15

PersonCase person(const char* id, Sex sex, std::optional<PartialDate> birth, const char* nat) {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.sex = sex;
    c.person.birth_date = birth;
    c.person.nationalities = {nat};
    c.person.department = "21";
    return c;
}
PartialDate born(const char* iso) { return PartialDate{d(iso), DatePrecision::day}; }
void refugee(PersonCase& c, const char* decided) {
    c.protections.push_back(Protection{ProtectionType::refugee, Authority::ofpra, d(decided),
                                       std::nullopt, std::nullopt, std::nullopt});
}
void family_card(PersonCase& c, const char* from) {
    c.permits.push_back(Permit{PermitKind::card, Motive::family, d(from), std::nullopt});
}

void journey(Store& s, const char* id, const char* person, int action, const char* entry,
             std::optional<const char*> exit = std::nullopt, const char* reason = "",
             std::vector<Step> steps = {}, ReferralSource source = ReferralSource::self) {
    Journey j;
    j.id = JourneyId{id};
    j.person_id = PersonId{person};
    j.contract_id = contract;
    j.action = action;
    j.entry_date = d(entry);
    j.referral_source = source;
    if (exit) {
        j.exit_date = d(*exit);
        j.exit_reason = reason;
    }
    j.steps = std::move(steps);
    s.put_journey(j);
}

void activity(Store& s, const char* id, int action, ActivityKind kind, const char* type,
              const char* date, double hours, bool co, const char* structure = "") {
    s.put_activity(Activity{ActivityId{id}, contract, action, kind, type, d(date), hours, co,
                            structure});
}
void participation(Store& s, const char* activity_id, const char* person,
                   std::optional<int> satisfaction = std::nullopt) {
    s.put_participation(Participation{ActivityId{activity_id}, PersonId{person}, satisfaction});
}

// The fixture (default age_reference = entry, period 2023-10-15 .. 2024-10-15):
// P01 M 1990 BPI(2022)        a1 2023-11-01..2024-03-01 lasting_housing(+); a4 2024-03-15 open
// P02 F 2001-05-05 BPI(2023)  a1 2023-12-01 open (age 22 at entry), referred by SIAO
// P03 M 1985 primo            a1 2023-10-20..2023-12-20 dropped_out; a1 again 2024-02-01 open
// P04 sex unknown 1995 BPI    a1 2024-01-10 open
// P05 F born "1999" BPT       a1 2024-06-01 open (under 25 undecidable: age_unknown)
// P06 M 1999-11-20 primo, BPI only from 2024-05-01; a1 2024-02-01 open (24 at entry)
// P07 F 1999-03-10 BPI        a1 2023-11-15..2024-01-14 common_law(+) (24 at entry, 25 at
//                             period end); a3 2024-02-01 open; volunteer from 2024-02-15
// P08 M French (not eligible) a2 2024-04-01..2024-04-01 other
// P09 F 1992 BPI              a2 2024-03-01..2024-03-31 autonomy(+); one-off volunteering
// P10 F 2015 (P01's child)    no journey; shares household H1 with P01
// Households: H1 = P01 + P10 (hotel from 2023-06-01, social rental from 2024-05-01);
// H2 = P02 + P04 (emergency shelter from 2023-12-01, P02's entry day); H3 = P03 (no move).
void build_fixture(Store& s) {
    auto tx = s.transaction("report fixture");
    auto p01 = person("P01", Sex::male, born("1990-01-01"), "AF");
    refugee(p01, "2022-01-10");
    p01.person.household_id = HouseholdId{"H1"};
    auto p02 = person("P02", Sex::female, born("2001-05-05"), "SY");
    refugee(p02, "2023-01-01");
    auto p03 = person("P03", Sex::male, born("1985-07-07"), "MA");
    family_card(p03, "2021-06-01");
    auto p04 = person("P04", Sex::unknown, born("1995-02-02"), "ER");
    refugee(p04, "2021-05-05");
    auto p05 = person("P05", Sex::female, PartialDate{d("1999-01-01"), DatePrecision::year}, "UA");
    p05.protections.push_back(Protection{ProtectionType::temporary, Authority::prefecture,
                                         d("2022-04-01"), std::nullopt, d("2022-03-01"),
                                         std::nullopt});
    auto p06 = person("P06", Sex::male, born("1999-11-20"), "MA");
    family_card(p06, "2022-01-01");
    refugee(p06, "2024-05-01");
    auto p07 = person("P07", Sex::female, born("1999-03-10"), "AF");
    refugee(p07, "2022-06-01");
    auto p08 = person("P08", Sex::male, born("1980-01-01"), "FR");
    auto p09 = person("P09", Sex::female, born("1992-02-02"), "SY");
    refugee(p09, "2020-01-01");
    auto p10 = person("P10", Sex::female, born("2015-04-04"), "AF");
    p10.person.household_id = HouseholdId{"H1"};
    p02.person.household_id = HouseholdId{"H2"};
    p04.person.household_id = HouseholdId{"H2"};
    p03.person.household_id = HouseholdId{"H3"};
    for (const auto* c : {&p01, &p02, &p03, &p04, &p05, &p06, &p07, &p08, &p09, &p10})
        s.put_case(*c);

    journey(s, "J01a", "P01", 1, "2023-11-01", "2024-03-01", "lasting_housing",
            {{StepKind::intake, d("2023-11-01")},
             {StepKind::diagnosis, d("2023-11-15")},
             {StepKind::end_of_support, d("2024-03-01")}});
    journey(s, "J02", "P02", 1, "2023-12-01", std::nullopt, "", {}, ReferralSource::siao);
    journey(s, "J03a", "P03", 1, "2023-10-20", "2023-12-20", "dropped_out");
    journey(s, "J03b", "P03", 1, "2024-02-01");
    journey(s, "J04", "P04", 1, "2024-01-10");
    journey(s, "J05", "P05", 1, "2024-06-01");
    journey(s, "J06", "P06", 1, "2024-02-01");
    journey(s, "J07", "P07", 1, "2023-11-15", "2024-01-14", "common_law",
            {{StepKind::intake, d("2023-11-15")}, {StepKind::follow_on, d("2024-01-10")}});
    journey(s, "J08", "P08", 2, "2024-04-01", "2024-04-01", "other");
    journey(s, "J09", "P09", 2, "2024-03-01", "2024-03-31", "autonomy");
    journey(s, "J07b", "P07", 3, "2024-02-01");
    journey(s, "J01b", "P01", 4, "2024-03-15");

    // Action 1: two workshops (one co-animated), one individual practice; one workshop
    // before the period (ignored).
    activity(s, "A1", 1, ActivityKind::workshop, "numérique", "2024-01-10", 2, true);
    activity(s, "A2", 1, ActivityKind::workshop, "logement", "2024-02-10", 2, false);
    activity(s, "A3", 1, ActivityKind::individual_practice, "banque", "2024-03-05", 1, false);
    activity(s, "A4", 1, ActivityKind::workshop, "numérique", "2023-09-01", 2, false);
    participation(s, "A1", "P01", 4);
    participation(s, "A1", "P02", 5);
    participation(s, "A1", "P09");
    participation(s, "A2", "P01", 3);
    participation(s, "A3", "P03");
    participation(s, "A4", "P03", 1);
    // Action 2: three trainings of two structures (6 + 3.5 + 6 hours, counted once per
    // session whatever the participants), one event.
    activity(s, "A5", 2, ActivityKind::actor_training, "accueil", "2024-01-20", 6, false, "MJC Nord");
    activity(s, "A6", 2, ActivityKind::actor_training, "accueil", "2024-02-20", 3.5, false, "CCAS");
    activity(s, "A7", 2, ActivityKind::actor_training, "accueil", "2024-03-20", 6, false, "MJC Nord");
    activity(s, "A8", 2, ActivityKind::event, "café itinérant", "2024-05-01", 3, false);
    participation(s, "A5", "P08");
    participation(s, "A5", "P09");
    participation(s, "A8", "P08");
    participation(s, "A8", "P09", 5);

    s.put_volunteering(Volunteering{PersonId{"P07"}, VolunteeringKind::engagement,
                                    d("2024-02-15"), std::nullopt, "sport"});
    s.put_volunteering(Volunteering{PersonId{"P07"}, VolunteeringKind::membership,
                                    d("2024-03-01"), std::nullopt, "culture"});
    s.put_volunteering(Volunteering{PersonId{"P09"}, VolunteeringKind::one_off,
                                    d("2024-06-01"), d("2024-06-01"), "festival"});
    s.put_housing_move(HousingMove{HouseholdId{"H1"}, d("2023-06-01"), HousingType::hotel});
    s.put_housing_move(HousingMove{HouseholdId{"H1"}, d("2024-05-01"), HousingType::social_rental});
    s.put_housing_move(HousingMove{HouseholdId{"H2"}, d("2023-12-01"), HousingType::emergency});
    s.put_partnership(Partnership{contract, 1, "ADOMA", "logement", d("2024-01-05")});
    s.put_partnership(Partnership{contract, 1, "MJC", "culture", d("2024-02-05")});
    s.put_partnership(Partnership{contract, 1, "France Travail", "emploi", d("2023-05-01")});
    s.put_cost(Cost{contract, 1, 175000, 150000});
    tx.commit();
}

Store fixture_store() {
    Store s = Store::open(":memory:");
    build_fixture(s);
    return s;
}

double realised(const ActionReport& a, const char* key) {
    const auto& c = a.cell(key);
    EXPECT_TRUE(c.realised.has_value()) << key;
    return c.realised.value_or(-1);
}
double extra(const ActionReport& a, const char* key) {
    const auto& x = a.extra_indicator(key);
    EXPECT_TRUE(x.value.has_value()) << key;
    return x.value.value_or(-1);
}
std::map<std::string, double> breakdown(const ActionReport& a, const char* key) {
    std::map<std::string, double> m;
    for (const auto& [k, v] : a.extra_indicator(key).breakdown) m[k] = v.value_or(-1);
    return m;
}

TEST(Report, PublicTableOfActionOneIsCountedByHandAtEntry) {
    const Store s = fixture_store();
    const Report r = build_report(s, contract);
    EXPECT_EQ(r.from, d("2023-10-15"));
    EXPECT_EQ(r.to, d("2024-10-15"));
    EXPECT_EQ(r.evaluated_on, d("2024-10-15"));
    const auto& a = r.action(1);
    // P01..P07 (P03 has two journeys: counted once).
    EXPECT_EQ(realised(a, "total"), 7);
    EXPECT_EQ(realised(a, "men"), 3);    // P01 P03 P06
    EXPECT_EQ(realised(a, "women"), 3);  // P02 P05 P07; P04 (unknown sex) in total only
    EXPECT_EQ(extra(a, "sex_unknown"), 1);
    EXPECT_EQ(realised(a, "under_25"), 3);  // P02 (22), P06 (24), P07 (24 at entry)
    EXPECT_EQ(extra(a, "age_unknown"), 1);  // P05 born "1999", entry 2024-06-01
    EXPECT_EQ(realised(a, "bpi"), 4);       // P01 P02 P04 P07; P06 is BPI only after entry
    EXPECT_EQ(realised(a, "bpi_men"), 1);
    EXPECT_EQ(realised(a, "bpi_women"), 2);
    EXPECT_EQ(realised(a, "bpi_under_25"), 2);  // P02 P07
    EXPECT_EQ(realised(a, "primo_arrivants"), 2);  // P03 P06
    EXPECT_EQ(realised(a, "bpt"), 1);              // P05
    EXPECT_EQ(realised(a, "not_eligible"), 0);
    // Targets: the fiche's table (total 200) and the targets by public (150 / 30 / 20).
    EXPECT_EQ(a.cell("total").target, 200);
    EXPECT_EQ(a.cell("total").label_fr,
              "Nombre total d'étrangers éligibles bénéficiaires de l'action");
    EXPECT_EQ(a.cell("bpi_women").label_fr, "dont BPI femmes");
    EXPECT_EQ(a.cell("bpi").target, 150);
    EXPECT_EQ(a.cell("primo_arrivants").target, 30);
    EXPECT_EQ(a.cell("bpt").target, 20);
    EXPECT_FALSE(a.cell("men").target);
    EXPECT_FALSE(a.cell("not_eligible").target);
}

TEST(Report, AgeAndStatusAtPeriodEndWhenThePolicySaysSo) {
    Store s = fixture_store();
    Policy p = s.policy();
    p.age_reference = AgeReference::period_end;
    s.set_policy(p);
    const Report r = build_report(s, contract);
    const auto& a = r.action(1);
    // At 2024-10-15: P06 is BPI (decision 2024-05-01), P07 is 25.
    EXPECT_EQ(realised(a, "total"), 7);
    EXPECT_EQ(realised(a, "bpi"), 5);
    EXPECT_EQ(realised(a, "bpi_men"), 2);
    EXPECT_EQ(realised(a, "primo_arrivants"), 1);
    EXPECT_EQ(realised(a, "under_25"), 2);      // P02, P06
    EXPECT_EQ(realised(a, "bpi_under_25"), 2);  // P02, P06
    EXPECT_EQ(extra(a, "age_unknown"), 1);
}

// The report's ages (entrants_by_age_band, under_25) are computed from birth parts kept per
// person; they must be exactly the library's age_on / under_age, also on birthdays, from a
// 29 February under both feb29 policies and for partial birth dates straddling a birthday.
TEST(Report, AgeBandsAndUnderTwentyFiveAreThoseOfAgeOnOnEveryBoundary) {
    const std::vector<std::pair<const char*, DatePrecision>> births{
        {"2006-03-01", DatePrecision::day},   {"2006-02-28", DatePrecision::day},
        {"2006-03-02", DatePrecision::day},   {"2000-02-29", DatePrecision::day},
        {"2007-02-28", DatePrecision::day},   {"1999-03-01", DatePrecision::day},
        {"1999-02-28", DatePrecision::day},   {"1989-03-01", DatePrecision::day},
        {"1974-03-02", DatePrecision::day},   {"1999-01-01", DatePrecision::year},
        {"1999-03-01", DatePrecision::month}, {"2006-01-01", DatePrecision::year},
        {"1996-02-01", DatePrecision::month}, {"2000-02-01", DatePrecision::month},
        {"2024-03-01", DatePrecision::day},   {"1974-03-01", DatePrecision::day}};
    // Entries the day after a 29 February, on 28 February of a common year (a birthday of
    // those born on 29 February under one feb29 policy, not the other) and on 1 March.
    const std::vector<const char*> entries{"2024-03-01", "2025-02-28", "2025-03-01"};
    ReportOptions period;
    period.from = d("2024-01-01");
    period.to = d("2025-12-31");
    for (const Feb29 rule : {Feb29::last_day_of_february, Feb29::march_first}) {
        Store s = Store::open(":memory:");
        Policy policy = s.policy();
        policy.feb29 = rule;
        s.set_policy(policy);
        std::map<std::string, double> bands;
        double under = 0, unknown = 0;
        int k = 0;
        for (const char* on : entries)
            for (const auto& [iso, precision] : births) {
                const std::string id = "A" + std::to_string(k++);
                PersonCase c = person(id.c_str(), Sex::female, PartialDate{d(iso), precision}, "SY");
                refugee(c, "2023-01-10");
                s.put_case(c);
                journey(s, ("J" + id).c_str(), id.c_str(), 1, on);
                // The expected figures, from the library's own age functions.
                const PartialDate birth{d(iso), precision};
                const auto age = age_on(birth, d(on), rule);
                const char* band = !age          ? "unknown"
                                   : *age < 18 ? "0-17"
                                   : *age < 25 ? "18-24"
                                   : *age < 35 ? "25-34"
                                   : *age < 50 ? "35-49"
                                               : "50+";
                bands[band] += 1;
                const Tri u = under_age(birth, 25, d(on), rule);
                under += u == Tri::yes ? 1 : 0;
                unknown += u == Tri::unknown ? 1 : 0;
            }
        const Report r = build_report(s, contract, period);
        const auto& a = r.action(1);
        for (const char* band : {"0-17", "18-24", "25-34", "35-49", "50+", "unknown"})
            bands.try_emplace(band, 0);
        EXPECT_EQ(breakdown(a, "entrants_by_age_band"), bands) << static_cast<int>(rule);
        EXPECT_EQ(realised(a, "under_25"), under) << static_cast<int>(rule);
        EXPECT_EQ(extra(a, "age_unknown"), unknown) << static_cast<int>(rule);
        EXPECT_GT(bands["0-17"], 0);
        EXPECT_GT(bands["18-24"], 0);
        EXPECT_GT(bands["unknown"], 0);
    }
}

// The report decides most ages from the day count alone (detail::years_passed_by_days);
// around each anniversary it must agree with the calendar, and decide away from it.
TEST(Report, YearsPassedByDaysAgreesWithTheCalendarAroundEveryAnniversary) {
    std::size_t checked = 0, wrong = 0;
    std::string first_wrong;
    for (const Feb29 rule : {Feb29::last_day_of_february, Feb29::march_first})
        for (std::int32_t birth = d("1890-01-01").days(); birth <= d("2110-12-31").days(); ++birth)
            for (const int k : {18, 25, 35, 50}) {
                const std::int32_t anniversary = add_years(Date::from_days(birth), k, rule).days();
                for (std::int32_t on = anniversary - 7; on <= anniversary + 7; ++on) {
                    const Tri got = detail::years_passed_by_days(birth, on, k);
                    const bool far = on < anniversary - 5 || on > anniversary + 5;
                    const bool ok = got == Tri::unknown ? !far : (got == Tri::yes) == (on >= anniversary);
                    ++checked;
                    if (!ok && wrong++ == 0)
                        first_wrong = to_iso(Date::from_days(birth)) + " + " + std::to_string(k) +
                                      " years at " + to_iso(Date::from_days(on));
                }
            }
    EXPECT_EQ(wrong, 0u) << "first: " << first_wrong;
    EXPECT_GT(checked, 9'000'000u);
}

// A contract may number its actions freely and have more than the eight the report counts
// in one pass (report/build.cpp groups them by eight): each action gets its own journeys.
TEST(Report, ContractsWithManyActionsOrLargeNumbersCountEachActionApart) {
    const std::vector<int> numbers{1, 2, 3, 4, 5, 6, 7, 8, 9, 2000000000};
    std::string actions;
    for (const int n : numbers)
        actions += (actions.empty() ? "" : ", ") + std::string(R"({"number": )") +
                   std::to_string(n) + R"(, "title": "A"})";
    Store s = Store::open(":memory:");
    s.put_contract(parse_contract(R"({"format_version": 1, "id": "many", "title": "T",
        "territory": "X", "start": "2024-01-01", "end": "2024-12-31", "actions": [)" +
                                  actions + "]}"));
    const ContractId many{"many"};
    for (std::size_t p = 0; p < numbers.size(); ++p) {
        PersonCase c = person(("P" + std::to_string(p)).c_str(), Sex::female, born("1990-01-01"), "SY");
        refugee(c, "2023-01-10");
        s.put_case(c);
    }
    // Action number k of the list gets k + 1 journeys (persons 0 .. k).
    for (std::size_t k = 0; k < numbers.size(); ++k)
        for (std::size_t p = 0; p <= k; ++p) {
            const std::string id = "P" + std::to_string(p);
            Journey j;
            j.id = JourneyId{"J" + std::to_string(k) + "-" + std::to_string(p)};
            j.person_id = PersonId{id};
            j.contract_id = many;
            j.action = numbers[k];
            j.entry_date = d("2024-03-01");
            j.referral_source = ReferralSource::self;
            s.put_journey(j);
        }
    const Report r = build_report(s, many);
    ASSERT_EQ(r.actions.size(), numbers.size());
    for (std::size_t k = 0; k < numbers.size(); ++k) {
        const auto& a = r.action(numbers[k]);
        EXPECT_EQ(a.journeys.count, static_cast<std::int64_t>(k + 1)) << numbers[k];
        EXPECT_EQ(realised(a, "total"), static_cast<double>(k + 1)) << numbers[k];
        EXPECT_EQ(realised(a, "bpi"), static_cast<double>(k + 1)) << numbers[k];
    }
}

TEST(Report, JourneyBlockOfActionOneIsComputedByHand) {
    const auto r = build_report(fixture_store(), contract);
    const auto& j = r.action(1).journeys;
    // 8 journeys; completed: J01a 121 d, J03a 61 d, J07 60 d; open: J02 319, J03b 257,
    // J04 279, J05 136, J06 257 days at 2024-10-15.
    EXPECT_EQ(j.count, 8);
    EXPECT_EQ(j.completed, 3);
    EXPECT_EQ(j.open, 5);
    EXPECT_DOUBLE_EQ(*j.mean_days, 80.7);  // 242 / 3 rounded to 0.1
    EXPECT_DOUBLE_EQ(*j.median_days, 61.0);
    // S: 7/8 at 60, 6/8 at 61, 0.75 * 5/6 = 0.625 at 121; never <= 0.5.
    EXPECT_FALSE(j.km_median_days);
    // 60 * 1 + 1 * 0.875 + 60 * 0.75 + 198 * 0.625 = 229.625 -> 229.6
    EXPECT_DOUBLE_EQ(*j.km_restricted_mean_days, 229.6);
    EXPECT_EQ(j.positive_exits, 2);  // lasting_housing, common_law
    const auto& a = r.action(1);
    EXPECT_EQ(breakdown(a, "exits_by_reason"),
              (std::map<std::string, double>{{"common_law", 1}, {"dropped_out", 1},
                                             {"lasting_housing", 1}}));
    EXPECT_EQ(breakdown(a, "steps_reached"),
              (std::map<std::string, double>{{"diagnosis", 1}, {"end_of_support", 1},
                                             {"follow_on", 1}, {"intake", 2}, {"support", 0}}));
    // Action 2: lengths 0 and 30, both completed: S(0) = 0.5 -> KM median 0.
    const auto& j2 = r.action(2).journeys;
    EXPECT_EQ(j2.count, 2);
    EXPECT_EQ(j2.open, 0);
    EXPECT_DOUBLE_EQ(*j2.mean_days, 15.0);
    EXPECT_DOUBLE_EQ(*j2.km_median_days, 0.0);
    EXPECT_EQ(j2.positive_exits, 1);
}

TEST(Report, ComplementaryIndicatorsOfActionOne) {
    const auto r = build_report(fixture_store(), contract);
    const auto& a = r.action(1);
    EXPECT_EQ(extra(a, "entrants"), 7);
    EXPECT_EQ(breakdown(a, "entrants_by_sex"),
              (std::map<std::string, double>{{"female", 3}, {"male", 3}, {"unknown", 1}}));
    // At entry: P01 33, P02 22, P03 38, P04 28, P05 ?, P06 24, P07 24.
    EXPECT_EQ(breakdown(a, "entrants_by_age_band"),
              (std::map<std::string, double>{{"0-17", 0}, {"18-24", 3}, {"25-34", 2},
                                             {"35-49", 1}, {"50+", 0}, {"unknown", 1}}));
    EXPECT_EQ(breakdown(a, "entrants_by_referral_source"),
              (std::map<std::string, double>{{"self", 6}, {"siao", 1}}));
    // Household members recorded in the store: P01 2 (with P10, who has no journey), P02
    // and P04 2 (H2), P03 1 (H3); P05, P06, P07 have no household.
    EXPECT_EQ(breakdown(a, "entrants_by_household_size"),
              (std::map<std::string, double>{{"1", 1}, {"2", 3}, {"3", 0}, {"4", 0},
                                             {"5+", 0}, {"unknown", 3}}));
    // Housing just before entry: P01 hotel (social rental only from 2024-05-01); P04
    // emergency; P02 unknown (the move dated on the entry day is not where she came from);
    // P03's household has no move.
    EXPECT_EQ(breakdown(a, "entrants_by_housing_at_entry"),
              (std::map<std::string, double>{{"emergency", 1}, {"hotel", 1}, {"unknown", 5}}));
    EXPECT_EQ(extra(a, "workshops"), 2);  // A4 is before the period
    EXPECT_EQ(breakdown(a, "workshops_by_type"),
              (std::map<std::string, double>{{"logement", 1}, {"numérique", 1}}));
    EXPECT_EQ(extra(a, "individual_practice_sessions"), 1);
    EXPECT_EQ(extra(a, "participations"), 5);
    EXPECT_DOUBLE_EQ(extra(a, "mean_satisfaction"), 4.0);  // (4 + 5 + 3) / 3
    EXPECT_EQ(extra(a, "co_animated_activities"), 1);
    // A1's participants P01 (M BPI 34), P02 (F BPI 22), P09 (F BPI 31).
    EXPECT_EQ(extra(a, "co_animated_beneficiaries"), 3);
    EXPECT_EQ(extra(a, "co_animated_women"), 2);
    EXPECT_EQ(extra(a, "co_animated_bpi_under_25"), 1);
    EXPECT_EQ(extra(a, "households_housed"), 1);  // H1: social rental on 2024-05-01
    // H1 has two members recorded (P01 and P10); H2's emergency shelter is not lasting.
    EXPECT_EQ(breakdown(a, "households_housed_by_size"),
              (std::map<std::string, double>{{"1", 0}, {"2", 1}, {"3", 0}, {"4", 0}, {"5+", 0}}));
    EXPECT_EQ(breakdown(a, "households_housed_by_housing_type"),
              (std::map<std::string, double>{{"social_rental", 1}}));
    EXPECT_EQ(extra(a, "partnerships"), 2);
    EXPECT_EQ(breakdown(a, "partnerships_by_theme"),
              (std::map<std::string, double>{{"culture", 1}, {"logement", 1}}));
    EXPECT_EQ(a.financial.total_cost, 175000);
    EXPECT_EQ(a.financial.subsidy_p104, 150000);
    EXPECT_FALSE(r.action(4).financial.total_cost);
}

TEST(Report, ActionTwoCountsNonEligibleApartAndTrainingHoursOncePerSession) {
    const auto r = build_report(fixture_store(), contract);
    const auto& a = r.action(2);
    EXPECT_EQ(realised(a, "total"), 1);  // P09; P08 (French) is counted apart
    EXPECT_EQ(realised(a, "women"), 1);
    EXPECT_EQ(realised(a, "bpi"), 1);
    EXPECT_EQ(realised(a, "not_eligible"), 1);
    EXPECT_EQ(realised(a, "structures_trained"), 2);  // MJC Nord, CCAS
    EXPECT_EQ(a.cell("structures_trained").target, 50);
    EXPECT_DOUBLE_EQ(realised(a, "training_hours"), 15.5);
    EXPECT_EQ(extra(a, "events"), 1);
    EXPECT_EQ(extra(a, "participations"), 2);  // the event only: trainings are for actors
    EXPECT_DOUBLE_EQ(extra(a, "mean_satisfaction"), 5.0);
    EXPECT_EQ(extra(a, "one_off_participations"), 1);
    EXPECT_EQ(extra(a, "memberships"), 0);
    // Action 2 is open to the general population: no flag.
    for (const auto& n : r.notes) EXPECT_EQ(n.find("Fiche 2"), std::string::npos) << n;
}

TEST(Report, ActionsThreeAndFour) {
    const auto r = build_report(fixture_store(), contract);
    const auto& a3 = r.action(3);
    EXPECT_EQ(realised(a3, "total"), 1);
    EXPECT_EQ(realised(a3, "bpi_under_25"), 1);  // P07 is 24 on 2024-02-01
    EXPECT_EQ(realised(a3, "volunteers"), 1);
    EXPECT_EQ(a3.cell("volunteers").target, 50);
    EXPECT_EQ(realised(a3, "co_animated_beneficiaries"), 0);
    EXPECT_EQ(a3.cell("co_animated_beneficiaries").target, 200);
    // Engagement from 2024-02-15, open: no completed engagement (no completed-only mean);
    // censored at the evaluation date 2024-10-15, 243 days: the Kaplan-Meier restricted mean
    // (S = 1 up to tau = 243).
    EXPECT_FALSE(a3.extra_indicator("mean_volunteer_days").value);
    EXPECT_DOUBLE_EQ(extra(a3, "km_restricted_mean_volunteer_days"), 243.0);
    EXPECT_EQ(extra(a3, "volunteer_engagements_open"), 1);
    EXPECT_EQ(breakdown(a3, "engagements_by_association_type"),
              (std::map<std::string, double>{{"sport", 1}}));
    EXPECT_EQ(extra(a3, "memberships"), 1);
    const auto& a4 = r.action(4);
    EXPECT_EQ(realised(a4, "total"), 1);
    EXPECT_EQ(realised(a4, "bpi_men"), 1);
    EXPECT_EQ(realised(a4, "households_housed"), 1);
    // P01 entered action 4 on 2024-03-15, still at the hotel, in a household of two.
    EXPECT_EQ(breakdown(a4, "entrants_by_housing_at_entry"),
              (std::map<std::string, double>{{"hotel", 1}}));
    EXPECT_EQ(breakdown(a4, "entrants_by_household_size").at("2"), 1);
    EXPECT_EQ(a4.journeys.open, 1);
}

TEST(Report, PersonWithTwoJourneysInThePeriodIsCountedOnceAndPeriodIsAnOverlap) {
    const Store s = fixture_store();
    ReportOptions o;
    o.from = d("2024-01-01");
    o.to = d("2024-03-31");
    const auto r = build_report(s, contract, o);
    const auto& a = r.action(1);
    // Overlapping 2024-01-01..2024-03-31: J01a, J02, J03b, J04, J06, J07 -> P01 P02 P03 P04
    // P06 P07 (J03a ended 2023-12-20, J05 starts 2024-06-01).
    EXPECT_EQ(realised(a, "total"), 6);
    EXPECT_EQ(a.journeys.count, 6);
    // Censored at 2024-03-31; J01a exited 2024-03-01 and J07 2024-01-14.
    EXPECT_EQ(a.journeys.completed, 2);
    EXPECT_EQ(r.evaluated_on, d("2024-03-31"));
    // P03 is described at the entry of J03b (2024-02-01): primo; entrants in the period:
    // P03 (J03b), P04, P06 = 3.
    EXPECT_EQ(extra(a, "entrants"), 3);
    ReportOptions bad;
    bad.from = d("2024-05-01");
    bad.to = d("2024-04-01");
    EXPECT_THROW(build_report(s, contract, bad), ValidationError);
    EXPECT_THROW(build_report(s, ContractId{"nope"}), NotFoundError);
}

TEST(Report, StoreLevelJourneyStatsMatchTheReport) {
    const Store s = fixture_store();
    const auto st = journey_stats(s, contract, 1, d("2024-10-15"));
    EXPECT_EQ(st.count, 8);
    EXPECT_EQ(st.completed, 3);
    const auto by = journey_stats_by_public(s, contract, 1, d("2024-10-15"));
    // At entry: BPI P01 P02 P04 P07 (4 journeys), primo P03 x2 + P06, BPT P05.
    ASSERT_EQ(by.size(), 3u);
    EXPECT_EQ(by.at("bpi").count, 4);
    EXPECT_EQ(by.at("primo_arrivant").count, 3);
    EXPECT_EQ(by.at("bpt").count, 1);
}

// ---- suppression --------------------------------------------------------------------

Report hand_report(std::map<std::string, double> cells, double sex_unknown = 0) {
    Report r;
    ActionReport a;
    a.number = 1;
    for (const char* k : {"total", "men", "women", "under_25", "bpi", "bpi_men", "bpi_women",
                          "bpi_under_25", "primo_arrivants", "bpt", "not_eligible"}) {
        ReportCell c;
        c.key = k;
        c.realised = cells.contains(k) ? cells[k] : 0.0;
        a.public_cells.push_back(c);
    }
    ExtraIndicator x;
    x.key = "sex_unknown";
    x.value = sex_unknown;
    x.counts_people = true;
    a.extra.push_back(x);
    r.actions.push_back(a);
    return r;
}

const std::string* reason_of(const Report& r, const std::string& path) {
    for (const auto& s : r.suppressed)
        if (s.path == path) return &s.reason;
    return nullptr;
}

TEST(ReportSuppression, WorkedCaseHidesWomenThenMenAndShowsTotal) {
    Report r = hand_report({{"total", 15}, {"men", 12}, {"women", 3}, {"primo_arrivants", 15}});
    suppress_small_cells(r, 11);
    const auto& a = r.actions[0];
    EXPECT_FALSE(a.cell("women").realised);
    EXPECT_FALSE(a.cell("men").realised);
    EXPECT_TRUE(a.cell("women").suppressed);
    EXPECT_EQ(a.cell("total").realised, 15);
    EXPECT_EQ(a.cell("bpi").realised, 0);  // zero is shown
    ASSERT_NE(reason_of(r, "actions[0].public.women"), nullptr);
    EXPECT_EQ(*reason_of(r, "actions[0].public.women"), "primary");
    EXPECT_EQ(*reason_of(r, "actions[0].public.men"), "secondary");
    EXPECT_EQ(r.suppressed.size(), 2u);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes.back().find("k = 11"), std::string::npos);
}

TEST(ReportSuppression, TwoSmallCellsProtectEachOther) {
    // women 5 and sex_unknown 3 both < 11: 20 - 12 = 8 cannot be split, men stays shown.
    Report r = hand_report({{"total", 20}, {"men", 12}, {"women", 5}, {"primo_arrivants", 20}}, 3);
    suppress_small_cells(r, 11);
    const auto& a = r.actions[0];
    EXPECT_EQ(a.cell("men").realised, 12);
    EXPECT_FALSE(a.cell("women").realised);
    EXPECT_FALSE(a.extra_indicator("sex_unknown").value);
    EXPECT_EQ(r.suppressed.size(), 2u);
}

TEST(ReportSuppression, ThresholdIsTheGivenK) {
    Report r = hand_report({{"total", 15}, {"men", 12}, {"women", 3}, {"primo_arrivants", 15}});
    suppress_small_cells(r, 3);  // 3 is not < 3
    EXPECT_TRUE(r.suppressed.empty());
    EXPECT_EQ(r.actions[0].cell("women").realised, 3);
}

TEST(ReportSuppression, PublishedFixtureWithKTwoIsSuppressedAsComputedByHand) {
    ReportOptions o;
    o.publish = true;
    o.k = 2;
    const auto r = build_report(fixture_store(), contract, o);
    EXPECT_EQ(r.k, 2);
    EXPECT_EQ(r.policy.suppression_k, 2);
    const auto& a = r.action(1);
    // Primary (n = 1): sex_unknown, bpi_men, bpt, age_unknown.
    EXPECT_FALSE(a.extra_indicator("sex_unknown").value);
    EXPECT_FALSE(a.cell("bpi_men").realised);
    EXPECT_FALSE(a.cell("bpt").realised);
    EXPECT_FALSE(a.extra_indicator("age_unknown").value);
    // Secondary: men (first smallest of men 3 / women 3), bpi_women (2), primo (2).
    EXPECT_FALSE(a.cell("men").realised);
    EXPECT_EQ(a.cell("women").realised, 3);
    EXPECT_FALSE(a.cell("bpi_women").realised);
    EXPECT_FALSE(a.cell("primo_arrivants").realised);
    EXPECT_EQ(*reason_of(r, "actions[0].public.primo_arrivants"), "secondary");
    EXPECT_EQ(a.cell("total").realised, 7);
    EXPECT_EQ(a.cell("bpi").realised, 4);
    EXPECT_EQ(a.cell("not_eligible").realised, 0);
    EXPECT_EQ(a.journeys.count, 8);
    // Action 3 (one person): total 1 hidden; nothing else can reveal it.
    EXPECT_FALSE(r.action(3).cell("total").realised);
    EXPECT_FALSE(r.action(3).cell("volunteers").realised);
    EXPECT_TRUE(r.action(3).cell("volunteers").suppressed);
    EXPECT_FALSE(r.action(3).journeys.count);
    EXPECT_FALSE(r.action(3).journeys.km_median_days);
    // JSON shows null for hidden cells.
    const auto j = nlohmann::json::parse(to_json(r));
    EXPECT_TRUE(j["actions"][0]["public"]["bpt"]["realised"].is_null());
    EXPECT_EQ(j["actions"][0]["public"]["total"]["realised"], 7);
    EXPECT_FALSE(j["suppressed"].empty());
}

TEST(ReportSuppression, HouseholdAndHousingBreakdownsCannotBeRecomputedFromTheirTotal) {
    ReportOptions o;
    o.publish = true;
    o.k = 2;
    const auto r = build_report(fixture_store(), contract, o);
    const auto reason = [&](const std::string& path) {
        const std::string* why = reason_of(r, path);
        return why ? *why : std::string("shown");
    };
    // Action 1 entrants by household size 1: 1, 2: 3, unknown: 3 (total 7): "1" is hidden,
    // so is one more part (else 7 - 3 - 3 gives it back); the total stays.
    EXPECT_EQ(reason("actions[0].extra.entrants_by_household_size.1"), "primary");
    const bool two = reason("actions[0].extra.entrants_by_household_size.2") == "shown";
    const bool unknown = reason("actions[0].extra.entrants_by_household_size.unknown") == "shown";
    EXPECT_NE(two, unknown);  // exactly one of them hidden as secondary
    EXPECT_EQ(r.action(1).extra_indicator("entrants").value, 7);
    // Housing before entry: emergency 1 and hotel 1 hide each other; unknown 5 shown.
    EXPECT_EQ(reason("actions[0].extra.entrants_by_housing_at_entry.emergency"), "primary");
    EXPECT_EQ(reason("actions[0].extra.entrants_by_housing_at_entry.hotel"), "primary");
    EXPECT_EQ(reason("actions[0].extra.entrants_by_housing_at_entry.unknown"), "shown");
    // One household housed: the total and its parts are all hidden.
    EXPECT_NE(reason("actions[0].extra.households_housed"), "shown");
    EXPECT_NE(reason("actions[0].extra.households_housed_by_size.2"), "shown");
    EXPECT_NE(reason("actions[0].extra.households_housed_by_housing_type.social_rental"), "shown");
}

TEST(ReportSuppression, QuestionnaireIsNotSuppressedByDefault) {
    const auto r = build_report(fixture_store(), contract);
    EXPECT_FALSE(r.publish);
    EXPECT_TRUE(r.suppressed.empty());
    EXPECT_EQ(r.action(3).cell("total").realised, 1);
}

// ---- reproducibility and renderers ----------------------------------------------------

TEST(ReportJson, SameDataGiveByteIdenticalJson) {
    const auto a = to_json(build_report(fixture_store(), contract));
    const auto b = to_json(build_report(fixture_store(), contract));  // another store
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.find("T0"), std::string::npos);  // no timestamp
}

TEST(ReportJson, KeysAreExactlyThoseOfTheInterface) {
    const Store s = fixture_store();
    const auto r = build_report(s, contract);
    const auto j = nlohmann::json::parse(to_json(r));
    EXPECT_EQ(j["contract"], "dijon-2023-2024");
    EXPECT_EQ(j["period"], (nlohmann::json{{"from", "2023-10-15"}, {"to", "2024-10-15"}}));
    EXPECT_EQ(j["evaluated_on"], "2024-10-15");
    EXPECT_TRUE(j["policy"].is_object());
    EXPECT_EQ(j["policy"]["age_reference"], "entry");
    EXPECT_EQ(j["fingerprint"], s.fingerprint().sha256);
    EXPECT_FALSE(j["library_version"].get<std::string>().empty());
    ASSERT_EQ(j["actions"].size(), 4u);
    const std::set<std::string> public_keys{"total", "men", "women", "under_25", "bpi",
                                            "bpi_men", "bpi_women", "bpi_under_25",
                                            "primo_arrivants", "bpt", "not_eligible"};
    const std::set<std::string> journey_keys{"count", "completed", "open", "mean_days",
                                             "median_days", "km_median_days",
                                             "positive_exits"};
    for (const auto& a : j["actions"]) {
        for (const char* k : {"number", "title", "public", "journeys", "financial", "extra"})
            EXPECT_TRUE(a.contains(k)) << k;
        std::set<std::string> keys;
        for (const auto& [k, v] : a["public"].items()) {
            keys.insert(k);
            std::set<std::string> cell;
            for (const auto& [ck, cv] : v.items()) cell.insert(ck);
            EXPECT_EQ(cell, (std::set<std::string>{"target", "realised"}));
        }
        EXPECT_EQ(keys, public_keys);
        for (const auto& k : journey_keys) EXPECT_TRUE(a["journeys"].contains(k)) << k;
        EXPECT_TRUE(a["financial"].contains("total_cost"));
        EXPECT_TRUE(a["financial"].contains("subsidy_p104"));
    }
    EXPECT_EQ(j["actions"][0]["public"]["total"]["target"], 200);
    EXPECT_TRUE(j["actions"][0]["public"]["total"]["target"].is_number_integer());
    EXPECT_EQ(j["actions"][0]["public"]["men"]["realised"], 3);
    EXPECT_TRUE(j["actions"][0]["journeys"]["km_median_days"].is_null());
    EXPECT_EQ(j["actions"][1]["extra"]["training_hours"], 15.5);
    EXPECT_EQ(j["actions"][3]["extra"]["households_housed"], 1);
    EXPECT_EQ(j["actions"][0]["extra"]["workshops_by_type"]["logement"], 1);
}

TEST(ReportRows, EveryFigureOnceWithItsBlockKeyAndEntry) {
    const auto r = build_report(fixture_store(), contract);
    const auto rows = report_rows(r);
    const auto find = [&](int action, const char* block, const char* key,
                          std::optional<std::string> entry = std::nullopt) -> const ReportRow& {
        const auto it = std::find_if(rows.begin(), rows.end(), [&](const ReportRow& x) {
            return x.action == action && x.block == block && x.key == key && x.entry == entry;
        });
        if (it == rows.end()) throw std::runtime_error(std::string("no row ") + key);
        return *it;
    };
    EXPECT_EQ(find(1, "public", "total").target, 200);
    EXPECT_EQ(find(1, "public", "men").realised, 3);
    EXPECT_EQ(find(2, "specific", "structures_trained").target, 50);
    EXPECT_EQ(find(2, "specific", "structures_trained").realised, 2);
    EXPECT_EQ(find(1, "journeys", "count").realised, 8);
    EXPECT_EQ(find(1, "financial", "total_cost").realised, 175000);
    EXPECT_FALSE(find(4, "financial", "total_cost").realised);
    const ReportRow& hotel = find(1, "extra", "entrants_by_housing_at_entry", "hotel");
    EXPECT_EQ(hotel.realised, 1);
    EXPECT_FALSE(hotel.target);
    EXPECT_EQ(hotel.label_fr, "Entrés par situation de logement à l'entrée : hôtel");
    EXPECT_EQ(find(1, "extra", "entrants").realised, 7);
    // Each figure once; the CSV has a line per row (and its header).
    std::set<std::tuple<int, std::string, std::string, std::optional<std::string>>> seen;
    for (const auto& x : rows)
        EXPECT_TRUE(seen.emplace(x.action, x.block, x.key, x.entry).second)
            << x.action << " " << x.block << "." << x.key << "." << x.entry.value_or("");
    const std::string csv = to_csv(r);
    EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), rows.size() + 1);
    // Suppressed cells have no value.
    ReportOptions o;
    o.publish = true;
    o.k = 2;
    const auto published = report_rows(build_report(fixture_store(), contract, o));
    const auto bpt = std::find_if(published.begin(), published.end(), [](const ReportRow& x) {
        return x.action == 1 && x.block == "public" && x.key == "bpt";
    });
    ASSERT_NE(bpt, published.end());
    EXPECT_FALSE(bpt->realised);
}

TEST(ReportRows, AnEmptyBreakdownEntryIsAnEntryNotASingleFigure) {
    // An association type left empty in the data is a breakdown entry "" (CSV key with its
    // trailing dot, label « non renseigné »), not the breakdown's total.
    Report r;
    ActionReport a;
    a.number = 3;
    ExtraIndicator total;
    total.key = "volunteer_engagements";
    total.label_fr = "Engagements";
    total.value = 3;
    ExtraIndicator by_type;
    by_type.key = "engagements_by_association_type";
    by_type.label_fr = "Par type";
    by_type.is_breakdown = true;
    by_type.breakdown = {{"", 2.0}, {"sport", 1.0}};
    a.extra = {total, by_type};
    r.actions.push_back(a);
    const auto rows = report_rows(r);
    const auto financial = std::count_if(rows.begin(), rows.end(), [](const ReportRow& x) {
        return x.block != "extra";
    });
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(financial) + 3);
    const ReportRow& empty = rows[rows.size() - 2];
    EXPECT_EQ(rows[rows.size() - 3].entry, std::nullopt);
    EXPECT_EQ(empty.entry, std::optional<std::string>(""));
    EXPECT_EQ(empty.realised, 2);
    EXPECT_EQ(empty.label_fr, "Par type : non renseigné");
    EXPECT_EQ(rows.back().entry, std::optional<std::string>("sport"));
    const std::string csv = to_csv(r);
    EXPECT_NE(csv.find("\n3,extra.volunteer_engagements,Engagements,,3\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\n3,extra.engagements_by_association_type.,Par type : non renseigné,,2\n"),
              std::string::npos) << csv;
}

TEST(ReportText, NumbersAreWrittenTheFrenchWayInTheFrenchTables) {
    using detail::format_number;
    EXPECT_EQ(format_number(15.5), "15.5");
    EXPECT_EQ(format_number(15.5, true), "15,5");
    EXPECT_EQ(format_number(1234567.25, true), "1\u202f234\u202f567,25");
    EXPECT_EQ(format_number(-1234.5, true), "-1\u202f234,5");
    EXPECT_EQ(format_number(300000, true), "300\u202f000");
    EXPECT_EQ(format_number(2.0 / 3.0, true), "0,67");
    EXPECT_EQ(format_number(0.1, false), "0.1");
}

TEST(ReportText, MarkdownAndCsvCarryTheFrenchLabelsAndFigures) {
    const auto r = build_report(fixture_store(), contract);
    const auto md = to_markdown(r);
    EXPECT_NE(md.find("| **Nombre total d'étrangers éligibles bénéficiaires de l'action** | 200 | 7 |"),
              std::string::npos);
    EXPECT_NE(md.find("| dont BPI moins de 25 ans |  | 2 |"), std::string::npos);
    EXPECT_NE(md.find("Coût total de l'action** | 175\u202f000 |"), std::string::npos);
    EXPECT_NE(md.find("## Fiche action n°4"), std::string::npos);
    const auto csv = to_csv(r);
    EXPECT_EQ(csv.rfind("action,indicator,label,target,realised\n", 0), 0u);
    EXPECT_NE(csv.find("1,public.total,Nombre total d'étrangers éligibles bénéficiaires de l'action,200,7\n"),
              std::string::npos);
    EXPECT_NE(csv.find("2,specific.training_hours,"), std::string::npos);
    EXPECT_NE(csv.find(",15.5\n"), std::string::npos);
}

TEST(ReportHtml, StandalonePageWithTablesAndSvgCharts) {
    const auto r = build_report(fixture_store(), contract);
    const auto html = to_html(r);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.find("<html lang=\"fr\">"), std::string::npos);
    EXPECT_NE(html.find("<caption>Public-cible</caption>"), std::string::npos);
    EXPECT_NE(html.find("class=\"chart-km\""), std::string::npos);
    EXPECT_NE(html.find("class=\"chart-histogram\""), std::string::npos);
    EXPECT_NE(html.find("class=\"chart-targets\""), std::string::npos);
    EXPECT_NE(html.find(r.fingerprint), std::string::npos);
    // No external asset.
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("http"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
}

// A synthetic cohort through the whole contract: the report's own arithmetic must hold for
// every action (the laws of the tables), and the page is written for render_check.sh.
TEST(ReportHtml, SyntheticCohortReportAddsUpAndIsWrittenForTheBrowserCheck) {
    Store s = Store::open(":memory:");
    CohortOptions co;
    co.persons = 300;
    const Dataset ds = generate_cohort(co);
    ctai::test::put_dataset(s, ds, "synthetic cohort");
    const Report r = build_report(s, contract);
    for (const auto& a : r.actions) {
        SCOPED_TRACE(a.number);
        const double total = realised(a, "total");
        EXPECT_GT(total, 0);
        EXPECT_EQ(total, realised(a, "men") + realised(a, "women") + extra(a, "sex_unknown"));
        EXPECT_EQ(total, realised(a, "bpi") + realised(a, "bpt") + realised(a, "primo_arrivants"));
        EXPECT_LE(realised(a, "bpi_men") + realised(a, "bpi_women"), realised(a, "bpi"));
        EXPECT_LE(realised(a, "under_25") + extra(a, "age_unknown"), total);
        EXPECT_LE(realised(a, "bpi_under_25"), realised(a, "under_25"));
        EXPECT_EQ(*a.journeys.count, *a.journeys.completed + *a.journeys.open);
        EXPECT_GE(*a.journeys.count, static_cast<std::int64_t>(total + realised(a, "not_eligible")));
    }
    const auto html = to_html(r);
    // A sample for tests/html/render_check.sh (CTAI_REPORT_SAMPLE or the working directory).
    const char* env = std::getenv("CTAI_REPORT_SAMPLE");
    const std::filesystem::path out = env ? env : "report_sample.html";
    std::ofstream(out, std::ios::binary) << html;
    EXPECT_TRUE(std::filesystem::exists(out));
    std::ofstream(std::filesystem::path(out).replace_extension(".json"), std::ios::binary)
        << to_json(r);
}

}  // namespace
