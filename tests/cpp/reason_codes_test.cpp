// Stable reason codes (docs/rules.md, "Reason codes"): each branch of R1 to R6 gives its code
// and the date that decided it; one code per dimension; the spellings never change.
#include <ctai/eligibility.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace ctai {
// gtest: a code prints as its spelling and date.
void PrintTo(const ReasonCode& c, std::ostream* os) {
    *os << to_string(c.code) << (c.date ? ":" + to_iso(*c.date) : std::string());
}
}  // namespace ctai

namespace {

using namespace ctai;

Date d(const char* iso) { return parse_date(iso); }

PersonCase person(std::vector<std::string> nats, const char* dept = "21") {
    PersonCase c;
    c.person.id = PersonId{"P-CODES"};
    c.person.nationalities = std::move(nats);
    c.person.department = dept;
    return c;
}

Protection protection(ProtectionType t, const char* decided) {
    Protection p;
    p.type = t;
    p.decision_date = d(decided);
    return p;
}

/// The code of `dim` in an evaluation, with its date ("R3.window_ended:2025-03-15").
std::string code_of(const Eligibility& e, ReasonDimension dim) {
    std::string out;
    for (const auto& c : e.reason_codes)
        if (dimension(c.code) == dim) {
            EXPECT_TRUE(out.empty()) << "two codes for one dimension";
            out = std::string(to_string(c.code)) + (c.date ? ":" + to_iso(*c.date) : "");
        }
    return out;
}

std::string primo(const PersonCase& c, const char* on, const Policy& p = {}) {
    return code_of(evaluate(c, d(on), p), ReasonDimension::primo_arrivant);
}
std::string bpi(const PersonCase& c, const char* on, const Policy& p = {}) {
    return code_of(evaluate(c, d(on), p), ReasonDimension::bpi);
}
std::string bpt(const PersonCase& c, const char* on, const Policy& p = {}) {
    return code_of(evaluate(c, d(on), p), ReasonDimension::bpt);
}
std::string agir(const PersonCase& c, const char* on, const Policy& p = {},
                 const PersonCase* family = nullptr) {
    return code_of(evaluate(c, d(on), p, family), ReasonDimension::agir);
}

TEST(ReasonCodes, SpellingsAreStableAndUnique) {
    const auto names = reason_code_names();
    ASSERT_EQ(names.size(), 29u);
    EXPECT_EQ(to_string(Reason::nationality_undetermined), "R1.undetermined");
    EXPECT_EQ(to_string(Reason::primo_window_ended), "R3.window_ended");
    EXPECT_EQ(to_string(Reason::bpi), "R4.bpi");
    EXPECT_EQ(to_string(Reason::bpt_outside_period), "R5.outside_period");
    EXPECT_EQ(to_string(Reason::agir_family_not_eligible), "R6.family_not_eligible");
    for (std::size_t i = 0; i < names.size(); ++i) {
        for (std::size_t j = i + 1; j < names.size(); ++j) EXPECT_NE(names[i], names[j]);
        // The rule id of the spelling is the rule of its dimension.
        const auto dim = dimension(static_cast<Reason>(i));
        const char* prefix[] = {"R1.", "R3.", "R4.", "R5.", "R6."};
        EXPECT_EQ(names[i].substr(0, 3), prefix[static_cast<int>(dim)]) << names[i];
    }
}

TEST(ReasonCodes, OnePerDimensionInOrderAndNoneWithoutExplain) {
    auto c = person({"MA"});
    c.permits.push_back({PermitKind::card, Motive::family, d("2020-03-15"), std::nullopt});
    const auto e = evaluate(c, d("2024-01-01"), Policy{});
    ASSERT_EQ(e.reason_codes.size(), 4u);
    EXPECT_EQ(dimension(e.reason_codes[0].code), ReasonDimension::primo_arrivant);
    EXPECT_EQ(dimension(e.reason_codes[1].code), ReasonDimension::bpi);
    EXPECT_EQ(dimension(e.reason_codes[2].code), ReasonDimension::bpt);
    EXPECT_EQ(dimension(e.reason_codes[3].code), ReasonDimension::agir);
    EXPECT_TRUE(evaluate(c, d("2024-01-01"), Policy{}, nullptr, Explain::none).reason_codes.empty());
    // The sentences are unchanged by the codes.
    EXPECT_EQ(e.reasons.size(), 3u);
}

TEST(ReasonCodes, R1UndeterminedComesFirst) {
    const auto e = evaluate(person({"UNKNOWN"}), d("2024-01-01"), Policy{});
    ASSERT_EQ(e.reason_codes.size(), 5u);
    EXPECT_EQ(e.reason_codes[0].code, Reason::nationality_undetermined);
    EXPECT_EQ(code_of(e, ReasonDimension::primo_arrivant), "R3.not_third_country");
}

TEST(ReasonCodes, R3EachBranchWithItsDate) {
    auto c = person({"MA"});
    c.permits.push_back({PermitKind::card, Motive::family, d("2020-03-15"), d("2022-03-14")});
    EXPECT_EQ(primo(c, "2025-03-14"), "R3.primo_arrivant:2020-03-15");
    EXPECT_EQ(primo(c, "2025-03-15"), "R3.window_ended:2025-03-15");
    EXPECT_EQ(primo(person({"DE"}), "2024-01-01"), "R3.not_third_country");
    auto student = person({"MA"});
    student.permits.push_back({PermitKind::card, Motive::student, d("2023-09-01"), std::nullopt});
    EXPECT_EQ(primo(student, "2024-01-01"), "R3.no_anchor");
    // R0.5: an anchor dated after the date is not known.
    EXPECT_EQ(primo(c, "2020-03-14"), "R3.no_anchor");
    auto situation = c;
    situation.situations.push_back({SituationKind::irregular, d("2023-01-05"), std::nullopt});
    EXPECT_EQ(primo(situation, "2023-06-01"), "R3.irregular:2023-01-05");
    situation.situations.front().kind = SituationKind::asylum_seeker;
    EXPECT_EQ(primo(situation, "2023-06-01"), "R3.asylum_seeker:2023-01-05");
    situation.situations.front().kind = SituationKind::unaccompanied_minor;
    EXPECT_EQ(primo(situation, "2023-06-01"), "R3.unaccompanied_minor:2023-01-05");
    Policy regular;
    regular.require_regular_stay = true;
    EXPECT_EQ(primo(c, "2022-03-14", regular), "R3.primo_arrivant:2020-03-15");
    EXPECT_EQ(primo(c, "2023-01-01", regular), "R3.no_regular_stay:2022-03-15");
    Policy cir;
    cir.require_cir = true;
    EXPECT_EQ(primo(c, "2023-01-01", cir), "R3.no_cir");
}

TEST(ReasonCodes, R4EachBranchWithItsDate) {
    auto c = person({"AF"});
    c.protections.push_back(protection(ProtectionType::refugee, "2021-05-10"));
    EXPECT_EQ(bpi(c, "2024-02-29"), "R4.bpi:2021-05-10");
    // R0.5 (worked case): a protection decided after the date is not known.
    EXPECT_EQ(bpi(c, "2021-05-09"), "R4.no_protection");
    EXPECT_EQ(bpi(person({"MA"}), "2024-01-01"), "R4.no_protection");
    // R1 (worked case): naturalised French on 2024-03-01.
    auto naturalised = c;
    naturalised.nationalities = {{"AF", std::nullopt, std::nullopt}, {"FR", d("2024-03-01"), std::nullopt}};
    EXPECT_EQ(bpi(naturalised, "2024-02-29"), "R4.bpi:2021-05-10");
    EXPECT_EQ(bpi(naturalised, "2024-03-01"), "R4.not_foreigner:2024-03-01");
    Policy five;
    five.bpi_window_years = 5;
    EXPECT_EQ(bpi(c, "2026-05-09", five), "R4.bpi:2021-05-10");
    EXPECT_EQ(bpi(c, "2026-05-10", five), "R4.window_ended:2026-05-10");
    auto withdrawn = c;
    withdrawn.protections.front().end_date = d("2023-02-01");
    EXPECT_EQ(bpi(withdrawn, "2023-06-01"), "R4.protection_ended:2023-02-01");
}

TEST(ReasonCodes, R5EachBranchWithItsDate) {
    auto c = person({"UA"});
    auto aps = protection(ProtectionType::temporary, "2022-05-02");
    c.protections.push_back(aps);
    EXPECT_EQ(bpt(c, "2024-06-01"), "R5.bpt:2022-05-02");
    EXPECT_EQ(bpt(person({"UA"}), "2024-06-01"), "R5.no_temporary_protection");
    Policy p;
    EXPECT_EQ(bpt(c, to_iso(p.bpt_end().plus_days(1)).c_str()),
              "R5.outside_period:" + to_iso(p.bpt_end().plus_days(1)));
    auto early = person({"UA"});
    early.protections.push_back(protection(ProtectionType::temporary, "2022-03-01"));
    EXPECT_EQ(bpt(early, "2022-03-03"), "R5.outside_period:2022-03-04");
    auto ended = c;
    ended.protections.front().end_date = d("2023-05-01");
    EXPECT_EQ(bpt(ended, "2023-06-01"), "R5.outside_period:2023-05-01");
    auto displaced = c;
    displaced.protections.front().displaced_on = d("2021-11-30");
    EXPECT_EQ(bpt(displaced, "2024-06-01"), "R5.displaced_before:2021-11-30");
    auto naturalised = c;
    naturalised.nationalities = {{"UA", std::nullopt, std::nullopt}, {"PL", d("2024-01-10"), std::nullopt}};
    EXPECT_EQ(bpt(naturalised, "2024-06-01"), "R5.not_foreigner:2024-01-10");
}

TEST(ReasonCodes, R6EachBranchWithItsDate) {
    auto c = person({"AF"});
    c.protections.push_back(protection(ProtectionType::refugee, "2023-03-10"));
    EXPECT_EQ(agir(c, "2024-12-31"), "R6.own_right:2023-03-10");
    EXPECT_EQ(agir(c, "2025-03-10"), "R6.recency_ended:2025-03-10");
    EXPECT_EQ(agir(c, "2023-12-31"), "R6.not_deployed:2024-01-01");
    EXPECT_EQ(agir(person({"AF"}, "75"), "2024-06-01"), "R6.not_bpi");
    auto paris = c;
    paris.person.department = "75";
    EXPECT_EQ(agir(paris, "2024-06-01"), "R6.not_deployed");
    auto stateless = person({"STATELESS"});
    stateless.protections.push_back(protection(ProtectionType::stateless, "2023-03-10"));
    Policy no_stateless;
    no_stateless.agir_includes_stateless = false;
    EXPECT_EQ(agir(stateless, "2024-06-01", no_stateless), "R6.stateless_excluded");
    EXPECT_EQ(agir(stateless, "2024-06-01"), "R6.own_right:2023-03-10");
    auto joining = person({"AF"});
    joining.person.id = PersonId{"P-JOIN"};
    joining.person.rejoining_family_of = c.person.id;
    EXPECT_EQ(agir(joining, "2024-06-01", Policy{}, &c), "R6.family");
    EXPECT_EQ(agir(joining, "2024-06-01"), "R6.family_not_eligible");
    auto bpt_joining = joining;
    bpt_joining.person.nationalities = {"UA"};
    bpt_joining.protections.push_back(protection(ProtectionType::temporary, "2022-05-02"));
    EXPECT_EQ(agir(bpt_joining, "2024-06-01", Policy{}, &c), "R6.bpt");
}

// The worked cases of domain.md that the codes explain.
TEST(ReasonCodes, WorkedCasesOfTheDomainSpecification) {
    // Protection decided 2024-03-12, `ctai check --on 2023-10-15`: nothing known yet.
    auto later = person({"AF"});
    later.protections.push_back(protection(ProtectionType::refugee, "2024-03-12"));
    EXPECT_EQ(bpi(later, "2023-10-15"), "R4.no_protection");
    EXPECT_EQ(agir(later, "2023-10-15"), "R6.not_bpi");
    // Temporary protection on 2022-03-03: not BPT (before the EU temporary protection).
    auto early = person({"UA"});
    early.protections.push_back(protection(ProtectionType::temporary, "2022-03-03"));
    EXPECT_EQ(bpt(early, "2022-03-03"), "R5.outside_period:2022-03-04");
    // MA national, first family card from 2020-03-15: primo on 2025-03-14, not on 2025-03-15.
    auto ma = person({"MA"});
    ma.permits.push_back({PermitKind::card, Motive::family, d("2020-03-15"), std::nullopt});
    EXPECT_EQ(primo(ma, "2025-03-14"), "R3.primo_arrivant:2020-03-15");
    EXPECT_EQ(primo(ma, "2025-03-15"), "R3.window_ended:2025-03-15");
    Policy inclusive;
    inclusive.boundary = Boundary::inclusive;
    EXPECT_EQ(primo(ma, "2025-03-16", inclusive), "R3.window_ended:2025-03-16");
    // Protection 2023-01-15, orientation 2025-01-05: eligible (rolling), not (calendar).
    auto jan = person({"AF"});
    jan.protections.push_back(protection(ProtectionType::refugee, "2023-01-15"));
    EXPECT_EQ(agir(jan, "2025-01-05"), "R6.own_right:2023-01-15");
    Policy calendar;
    calendar.agir_recency = AgirRecency::calendar_n_minus_1;
    EXPECT_EQ(agir(jan, "2025-01-05", calendar), "R6.recency_ended:2025-01-01");
    // BPT with APS, orientation 2024-05-01: not AGIR-eligible (no BPI to follow: R6.not_bpi).
    auto aps = person({"UA"});
    aps.protections.push_back(protection(ProtectionType::temporary, "2022-05-02"));
    EXPECT_EQ(agir(aps, "2024-05-01"), "R6.not_bpi");
    EXPECT_EQ(bpt(aps, "2024-06-01"), "R5.bpt:2022-05-02");
}

}  // namespace
