#pragma once
/// \file contract.hpp
/// Contracts as data (domain "Contracts shipped with the library", R6 articulation, R7
/// prerequisites and exit reasons, R8 targets). A contract file is JSON (docs/contracts.md);
/// the Dijon contracts of 2022 and 2023-2024 are built in.

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/ids.hpp>
#include <ctai/vocab.hpp>

namespace ctai {

/// R7: an exit reason of the contract's vocabulary.
struct ExitReason {
    std::string code;      ///< e.g. "lasting_housing"
    std::string label_fr;  ///< e.g. "Accès à un logement pérenne"
    bool positive = false; ///< a « sortie positive »
    friend bool operator==(const ExitReason&, const ExitReason&) = default;
};

/// R7: entry into an action requires a journey in `action` that reached one of `steps`
/// (or has exited, when `exited_counts`).
struct Prerequisite {
    int action = 1;
    std::vector<StepKind> steps{StepKind::follow_on, StepKind::end_of_support};
    bool exited_counts = true;
    friend bool operator==(const Prerequisite&, const Prerequisite&) = default;
};

/// One row of a fiche's indicator table: a key (e.g. "total", "bpi_women",
/// "structures_trained"), the exact French label of the fiche, and the target (Objectif).
struct Indicator {
    std::string key;
    std::string label_fr;
    std::optional<double> target;
    friend bool operator==(const Indicator&, const Indicator&) = default;
};

/// A fiche action.
struct Action {
    int number = 0;
    std::string title;
    /// Targets by public: keys "total", "primo_arrivants", "bpi", "bpt" (any may be absent).
    std::map<std::string, int> public_targets;
    /// The rows of the fiche's public table in order, with exact French labels and targets:
    /// keys total, men, women, under_25, bpi, bpi_men, bpi_women, bpi_under_25.
    std::vector<Indicator> public_table;
    /// Action-specific quantified indicators (e.g. structures_trained = 50).
    std::vector<Indicator> specific_indicators;
    /// Planned cost of the action (EUR) and staff (ETP).
    std::optional<double> planned_cost;
    std::optional<double> etp;
    /// R6 articulation with AGIR.
    AgirPolicy agir_policy = AgirPolicy::open;
    /// R6: needs for which AGIR may refer its BPI to a `partner` action.
    std::vector<Need> agir_needs;
    /// R7: prerequisite of entry, if any.
    std::optional<Prerequisite> prerequisite;
    /// R7: open to the general population (non-eligible participants counted apart).
    bool open_to_general_population = false;
    friend bool operator==(const Action&, const Action&) = default;
};

/// A CTAI contract between a territory and the State.
struct Contract {
    ContractId id;
    std::string title;
    std::string territory;
    std::string operator_name;
    /// Contract period, both days included.
    Date start;
    Date end;
    std::optional<double> budget;
    std::vector<Action> actions;
    /// R7: the exit-reason vocabulary (defaults of the spec plus the contract's own).
    std::vector<ExitReason> exit_reasons;
    /// Where the figures come from (document, articles), free text.
    std::string source;
    /// Reading choices made when the text was vague (e.g. exact days of a period), free text.
    std::vector<std::string> notes;

    /// The action numbered `number`. Throws NotFoundError.
    const Action& action(int number) const;
    /// Whether the contract has that action.
    bool has_action(int number) const noexcept;
    /// The exit reason with that code. Throws NotFoundError.
    const ExitReason& exit_reason(std::string_view code) const;
    /// Whether `code` is a positive exit. Throws NotFoundError for an unknown code.
    bool is_positive_exit(std::string_view code) const;
    friend bool operator==(const Contract&, const Contract&) = default;
};

/// The version of the contract file format this library reads and writes
/// (key `format_version`, docs/contracts.md).
inline constexpr int contract_format_version = 1;

/// The exit reasons every contract has unless it redefines them (domain R7 defaults).
std::vector<ExitReason> default_exit_reasons();

/// R8: the eight rows of the State's public table (« Nombre total d'étrangers éligibles
/// bénéficiaires de l'action », « dont hommes », ...) with their exact French labels and no
/// target: what a report shows for an action whose contract gives no table.
std::vector<Indicator> standard_public_table();

/// Parses a contract file's JSON text. `source` names the file in errors. Throws
/// ValidationError naming the field (e.g. "actions[2].agir_policy").
Contract parse_contract(std::string_view json_text, std::string_view source = "<contract>");

/// Loads a contract file. Throws ValidationError (malformed) or NotFoundError (no file).
Contract load_contract(const std::filesystem::path& path);

/// Serialises a contract to the JSON format parse_contract reads (round trip).
std::string contract_to_json(const Contract& c);

/// The built-in contracts (`dijon-2022`, `dijon-2023-2024`).
std::span<const Contract> builtin_contracts();

/// The built-in contract with that id. Throws NotFoundError.
const Contract& builtin_contract(std::string_view id);

}  // namespace ctai
