// The rules of a write as pure functions returning verdicts (src/domain/journey_rules.hpp):
// one test per outcome, each naming the rule and the column, no store.
#include "domain/journey_rules.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <ctai/error.hpp>
#include <ctai/referrals.hpp>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using namespace ctai::rules;
using ctai::test::d;
using O = RuleVerdict::Outcome;

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
    c.actions = {a1, a2};
    c.exit_reasons = default_exit_reasons();
    return c;
}

Journey journey(const char* id, int action, const char* entry) {
    return enrollment(JourneyId{id}, PersonId{"P1"}, ContractId{"test-contract"}, action, d(entry),
                      ReferralSource::ccas, std::nullopt);
}

Referral referral(const char* id, ReferralStatus status, const char* proposed, Need need) {
    Referral r;
    r.id = ReferralId{id};
    r.person_id = PersonId{"P1"};
    r.from = "agir";
    r.to = "test-contract:1";
    r.need = need;
    r.status = status;
    r.proposed_on = d(proposed);
    if (status != ReferralStatus::proposed) r.decided_on = d(proposed);
    return r;
}

void expect_invalid(const RuleVerdict& v, const char* column) {
    EXPECT_EQ(v.outcome, O::invalid) << v.message;
    EXPECT_EQ(v.column, column);
    EXPECT_TRUE(v.rule.empty());
}

void expect_conflict(const RuleVerdict& v, const char* rule, const char* column) {
    EXPECT_EQ(v.outcome, O::conflict) << v.message;
    EXPECT_EQ(v.rule, rule);
    EXPECT_EQ(v.column, column);
}

// ---- the verdict and its error -----------------------------------------------------------

TEST(JourneyRules, EnforceThrowsTheErrorTheVerdictNames) {
    EXPECT_NO_THROW(enforce(RuleVerdict::allow()));
    try {
        enforce(RuleVerdict::conflict("m", "R7.already_exited", "exit_date"));
        FAIL();
    } catch (const ConflictError& e) {
        EXPECT_EQ(e.rule(), "R7.already_exited");
        EXPECT_EQ(e.column(), "exit_date");
        EXPECT_STREQ(e.what(), "m");
    }
    try {
        enforce(RuleVerdict::invalid("m", "hours"));
        FAIL();
    } catch (const ValidationError& e) {
        EXPECT_EQ(e.field(), "hours");
    }
    try {
        enforce(RuleVerdict::not_found("m", "person", "P9"));
        FAIL();
    } catch (const NotFoundError& e) {
        EXPECT_EQ(e.entity(), "person");
        EXPECT_EQ(e.id(), "P9");
    }
}

TEST(JourneyRules, RuleColumns) {
    EXPECT_EQ(rule_column("R7.one_open_journey"), "entry_date");
    EXPECT_EQ(rule_column("R7.step_outside_journey"), "date");
    EXPECT_EQ(rule_column("R6.referral_transition"), "status");
    EXPECT_EQ(rule_column("R6.agir_excluded"), "action");
    EXPECT_EQ(rule_column("no.such_rule"), "");
}

// ---- persons and cases --------------------------------------------------------------------

TEST(JourneyRules, PersonAllowed) { EXPECT_TRUE(check_person(test::refugee("P1").person).allowed()); }

TEST(JourneyRules, PersonWithoutId) { expect_invalid(check_person(Person{}), "person_id"); }

TEST(JourneyRules, PersonNationalityNotNormalisedNamesThePositionNotTheCode) {
    auto p = test::refugee("P1").person;
    p.nationalities = {"AF", "zz-secret"};
    const auto v = check_person(p);
    expect_invalid(v, "nationalities");
    EXPECT_NE(v.message.find("nationalities[1]"), std::string::npos);
    EXPECT_EQ(v.message.find("zz-secret"), std::string::npos);
}

TEST(JourneyRules, PersonEmptyHouseholdAndFamilyLink) {
    auto p = test::refugee("P1").person;
    p.household_id = HouseholdId{""};
    expect_invalid(check_person(p), "household_id");
    p.household_id.reset();
    p.rejoining_family_of = PersonId{""};
    expect_invalid(check_person(p), "rejoining_family_of");
}

TEST(JourneyRules, CaseListsDatedInOrder) {
    EXPECT_TRUE(check_case(test::refugee("P1")).allowed());
    auto c = test::refugee("P1");
    c.permits.push_back(Permit{PermitKind::card, Motive::other, d("2024-01-01"), d("2023-01-01")});
    expect_invalid(check_case(c), "valid_to");
    c = test::refugee("P1");
    ASSERT_FALSE(c.protections.empty());
    c.protections[0].end_date = d("2023-01-01");
    expect_invalid(check_case(c), "decision_date");
    c = test::refugee("P1");
    c.situations.push_back(Situation{SituationKind::asylum_seeker, d("2024-01-01"), d("2023-01-01")});
    expect_invalid(check_case(c), "end");
}

// ---- other records --------------------------------------------------------------------------

TEST(JourneyRules, ActionOfTheContract) {
    EXPECT_TRUE(check_action(test_contract(), 1, "x").allowed());
    expect_invalid(check_action(test_contract(), 9, "x"), "action");
}

TEST(JourneyRules, ContractIdNotBuiltIn) {
    expect_invalid(check_contract(Contract{}), "id");
    auto c = test_contract();
    EXPECT_TRUE(check_contract(c).allowed());
    c.id = builtin_contracts().front().id;
    expect_conflict(check_contract(c), "contract.builtin_id", "id");
}

TEST(JourneyRules, AgirSupportDates) {
    AgirSupport s;
    s.person_id = PersonId{"P1"};
    s.orientation_date = d("2024-01-10");
    EXPECT_TRUE(check_agir_support(s).allowed());
    expect_invalid(check_agir_support(AgirSupport{}), "person_id");
    s.entry_date = d("2024-01-01");
    expect_invalid(check_agir_support(s), "entry_date");
    s.entry_date.reset();
    s.exit_date = d("2024-02-01");
    expect_invalid(check_agir_support(s), "exit_date");
    s.entry_date = d("2024-03-01");
    expect_invalid(check_agir_support(s), "exit_date");
    s.exit_date.reset();
    s.cdd_months = -1;
    expect_invalid(check_agir_support(s), "cdd_months");
}

TEST(JourneyRules, OtherRecords) {
    Activity a;
    expect_invalid(check_activity(a), "activity_id");
    a.id = ActivityId{"A1"};
    EXPECT_TRUE(check_activity(a).allowed());
    a.hours = std::numeric_limits<double>::quiet_NaN();
    expect_invalid(check_activity(a), "hours");

    Participation p;
    EXPECT_TRUE(check_participation(p).allowed());
    p.satisfaction = 6;
    expect_invalid(check_participation(p), "satisfaction");

    Volunteering v;
    v.start = d("2024-01-01");
    EXPECT_TRUE(check_volunteering(v).allowed());
    v.end = d("2023-01-01");
    expect_invalid(check_volunteering(v), "end");

    HousingMove m;
    expect_invalid(check_housing_move(m), "household_id");
    m.household_id = HouseholdId{"H1"};
    EXPECT_TRUE(check_housing_move(m).allowed());

    Cost c{ContractId{"test-contract"}, 1, 100, 50};
    EXPECT_TRUE(check_cost(c).allowed());
    c.total_cost = -1;
    expect_invalid(check_cost(c), "total_cost");
    c.total_cost = 10;
    expect_invalid(check_cost(c), "subsidy_p104");
}

// ---- referrals (R6) -----------------------------------------------------------------------

TEST(JourneyRules, ReferralRecord) {
    EXPECT_TRUE(check_referral_record(referral("R1", ReferralStatus::proposed, "2024-03-01",
                                               Need::housing))
                    .allowed());
    auto r = referral("R1", ReferralStatus::accepted, "2024-03-01", Need::housing);
    r.decided_on = d("2024-02-01");
    expect_conflict(check_referral_record(r), "R6.referral_transition", "status");
    r.id = ReferralId{""};
    expect_invalid(check_referral_record(r), "referral_id");
}

TEST(JourneyRules, ReferralUpdateMovesForwardOnly) {
    const auto proposed = referral("R1", ReferralStatus::proposed, "2024-03-01", Need::housing);
    auto completed = proposed;
    completed.status = ReferralStatus::completed;
    EXPECT_TRUE(check_referral_update(std::nullopt, completed).allowed());
    EXPECT_TRUE(check_referral_update(proposed, proposed).allowed());
    EXPECT_TRUE(check_referral_update(proposed, completed).allowed());  // recorded after the fact
    auto back = proposed;
    const auto v = check_referral_update(completed, back);
    expect_conflict(v, "R6.referral_transition", "status");
    EXPECT_EQ(v.message, "referral 'R1': cannot go from completed to proposed");
}

TEST(JourneyRules, NewReferralId) {
    EXPECT_TRUE(check_new_referral_id(ReferralId{"R1"}, false).allowed());
    expect_conflict(check_new_referral_id(ReferralId{"R1"}, true), "R6.referral_id_exists",
                    "referral_id");
}

TEST(JourneyRules, ReferralTransition) {
    const auto proposed = referral("R1", ReferralStatus::proposed, "2024-03-01", Need::housing);
    auto t = transition_referral(proposed, ReferralStatus::accepted, d("2024-03-05"), {});
    EXPECT_TRUE(t.verdict.allowed());
    EXPECT_EQ(t.next.status, ReferralStatus::accepted);
    EXPECT_EQ(t.next.decided_on, d("2024-03-05"));
    t = transition_referral(proposed, ReferralStatus::completed, d("2024-03-05"), {});
    expect_conflict(t.verdict, "R6.referral_transition", "status");
    t = transition_referral(proposed, ReferralStatus::declined, d("2024-03-05"), {});
    EXPECT_EQ(t.verdict.outcome, O::invalid);
}

TEST(JourneyRules, InferredNeedIsTheLatestAcceptedOrCompletedFromAgir) {
    auto j = journey("J1", 1, "2024-04-01");
    const std::vector<Referral> rs = {
        referral("R1", ReferralStatus::accepted, "2024-03-01", Need::housing),
        referral("R3", ReferralStatus::completed, "2024-03-02", Need::employment),
        referral("R2", ReferralStatus::accepted, "2024-03-02", Need::rights),
        referral("R4", ReferralStatus::proposed, "2024-03-09", Need::health),
    };
    EXPECT_EQ(inferred_need(j, rs), std::nullopt);  // not sent by AGIR
    j.referral_source = ReferralSource::agir;
    EXPECT_EQ(inferred_need(j, rs), Need::employment);  // same date: the greater id
    auto other = rs;
    for (auto& r : other) r.to = "test-contract:2";
    EXPECT_EQ(inferred_need(j, other), std::nullopt);
    EXPECT_EQ(inferred_need(j, {}), std::nullopt);
}

// ---- journeys (R7) ------------------------------------------------------------------------

TEST(JourneyRules, NewJourneyId) {
    EXPECT_TRUE(check_new_journey_id(JourneyId{"J1"}, false).allowed());
    expect_conflict(check_new_journey_id(JourneyId{"J1"}, true), "R7.journey_id_exists",
                    "journey_id");
}

TEST(JourneyRules, EnrollmentStartsWithAnIntake) {
    const auto j = journey("J1", 1, "2024-04-01");
    ASSERT_EQ(j.steps.size(), 1u);
    EXPECT_EQ(j.steps[0], (Step{StepKind::intake, d("2024-04-01")}));
    EXPECT_EQ(j.entry_date, d("2024-04-01"));
    EXPECT_TRUE(j.open());
}

TEST(JourneyRules, StepsStayInDateOrder) {
    auto j = with_step(journey("J1", 1, "2024-04-01"), StepKind::follow_on, d("2024-05-01"));
    j = with_step(std::move(j), StepKind::end_of_support, d("2024-04-01"));
    ASSERT_EQ(j.steps.size(), 3u);
    EXPECT_EQ(j.steps[0].kind, StepKind::intake);  // same date: after the ones before
    EXPECT_EQ(j.steps[1].kind, StepKind::end_of_support);
    EXPECT_EQ(j.steps[2].kind, StepKind::follow_on);
}

TEST(JourneyRules, ExitOnce) {
    auto j = journey("J1", 1, "2024-04-01");
    EXPECT_TRUE(check_exit(j).allowed());
    j = exited(std::move(j), d("2024-06-01"), "autonomy");
    EXPECT_EQ(j.exit_date, d("2024-06-01"));
    EXPECT_EQ(j.exit_reason, "autonomy");
    const auto v = check_exit(j);
    expect_conflict(v, "R7.already_exited", "exit_date");
    EXPECT_EQ(v.message, "journey 'J1' has already exited");
}

TEST(JourneyRules, ClassifyJourneyWrite) {
    const auto j = journey("J1", 1, "2024-04-01");
    EXPECT_EQ(classify_journey_write(std::nullopt, j), JourneyWrite::enrollment);
    EXPECT_EQ(classify_journey_write(j, j), JourneyWrite::unchanged);
    EXPECT_EQ(classify_journey_write(j, exited(j, d("2024-06-01"), "autonomy")),
              JourneyWrite::continuation);
    EXPECT_EQ(classify_journey_write(j, with_step(j, StepKind::follow_on, d("2024-05-01"))),
              JourneyWrite::continuation);
    auto moved = j;
    moved.entry_date = d("2024-04-02");
    EXPECT_EQ(classify_journey_write(j, moved), JourneyWrite::enrollment);
    auto overridden = j;
    overridden.override_reason = "decided by the committee";
    EXPECT_EQ(classify_journey_write(j, overridden), JourneyWrite::enrollment);
}

TEST(JourneyRules, ContinuationChecksShapeAndOneOpenJourney) {
    const auto c = test_contract();
    const auto j = journey("J1", 1, "2024-04-01");
    EXPECT_TRUE(check_journey_continuation(j, c, {}).verdict.allowed());
    auto early = exited(j, d("2024-03-01"), "autonomy");
    expect_conflict(check_journey_continuation(early, c, {}).verdict, "R7.exit_before_entry",
                    "exit_date");
    const std::vector<Journey> others = {journey("J0", 1, "2024-01-01")};
    expect_conflict(check_journey_continuation(j, c, others).verdict, "R7.one_open_journey",
                    "entry_date");
}

TEST(JourneyRules, EnrollmentChecksEveryRuleAndReportsOverrides) {
    const auto c = test_contract();
    const auto bpi = test::refugee("P1");
    const Policy policy;
    auto j = journey("J1", 1, "2024-04-01");
    EXPECT_TRUE(
        check_journey_enrollment(c, j, bpi, {}, {}, policy, std::nullopt, nullptr).verdict.allowed());
    AgirSupport s;
    s.person_id = PersonId{"P1"};
    s.orientation_date = d("2024-01-01");
    s.entry_date = d("2024-01-01");
    const std::vector<AgirSupport> agir = {s};
    expect_conflict(check_journey_enrollment(c, j, bpi, {}, agir, policy, std::nullopt, nullptr)
                        .verdict,
                    "R6.agir_excluded", "action");
    j.override_reason = "decided by the committee";
    const auto v = check_journey_enrollment(c, j, bpi, {}, agir, policy, std::nullopt, nullptr);
    EXPECT_TRUE(v.verdict.allowed());
    EXPECT_EQ(v.check.overridden_rules, std::vector<std::string>{"R6.agir_excluded"});
    const auto french = test::french("P1");
    j.override_reason.reset();
    expect_conflict(check_journey_enrollment(c, j, french, {}, {}, policy, std::nullopt, nullptr)
                        .verdict,
                    "R7.public_at_entry", "person_id");
}

}  // namespace
