// Contracts over time in the store (domain R10, R8 publics): avenants and conventions stored
// and audited, succession across the contracts' boundary in the reports, prerequisites met
// under an earlier contract, the contract's publics in enrollments and reports.
#include <ctai/ctai.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::d;
using ctai::test::primo;
using ctai::test::refugee;

PersonCase ukrainian_bpt(const std::string& id) {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.sex = Sex::female;
    c.person.nationalities = {"UA"};
    c.person.department = "21";
    c.protections.push_back(Protection{ProtectionType::temporary, Authority::prefecture,
                                       d("2022-03-20"), std::nullopt, d("2022-03-01"),
                                       std::nullopt});
    c.permits.push_back(Permit{PermitKind::aps, Motive::temporary_protection, d("2022-03-20"),
                               std::nullopt});
    return c;
}

Journey journey(const std::string& id, const std::string& person, const std::string& contract,
                int action, const char* entry) {
    Journey j;
    j.id = JourneyId{id};
    j.person_id = PersonId{person};
    j.contract_id = ContractId{contract};
    j.action = action;
    j.entry_date = d(entry);
    j.steps.push_back(Step{StepKind::intake, d(entry)});
    return j;
}

Avenant target_avenant() {
    Avenant a;
    a.id = "dijon-2023-2024-av1";
    a.contract = ContractId{"dijon-2023-2024"};
    a.effective = d("2024-04-01");
    ActionAmendment am;
    am.values.number = 1;
    am.values.public_targets = {{"total", 220}, {"primo_arrivants", 30}, {"bpi", 170}, {"bpt", 20}};
    am.keys = {"public_targets"};
    a.actions.push_back(am);
    return a;
}

Convention agir_convention() {
    Convention v;
    v.id = "convention-agir-21";
    v.contract = ContractId{"dijon-2023-2024"};
    v.effective = d("2024-03-01");
    v.parties = {"Dijon Métropole", "CESAM", "opérateur AGIR 21"};
    v.actions = {{1, AgirPolicy::partner, {Need::language, Need::rights}}};
    return v;
}

TEST(StoreContractHistory, AvenantsAndConventionsAreStoredAuditedAndReadBack) {
    auto s = Store::open(":memory:");
    EXPECT_TRUE(s.put_avenant(target_avenant()));
    EXPECT_FALSE(s.put_avenant(target_avenant()));  // unchanged
    EXPECT_TRUE(s.put_convention(agir_convention()));
    EXPECT_EQ(s.avenant("dijon-2023-2024-av1"), target_avenant());
    EXPECT_EQ(s.convention("convention-agir-21"), agir_convention());
    EXPECT_EQ(s.avenants().size(), 1u);
    EXPECT_EQ(s.conventions(ContractId{"dijon-2022"}).size(), 0u);
    EXPECT_THROW((void)s.avenant("nope"), NotFoundError);
    auto changed = target_avenant();
    changed.actions[0].values.public_targets["total"] = 230;
    changed.actions[0].values.public_targets["bpi"] = 180;
    EXPECT_TRUE(s.put_avenant(changed));
    std::vector<std::string> operations;
    for (const auto& e : s.audit_log())
        if (e.entity == "avenant" || e.entity == "convention") operations.push_back(e.operation);
    EXPECT_EQ(operations, (std::vector<std::string>{"insert", "insert", "update"}));
}

TEST(StoreContractHistory, ADocumentOfAnUnknownContractIsRefusedAndNothingWritten) {
    auto s = Store::open(":memory:");
    auto a = target_avenant();
    a.contract = ContractId{"nowhere-2030"};
    EXPECT_THROW(s.put_avenant(a), NotFoundError);
    EXPECT_TRUE(s.avenants().empty());
    auto v = agir_convention();
    v.actions = {{9, AgirPolicy::open, {}}};  // the contract has no action 9
    EXPECT_THROW(s.put_convention(v), ValidationError);
    EXPECT_TRUE(s.conventions().empty());
    auto early = target_avenant();
    early.effective = d("2023-01-01");  // before the contract starts
    EXPECT_THROW(s.put_avenant(early), ValidationError);
    auto clash = agir_convention();
    clash.id = "dijon-2023-2024-av1";
    s.put_avenant(target_avenant());
    EXPECT_THROW(s.put_convention(clash), ConflictError);
    Contract c = builtin_contract("dijon-2023-2024");
    c.id = ContractId{"x-2025"};
    c.continues = Continuation{ContractId{"nowhere"}, {{1, 1}}};
    EXPECT_THROW(s.put_contract(c), NotFoundError);
    c.continues = Continuation{ContractId{"dijon-2023-2024"}, {{1, 1}}};
    EXPECT_TRUE(s.put_contract(c));
}

// Worked case of domain.md: a journey in action 1 of dijon-2022 from 2023-06-01, still open
// on 2023-10-15, exits 2024-01-31: open in the 2022 report, 244 days in the 2023-2024 one.
TEST(StoreContractHistory, AJourneyOpenAcrossTheBoundaryIsCountedInBothReports) {
    auto s = Store::open(":memory:");
    s.put_case(refugee("P1"));
    auto j = journey("J1", "P1", "dijon-2022", 1, "2023-06-01");
    s.put_journey(j);
    j.exit_date = d("2024-01-31");
    j.exit_reason = "autonomy";
    s.put_journey(j);

    const Report r22 = build_report(s, ContractId{"dijon-2022"});
    EXPECT_EQ(r22.evaluated_on, d("2023-10-14"));
    const auto& a22 = r22.action(1).journeys;
    EXPECT_EQ(a22.count, 1);
    EXPECT_EQ(a22.open, 1);
    EXPECT_EQ(a22.completed, 0);

    const Report r23 = build_report(s, ContractId{"dijon-2023-2024"});
    const auto& a23 = r23.action(1).journeys;
    EXPECT_EQ(a23.count, 1);
    EXPECT_EQ(a23.completed, 1);
    EXPECT_EQ(a23.open, 0);
    EXPECT_EQ(a23.mean_days, 244.0);
    EXPECT_EQ(a23.positive_exits, 1);
    EXPECT_EQ(r23.action(1).cell("total").realised, 1);
    EXPECT_EQ(r23.action(2).journeys.count, 0);  // axis 1 maps onto action 1 only
}

TEST(StoreContractHistory, AJourneyClosedBeforeTheSuccessorStartsStaysInItsContract) {
    auto s = Store::open(":memory:");
    s.put_case(refugee("P1"));
    auto j = journey("J1", "P1", "dijon-2022", 3, "2023-06-01");
    j.exit_date = d("2023-10-14");
    j.exit_reason = "autonomy";
    s.put_journey(j);
    s.put_case(primo("P2"));
    s.put_journey(journey("J2", "P2", "dijon-2022", 3, "2023-07-01"));  // axis 3 -> action 2
    const Report r23 = build_report(s, ContractId{"dijon-2023-2024"});
    EXPECT_EQ(r23.action(2).journeys.count, 1);
    EXPECT_EQ(r23.action(2).journeys.open, 1);
}

TEST(StoreContractHistory, APrerequisiteIsMetByAMappedActionOfTheEarlierContract) {
    auto s = Store::open(":memory:");
    s.put_case(primo("P1"));
    // Without any earlier journey, action 3 is refused (R7 prerequisite).
    EXPECT_THROW(s.put_journey(journey("J0", "P1", "dijon-2023-2024", 3, "2023-11-01")),
                 ConflictError);
    auto j = journey("J1", "P1", "dijon-2022", 1, "2023-01-10");
    j.exit_date = d("2023-09-30");
    j.exit_reason = "autonomy";
    s.put_journey(j);
    EXPECT_TRUE(s.put_journey(journey("J2", "P1", "dijon-2023-2024", 3, "2023-11-01")));
    // Axis 3 of 2022 maps onto action 2, not onto action 1: no prerequisite met by it.
    s.put_case(primo("P2"));
    auto k = journey("K1", "P2", "dijon-2022", 3, "2023-01-10");
    k.exit_date = d("2023-09-30");
    k.exit_reason = "autonomy";
    s.put_journey(k);
    EXPECT_THROW(s.put_journey(journey("K2", "P2", "dijon-2023-2024", 3, "2023-11-01")),
                 ConflictError);
}

TEST(StoreContractHistory, APersonOutsideTheContractsPublicsIsRefusedAndNotEligible) {
    auto s = Store::open(":memory:");
    s.put_case(ukrainian_bpt("U1"));
    try {
        s.put_journey(journey("J1", "U1", "dijon-2022", 1, "2023-01-10"));
        ADD_FAILURE() << "a BPT enrolled in dijon-2022";
    } catch (const ConflictError& e) {
        EXPECT_EQ(e.rule(), "R7.public_at_entry");
    }
    auto over = journey("J1", "U1", "dijon-2022", 1, "2023-01-10");
    over.override_reason = "accueilli avant la clarification du public";
    s.put_journey(over);
    s.put_journey(journey("J2", "U1", "dijon-2023-2024", 1, "2024-01-10"));  // BPT served
    const Report r22 = build_report(s, ContractId{"dijon-2022"});
    EXPECT_EQ(r22.action(1).cell("total").realised, 0);
    EXPECT_EQ(r22.action(1).cell("not_eligible").realised, 1);
    const Report r23 = build_report(s, ContractId{"dijon-2023-2024"});
    EXPECT_EQ(r23.action(1).cell("total").realised, 1);
    EXPECT_EQ(r23.action(1).cell("bpt").realised, 1);
}

TEST(StoreContractHistory, TheReportUsesTheContractAsAmendedOnItsEvaluationDate) {
    auto s = Store::open(":memory:");
    s.put_avenant(target_avenant());
    s.put_convention(agir_convention());
    ReportOptions before;
    before.evaluated_on = d("2024-02-29");
    const Report early = build_report(s, ContractId{"dijon-2023-2024"}, before);
    EXPECT_TRUE(early.amended_by.empty());
    EXPECT_FALSE(early.convention);
    EXPECT_EQ(early.action(1).cell("total").target, 200);
    const Report end = build_report(s, ContractId{"dijon-2023-2024"});
    EXPECT_EQ(end.amended_by, std::vector<std::string>{"dijon-2023-2024-av1"});
    EXPECT_EQ(end.convention, "convention-agir-21");
    const std::string json = to_json(end);
    EXPECT_NE(json.find("\"amended_by\": [\n    \"dijon-2023-2024-av1\"\n  ]"), std::string::npos);
    EXPECT_NE(to_markdown(end).find("| Avenants appliqués | dijon-2023-2024-av1 |"),
              std::string::npos);
}

TEST(StoreContractHistory, AnEnrollmentIsJudgedUnderTheConventionInForceAtItsEntry) {
    auto s = Store::open(":memory:");
    s.put_case(refugee("P1"));
    s.put_agir_support(AgirSupport{PersonId{"P1"}, d("2024-01-05"), d("2024-01-10"),
                                   std::nullopt, std::nullopt, std::nullopt, std::nullopt});
    // Before the convention: action 1 is excluded for AGIR beneficiaries.
    try {
        s.put_journey(journey("J1", "P1", "dijon-2023-2024", 1, "2024-02-15"));
        ADD_FAILURE() << "enrolled in an excluded action";
    } catch (const ConflictError& e) {
        EXPECT_EQ(e.rule(), "R6.agir_excluded");
    }
    s.put_convention(agir_convention());  // from 2024-03-01 action 1 is a partner action
    EXPECT_THROW(s.put_journey(journey("J1", "P1", "dijon-2023-2024", 1, "2024-02-15")),
                 ConflictError);
    EXPECT_TRUE(s.put_journey(journey("J1", "P1", "dijon-2023-2024", 1, "2024-03-01")));
}

TEST(StoreContractHistory, AnActionAddedByAnAvenantTakesJourneysFromItsDateAndCosts) {
    auto s = Store::open(":memory:");
    s.put_case(primo("P1"));
    Avenant a = target_avenant();
    ActionAmendment added;
    added.values.number = 5;
    added.values.title = "Accès à l'emploi";
    added.keys = {"title"};
    a.actions.push_back(added);
    s.put_avenant(a);
    EXPECT_THROW(s.put_journey(journey("J0", "P1", "dijon-2023-2024", 5, "2024-03-31")),
                 ValidationError);  // not yet in the contract
    EXPECT_TRUE(s.put_journey(journey("J1", "P1", "dijon-2023-2024", 5, "2024-04-01")));
    EXPECT_TRUE(s.put_cost(Cost{ContractId{"dijon-2023-2024"}, 5, 1000, 800}));
    const Report r = build_report(s, ContractId{"dijon-2023-2024"});
    EXPECT_EQ(r.action(5).journeys.count, 1);
    EXPECT_EQ(r.action(5).financial.total_cost, 1000);
}

}  // namespace
