// R6/R7 journey rules as pure functions (no store): each rule refuses with its typed error
// and rule name, and the override bypasses exactly the rules it may bypass.
#include <ctai/journeys.hpp>

#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::d;

// A small contract written for the tests: 1 excluded for AGIR, 2 open to everyone,
// 3 requires action 1, 4 partner on housing and requires action 1.
Contract test_contract() {
    Contract c;
    c.id = ContractId{"test-contract"};
    c.start = d("2023-01-01");
    c.end = d("2025-12-31");
    Action a1;
    a1.number = 1;
    a1.agir_policy = AgirPolicy::excluded;
    Action a2;
    a2.number = 2;
    a2.open_to_general_population = true;
    Action a3;
    a3.number = 3;
    a3.prerequisite = Prerequisite{};
    Action a4;
    a4.number = 4;
    a4.agir_policy = AgirPolicy::partner;
    a4.agir_needs = {Need::housing};
    a4.prerequisite = Prerequisite{};
    c.actions = {a1, a2, a3, a4};
    c.exit_reasons = default_exit_reasons();
    return c;
}

Journey journey(const char* id, int action, const char* entry,
                std::optional<const char*> exit = std::nullopt) {
    Journey j;
    j.id = JourneyId{id};
    j.person_id = PersonId{"P1"};
    j.contract_id = ContractId{"test-contract"};
    j.action = action;
    j.entry_date = d(entry);
    j.referral_source = ReferralSource::ccas;
    if (exit) {
        j.exit_date = d(*exit);
        j.exit_reason = "autonomy";
    }
    j.steps.push_back(Step{StepKind::intake, d(entry)});
    return j;
}

std::string rule_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConflictError& e) {
        return e.rule();
    }
    return "none";
}

AgirSupport agir_from(const char* entry) {
    AgirSupport s;
    s.person_id = PersonId{"P1"};
    s.orientation_date = d(entry);
    s.entry_date = d(entry);
    return s;
}

class Journeys : public ::testing::Test {
protected:
    Contract contract = test_contract();
    PersonCase bpi = ctai::test::refugee("P1");
    Policy policy;
};

TEST_F(Journeys, ExitBeforeEntryIsRefused) {
    auto j = journey("J1", 1, "2024-03-01", "2024-02-28");
    EXPECT_EQ(rule_of([&] { check_journey_shape(j, contract); }), "R7.exit_before_entry");
    j.exit_date = d("2024-03-01");  // same day is a valid (zero-length) journey
    EXPECT_NO_THROW(check_journey_shape(j, contract));
}

TEST_F(Journeys, StepOutsideTheJourneyIsRefused) {
    auto j = journey("J1", 1, "2024-03-01", "2024-06-30");
    j.steps.push_back(Step{StepKind::support, d("2024-07-01")});
    EXPECT_EQ(rule_of([&] { check_journey_shape(j, contract); }), "R7.step_outside_journey");
    j.steps.back().date = d("2024-02-29");
    EXPECT_EQ(rule_of([&] { check_journey_shape(j, contract); }), "R7.step_outside_journey");
    j.steps.back().date = d("2024-06-30");
    EXPECT_NO_THROW(check_journey_shape(j, contract));
}

TEST_F(Journeys, ExitReasonMustBelongToTheContractVocabulary) {
    auto j = journey("J1", 1, "2024-03-01", "2024-06-30");
    j.exit_reason = "not_a_reason";
    EXPECT_THROW(check_journey_shape(j, contract), ValidationError);
    j.exit_reason.reset();
    EXPECT_THROW(check_journey_shape(j, contract), ValidationError);
    auto open = journey("J2", 1, "2024-03-01");
    open.exit_reason = "autonomy";
    EXPECT_THROW(check_journey_shape(open, contract), ValidationError);
}

TEST_F(Journeys, UnknownActionIsAValidationError) {
    EXPECT_THROW(check_journey_shape(journey("J1", 9, "2024-03-01"), contract), ValidationError);
}

TEST_F(Journeys, BlankOverrideReasonIsRefused) {
    auto j = journey("J1", 1, "2024-03-01");
    j.override_reason = "   ";
    EXPECT_FALSE(has_override(j));
    EXPECT_THROW(check_journey_shape(j, contract), ValidationError);
}

TEST_F(Journeys, SecondOpenJourneyInTheSameActionIsRefused) {
    const std::vector<Journey> others{journey("J1", 1, "2024-01-10")};
    const auto second = journey("J2", 1, "2024-05-01");
    EXPECT_EQ(rule_of([&] { check_one_open_journey(second, others); }), "R7.one_open_journey");
    // Another action is independent.
    EXPECT_NO_THROW(check_one_open_journey(journey("J3", 2, "2024-05-01"), others));
    // The same journey (an update) is not a conflict with itself.
    EXPECT_NO_THROW(check_one_open_journey(journey("J1", 1, "2024-01-10"), others));
}

TEST_F(Journeys, ReEntryAfterAnExitIsANewJourney) {
    const std::vector<Journey> others{journey("J1", 1, "2024-01-10", "2024-03-31")};
    EXPECT_NO_THROW(check_one_open_journey(journey("J2", 1, "2024-03-31"), others));
    EXPECT_EQ(rule_of([&] { check_one_open_journey(journey("J2", 1, "2024-03-30"), others); }),
              "R7.one_open_journey");
    // A closed journey inside another one also overlaps.
    EXPECT_EQ(rule_of([&] {
                  check_one_open_journey(journey("J3", 1, "2024-02-01", "2024-02-10"), others);
              }),
              "R7.one_open_journey");
}

TEST_F(Journeys, PersonOutsideThePublicIsRefusedExceptInAnOpenAction) {
    const auto fr = ctai::test::french("P1");
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, journey("J1", 1, "2024-03-01"), fr, {}, {}, policy);
              }),
              "R7.public_at_entry");
    const auto r = check_enrollment(contract, journey("J2", 2, "2024-03-01"), fr, {}, {}, policy);
    EXPECT_TRUE(r.counted_apart);
    const auto in_public =
        check_enrollment(contract, journey("J3", 2, "2024-03-01"), bpi, {}, {}, policy);
    EXPECT_FALSE(in_public.counted_apart);
}

TEST_F(Journeys, PrimoArrivantIsInThePublicUntilTheEndOfTheWindow) {
    const auto pa = ctai::test::primo("P1");  // first card 2022-03-15
    EXPECT_NO_THROW(check_enrollment(contract, journey("J1", 1, "2027-03-14"), pa, {}, {}, policy));
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, journey("J1", 1, "2027-03-15"), pa, {}, {}, policy);
              }),
              "R7.public_at_entry");
}

TEST_F(Journeys, ActionFourRequiresAnActionOneJourneyAtItsEnd) {
    auto a1 = journey("J1", 1, "2023-06-01");
    const auto a4 = journey("J4", 4, "2024-03-01");
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, a4, bpi, std::vector<Journey>{a1}, {}, policy);
              }),
              "R7.prerequisite");
    // A follow_on step after the entry date does not count.
    a1.steps.push_back(Step{StepKind::follow_on, d("2024-03-02")});
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, a4, bpi, std::vector<Journey>{a1}, {}, policy);
              }),
              "R7.prerequisite");
    a1.steps.back().date = d("2024-03-01");
    EXPECT_NO_THROW(check_enrollment(contract, a4, bpi, std::vector<Journey>{a1}, {}, policy));
    // An exited action-1 journey counts too.
    const auto exited = journey("J1", 1, "2023-06-01", "2024-01-31");
    EXPECT_NO_THROW(check_enrollment(contract, a4, bpi, std::vector<Journey>{exited}, {}, policy));
}

TEST_F(Journeys, EnrollingAnAgirBeneficiaryInAnExcludedActionIsRefused) {
    const std::vector<AgirSupport> agir{agir_from("2024-01-15")};
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, journey("J1", 1, "2024-03-01"), bpi, {}, agir, policy);
              }),
              "R6.agir_excluded");
    // Before the AGIR entry, and after the 24-month window, the action is allowed.
    EXPECT_NO_THROW(
        check_enrollment(contract, journey("J1", 1, "2024-01-14"), bpi, {}, agir, policy));
    EXPECT_NO_THROW(
        check_enrollment(contract, journey("J1", 1, "2026-01-15"), ctai::test::primo("P1"), {},
                         agir, policy));
    // An AGIR support that exited does not exclude.
    auto exited = agir_from("2024-01-15");
    exited.exit_date = d("2024-02-29");
    EXPECT_NO_THROW(check_enrollment(contract, journey("J1", 1, "2024-03-01"), bpi, {},
                                     std::vector<AgirSupport>{exited}, policy));
}

TEST_F(Journeys, AgirMayReferToAPartnerActionOnlyForItsDeclaredNeeds) {
    const std::vector<AgirSupport> agir{agir_from("2024-01-15")};
    const std::vector<Journey> a1{journey("J1", 1, "2023-06-01", "2023-12-31")};
    auto a4 = journey("J4", 4, "2024-03-01");
    a4.referral_source = ReferralSource::agir;
    EXPECT_NO_THROW(check_enrollment(contract, a4, bpi, a1, agir, policy, Need::housing));
    EXPECT_NO_THROW(check_enrollment(contract, a4, bpi, a1, agir, policy));  // need unknown
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, a4, bpi, a1, agir, policy, Need::employment);
              }),
              "R6.agir_partner_need");
}

TEST_F(Journeys, OverrideWithAWrittenReasonBypassesArticulationButNotShape) {
    const std::vector<AgirSupport> agir{agir_from("2024-01-15")};
    auto j = journey("J1", 1, "2024-03-01");
    j.override_reason = "Convention locale AGIR du 2024-02-01, accord du référent";
    const auto r = check_enrollment(contract, j, bpi, {}, agir, policy);
    EXPECT_EQ(r.overridden_rules, std::vector<std::string>{"R6.agir_excluded"});
    // The public and the prerequisite are bypassed too, and reported.
    auto j4 = journey("J4", 4, "2024-03-01");
    j4.override_reason = "Décision du comité de pilotage";
    const auto r4 =
        check_enrollment(contract, j4, ctai::test::french("P1"), {}, agir, policy);
    EXPECT_EQ(r4.overridden_rules,
              (std::vector<std::string>{"R7.public_at_entry", "R7.prerequisite"}));
    // Shape and one-open-journey rules are never bypassed.
    auto bad = journey("J5", 1, "2024-03-01", "2024-02-01");
    bad.override_reason = "whatever";
    EXPECT_EQ(rule_of([&] { check_enrollment(contract, bad, bpi, {}, {}, policy); }),
              "R7.exit_before_entry");
    auto twice = journey("J6", 1, "2024-03-01");
    twice.override_reason = "whatever";
    EXPECT_EQ(rule_of([&] {
                  check_enrollment(contract, twice, bpi, std::vector<Journey>{journey("J7", 1, "2024-01-01")},
                                   {}, policy);
              }),
              "R7.one_open_journey");
}

TEST_F(Journeys, LengthIsExitMinusEntryOrCensored) {
    EXPECT_EQ(journey_length(journey("J1", 1, "2024-01-01", "2024-03-01")), 60);
    EXPECT_EQ(journey_length(journey("J1", 1, "2024-01-01")), std::nullopt);
    EXPECT_EQ(journey_length(journey("J1", 1, "2024-01-01"), d("2024-01-31")), 30);
    auto j = journey("J1", 1, "2024-01-01", "2024-03-01");
    EXPECT_TRUE(is_positive_exit(j, contract));  // autonomy
    j.exit_reason = "dropped_out";
    EXPECT_FALSE(is_positive_exit(j, contract));
}

}  // namespace
