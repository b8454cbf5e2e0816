// R0.5: an evaluation at D uses only the facts dated on or before D. Property: over random
// synthetic cohorts, under every policy option of the rules, adding facts dated after D (a
// protection decided, a permit or a situation starting, a nationality acquired, a CIR signed
// after D) never changes any answer at D: neither evaluate() nor the case snapshot's
// kernel, nor a date (window ends), nor a reason. And the worked cases of domain.md that
// R0.5, R1 (dated nationalities), R4 and R5 added.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include <ctai/case_snapshot.hpp>
#include <ctai/synthetic.hpp>

#include "store_fixtures.hpp"

namespace ctai {
namespace {

using test::d;

/// The case as known at `on`: every fact dated after `on` removed.
PersonCase known_part(PersonCase c, Date on) {
    std::erase_if(c.permits, [&](const Permit& pm) { return on < pm.valid_from; });
    std::erase_if(c.protections, [&](const Protection& pr) { return on < pr.decision_date; });
    std::erase_if(c.situations, [&](const Situation& s) { return on < s.start; });
    std::erase_if(c.nationalities, [&](const DatedNationality& n) {
        return n.acquired_on && on < *n.acquired_on;
    });
    if (!c.nationalities.empty()) {
        c.person.nationalities.clear();
        for (const auto& n : c.nationalities)
            c.person.nationalities.push_back(n.code);
    }
    if (c.person.cir_date && on < *c.person.cir_date) {
        c.person.cir_status = CirStatus::none;
        c.person.cir_date.reset();
    }
    return c;
}

/// Facts dated after `on` added to `c` at random.
void add_future(PersonCase& c, Date on, std::mt19937_64& rng) {
    const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    const auto later = [&] { return on.plus_days(1 + pick(1500)); };
    if (pick(3) == 0) {
        Protection pr;
        pr.type = static_cast<ProtectionType>(pick(4));
        pr.decision_date = later();
        if (pr.type == ProtectionType::temporary && pick(2) == 0) pr.displaced_on = d("2022-03-01");
        c.protections.push_back(pr);
    }
    if (pick(3) == 0)
        c.permits.push_back(Permit{PermitKind::card, Motive::family, later(), std::nullopt});
    if (pick(4) == 0)
        c.situations.push_back(Situation{static_cast<SituationKind>(pick(3)), later(), std::nullopt});
    if (pick(4) == 0) {
        // A naturalisation after `on` (the undated nationalities then dated, held throughout).
        if (c.nationalities.empty())
            for (const auto& code : c.person.nationalities)
                c.nationalities.push_back({code, std::nullopt, std::nullopt});
        c.nationalities.push_back({"FR", later(), std::nullopt});
        c.person.nationalities.push_back("FR");
    }
    if (pick(5) == 0 && c.person.cir_status == CirStatus::none) {
        c.person.cir_status = CirStatus::signed_;
        c.person.cir_date = later();
    }
}

Policy policy_number(int k) {
    Policy p;
    switch (k % 6) {
        case 0: break;
        case 1: p.primo_anchor = PrimoAnchor::cir_signature; p.require_cir = true; break;
        case 2: p.bpi_includes_stateless = false; p.agir_recency = AgirRecency::calendar_n_minus_1; break;
        case 3: p.bpi_window_years = 5; p.require_regular_stay = true; break;
        case 4: p.agir_includes_stateless = false; p.boundary = Boundary::inclusive; break;
        case 5: p.primo_anchor = PrimoAnchor::first_any_permit; p.bpi_window_years = 2; break;
    }
    return p;
}

void expect_same(const Eligibility& got, const Eligibility& want, const std::string& where) {
    EXPECT_EQ(got.nationality_class, want.nationality_class) << where;
    EXPECT_EQ(got.primo_arrivant, want.primo_arrivant) << where;
    EXPECT_EQ(got.bpi, want.bpi) << where;
    EXPECT_EQ(got.bpt, want.bpt) << where;
    EXPECT_EQ(got.agir, want.agir) << where;
    EXPECT_EQ(got.public_category, want.public_category) << where;
    EXPECT_EQ(got.primo_anchor, want.primo_anchor) << where;
    EXPECT_EQ(got.primo_window_end, want.primo_window_end) << where;
    EXPECT_EQ(got.protection_date, want.protection_date) << where;
    EXPECT_EQ(got.agir_window_end, want.agir_window_end) << where;
    EXPECT_EQ(got.reasons, want.reasons) << where;
    // The reason codes and their dates too (R0.5: a later fact never dates a code).
    EXPECT_TRUE(got.reason_codes == want.reason_codes) << where << ": reason codes differ";
}

TEST(KnownAtD, FactsDatedAfterTheDateNeverChangeAnAnswer) {
    std::mt19937_64 rng(17);
    std::size_t compared = 0, differed_in_data = 0;
    for (int k = 0; k < 6; ++k) {
        const Policy policy = policy_number(k);
        CohortOptions o;
        o.seed = 100 + static_cast<std::uint64_t>(k);
        o.persons = 150;
        auto cohort = generate_cohort(o, policy).cases;
        for (const char* iso : {"2019-06-30", "2021-01-01", "2022-12-31", "2023-10-15", "2024-06-01"}) {
            const Date on = d(iso);
            std::vector<PersonCase> full = cohort, known;
            for (auto& c : full) add_future(c, on, rng);
            for (const auto& c : full) known.push_back(known_part(c, on));
            const CaseSnapshot snap_full(full, {}, policy), snap_known(known, {}, policy);
            for (std::uint32_t i = 0; i < snap_full.size(); ++i) {
                const std::string where = "policy " + std::to_string(k) + ", on " + iso + ", case " +
                                          full[i].person.id.str();
                if (!(full[i] == known[i])) ++differed_in_data;
                const PersonCase* fam_full = nullptr;
                const PersonCase* fam_known = nullptr;
                if (snap_full.family(i) != CaseSnapshot::npos) {
                    fam_full = &full[snap_full.family(i)];
                    fam_known = &known[snap_full.family(i)];
                }
                const Eligibility want = evaluate(known[i], on, policy, fam_known);
                expect_same(evaluate(full[i], on, policy, fam_full), want, where);
                expect_same(snap_full.evaluate(i, on), want, where + " (snapshot)");
                EXPECT_EQ(snap_full.verdict(i, on).flags, snap_known.verdict(i, on).flags) << where;
                ++compared;
            }
        }
    }
    EXPECT_GT(differed_in_data, compared / 2);  // the future facts were really there
}

// The same property with the rule across persons R3 minors_follow_household: a child
// without a permit added to every second household of the cohort; facts dated after D
// (an adult's permit, protection or naturalisation, the child's own) change no answer at D.
TEST(KnownAtD, MinorsFollowingTheirHouseholdSeeNoFactDatedAfterTheDate) {
    std::mt19937_64 rng(1717);
    Policy policy;
    policy.minors_follow_household = true;
    CohortOptions o;
    o.seed = 4242;
    o.persons = 200;
    auto cohort = generate_cohort(o, policy).cases;
    std::set<std::string> households;
    std::vector<PersonCase> children;
    for (const auto& c : cohort) {
        if (!c.person.household_id || c.person.nationalities.empty() ||
            !households.insert(c.person.household_id->str()).second || households.size() % 2)
            continue;
        PersonCase k;
        k.person.id = PersonId{"KID-" + c.person.id.str()};
        k.person.household_id = c.person.household_id;
        k.person.birth_date = PartialDate{d("2013-05-05"), DatePrecision::day};
        k.person.nationalities = c.person.nationalities;
        k.person.department = c.person.department;
        children.push_back(std::move(k));
    }
    cohort.insert(cohort.end(), children.begin(), children.end());
    std::size_t followed = 0, compared = 0;
    for (const char* iso : {"2019-06-30", "2021-01-01", "2022-12-31", "2023-10-15", "2024-06-01"}) {
        const Date on = d(iso);
        std::vector<PersonCase> full = cohort, known;
        for (auto& c : full) add_future(c, on, rng);
        for (const auto& c : full) known.push_back(known_part(c, on));
        const CaseSnapshot snap_full(full, {}, policy), snap_known(known, {}, policy);
        for (std::uint32_t i = 0; i < snap_full.size(); ++i) {
            const std::string where = std::string("on ") + iso + ", case " + full[i].person.id.str();
            const Eligibility want = snap_known.evaluate(i, on);
            expect_same(snap_full.evaluate(i, on), want, where);
            EXPECT_EQ(snap_full.verdict(i, on).flags, snap_known.verdict(i, on).flags) << where;
            for (const auto& r : want.reasons)
                followed += r.find("accompanied minor") != std::string::npos;
            ++compared;
        }
    }
    EXPECT_GT(followed, 0u) << "the rule never applied over " << compared << " checks";
}

PersonCase naturalised_refugee() {
    PersonCase c = test::refugee("N1");
    c.protections = {Protection{ProtectionType::refugee, Authority::ofpra, d("2021-05-10"),
                                std::nullopt, std::nullopt, std::nullopt}};
    c.person.nationalities = {"AF", "FR"};
    c.nationalities = {{"AF", std::nullopt, std::nullopt},
                                    {"FR", d("2024-03-01"), std::nullopt}};
    return c;
}

TEST(WorkedCases, NaturalisedRefugeeIsNoLongerBpiFromTheNaturalisation) {
    const PersonCase c = naturalised_refugee();
    const Policy p;
    const auto before = evaluate(c, d("2024-02-29"), p);
    const auto after = evaluate(c, d("2024-03-01"), p);
    EXPECT_TRUE(before.bpi);
    EXPECT_EQ(before.nationality_class, NationalityClass::third_country);
    EXPECT_FALSE(after.bpi);
    EXPECT_FALSE(after.ctai_public);
    EXPECT_FALSE(after.primo_arrivant);
    EXPECT_EQ(after.nationality_class, NationalityClass::french);
    const CaseSnapshot snap({c}, {}, p);
    EXPECT_TRUE(snap.verdict(0, d("2024-02-29")).is(Verdict::bpi));
    EXPECT_FALSE(snap.verdict(0, d("2024-03-01")).is(Verdict::bpi));
    EXPECT_EQ(snap.nationality_class(0, d("2024-03-01")), NationalityClass::french);
}

PersonCase ukrainian(std::optional<Date> displaced) {
    PersonCase c;
    c.person.id = PersonId{"U1"};
    c.person.nationalities = {"UA"};
    c.permits = {Permit{PermitKind::aps, Motive::temporary_protection, d("2022-05-02"), std::nullopt}};
    Protection pr;
    pr.type = ProtectionType::temporary;
    pr.authority = Authority::ofpra;
    pr.decision_date = d("2022-05-02");
    pr.displaced_on = displaced;
    c.protections = {pr};
    return c;
}

TEST(WorkedCases, BptWithoutADisplacementDateIsBpt) {
    const auto e = evaluate(ukrainian(std::nullopt), d("2024-06-01"), Policy{});
    EXPECT_TRUE(e.bpt);
    EXPECT_TRUE(e.ctai_public);
    EXPECT_TRUE(CaseSnapshot({ukrainian(std::nullopt)}, {}, Policy{}).verdict(0, d("2024-06-01")).is(Verdict::bpt));
}

TEST(WorkedCases, DisplacedBeforeTheInvasionIsNotBptAndTheReasonSaysWhy) {
    const auto e = evaluate(ukrainian(d("2021-11-30")), d("2024-06-01"), Policy{});
    EXPECT_FALSE(e.bpt);
    const bool said = std::any_of(e.reasons.begin(), e.reasons.end(), [](const std::string& r) {
        return r.find("displaced before 2022-02-24") != std::string::npos;
    });
    EXPECT_TRUE(said);
}

TEST(WorkedCases, ProtectionDecidedLaterIsNotKnownYet) {
    PersonCase c = test::refugee("F1");
    c.protections = {Protection{ProtectionType::refugee, Authority::ofpra, d("2024-03-12"),
                                std::nullopt, std::nullopt, std::nullopt}};
    c.permits.clear();
    c.person.department = "21";
    const auto e = evaluate(c, d("2023-10-15"), Policy{});
    EXPECT_FALSE(e.bpi);
    EXPECT_FALSE(e.agir_window_end);
    EXPECT_FALSE(e.primo_window_end);
    EXPECT_FALSE(e.protection_date);
    const CaseSnapshot snap({c}, {}, Policy{});
    EXPECT_FALSE(snap.evaluate(0, d("2023-10-15")).agir_window_end);
    // Once decided, the windows exist.
    const auto later = evaluate(c, d("2024-03-12"), Policy{});
    EXPECT_EQ(later.agir_window_end, d("2026-03-12"));
    EXPECT_EQ(later.primo_window_end, d("2029-03-12"));
}

TEST(WorkedCases, StatelessCountForAgirUnlessTheOptionSaysOtherwise) {
    PersonCase c = test::refugee("S1");
    c.protections = {Protection{ProtectionType::stateless, Authority::ofpra, d("2024-02-01"),
                                std::nullopt, std::nullopt, std::nullopt}};
    c.person.nationalities = {"STATELESS"};
    c.person.department = "21";
    Policy p;
    EXPECT_TRUE(evaluate(c, d("2024-06-01"), p).agir);
    p.agir_includes_stateless = false;
    const auto e = evaluate(c, d("2024-06-01"), p);
    EXPECT_TRUE(e.bpi);  // still BPI for the CTAI (bpi_includes_stateless)
    EXPECT_FALSE(e.agir);
    EXPECT_FALSE(CaseSnapshot({c}, {}, p).verdict(0, d("2024-06-01")).is(Verdict::agir));
    p.agir_includes_stateless = true;
    p.bpi_includes_stateless = false;
    const auto e2 = evaluate(c, d("2024-06-01"), p);
    EXPECT_FALSE(e2.bpi);
    EXPECT_TRUE(e2.agir);
}

TEST(WorkedCases, BpiWindowYearsLimitsTheBpiStatusOfTheCtai) {
    PersonCase c = test::refugee("W1");
    c.protections = {Protection{ProtectionType::refugee, Authority::ofpra, d("2018-06-19"),
                                std::nullopt, std::nullopt, std::nullopt}};
    Policy p;
    EXPECT_TRUE(evaluate(c, d("2024-01-01"), p).bpi);  // default: no limit
    p.bpi_window_years = 5;
    EXPECT_TRUE(evaluate(c, d("2023-06-18"), p).bpi);
    EXPECT_FALSE(evaluate(c, d("2023-06-19"), p).bpi);
    EXPECT_FALSE(CaseSnapshot({c}, {}, p).verdict(0, d("2023-06-19")).is(Verdict::bpi));
}

TEST(WorkedCases, RegularStayRequiredEndsPrimoWhenThePermitLapses) {
    PersonCase c = test::primo("R1");
    c.permits = {Permit{PermitKind::card, Motive::family, d("2021-01-10"), d("2022-01-09")},
                 Permit{PermitKind::receipt, Motive::family, d("2022-03-01"), d("2022-06-30")}};
    Policy p;
    EXPECT_TRUE(evaluate(c, d("2022-02-01"), p).primo_arrivant);
    p.require_regular_stay = true;
    EXPECT_TRUE(evaluate(c, d("2022-01-09"), p).primo_arrivant);
    EXPECT_FALSE(evaluate(c, d("2022-02-01"), p).primo_arrivant);  // lapsed, not covered
    EXPECT_TRUE(evaluate(c, d("2022-03-01"), p).primo_arrivant);   // a receipt covers again
    EXPECT_FALSE(CaseSnapshot({c}, {}, p).verdict(0, d("2022-02-01")).is(Verdict::primo_arrivant));
}

}  // namespace
}  // namespace ctai
