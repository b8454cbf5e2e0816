// Contracts as data: the built-in Dijon contracts, the file format and its validation.
#include <ctai/contract.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctai/error.hpp>

#include "embedded.hpp"

namespace {

using ctai::AgirPolicy;
using ctai::Contract;
using ctai::Need;
using ctai::StepKind;
using Json = nlohmann::json;

const std::filesystem::path data_dir = std::filesystem::path(CTAI_TEST_DATA_DIR) / "contracts";

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The eight rows of the fiches' public table, exactly as printed in seed 002 (annex 1).
const std::vector<std::pair<std::string, std::string>> expected_public_rows = {
    {"total", "Nombre total d'étrangers éligibles bénéficiaires de l'action"},
    {"men", "dont hommes"},
    {"women", "dont femmes"},
    {"under_25", "dont moins de 25 ans"},
    {"bpi", "dont BPI"},
    {"bpi_men", "dont BPI hommes"},
    {"bpi_women", "dont BPI femmes"},
    {"bpi_under_25", "dont BPI moins de 25 ans"},
};

const ctai::Indicator* find_indicator(const std::vector<ctai::Indicator>& list,
                                      const std::string& key) {
    for (const auto& i : list)
        if (i.key == key) return &i;
    return nullptr;
}

// ---------------------------------------------------------------------------------------
// Built-in contracts

TEST(ContractBuiltin, TheTwoDijonContractsAreBuiltInInIdOrder) {
    auto all = ctai::builtin_contracts();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id.str(), "dijon-2022");
    EXPECT_EQ(all[1].id.str(), "dijon-2023-2024");
    EXPECT_EQ(&ctai::builtin_contract("dijon-2023-2024"), &all[1]);
}

TEST(ContractBuiltin, EachEmbeddedFileIsNamedAfterItsContractId) {
    auto files = ctai::detail::embedded_contracts();
    auto all = ctai::builtin_contracts();
    ASSERT_EQ(files.size(), all.size());
    for (std::size_t i = 0; i < files.size(); ++i)
        EXPECT_EQ(std::string(files[i].name), all[i].id.str() + ".json");
}

TEST(ContractBuiltin, AnUnknownBuiltinIdIsNotFound) {
    try {
        (void)ctai::builtin_contract("dijon-2025");
        FAIL() << "expected NotFoundError";
    } catch (const ctai::NotFoundError& e) {
        EXPECT_EQ(e.entity(), "contract");
        EXPECT_EQ(e.id(), "dijon-2025");
    }
}

TEST(ContractBuiltin, ConcurrentFirstCallsSeeTheSameContracts) {
    std::vector<const Contract*> seen(8, nullptr);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&seen, i] { seen[i] = ctai::builtin_contracts().data(); });
    for (auto& t : threads) t.join();
    for (auto* p : seen) EXPECT_EQ(p, ctai::builtin_contracts().data());
}

TEST(ContractBuiltin, Dijon2023HasThePeriodBudgetAndOperatorOfTheContract) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_EQ(c.start, ctai::parse_date("2023-10-15"));
    EXPECT_EQ(c.end, ctai::parse_date("2024-10-15"));
    EXPECT_EQ(c.budget, 300000.0);
    EXPECT_EQ(c.operator_name, "CESAM « Ensemble ! »");
    EXPECT_EQ(c.territory, "Dijon Métropole");
    EXPECT_NE(c.source.find("Seed 002"), std::string::npos);
    EXPECT_NE(c.source.find("article 4"), std::string::npos);
}

TEST(ContractBuiltin, Dijon2023HasTheFourFichesWithTheirFigures) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    ASSERT_EQ(c.actions.size(), 4u);
    struct Expected {
        int number;
        int total, pa, bpi, bpt;
        double cost, etp;
        AgirPolicy policy;
        bool general_population;
    };
    const Expected expected[] = {
        {1, 200, 30, 150, 20, 180000, 2.5, AgirPolicy::excluded, false},
        {2, 75, 15, 50, 10, 60000, 0.8, AgirPolicy::open, true},
        {3, 50, 10, 30, 10, 30000, 0.4, AgirPolicy::open, false},
        {4, 60, 15, 40, 5, 30000, 0.4, AgirPolicy::partner, false},
    };
    for (const auto& e : expected) {
        SCOPED_TRACE("action " + std::to_string(e.number));
        const ctai::Action& a = c.action(e.number);
        const std::map<std::string, int> targets{
            {"total", e.total}, {"primo_arrivants", e.pa}, {"bpi", e.bpi}, {"bpt", e.bpt}};
        EXPECT_EQ(a.public_targets, targets);
        EXPECT_EQ(a.planned_cost, e.cost);
        EXPECT_EQ(a.etp, e.etp);
        EXPECT_EQ(a.agir_policy, e.policy);
        EXPECT_EQ(a.open_to_general_population, e.general_population);
    }
    EXPECT_TRUE(c.action(1).agir_needs.empty());
    EXPECT_EQ(c.action(4).agir_needs, std::vector<Need>{Need::housing});
}

TEST(ContractBuiltin, Dijon2023TitlesAreThoseOfTheFiches) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_EQ(c.action(1).title,
              "Accompagnement des réfugiés et/ou primo-arrivants dans leur intégration sociale "
              "et citoyenne");
    EXPECT_EQ(c.action(2).title,
              "Accompagnement et animation Dijon Métropole, territoire d'accueil des publics "
              "réfugiés et/ou primo-arrivants");
    EXPECT_EQ(c.action(3).title,
              "Participation des réfugiés et/ou primo-arrivants à la vie associative et "
              "citoyenne à travers le bénévolat - du « faire pour » au « faire ensemble »");
    EXPECT_EQ(c.action(4).title, "Accompagnement à l'entrée en logement");
}

TEST(ContractBuiltin, Dijon2023ActionsThreeAndFourRequireTheEndOfAnActionOneJourney) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_FALSE(c.action(1).prerequisite);
    EXPECT_FALSE(c.action(2).prerequisite);
    for (int n : {3, 4}) {
        SCOPED_TRACE("action " + std::to_string(n));
        ASSERT_TRUE(c.action(n).prerequisite);
        const ctai::Prerequisite& p = *c.action(n).prerequisite;
        EXPECT_EQ(p.action, 1);
        EXPECT_EQ(p.steps, (std::vector<StepKind>{StepKind::follow_on, StepKind::end_of_support}));
        EXPECT_TRUE(p.exited_counts);
    }
}

TEST(ContractBuiltin, EveryLabelOfTheDijon2023PublicTableIsTheExactFrenchText) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    const std::map<int, double> total_targets{{1, 200}, {2, 75}, {3, 50}, {4, 60}};
    for (const auto& a : c.actions) {
        SCOPED_TRACE("action " + std::to_string(a.number));
        ASSERT_EQ(a.public_table.size(), expected_public_rows.size());
        for (std::size_t i = 0; i < expected_public_rows.size(); ++i) {
            EXPECT_EQ(a.public_table[i].key, expected_public_rows[i].first);
            EXPECT_EQ(a.public_table[i].label_fr, expected_public_rows[i].second);
            // The fiches give an « Objectif » for the total row only.
            if (i == 0)
                EXPECT_EQ(a.public_table[i].target, total_targets.at(a.number));
            else
                EXPECT_FALSE(a.public_table[i].target) << a.public_table[i].key;
        }
    }
}

TEST(ContractBuiltin, StandardPublicTableHasTheLabelsOfTheFiches) {
    const auto rows = ctai::standard_public_table();
    ASSERT_EQ(rows.size(), expected_public_rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].key, expected_public_rows[i].first);
        EXPECT_EQ(rows[i].label_fr, expected_public_rows[i].second);
        EXPECT_FALSE(rows[i].target);
    }
}

TEST(ContractBuiltin, Dijon2023SpecificIndicatorsHaveTheFichesLabelsAndTargets) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_TRUE(c.action(1).specific_indicators.empty());

    const auto& a2 = c.action(2).specific_indicators;
    const auto* trained = find_indicator(a2, "structures_trained");
    ASSERT_NE(trained, nullptr);
    EXPECT_EQ(trained->label_fr,
              "Nombre d'acteurs de l'intégration bénéficiaires d'une action de formation");
    EXPECT_EQ(trained->target, 50.0);
    const auto* hours = find_indicator(a2, "training_hours");
    ASSERT_NE(hours, nullptr);
    EXPECT_EQ(hours->label_fr,
              "Nombre d'heures de formation dispensées aux acteurs de l'intégration");
    EXPECT_FALSE(hours->target);

    const auto& a3 = c.action(3).specific_indicators;
    const auto* co = find_indicator(a3, "co_animated_beneficiaries");
    ASSERT_NE(co, nullptr);
    EXPECT_EQ(co->label_fr, "Bénéficiaires d'une action co-animée par un bénévole");
    EXPECT_EQ(co->target, 200.0);
    const auto* volunteers = find_indicator(a3, "volunteers");
    ASSERT_NE(volunteers, nullptr);
    EXPECT_EQ(volunteers->label_fr, "Bénévoles anciens bénéficiaires");
    const auto* co_bpi_young = find_indicator(a3, "co_animated_bpi_under_25");
    ASSERT_NE(co_bpi_young, nullptr);
    EXPECT_EQ(co_bpi_young->label_fr, "dont BPI moins de 25 ans");

    const auto& a4 = c.action(4).specific_indicators;
    ASSERT_EQ(a4.size(), 1u);
    EXPECT_EQ(a4[0].key, "households_housed");
    EXPECT_EQ(a4[0].label_fr,
              "Nombre de ménages d'étrangers éligibles ayant pu accéder à un logement pérenne");
    EXPECT_FALSE(a4[0].target);
}

TEST(ContractBuiltin, Dijon2022HasItsThreeAxesOpenToAgirAndNoTargets) {
    const Contract& c = ctai::builtin_contract("dijon-2022");
    EXPECT_EQ(c.start, ctai::parse_date("2022-10-15"));
    EXPECT_EQ(c.end, ctai::parse_date("2023-10-14"));
    // The 2022 contract ends the day before the 2023-2024 one starts.
    EXPECT_EQ(c.end.plus_days(1), ctai::builtin_contract("dijon-2023-2024").start);
    EXPECT_EQ(c.budget, 300000.0);
    EXPECT_EQ(c.operator_name, "CESAM « Ensemble ! »");
    ASSERT_EQ(c.actions.size(), 3u);
    for (int n = 1; n <= 3; ++n) {
        const ctai::Action& a = c.action(n);
        EXPECT_EQ(a.agir_policy, AgirPolicy::open);
        EXPECT_TRUE(a.public_targets.empty());
        EXPECT_TRUE(a.public_table.empty());
        EXPECT_FALSE(a.planned_cost);
        EXPECT_FALSE(a.prerequisite);
    }
    EXPECT_EQ(c.action(1).title,
              "La connaissance par les personnes de leur environnement dans tous les domaines "
              "de la vie quotidienne");
    EXPECT_NE(c.source.find("Seed 000"), std::string::npos);
    // The exact days are a reading choice that the file documents.
    ASSERT_FALSE(c.notes.empty());
    EXPECT_NE(c.notes[0].find("d'octobre 2022 à octobre 2023"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Exit reasons

TEST(ContractExitReasons, DefaultsAreTheFivePositiveAndFourOtherReasonsOfR7) {
    const auto reasons = ctai::default_exit_reasons();
    std::vector<std::string> positive, negative;
    for (const auto& r : reasons) {
        EXPECT_FALSE(r.label_fr.empty()) << r.code;
        (r.positive ? positive : negative).push_back(r.code);
    }
    EXPECT_EQ(positive, (std::vector<std::string>{"lasting_housing", "lasting_job",
                                                  "qualifying_training", "autonomy",
                                                  "common_law"}));
    EXPECT_EQ(negative,
              (std::vector<std::string>{"dropped_out", "lost_contact", "moved_away", "other"}));
}

TEST(ContractExitReasons, BuiltinContractsUseTheDefaults) {
    for (const auto& c : ctai::builtin_contracts())
        EXPECT_EQ(c.exit_reasons, ctai::default_exit_reasons()) << c.id.str();
}

TEST(ContractExitReasons, IsPositiveExitFollowsTheVocabulary) {
    const Contract& c = ctai::builtin_contract("dijon-2023-2024");
    EXPECT_TRUE(c.is_positive_exit("lasting_housing"));
    EXPECT_TRUE(c.is_positive_exit("common_law"));
    EXPECT_FALSE(c.is_positive_exit("dropped_out"));
    EXPECT_FALSE(c.is_positive_exit("other"));
    try {
        (void)c.is_positive_exit("lasting_hosuing");
        FAIL() << "expected NotFoundError";
    } catch (const ctai::NotFoundError& e) {
        EXPECT_EQ(e.entity(), "exit_reason");
        EXPECT_EQ(e.id(), "lasting_hosuing");
    }
}

TEST(ContractExitReasons, AContractRedefinesADefaultInPlaceAndAppendsItsOwn) {
    const Contract c = ctai::load_contract(data_dir / "valmont-2025.json");
    const auto defaults = ctai::default_exit_reasons();
    ASSERT_EQ(c.exit_reasons.size(), defaults.size() + 1);
    EXPECT_TRUE(c.is_positive_exit("moved_away"));
    EXPECT_EQ(c.exit_reason("moved_away").label_fr, "Départ vers un autre territoire accompagné");
    for (std::size_t i = 0; i < defaults.size(); ++i)
        EXPECT_EQ(c.exit_reasons[i].code, defaults[i].code);
    EXPECT_EQ(c.exit_reasons.back().code, "language_certified");
    EXPECT_TRUE(c.is_positive_exit("language_certified"));
    EXPECT_FALSE(c.is_positive_exit("lost_contact"));
}

// ---------------------------------------------------------------------------------------
// A user's contract for another territory

TEST(ContractUserFile, AContractForAnotherTerritoryLoads) {
    const Contract c = ctai::load_contract(data_dir / "valmont-2025.json");
    EXPECT_EQ(c.id.str(), "valmont-2025");
    EXPECT_EQ(c.start, ctai::parse_date("2025-01-01"));
    EXPECT_EQ(c.end, ctai::parse_date("2025-12-31"));
    EXPECT_EQ(c.budget, 120000.5);
    EXPECT_TRUE(c.has_action(5));
    EXPECT_FALSE(c.has_action(2));
    EXPECT_THROW((void)c.action(2), ctai::NotFoundError);

    const ctai::Action& a1 = c.action(1);
    EXPECT_EQ(a1.public_targets, (std::map<std::string, int>{
                                     {"total", 80}, {"primo_arrivants", 50}, {"bpi", 30}}));
    ASSERT_EQ(a1.public_table.size(), 2u);
    EXPECT_EQ(a1.public_table[1].key, "women");
    EXPECT_EQ(a1.public_table[1].target, 40.0);
    EXPECT_EQ(a1.etp, 1.25);

    const ctai::Action& a5 = c.action(5);
    EXPECT_EQ(a5.agir_policy, AgirPolicy::partner);
    EXPECT_EQ(a5.agir_needs, (std::vector<Need>{Need::language, Need::health}));
    ASSERT_TRUE(a5.prerequisite);
    EXPECT_EQ(a5.prerequisite->steps, std::vector<StepKind>{StepKind::diagnosis});
    EXPECT_FALSE(a5.prerequisite->exited_counts);
    EXPECT_TRUE(a5.open_to_general_population);
    EXPECT_FALSE(a5.etp);
    ASSERT_EQ(a5.specific_indicators.size(), 1u);
    EXPECT_EQ(a5.specific_indicators[0].target, 300.0);
}

TEST(ContractUserFile, OmittedOptionalKeysTakeTheirDefaults) {
    const Contract c = ctai::parse_contract(R"({
        "format_version": 1, "id": "mini", "title": "T", "territory": "X",
        "start": "2025-01-01", "end": "2025-01-01",
        "actions": [{"number": 1, "title": "A"}]})");
    EXPECT_EQ(c.operator_name, "");
    EXPECT_FALSE(c.budget);
    const ctai::Action& a = c.action(1);
    EXPECT_EQ(a.agir_policy, AgirPolicy::open);
    EXPECT_FALSE(a.prerequisite);
    EXPECT_FALSE(a.open_to_general_population);
    EXPECT_EQ(c.exit_reasons, ctai::default_exit_reasons());
}

TEST(ContractUserFile, APrerequisiteWithoutStepsTakesTheR7Defaults) {
    const Contract c = ctai::parse_contract(R"({
        "format_version": 1, "id": "mini", "title": "T", "territory": "X",
        "start": "2025-01-01", "end": "2025-06-30",
        "actions": [{"number": 1, "title": "A"},
                    {"number": 2, "title": "B", "prerequisite": {"action": 1}}]})");
    EXPECT_EQ(c.action(2).prerequisite, ctai::Prerequisite{});
    EXPECT_EQ(c.action(2).prerequisite->steps,
              (std::vector<StepKind>{StepKind::follow_on, StepKind::end_of_support}));
}

TEST(ContractUserFile, AByteOrderMarkIsAccepted) {
    const std::string text = "\xEF\xBB\xBF" + read_text(data_dir / "valmont-2025.json");
    EXPECT_EQ(ctai::parse_contract(text).id.str(), "valmont-2025");
}

TEST(ContractUserFile, AMissingFileIsNotFound) {
    const auto path = data_dir / "no-such-contract.json";
    try {
        (void)ctai::load_contract(path);
        FAIL() << "expected NotFoundError";
    } catch (const ctai::NotFoundError& e) {
        EXPECT_EQ(e.entity(), "contract_file");
        EXPECT_EQ(e.id(), path.string());
    }
    EXPECT_THROW((void)ctai::load_contract(data_dir), ctai::NotFoundError);  // a directory
}

TEST(ContractUserFile, TheExampleOfTheDocumentationLoads) {
    const std::string doc =
        read_text(std::filesystem::path(CTAI_SOURCE_DIR) / "docs" / "contracts.md");
    const auto begin = doc.find("```json\n");
    ASSERT_NE(begin, std::string::npos);
    const auto end = doc.find("```", begin + 8);
    ASSERT_NE(end, std::string::npos);
    const Contract c = ctai::parse_contract(doc.substr(begin + 8, end - begin - 8), "contracts.md");
    EXPECT_FALSE(c.actions.empty());
}

// ---------------------------------------------------------------------------------------
// Round trip

TEST(ContractRoundTrip, EveryBuiltinAndTheUserContractSurviveToJsonAndBack) {
    std::vector<Contract> all(ctai::builtin_contracts().begin(), ctai::builtin_contracts().end());
    all.push_back(ctai::load_contract(data_dir / "valmont-2025.json"));
    for (const auto& c : all) {
        SCOPED_TRACE(c.id.str());
        const std::string text = ctai::contract_to_json(c);
        const Contract back = ctai::parse_contract(text, "round-trip");
        EXPECT_EQ(back, c);
        EXPECT_EQ(ctai::contract_to_json(back), text);
    }
}

TEST(ContractRoundTrip, IntegralAmountsAreWrittenWithoutDecimals) {
    const Json j = Json::parse(ctai::contract_to_json(ctai::builtin_contract("dijon-2023-2024")));
    EXPECT_TRUE(j["budget"].is_number_integer());
    EXPECT_TRUE(j["actions"][0]["planned_cost"].is_number_integer());
    EXPECT_TRUE(j["actions"][0]["etp"].is_number_float());
}

TEST(ContractRoundTrip, AnEditedContractSurvivesToo) {
    Contract c = ctai::builtin_contract("dijon-2023-2024");
    c.id = ctai::ContractId("edited");
    c.budget.reset();
    c.actions[0].public_targets.erase("bpt");
    c.actions[0].public_table[1].target = 95.5;
    c.actions[1].prerequisite = ctai::Prerequisite{1, {StepKind::intake}, false};
    c.exit_reasons.push_back({"own_reason", "Motif propre", true});
    c.exit_reasons[0].positive = false;
    c.notes.clear();
    EXPECT_EQ(ctai::parse_contract(ctai::contract_to_json(c)), c);
}

// ---------------------------------------------------------------------------------------
// Malformed files are refused, naming the field

struct Malformed {
    std::string name;
    std::function<void(Json&)> edit;
    std::string field;
    std::string message_part;
};

void PrintTo(const Malformed& m, std::ostream* os) { *os << m.name; }

class ContractMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(ContractMalformed, IsRefusedNamingTheFileAndTheField) {
    Json j = Json::parse(read_text(data_dir / "valmont-2025.json"));
    GetParam().edit(j);
    try {
        (void)ctai::parse_contract(j.dump(2), "user/valmont.json");
        FAIL() << "expected ValidationError";
    } catch (const ctai::ValidationError& e) {
        EXPECT_EQ(e.field(), GetParam().field);
        EXPECT_EQ(e.file(), "user/valmont.json");
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("user/valmont.json: " + GetParam().field + ": ", 0), 0u) << what;
        EXPECT_NE(what.find(GetParam().message_part), std::string::npos) << what;
    }
}

const Malformed malformed_cases[] = {
    {"MissingTitle", [](Json& j) { j.erase("title"); }, "title", "missing"},
    {"MissingStart", [](Json& j) { j.erase("start"); }, "start", "missing"},
    {"MissingActions", [](Json& j) { j.erase("actions"); }, "actions", "missing"},
    {"MissingFormatVersion", [](Json& j) { j.erase("format_version"); }, "format_version",
     "missing"},
    {"MissingActionNumber", [](Json& j) { j["actions"][1].erase("number"); },
     "actions[1].number", "missing"},
    {"MissingExitReasonFlag", [](Json& j) { j["exit_reasons"][1].erase("positive"); },
     "exit_reasons[1].positive", "missing"},
    {"BudgetAsString", [](Json& j) { j["budget"] = "300000"; }, "budget", "expected a number"},
    {"EtpAsString", [](Json& j) { j["actions"][0]["etp"] = "1.25"; }, "actions[0].etp",
     "expected a number"},
    {"DecimalTarget", [](Json& j) { j["actions"][0]["public_targets"]["total"] = 80.5; },
     "actions[0].public_targets.total", "expected an integer"},
    {"BooleanAsString", [](Json& j) { j["actions"][1]["open_to_general_population"] = "yes"; },
     "actions[1].open_to_general_population", "expected true or false"},
    {"ActionsNotAnArray", [](Json& j) { j["actions"] = Json::object(); }, "actions",
     "expected an array"},
    {"ActionNotAnObject", [](Json& j) { j["actions"][0] = 1; }, "actions[0]",
     "expected an object"},
    {"UnknownAgirPolicy", [](Json& j) { j["actions"][1]["agir_policy"] = "partnr"; },
     "actions[1].agir_policy", "excluded, partner, open"},
    {"UnknownNeed", [](Json& j) { j["actions"][1]["agir_needs"][1] = "food"; },
     "actions[1].agir_needs[1]", "invalid need (expected one of: housing"},
    {"UnknownStep", [](Json& j) { j["actions"][1]["prerequisite"]["steps"][0] = "done"; },
     "actions[1].prerequisite.steps[0]", "invalid step (expected one of: intake"},
    {"UnknownTopLevelKey", [](Json& j) { j["budjet"] = 1; }, "budjet",
     "did you mean 'budget'"},
    {"UnknownActionKey", [](Json& j) { j["actions"][1]["agir_polcy"] = "open"; },
     "actions[1].agir_polcy", "did you mean 'agir_policy'"},
    {"UnknownIndicatorKey", [](Json& j) { j["actions"][0]["public_table"][0]["objectif"] = 1; },
     "actions[0].public_table[0].objectif", "unknown key"},
    {"UnknownPublicTableRow", [](Json& j) { j["actions"][0]["public_table"][1]["key"] = "kids"; },
     "actions[0].public_table[1].key", "unknown public table row"},
    {"UnknownPublicTarget", [](Json& j) { j["actions"][0]["public_targets"]["refugees"] = 3; },
     "actions[0].public_targets.refugees", "unknown key"},
    {"DuplicateActionNumber", [](Json& j) { j["actions"][1]["number"] = 1; },
     "actions[1].number", "duplicate action number 1"},
    {"ActionNumberZero", [](Json& j) { j["actions"][0]["number"] = 0; }, "actions[0].number",
     "at least 1"},
    {"EndBeforeStart", [](Json& j) { j["end"] = "2024-12-31"; }, "end", "before it starts"},
    {"InvalidCalendarDate", [](Json& j) { j["start"] = "2025-02-30"; }, "start",
     "invalid date"},
    {"FrenchDateFormat", [](Json& j) { j["start"] = "01/01/2025"; }, "start", "invalid date"},
    {"EmptyTitle", [](Json& j) { j["actions"][0]["title"] = ""; }, "actions[0].title",
     "must not be empty"},
    {"NegativeCost", [](Json& j) { j["actions"][0]["planned_cost"] = -1; },
     "actions[0].planned_cost", "negative"},
    {"NegativeTarget", [](Json& j) { j["actions"][0]["public_targets"]["bpi"] = -3; },
     "actions[0].public_targets.bpi", "at least 0"},
    {"TargetsThatDoNotAddUp",
     [](Json& j) { j["actions"][0]["public_targets"]["bpt"] = 1; },
     "actions[0].public_targets.total", "is not primo_arrivants + bpi + bpt = 81"},
    {"PrerequisiteOnAMissingAction", [](Json& j) { j["actions"][1]["prerequisite"]["action"] = 3; },
     "actions[1].prerequisite.action", "no action 3"},
    {"PrerequisiteOnItself", [](Json& j) { j["actions"][1]["prerequisite"]["action"] = 5; },
     "actions[1].prerequisite.action", "its own prerequisite"},
    {"PrerequisiteCycle",
     [](Json& j) { j["actions"][0]["prerequisite"] = Json{{"action", 5}}; },
     "actions[0].prerequisite.action", "cycle"},
    {"EmptyPrerequisiteSteps",
     [](Json& j) { j["actions"][1]["prerequisite"]["steps"] = Json::array(); },
     "actions[1].prerequisite.steps", "at least one step"},
    {"PartnerWithoutNeeds", [](Json& j) { j["actions"][1].erase("agir_needs"); },
     "actions[1].agir_needs", "must declare the needs"},
    {"NeedsOnAnOpenAction", [](Json& j) { j["actions"][1]["agir_policy"] = "open"; },
     "actions[1].agir_needs", "only meaningful"},
    {"DuplicateNeed", [](Json& j) { j["actions"][1]["agir_needs"][1] = "language"; },
     "actions[1].agir_needs[1]", "duplicate need"},
    {"DuplicateSpecificIndicator",
     [](Json& j) {
         j["actions"][1]["specific_indicators"].push_back(
             j["actions"][1]["specific_indicators"][0]);
     },
     "actions[1].specific_indicators[1].key", "duplicate indicator 'language_hours'"},
    {"IndicatorKeyNotACode",
     [](Json& j) { j["actions"][1]["specific_indicators"][0]["key"] = "Heures langue"; },
     "actions[1].specific_indicators[0].key", "not a code"},
    {"DuplicateExitReason",
     [](Json& j) { j["exit_reasons"].push_back(j["exit_reasons"][0]); }, "exit_reasons[2].code",
     "duplicate exit reason 'moved_away'"},
    {"ExitReasonCodeNotACode", [](Json& j) { j["exit_reasons"][1]["code"] = "Langue OK"; },
     "exit_reasons[1].code", "not a code"},
    {"ContractIdWithColon", [](Json& j) { j["id"] = "valmont:2025"; }, "id",
     "not a valid contract id"},
    {"NoActions", [](Json& j) { j["actions"] = Json::array(); }, "actions", "at least one"},
    {"NewerFormat", [](Json& j) { j["format_version"] = 2; }, "format_version",
     "unsupported format version 2"},
    {"NoteNotAString", [](Json& j) { j["notes"][0] = 3; }, "notes[0]", "expected a string"},
};

INSTANTIATE_TEST_SUITE_P(Contract, ContractMalformed, testing::ValuesIn(malformed_cases),
                         [](const testing::TestParamInfo<Malformed>& param_info) {
                             return param_info.param.name;
                         });

TEST(ContractMalformedText, ADuplicatedKeyIsRefused) {
    try {
        (void)ctai::parse_contract(R"({"format_version": 1, "id": "a", "title": "T",
            "territory": "X", "title": "U", "start": "2025-01-01", "end": "2025-01-02",
            "actions": [{"number": 1, "title": "A"}]})",
                                   "dup.json");
        FAIL() << "expected ValidationError";
    } catch (const ctai::ValidationError& e) {
        EXPECT_EQ(e.field(), "title");
        EXPECT_NE(std::string(e.what()).find("duplicate key 'title'"), std::string::npos);
    }
}

TEST(ContractMalformedText, ADuplicatedKeyInsideAnArrayIsNamedByItsPath) {
    try {
        (void)ctai::parse_contract(R"({"format_version": 1, "id": "a", "title": "T",
            "territory": "X", "start": "2025-01-01", "end": "2025-01-02",
            "notes": ["n", "m"],
            "actions": [{"number": 1, "title": "A"},
                        {"number": 2, "title": "B", "public_targets": {"total": 1},
                         "prerequisite": {"action": 1, "steps": ["intake"], "action": 1}}]})",
                                   "dup.json");
        FAIL() << "expected ValidationError";
    } catch (const ctai::ValidationError& e) {
        EXPECT_EQ(e.field(), "actions[1].prerequisite.action");
        EXPECT_NE(std::string(e.what()).find("duplicate key 'action'"), std::string::npos);
    }
}

TEST(ContractMalformedText, TheSameKeyInTwoObjectsIsNotADuplicate) {
    EXPECT_NO_THROW((void)ctai::parse_contract(R"({"format_version": 1, "id": "a",
        "title": "T", "territory": "X", "start": "2025-01-01", "end": "2025-01-02",
        "actions": [{"number": 1, "title": "A"}, {"number": 2, "title": "B"}]})"));
}

TEST(ContractMalformedText, InvalidJsonNamesTheFileAndTheLine) {
    const auto path = data_dir / "invalid" / "syntax-error.json";
    try {
        (void)ctai::load_contract(path);
        FAIL() << "expected ValidationError";
    } catch (const ctai::ValidationError& e) {
        EXPECT_EQ(e.file(), path.string());
        EXPECT_EQ(e.line(), 5);  // the key after the missing comma
        EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":5: invalid JSON", 0), 0u)
            << e.what();
    }
}

TEST(ContractMalformedText, ATopLevelArrayIsRefused) {
    EXPECT_THROW((void)ctai::parse_contract("[]"), ctai::ValidationError);
    EXPECT_THROW((void)ctai::parse_contract(""), ctai::ValidationError);
}

}  // namespace
