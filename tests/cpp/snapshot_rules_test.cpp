// The rules of a CaseSnapshot as day numbers (CaseSnapshot::verdict, verdicts, evaluate):
// the same answers as the pure evaluation ctai::evaluate() on the case objects, for
// random cases built to hit every branch of R1 to R6, under every policy switch, at random
// dates and on every boundary day of every case (each interval's first and last day, the
// days around the windows, the Brexit and BPT dates).
#include <gtest/gtest.h>

#include <random>
#include <set>

#include <ctai/case_snapshot.hpp>
#include <ctai/household_rule.hpp>
#include <ctai/error.hpp>
#include <ctai/nationality.hpp>

#include "store_fixtures.hpp"

namespace ctai {
namespace {

using test::d;

class Gen {
public:
    explicit Gen(std::uint64_t seed) : rng_(seed) {}
    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < percent; }
    /// A day between 2014 and 2027, often a month end or a 29 February.
    Date day() {
        switch (below(6)) {
        case 0: return Date(2016 + 4 * below(3), 2, 29);
        case 1: return Date(2015 + below(12), 2, 28);
        case 2: return Date(2015 + below(12), 12, 31);
        default: return d("2014-01-01").plus_days(below(14 * 365));
        }
    }
    std::optional<Date> maybe_day(int percent) {
        if (chance(percent)) return day();
        return std::nullopt;
    }
    template <class E>
    E pick() {
        return static_cast<E>(below(static_cast<int>(enum_names<E>().size())));
    }

private:
    std::mt19937_64 rng_;
};

/// `n` random cases (ids C0..); some rejoin another case, some an unknown person.
std::vector<PersonCase> random_cases(Gen& g, int n) {
    static const std::vector<std::string> nationalities{"MA", "DZ", "GB", "FR", "DE",
                                                        "UA", "STATELESS", "UNKNOWN"};
    std::vector<PersonCase> out;
    for (int i = 0; i < n; ++i) {
        PersonCase c;
        c.person.id = PersonId{"C" + std::to_string(i)};
        c.person.sex = g.pick<Sex>();
        for (int k = g.below(3); k > 0; --k)
            c.person.nationalities.push_back(nationalities[static_cast<std::size_t>(
                g.below(static_cast<int>(nationalities.size())))]);
        // R1: some persons have dated nationalities (a naturalisation, a nationality lost).
        if (g.chance(20)) {
            for (const auto& code : c.person.nationalities)
                c.nationalities.push_back({code, g.maybe_day(30), g.maybe_day(20)});
            if (g.chance(60)) {
                c.nationalities.push_back({"FR", g.day(), std::nullopt});
                c.person.nationalities.push_back("FR");
            }
        }
        c.person.department = g.chance(60) ? "21" : (g.chance(50) ? "75" : "");
        c.person.cir_status = g.pick<CirStatus>();
        c.person.cir_date = g.maybe_day(70);
        if (g.chance(25))
            c.person.rejoining_family_of =
                PersonId{g.chance(90) ? "C" + std::to_string(g.below(n)) : "NOBODY"};
        for (int k = g.below(3); k > 0; --k) {
            const Date from = g.day();
            c.permits.push_back(Permit{g.pick<PermitKind>(), g.pick<Motive>(), from,
                                       g.chance(50) ? std::optional<Date>{from.plus_days(g.below(2000))}
                                                    : std::nullopt});
        }
        for (int k = g.below(4); k > 0; --k) {
            const Date decided = g.day();
            Protection pr;
            pr.type = g.pick<ProtectionType>();
            pr.authority = g.pick<Authority>();
            pr.decision_date = decided;
            if (g.chance(30)) pr.end_date = decided.plus_days(g.below(1500) - 100);
            if (pr.type == ProtectionType::temporary && g.chance(80))
                pr.displaced_on = d("2022-02-20").plus_days(g.below(12));
            c.protections.push_back(pr);
        }
        for (int k = g.below(3); k > 0; --k) {
            const Date start = g.day();
            c.situations.push_back(Situation{g.pick<SituationKind>(), start,
                                             g.chance(60) ? std::optional<Date>{start.plus_days(g.below(900) - 50)}
                                                          : std::nullopt});
        }
        out.push_back(std::move(c));
    }
    return out;
}

Policy random_policy(Gen& g) {
    Policy p;
    p.boundary = g.pick<Boundary>();
    p.feb29 = g.pick<Feb29>();
    p.primo_anchor = g.pick<PrimoAnchor>();
    p.require_cir = g.chance(50);
    p.accept_cir_proposed = g.chance(50);
    p.bpi_includes_stateless = g.chance(50);
    p.agir_recency = g.pick<AgirRecency>();
    if (g.chance(50)) p.agir_start["75"] = g.day();
    if (g.chance(30)) p.bpt_end_dates = {d("2027-03-04")};
    if (g.chance(20)) p.excluded_motives.clear();
    p.agir_includes_stateless = g.chance(50);
    if (g.chance(30)) p.bpi_window_years = g.chance(70) ? 5 : 1 + g.below(3);
    p.require_regular_stay = g.chance(20);
    return p;
}

/// Every day where an answer can change for case c (and the day before it).
std::set<Date> edges(const PersonCase& c, const CaseFacts& f, const Policy& p) {
    std::set<Date> out{brexit_transition_end, bpt_first_day, p.bpt_end()};
    auto add = [&](const std::optional<Date>& x) {
        if (x) out.insert(*x);
    };
    for (const auto& pr : c.protections) {
        add(pr.decision_date);
        add(pr.end_date);
    }
    for (const auto& s : c.situations) {
        add(s.start);
        add(s.end);
    }
    add(c.person.cir_date);
    for (const auto& pm : c.permits) {
        add(pm.valid_from);
        if (pm.valid_to) add(pm.valid_to->plus_days(1));
    }
    for (const auto& n : c.nationalities) {
        add(n.acquired_on);
        add(n.lost_on);
    }
    add(f.own_anchor);
    add(f.own_window_end);
    add(f.fallback_window_end);
    add(f.agir_protection_date);
    add(f.bpi_window_end);
    add(f.primo_anchor);
    add(f.primo_window_end);
    add(f.protection_date);
    add(f.agir_window_end);
    add(f.agir_deployed_on);
    std::set<Date> both;
    for (const Date x : out) {
        both.insert(x);
        both.insert(x.plus_days(-1));
    }
    return both;
}

void expect_same(const Eligibility& got, const Eligibility& want, const std::string& where) {
    EXPECT_EQ(got.person_id, want.person_id) << where;
    EXPECT_EQ(got.on, want.on) << where;
    EXPECT_EQ(got.nationality_class, want.nationality_class) << where;
    EXPECT_EQ(got.primo_arrivant, want.primo_arrivant) << where;
    EXPECT_EQ(got.bpi, want.bpi) << where;
    EXPECT_EQ(got.bpt, want.bpt) << where;
    EXPECT_EQ(got.agir, want.agir) << where;
    EXPECT_EQ(got.ctai_public, want.ctai_public) << where;
    EXPECT_EQ(got.public_category, want.public_category) << where;
    EXPECT_EQ(got.primo_anchor, want.primo_anchor) << where;
    EXPECT_EQ(got.primo_window_end, want.primo_window_end) << where;
    EXPECT_EQ(got.protection_date, want.protection_date) << where;
    EXPECT_EQ(got.agir_window_end, want.agir_window_end) << where;
    EXPECT_EQ(got.reasons, want.reasons) << where;
    EXPECT_TRUE(got.reason_codes == want.reason_codes) << where << ": reason codes differ";
}

std::uint8_t flags_of(const Eligibility& e) {
    return static_cast<std::uint8_t>((e.primo_arrivant ? Verdict::primo_arrivant : 0) |
                                     (e.bpi ? Verdict::bpi : 0) | (e.bpt ? Verdict::bpt : 0) |
                                     (e.agir ? Verdict::agir : 0));
}

TEST(SnapshotRules, AnswerLikeThePureEvaluationOnRandomCasesUnderRandomPolicies) {
    std::size_t checks = 0;
    std::array<std::size_t, 4> seen{};  // answers met: primo, bpi, bpt, agir
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        Gen g(seed);
        const Policy policy = random_policy(g);
        const auto cases = random_cases(g, 60);
        const CaseSnapshot snap(cases, {}, policy);
        std::vector<std::uint32_t> index;
        std::vector<std::int32_t> days;
        std::vector<std::uint8_t> want_flags;
        for (std::uint32_t i = 0; i < snap.size(); ++i) {
            const PersonCase& c = cases[i];
            const PersonCase* family = nullptr;
            if (c.person.rejoining_family_of)
                for (const auto& other : cases)
                    if (other.person.id == *c.person.rejoining_family_of) family = &other;
            auto dates = edges(c, snap.facts(i), policy);
            if (family && snap.family(i) != CaseSnapshot::npos)
                dates.merge(edges(*family, snap.facts(snap.family(i)), policy));
            for (int k = 0; k < 10; ++k) dates.insert(g.day());
            for (const Date on : dates) {
                const Eligibility want = evaluate(c, on, policy, family);
                const std::string where = "seed " + std::to_string(seed) + ", case " +
                                          std::to_string(i) + ", on " + to_iso(on);
                const Verdict v = snap.verdict(i, on);
                ASSERT_EQ(v.flags, flags_of(want)) << where;
                EXPECT_EQ(v.public_category(), want.public_category) << where;
                EXPECT_EQ(v.ctai_public(), want.ctai_public) << where;
                EXPECT_EQ(snap.nationality_class(i, on), want.nationality_class) << where;
                expect_same(snap.evaluate(i, on), want, where);
                index.push_back(i);
                days.push_back(on.days());
                want_flags.push_back(v.flags);
                ++checks;
                if (want.primo_arrivant) ++seen[0];
                if (want.bpi) ++seen[1];
                if (want.bpt) ++seen[2];
                if (want.agir) ++seen[3];
            }
        }
        // The batch gives the same answers, in the order asked (here: not sorted by date).
        std::vector<Verdict> out(index.size());
        snap.verdicts(index, days, out);
        for (std::size_t k = 0; k < out.size(); ++k) ASSERT_EQ(out[k].flags, want_flags[k]) << k;
    }
    // The generator reaches every answer often (a test of the test).
    EXPECT_GT(checks, 20000u);
    for (const std::size_t n : seen) EXPECT_GT(n, 200u);
}

// The reason code columns of the eligibility table (append_reasons) hold, per dimension, the
// code and date of evaluate() on the case objects, for random cohorts under random policies.
TEST(SnapshotRules, ReasonColumnsAreTheCodesOfThePureEvaluation) {
    std::size_t checked = 0;
    std::set<std::uint8_t> codes_seen;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        Gen g(seed);
        const Policy policy = random_policy(g);
        const auto cases = random_cases(g, 60);
        const CaseSnapshot snap(cases, {}, policy);
        for (int k = 0; k < 8; ++k) {
            const Date on = g.day();
            EligibilityColumns cols;
            for (std::uint32_t i = 0; i < snap.size(); ++i) snap.append(cols, i, on);
            snap.append_reasons(cols, on);
            ASSERT_EQ(cols.primo_reason.size(), snap.size());
            for (std::uint32_t i = 0; i < snap.size(); ++i) {
                const PersonCase& c = cases[i];
                const PersonCase* family = snap.family(i) != CaseSnapshot::npos
                                               ? &cases[snap.family(i)] : nullptr;
                const Eligibility want = evaluate(c, on, policy, family);
                const std::string where = "seed " + std::to_string(seed) + ", case " +
                                          std::to_string(i) + ", on " + to_iso(on);
                std::array<std::uint8_t, 5> code{255, 255, 255, 255, 255};
                std::array<std::int32_t, 5> date{no_date, no_date, no_date, no_date, no_date};
                for (const ReasonCode& rc : want.reason_codes) {
                    const auto dim = static_cast<std::size_t>(dimension(rc.code));
                    ASSERT_EQ(code[dim], 255) << where << ": two codes for one dimension";
                    code[dim] = static_cast<std::uint8_t>(rc.code);
                    date[dim] = rc.date ? rc.date->days() : no_date;
                    codes_seen.insert(code[dim]);
                }
                using D = ReasonDimension;
                const auto at = [](D dim) { return static_cast<std::size_t>(dim); };
                EXPECT_EQ(cols.primo_reason[i], code[at(D::primo_arrivant)]) << where;
                EXPECT_EQ(cols.bpi_reason[i], code[at(D::bpi)]) << where;
                EXPECT_EQ(cols.bpt_reason[i], code[at(D::bpt)]) << where;
                EXPECT_EQ(cols.agir_reason[i], code[at(D::agir)]) << where;
                EXPECT_EQ(cols.primo_reason_date[i], date[at(D::primo_arrivant)]) << where;
                EXPECT_EQ(cols.bpi_reason_date[i], date[at(D::bpi)]) << where;
                EXPECT_EQ(cols.bpt_reason_date[i], date[at(D::bpt)]) << where;
                EXPECT_EQ(cols.agir_reason_date[i], date[at(D::agir)]) << where;
                // Every dimension decided by a code.
                for (const D dim : {D::primo_arrivant, D::bpi, D::bpt, D::agir})
                    EXPECT_NE(code[at(dim)], 255) << where;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 15000u);
    // The generator reaches most codes (a test of the test).
    EXPECT_GE(codes_seen.size(), 20u);
}

// R3 minors_follow_household, a rule across persons: the random cases put in ten
// households, adults and minors mixed; the snapshot (verdict, evaluate, verdicts) answers as
// evaluate() corrected by follow_household() with the cases of the household.
TEST(SnapshotRules, MinorsFollowingTheirHouseholdAnswerLikeThePureEvaluation) {
    std::size_t checks = 0, followed = 0;
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        Gen g(1000 + seed);
        Policy policy = random_policy(g);
        policy.minors_follow_household = true;
        auto cases = random_cases(g, 60);
        for (auto& c : cases) {
            if (g.chance(80)) c.person.household_id = HouseholdId{"H" + std::to_string(g.below(10))};
            if (g.chance(90))
                c.person.birth_date = PartialDate{
                    g.chance(50) ? d("2008-01-01").plus_days(g.below(15 * 365))
                                 : d("1960-01-01").plus_days(g.below(40 * 365)),
                    g.chance(80) ? DatePrecision::day : DatePrecision::year};
            if (c.person.birth_date && c.person.birth_date->precision == DatePrecision::year)
                c.person.birth_date->first = Date(c.person.birth_date->first.year(), 1, 1);
        }
        const CaseSnapshot snap(cases, {}, policy);
        std::vector<std::uint32_t> index;
        std::vector<std::int32_t> days;
        std::vector<std::uint8_t> want_flags;
        for (std::uint32_t i = 0; i < snap.size(); ++i) {
            const PersonCase& c = cases[i];
            const PersonCase* family = nullptr;
            if (c.person.rejoining_family_of)
                for (const auto& other : cases)
                    if (other.person.id == *c.person.rejoining_family_of) family = &other;
            std::vector<const PersonCase*> household;
            std::set<Date> dates;
            for (const auto& other : cases)
                if (c.person.household_id && other.person.household_id == c.person.household_id) {
                    household.push_back(&other);
                    dates.merge(edges(other, case_facts(other, policy), policy));
                    if (other.person.birth_date)
                        for (const Date b : {other.person.birth_date->first, other.person.birth_date->last()})
                            dates.insert(add_years(b, 18, policy.feb29));
                }
            for (int k = 0; k < 10; ++k) dates.insert(g.day());
            for (const Date on : dates) {
                Eligibility want = evaluate(c, on, policy, family);
                if (follow_household(want, c, policy, household)) ++followed;
                const std::string where = "seed " + std::to_string(seed) + ", case " +
                                          std::to_string(i) + ", on " + to_iso(on);
                const Verdict v = snap.verdict(i, on);
                ASSERT_EQ(v.flags, flags_of(want)) << where;
                expect_same(snap.evaluate(i, on), want, where);
                index.push_back(i);
                days.push_back(on.days());
                want_flags.push_back(v.flags);
                ++checks;
            }
        }
        std::vector<Verdict> out(index.size());
        snap.verdicts(index, days, out);
        for (std::size_t k = 0; k < out.size(); ++k) ASSERT_EQ(out[k].flags, want_flags[k]) << k;
    }
    EXPECT_GT(checks, 10000u);
    EXPECT_GT(followed, 50u);  // the rule really applied
}

TEST(SnapshotRules, AgirThroughTheFamilyFollowsTheBpiJoined) {
    // B rejoins A, a refugee protected on 2024-03-01 in the Côte-d'Or (AGIR from 2024-01-01):
    // B is AGIR-eligible exactly while A is (two years, strict boundary).
    PersonCase a = test::refugee("A");
    a.protections = {Protection{ProtectionType::refugee, Authority::ofpra, d("2024-03-01"),
                                std::nullopt, std::nullopt, std::nullopt}};
    a.person.department = "21";
    PersonCase b = test::primo("B");
    b.person.department = "21";
    b.person.rejoining_family_of = PersonId{"A"};
    const CaseSnapshot snap({b, a}, {}, Policy{});
    for (const auto& [on, want] : std::vector<std::pair<const char*, bool>>{
             {"2024-02-29", false}, {"2024-03-01", true}, {"2026-02-28", true}, {"2026-03-01", false}}) {
        EXPECT_EQ(snap.verdict(0, d(on)).is(Verdict::agir), want) << on;
        EXPECT_EQ(snap.verdict(1, d(on)).is(Verdict::agir), want) << on;
    }
}

TEST(SnapshotRules, BatchRefusesMismatchedSizesAndUnknownIndexes) {
    const CaseSnapshot snap({test::refugee("A"), test::primo("B")}, {}, Policy{});
    const std::vector<std::uint32_t> index{0, 1, 2};
    const std::vector<std::int32_t> days(3, d("2024-01-01").days());
    std::vector<Verdict> out(3);
    EXPECT_THROW(snap.verdicts(index, days, out), ValidationError);  // index 2 of 2 persons
    std::vector<Verdict> short_out(2);
    EXPECT_THROW(snap.verdicts(std::span(index).first(2), days, short_out), ValidationError);
    snap.verdicts(std::span(index).first(2), std::span(days).first(2), short_out);
    EXPECT_TRUE(short_out[0].is(Verdict::bpi));
}

}  // namespace
}  // namespace ctai
