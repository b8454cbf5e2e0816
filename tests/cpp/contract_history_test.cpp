// Contracts over time (domain R10): the file format of continues, avenants and local
// conventions, and the contract as amended on a date.
#include <ctai/contract.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ctai/error.hpp>

namespace {

using ctai::AgirPolicy;
using ctai::Avenant;
using ctai::Contract;
using ctai::Convention;
using ctai::Date;
using ctai::Need;
using ctai::PublicCategory;

Avenant parse_avenant(const std::string& text) {
    return std::get<Avenant>(ctai::parse_contract_document(text, "a.json"));
}
Convention parse_convention(const std::string& text) {
    return std::get<Convention>(ctai::parse_contract_document(text, "v.json"));
}

const std::string target_avenant = R"({"format_version": 1, "kind": "avenant", "id": "dijon-2023-2024-av1",
  "contract": "dijon-2023-2024", "effective": "2024-04-01", "end": "2024-12-31",
  "actions": [{"number": 1, "public_targets": {"total": 220, "primo_arrivants": 30, "bpi": 170, "bpt": 20}},
              {"number": 5, "title": "Accès à l'emploi", "agir_policy": "partner", "agir_needs": ["employment"]}]})";

const std::string convention_text = R"({"format_version": 1, "kind": "convention", "id": "conv-agir-21",
  "contract": "dijon-2023-2024", "effective": "2024-02-01", "parties": ["Dijon Métropole", "CESAM", "AGIR 21"],
  "actions": [{"number": 1, "agir_policy": "partner", "agir_needs": ["language", "rights"]},
              {"number": 3, "agir_policy": "excluded"}]})";

// The message of the ValidationError `text` raises, or "" when it parses.
std::string error_of(const std::string& text) {
    try {
        (void)ctai::parse_contract_document(text, "doc.json");
    } catch (const ctai::ValidationError& e) {
        return e.what();
    }
    return "";
}

TEST(ContractHistory, TheBuiltinContractsDeclareTheirPublicsAndTheSuccession) {
    const Contract& c22 = ctai::builtin_contract("dijon-2022");
    const Contract& c23 = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_TRUE(c22.serves(PublicCategory::bpi));
    EXPECT_TRUE(c22.serves(PublicCategory::primo_arrivant));
    EXPECT_FALSE(c22.serves(PublicCategory::bpt));
    EXPECT_TRUE(c23.serves(PublicCategory::bpt));
    EXPECT_EQ(c22.departments, std::vector<std::string>{"21"});
    ASSERT_TRUE(c23.continues);
    EXPECT_EQ(c23.continues->contract.str(), "dijon-2022");
    EXPECT_EQ(c23.continues->actions, (std::map<int, int>{{1, 1}, {2, 1}, {3, 2}}));
    EXPECT_FALSE(c22.continues);
}

TEST(ContractHistory, AContractWithoutPublicsServesAllThree) {
    Contract c = ctai::builtin_contract("dijon-2022");
    c.id = ctai::ContractId("x");
    c.publics = {PublicCategory::bpi, PublicCategory::bpt, PublicCategory::primo_arrivant};
    auto text = ctai::contract_to_json(c);
    EXPECT_EQ(ctai::parse_contract(text), c);
    const auto at = text.find("\"publics\"");
    text.erase(at, text.find(']', at) + 3 - at);  // the key, its array and ",\n"
    EXPECT_EQ(ctai::parse_contract(text).publics, c.publics);
}

TEST(ContractHistory, ContractsAvenantsAndConventionsSurviveToJsonAndBack) {
    const Avenant a = parse_avenant(target_avenant);
    EXPECT_EQ(a.actions.size(), 2u);
    EXPECT_EQ(a.actions[0].keys, std::vector<std::string>{"public_targets"});
    EXPECT_EQ(std::get<Avenant>(ctai::parse_contract_document(ctai::avenant_to_json(a))), a);
    const Convention v = parse_convention(convention_text);
    EXPECT_EQ(v.parties.size(), 3u);
    EXPECT_EQ(std::get<Convention>(ctai::parse_contract_document(ctai::convention_to_json(v))), v);
    const Contract& c23 = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_EQ(ctai::parse_contract(ctai::contract_to_json(c23)), c23);
    EXPECT_EQ(ctai::document_kind(ctai::parse_contract_document(convention_text)), "convention");
}

TEST(ContractHistory, MalformedDocumentsAreRefusedNamingTheField) {
    EXPECT_NE(error_of(R"({"format_version": 1, "kind": "avenat", "id": "a"})").find("kind"),
              std::string::npos);
    const std::string no_effective =
        R"({"format_version": 1, "kind": "avenant", "id": "a", "contract": "c", "end": "2024-01-01"})";
    EXPECT_NE(error_of(no_effective).find("effective"), std::string::npos);
    const std::string unknown_key = R"({"format_version": 1, "kind": "convention", "id": "v",
      "contract": "c", "effective": "2024-01-01", "actions": [{"number": 1, "agir_policy": "open", "need": []}]})";
    EXPECT_NE(error_of(unknown_key).find("doc.json: actions[0]"), std::string::npos);
    const std::string partner_without_needs = R"({"format_version": 1, "kind": "convention", "id": "v",
      "contract": "c", "effective": "2024-01-01", "actions": [{"number": 1, "agir_policy": "partner"}]})";
    EXPECT_NE(error_of(partner_without_needs).find("actions[0].agir_needs"), std::string::npos);
    const std::string empty_avenant = R"({"format_version": 1, "kind": "avenant", "id": "a",
      "contract": "c", "effective": "2024-01-01"})";
    EXPECT_NE(error_of(empty_avenant).find("must change something"), std::string::npos);
    Contract c = ctai::builtin_contract("dijon-2023-2024");
    c.id = ctai::ContractId("x");
    c.continues->actions[4] = 9;
    EXPECT_NE(error_of(ctai::contract_to_json(c)).find("continues.actions.4"), std::string::npos);
    c.continues->actions.erase(4);
    c.publics.clear();
    auto text = ctai::contract_to_json(c);
    EXPECT_NE(error_of(text).find("publics"), std::string::npos);
}

TEST(ContractHistory, AnAvenantChangesATargetFromItsDateAndAddsAnAction) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    const std::vector<Avenant> avenants{parse_avenant(target_avenant)};
    const auto before = ctai::contract_on(c, avenants, {}, Date(2024, 3, 31));
    EXPECT_EQ(before.contract, c);
    EXPECT_TRUE(before.amended_by.empty());
    const auto after = ctai::contract_on(c, avenants, {}, Date(2024, 4, 1));
    EXPECT_EQ(after.amended_by, std::vector<std::string>{"dijon-2023-2024-av1"});
    EXPECT_EQ(after.contract.action(1).public_targets.at("total"), 220);
    EXPECT_EQ(after.contract.action(1).title, c.action(1).title);  // not in the avenant: kept
    EXPECT_EQ(after.contract.action(1).agir_policy, AgirPolicy::excluded);
    EXPECT_EQ(after.contract.end, Date(2024, 12, 31));
    EXPECT_EQ(after.contract.action(5).agir_needs, std::vector<Need>{Need::employment});
    EXPECT_EQ(after.contract.actions.size(), 5u);
}

TEST(ContractHistory, TheConventionInForceReplacesTheAgirPolicyFromItsDate) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    std::vector<Convention> conventions{parse_convention(convention_text)};
    EXPECT_FALSE(ctai::contract_on(c, {}, conventions, Date(2024, 1, 31)).convention);
    const auto on = ctai::contract_on(c, {}, conventions, Date(2024, 2, 1));
    EXPECT_EQ(on.convention, "conv-agir-21");
    EXPECT_EQ(on.contract.action(1).agir_policy, AgirPolicy::partner);
    EXPECT_EQ(on.contract.action(3).agir_policy, AgirPolicy::excluded);
    EXPECT_EQ(on.contract.action(4).agir_policy, AgirPolicy::partner);  // not in it: default
    Convention later = conventions[0];
    later.id = "conv-agir-21-bis";
    later.effective = Date(2024, 6, 1);
    later.actions = {{1, AgirPolicy::open, {}}};
    conventions.push_back(later);
    const auto june = ctai::contract_on(c, {}, conventions, Date(2024, 6, 1));
    EXPECT_EQ(june.convention, "conv-agir-21-bis");
    EXPECT_EQ(june.contract.action(1).agir_policy, AgirPolicy::open);
    EXPECT_EQ(june.contract.action(3).agir_policy, AgirPolicy::open);  // the older one is gone
}

TEST(ContractHistory, AnAvenantOrConventionOfAnotherContractIsIgnored) {
    const Contract& c = ctai::builtin_contract("dijon-2022");
    const std::vector<Avenant> avenants{parse_avenant(target_avenant)};
    const std::vector<Convention> conventions{parse_convention(convention_text)};
    const auto on = ctai::contract_on(c, avenants, conventions, Date(2024, 6, 1));
    EXPECT_EQ(on.contract, c);
    EXPECT_TRUE(on.amended_by.empty());
    EXPECT_FALSE(on.convention);
}

TEST(ContractHistory, LineageComposesTheMappingsThroughIntermediateContracts) {
    const Contract& c23 = ctai::builtin_contract("dijon-2023-2024");
    Contract next = c23;
    next.id = ctai::ContractId("dijon-2025");
    next.continues = ctai::Continuation{c23.id, {{1, 2}, {2, 1}}};
    const auto lookup = [&](const ctai::ContractId& id) -> const Contract* {
        return id == c23.id ? &c23 : id.str() == "dijon-2022" ? &ctai::builtin_contract("dijon-2022") : nullptr;
    };
    const auto line = ctai::lineage(next, lookup);
    ASSERT_EQ(line.size(), 2u);
    EXPECT_EQ(line[0].actions, (std::map<int, int>{{1, 2}, {2, 1}}));
    EXPECT_EQ(line[1].contract.str(), "dijon-2022");
    // 2022 axes 1 and 2 -> 2023 action 1 -> 2025 action 2; axis 3 -> 2023 action 2 -> 1.
    EXPECT_EQ(line[1].actions, (std::map<int, int>{{1, 2}, {2, 2}, {3, 1}}));
}

}  // namespace
