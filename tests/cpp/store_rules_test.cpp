// The store applies the R6/R7 rules and the referral lifecycle on every write, with typed
// errors; writes are transactional and audited (R9); upserts are idempotent.
#include <ctai/store.hpp>

#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::contract_2024;
using ctai::test::d;

std::string rule_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConflictError& e) {
        return e.rule();
    }
    return "none";
}

class StoreRules : public ::testing::Test {
protected:
    Store store = Store::open(":memory:");
    const ContractId contract{contract_2024};
    void SetUp() override {
        store.put_case(ctai::test::refugee("P1"));
        store.put_case(ctai::test::french("P2"));
    }
    std::size_t audit_rows() { return store.audit_log().size(); }
};

TEST_F(StoreRules, EnrollRecordsAnOpenJourneyWithAnIntakeStep) {
    const auto id = store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
    const auto j = store.journey(id);
    EXPECT_TRUE(j.open());
    EXPECT_EQ(j.entry_date, d("2024-02-01"));
    ASSERT_EQ(j.steps.size(), 1u);
    EXPECT_EQ(j.steps[0].kind, StepKind::intake);
    EXPECT_EQ(id.str().rfind("J-", 0), 0u);
}

TEST_F(StoreRules, EnrollingAnUnknownPersonOrContractIsNotFound) {
    EXPECT_THROW(store.enroll(PersonId{"NOBODY"}, contract, 1, d("2024-02-01"),
                              ReferralSource::ccas),
                 NotFoundError);
    EXPECT_THROW(store.enroll(PersonId{"P1"}, ContractId{"nowhere"}, 1, d("2024-02-01"),
                              ReferralSource::ccas),
                 NotFoundError);
    EXPECT_THROW(store.enroll(PersonId{"P1"}, contract, 7, d("2024-02-01"), ReferralSource::ccas),
                 ValidationError);
}

TEST_F(StoreRules, SecondOpenJourneyInAnActionIsRefused) {
    store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
    EXPECT_EQ(rule_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 1, d("2024-03-01"), ReferralSource::ccas);
              }),
              "R7.one_open_journey");
    EXPECT_EQ(store.journeys_of(PersonId{"P1"}).size(), 1u);
}

TEST_F(StoreRules, ReEntryAfterExitIsANewJourneyAndHistoryIsKept) {
    const auto first = store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
    store.exit_journey(first, d("2024-04-30"), "lost_contact");
    const auto second =
        store.enroll(PersonId{"P1"}, contract, 1, d("2024-06-01"), ReferralSource::self);
    const auto all = store.journeys_of(PersonId{"P1"});
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, first);
    EXPECT_EQ(all[0].exit_reason, "lost_contact");
    EXPECT_EQ(all[1].id, second);
    EXPECT_TRUE(all[1].open());
}

TEST_F(StoreRules, ExitBeforeEntryAndStepsOutsideAreRefused) {
    const auto id = store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
    EXPECT_EQ(rule_of([&] { store.exit_journey(id, d("2024-01-31"), "autonomy"); }),
              "R7.exit_before_entry");
    EXPECT_EQ(rule_of([&] { store.add_step(id, StepKind::diagnosis, d("2024-01-15")); }),
              "R7.step_outside_journey");
    store.exit_journey(id, d("2024-05-31"), "autonomy");
    EXPECT_EQ(rule_of([&] { store.add_step(id, StepKind::support, d("2024-06-01")); }),
              "R7.step_outside_journey");
    EXPECT_EQ(rule_of([&] { store.exit_journey(id, d("2024-06-30"), "autonomy"); }),
              "R7.already_exited");
    EXPECT_THROW(store.exit_journey(JourneyId{"nope"}, d("2024-06-30"), "autonomy"),
                 NotFoundError);
}

TEST_F(StoreRules, UnknownExitReasonIsAValidationError) {
    const auto id = store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
    EXPECT_THROW(store.exit_journey(id, d("2024-03-01"), "found_a_unicorn"), ValidationError);
    EXPECT_TRUE(store.journey(id).open());
}

TEST_F(StoreRules, PersonOutsideThePublicIsRefusedExceptInActionTwo) {
    EXPECT_EQ(rule_of([&] {
                  store.enroll(PersonId{"P2"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
              }),
              "R7.public_at_entry");
    EXPECT_NO_THROW(
        store.enroll(PersonId{"P2"}, contract, 2, d("2024-02-01"), ReferralSource::association));
}

TEST_F(StoreRules, ActionFourRequiresTheEndOfAnActionOneJourney) {
    EXPECT_EQ(rule_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 4, d("2024-05-01"), ReferralSource::ccas);
              }),
              "R7.prerequisite");
    const auto a1 = store.enroll(PersonId{"P1"}, contract, 1, d("2024-01-10"), ReferralSource::ccas);
    EXPECT_EQ(rule_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 4, d("2024-05-01"), ReferralSource::ccas);
              }),
              "R7.prerequisite");
    store.add_step(a1, StepKind::follow_on, d("2024-04-15"));
    EXPECT_NO_THROW(
        store.enroll(PersonId{"P1"}, contract, 4, d("2024-05-01"), ReferralSource::ccas));
}

TEST_F(StoreRules, EnrollingAnAgirBeneficiaryInAnExcludedActionIsRefused) {
    AgirSupport s;
    s.person_id = PersonId{"P1"};
    s.orientation_date = d("2024-01-05");
    s.entry_date = d("2024-01-15");
    store.put_agir_support(s);
    EXPECT_EQ(rule_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas);
              }),
              "R6.agir_excluded");
    EXPECT_TRUE(store.journeys_of(PersonId{"P1"}).empty());
}

TEST_F(StoreRules, OverrideWithAWrittenReasonIsRecordedInTheAuditLog) {
    AgirSupport s;
    s.person_id = PersonId{"P1"};
    s.orientation_date = d("2024-01-05");
    s.entry_date = d("2024-01-15");
    store.put_agir_support(s);
    EnrollOptions o;
    o.override_reason = "   ";
    EXPECT_THROW(store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas, o),
                 ValidationError);
    o.override_reason = "Accord écrit de l'opérateur AGIR du 2024-01-25";
    const auto id =
        store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas, o);
    EXPECT_EQ(store.journey(id).override_reason, o.override_reason);
    AuditQuery q;
    q.entity = "journey";
    q.entity_id = id.str();
    const auto rows = store.audit_log(q);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].reason, o.override_reason);
    EXPECT_NE(rows[0].change.find("R6.agir_excluded"), std::string::npos);
    EXPECT_EQ(rows[0].operation, "insert");
}

TEST_F(StoreRules, AgirReferralNeedIsCheckedForAPartnerAction) {
    AgirSupport s;
    s.person_id = PersonId{"P1"};
    s.orientation_date = d("2024-01-05");
    s.entry_date = d("2024-01-15");
    store.put_agir_support(s);
    // Prerequisite met with an override on action 1 (inside the AGIR window).
    EnrollOptions o;
    o.override_reason = "Convention locale";
    const auto a1 = store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas, o);
    store.exit_journey(a1, d("2024-04-30"), "common_law");
    // A referral from AGIR for employment does not fit action 4 (housing).
    const auto r = store.propose_referral(PersonId{"P1"}, "agir", "dijon-2023-2024:4",
                                          Need::employment, d("2024-05-01"));
    store.accept_referral(r, d("2024-05-03"));
    EXPECT_EQ(rule_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 4, d("2024-05-10"), ReferralSource::agir);
              }),
              "R6.agir_partner_need");
    EnrollOptions housing;
    housing.need = Need::housing;
    EXPECT_NO_THROW(store.enroll(PersonId{"P1"}, contract, 4, d("2024-05-10"),
                                 ReferralSource::agir, housing));
}

TEST_F(StoreRules, ReferralLifecycleIsEnforcedByTheStore) {
    const auto r = store.propose_referral(PersonId{"P1"}, "dijon-2023-2024:1", "agir",
                                          Need::rights, d("2024-03-01"), ReferralId{"R1"});
    EXPECT_EQ(rule_of([&] { store.complete_referral(r, d("2024-03-10")); }),
              "R6.referral_transition");
    EXPECT_EQ(rule_of([&] { store.accept_referral(r, d("2024-02-28")); }),
              "R6.referral_transition");
    store.accept_referral(r, d("2024-03-02"));
    EXPECT_EQ(rule_of([&] { store.decline_referral(r, d("2024-03-03"), "trop tard"); }),
              "R6.referral_transition");
    store.cancel_referral(r, d("2024-03-04"), "déménagement hors département");
    const auto got = store.referral(r);
    EXPECT_EQ(got.status, ReferralStatus::cancelled);
    EXPECT_EQ(got.decided_on, d("2024-03-02"));
    EXPECT_EQ(got.completed_on, d("2024-03-04"));
    EXPECT_EQ(rule_of([&] {
                  store.propose_referral(PersonId{"P1"}, "agir", "dijon-2023-2024:4",
                                         Need::housing, d("2024-03-01"), ReferralId{"R1"});
              }),
              "R6.referral_id_exists");
    EXPECT_THROW(store.propose_referral(PersonId{"P1"}, "agir", "nowhere:4", Need::housing,
                                        d("2024-03-01")),
                 NotFoundError);
    EXPECT_THROW(store.accept_referral(ReferralId{"none"}, d("2024-03-01")), NotFoundError);
}

TEST_F(StoreRules, ImportedReferralMayOnlyMoveForward) {
    Referral r;
    r.id = ReferralId{"R9"};
    r.person_id = PersonId{"P1"};
    r.from = "agir";
    r.to = "dijon-2023-2024:4";
    r.need = Need::housing;
    r.status = ReferralStatus::completed;
    r.proposed_on = d("2024-03-01");
    r.decided_on = d("2024-03-02");
    r.completed_on = d("2024-04-01");
    EXPECT_TRUE(store.put_referral(r));
    EXPECT_FALSE(store.put_referral(r));
    auto back = r;
    back.status = ReferralStatus::accepted;
    back.completed_on.reset();
    EXPECT_EQ(rule_of([&] { store.put_referral(back); }), "R6.referral_transition");
}

TEST_F(StoreRules, UpsertsWriteOneAuditRowPerChangeAndNoneForANoOp) {
    const auto before = audit_rows();
    auto c = ctai::test::primo("P3");
    EXPECT_TRUE(store.put_case(c));
    EXPECT_EQ(audit_rows(), before + 1);
    EXPECT_FALSE(store.put_case(c));
    EXPECT_FALSE(store.put_person(c.person));
    EXPECT_EQ(audit_rows(), before + 1);
    c.person.department = "71";
    EXPECT_TRUE(store.put_person(c.person));
    EXPECT_EQ(audit_rows(), before + 2);
    const auto last = store.audit_log().back();
    EXPECT_EQ(last.operation, "update");
    EXPECT_EQ(last.entity, "person");
    EXPECT_EQ(last.entity_id, "P3");
    EXPECT_EQ(last.actor, "ctai");
    EXPECT_EQ(last.change, R"({"department":["21","71"]})");
    EXPECT_EQ(last.at.size(), 24u);  // 2024-06-01T09:30:00.123Z
    EXPECT_EQ(last.at.back(), 'Z');
    // Replacing the lists is one change of the case.
    c.permits.push_back(Permit{PermitKind::card, Motive::work, d("2027-03-15"), std::nullopt});
    EXPECT_TRUE(store.put_case(c));
    EXPECT_EQ(store.person_case(PersonId{"P3"}), c);
    EXPECT_EQ(audit_rows(), before + 3);
}

TEST_F(StoreRules, ActorAndTransactionReasonAreRecorded) {
    store.set_actor("agent-7");
    {
        auto tx = store.transaction("import 2024-06");
        store.put_case(ctai::test::primo("P4"));
        tx.commit();
    }
    const auto last = store.audit_log().back();
    EXPECT_EQ(last.actor, "agent-7");
    EXPECT_EQ(last.reason, "import 2024-06");
    EXPECT_EQ(last.person_id, PersonId{"P4"});
}

TEST_F(StoreRules, EveryImportUpsertIsIdempotent) {
    Activity a{ActivityId{"A1"}, contract, 2, ActivityKind::workshop, "cuisine", d("2024-03-05"),
               2.5, true, ""};
    Participation p{ActivityId{"A1"}, PersonId{"P1"}, 4};
    Volunteering v{PersonId{"P1"}, VolunteeringKind::engagement, d("2024-04-01"), std::nullopt,
                   "sport"};
    HousingMove m{HouseholdId{"H-P1"}, d("2024-06-01"), HousingType::social_rental};
    Partnership ps{contract, 4, "Bailleur social", "logement", d("2024-01-20")};
    Cost cost{contract, 4, 30000, 25000};
    AgirSupport s{PersonId{"P1"}, d("2024-01-05"), d("2024-01-15"), std::nullopt, std::nullopt,
                  std::nullopt, std::nullopt};
    EXPECT_TRUE(store.put_activity(a));
    EXPECT_TRUE(store.put_participation(p));
    EXPECT_TRUE(store.put_volunteering(v));
    EXPECT_TRUE(store.put_housing_move(m));
    EXPECT_TRUE(store.put_partnership(ps));
    EXPECT_TRUE(store.put_cost(cost));
    EXPECT_TRUE(store.put_agir_support(s));
    const auto rows = audit_rows();
    const auto fp = store.fingerprint();
    EXPECT_FALSE(store.put_activity(a));
    EXPECT_FALSE(store.put_participation(p));
    EXPECT_FALSE(store.put_volunteering(v));
    EXPECT_FALSE(store.put_housing_move(m));
    EXPECT_FALSE(store.put_partnership(ps));
    EXPECT_FALSE(store.put_cost(cost));
    EXPECT_FALSE(store.put_agir_support(s));
    EXPECT_EQ(audit_rows(), rows);
    EXPECT_EQ(store.fingerprint().sha256, fp.sha256);
    EXPECT_EQ(store.all_activities(), std::vector<Activity>{a});
    EXPECT_EQ(store.all_participations(), std::vector<Participation>{p});
    EXPECT_EQ(store.all_volunteering(), std::vector<Volunteering>{v});
    EXPECT_EQ(store.all_housing_moves(), std::vector<HousingMove>{m});
    EXPECT_EQ(store.all_partnerships(), std::vector<Partnership>{ps});
    EXPECT_EQ(store.all_costs(), std::vector<Cost>{cost});
    EXPECT_EQ(store.all_agir_supports(), std::vector<AgirSupport>{s});
    cost.total_cost = 31000;
    EXPECT_TRUE(store.put_cost(cost));
    EXPECT_EQ(audit_rows(), rows + 1);
    EXPECT_NE(store.fingerprint().sha256, fp.sha256);
}

TEST_F(StoreRules, InvalidRowsAreRefusedWithoutPersonalValuesInTheMessage) {
    auto c = ctai::test::refugee("P5");
    c.person.nationalities = {"XQZ"};
    try {
        store.put_case(c);
        FAIL();
    } catch (const ValidationError& e) {
        EXPECT_EQ(e.field(), "nationalities");
        EXPECT_EQ(std::string(e.what()).find("XQZ"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("P5"), std::string::npos);
    }
    EXPECT_THROW(store.put_participation({ActivityId{"none"}, PersonId{"P1"}, 3}), NotFoundError);
    Activity a{ActivityId{"A1"}, contract, 2, ActivityKind::workshop, "", d("2024-03-05"), 2, false, ""};
    store.put_activity(a);
    EXPECT_THROW(store.put_participation({ActivityId{"A1"}, PersonId{"P1"}, 6}), ValidationError);
    EXPECT_THROW(store.put_cost({contract, 4, 10, 20}), ValidationError);
    EXPECT_THROW(store.put_cost({contract, 9, 10, 5}), ValidationError);
    EXPECT_FALSE(store.find_person(PersonId{"P5"}).has_value());
}

TEST_F(StoreRules, TransactionRollsBackUnlessCommitted) {
    {
        auto tx = store.transaction();
        store.put_case(ctai::test::primo("P6"));
        EXPECT_TRUE(store.in_transaction());
    }
    EXPECT_FALSE(store.in_transaction());
    EXPECT_FALSE(store.find_person(PersonId{"P6"}).has_value());
    {
        auto tx = store.transaction();
        store.put_case(ctai::test::primo("P6"));
        auto moved = std::move(tx);
        EXPECT_FALSE(tx.active());
        moved.commit();
        EXPECT_THROW(moved.commit(), StorageError);
    }
    EXPECT_TRUE(store.find_person(PersonId{"P6"}).has_value());
}

TEST_F(StoreRules, AFailedWriteInsideABatchUndoesOnlyItself) {
    auto tx = store.transaction();
    store.put_case(ctai::test::primo("P7"));
    EXPECT_THROW(store.enroll(PersonId{"P2"}, contract, 1, d("2024-02-01"), ReferralSource::ccas),
                 ConflictError);
    {
        auto inner = store.transaction();
        store.put_case(ctai::test::primo("P8"));
        // not committed: rolled back to its savepoint
    }
    tx.commit();
    EXPECT_TRUE(store.find_person(PersonId{"P7"}).has_value());
    EXPECT_FALSE(store.find_person(PersonId{"P8"}).has_value());
    EXPECT_TRUE(store.journeys_of(PersonId{"P2"}).empty());
}

TEST_F(StoreRules, LoadedContractsAreUsableAndBuiltInIdsAreProtected) {
    auto c = store.contract(contract);
    EXPECT_EQ(rule_of([&] { store.put_contract(c); }), "contract.builtin_id");
    c.id = ContractId{"test-territory-2025"};
    EXPECT_TRUE(store.put_contract(c));
    EXPECT_FALSE(store.put_contract(c));
    EXPECT_EQ(store.contract(c.id), c);
    EXPECT_EQ(store.loaded_contracts().size(), 1u);
    EXPECT_NO_THROW(store.enroll(PersonId{"P1"}, c.id, 1, d("2024-02-01"), ReferralSource::ccas));
}

TEST_F(StoreRules, StoreIsMoveOnlyAndKeepsWorkingAfterAMove) {
    static_assert(!std::is_copy_constructible_v<Store>);
    static_assert(std::is_nothrow_move_constructible_v<Store>);
    static_assert(!std::is_copy_constructible_v<Transaction>);
    Store moved = std::move(store);
    auto tx = moved.transaction();
    moved.put_case(ctai::test::primo("P9"));
    Store again = std::move(moved);  // the transaction survives a move of its store
    tx.commit();
    EXPECT_TRUE(again.find_person(PersonId{"P9"}).has_value());
}

// ConflictError names the rule and the column it is about.
TEST_F(StoreRules, ConflictsNameTheirRuleAndColumn) {
    auto column_of = [](const std::function<void()>& f) {
        try {
            f();
        } catch (const ConflictError& e) {
            return e.rule() + " @ " + e.column();
        }
        return std::string("none");
    };
    EnrollOptions o;
    o.id = JourneyId{"J-FIXED"};
    store.enroll(PersonId{"P1"}, contract, 1, d("2024-02-01"), ReferralSource::ccas, o);
    EXPECT_EQ(column_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 2, d("2024-02-01"), ReferralSource::ccas, o);
              }),
              "R7.journey_id_exists @ journey_id");
    EXPECT_EQ(column_of([&] {
                  store.enroll(PersonId{"P1"}, contract, 1, d("2024-03-01"), ReferralSource::ccas);
              }),
              "R7.one_open_journey @ entry_date");
    store.exit_journey(JourneyId{"J-FIXED"}, d("2024-05-01"), "autonomy");
    EXPECT_EQ(column_of([&] { store.exit_journey(JourneyId{"J-FIXED"}, d("2024-06-01"), "autonomy"); }),
              "R7.already_exited @ exit_date");
}

}  // namespace
