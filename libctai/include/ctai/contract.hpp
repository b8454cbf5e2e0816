#pragma once
/// \file contract.hpp
/// Contracts as data (domain "Contracts shipped with the library", R6 articulation, R7
/// prerequisites and exit reasons, R8 targets). A contract file is JSON (docs/contracts.md);
/// the Dijon contracts of 2022 and 2023-2024 are built in.

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
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

/// R10: how a contract follows an earlier one (key `continues` of the contract file).
struct Continuation {
    /// The earlier contract.
    ContractId contract;
    /// Earlier action number -> this contract's action number. An earlier action absent
    /// here has no successor: its journeys stay in the earlier contract only.
    std::map<int, int> actions;
    friend bool operator==(const Continuation&, const Continuation&) = default;
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
    /// R8: the publics the contract serves (default: all three), in vocabulary order.
    std::vector<PublicCategory> publics{PublicCategory::bpi, PublicCategory::bpt,
                                        PublicCategory::primo_arrivant};
    /// R10: the département codes of the territory (e.g. "21"); may be empty.
    std::vector<std::string> departments;
    /// R10: the contract this one follows, with the mapping of its actions.
    std::optional<Continuation> continues;

    /// R8: whether the contract serves that public.
    bool serves(PublicCategory p) const noexcept;
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

/// R10: what an avenant sets in one action: `values` holds the action's fields, `keys` the
/// action keys of the file (docs/contracts.md) the avenant gives, in the file's order; the
/// other fields of `values` are meaningless. An action number the contract lacks adds the
/// action (then `title` is required).
struct ActionAmendment {
    Action values;
    std::vector<std::string> keys;
    bool sets(std::string_view key) const noexcept;
    friend bool operator==(const ActionAmendment&, const ActionAmendment&) = default;
};

/// R10 (contract art. 9): a dated amendment of a contract, effective from `effective`.
struct Avenant {
    std::string id;
    ContractId contract;
    Date effective;
    std::string title;
    /// A new end date of the contract.
    std::optional<Date> end;
    /// A new total budget.
    std::optional<double> budget;
    std::vector<ActionAmendment> actions;
    std::string source;
    std::vector<std::string> notes;
    friend bool operator==(const Avenant&, const Avenant&) = default;
};

/// R10/R6: what a local convention sets for one action.
struct ConventionAction {
    int number = 0;
    AgirPolicy agir_policy = AgirPolicy::open;
    std::vector<Need> agir_needs;
    friend bool operator==(const ConventionAction&, const ConventionAction&) = default;
};

/// R10 (contract art. 2): the local convention with the AGIR operator, replacing the
/// contract's per-action AGIR policy from `effective`.
struct Convention {
    std::string id;
    ContractId contract;
    Date effective;
    std::string title;
    /// The signatories (e.g. the métropole, the operator, the AGIR operator).
    std::vector<std::string> parties;
    /// Who provides the global accompaniment (free text), if the convention says.
    std::string global_accompaniment;
    std::vector<ConventionAction> actions;
    std::string source;
    std::vector<std::string> notes;
    friend bool operator==(const Convention&, const Convention&) = default;
};

/// R10: a contract as it stands on a date, with what was applied to it.
struct ContractOn {
    Contract contract;
    /// The ids of the avenants applied, in the order applied (effective date, then id).
    std::vector<std::string> amended_by;
    /// The id of the convention in force, if any.
    std::optional<std::string> convention;
    friend bool operator==(const ContractOn&, const ContractOn&) = default;
};

/// R10: `c` as amended on `on`: every avenant of `c` (others in `avenants` are ignored)
/// effective on or before `on` applied in (effective, id) order, then the convention of `c`
/// in force on `on` (the latest effective on or before `on`; ties: the greatest id), whose
/// actions replace the agir_policy and agir_needs of the contract's. Pure. Throws
/// ValidationError when the result is inconsistent (check_contract_consistency).
ContractOn contract_on(const Contract& c, std::span<const Avenant> avenants,
                       std::span<const Convention> conventions, Date on);

/// R10: `c` with one avenant applied (its contract id is not checked).
Contract apply_avenant(Contract c, const Avenant& a);
/// R10: `c` with one convention applied; ValidationError naming the action when the
/// contract lacks an action of the convention.
Contract apply_convention(Contract c, const Convention& v);
/// R10: the convention of contract `contract` in force on `on`, or nullptr.
const Convention* convention_in_force(std::span<const Convention> conventions,
                                      const ContractId& contract, Date on);

/// R6/R7 consistency of a whole contract (also after avenants and conventions): a partner
/// action declares needs and only a partner action does; a prerequisite names another
/// action of the contract, without cycles. Throws ValidationError naming the action.
void check_contract_consistency(const Contract& c);

/// R10: the contracts `c` continues, nearest first, each with the mapping of its actions
/// onto `c`'s (composed through the intermediate contracts). `lookup` returns the contract
/// with an id or nullptr; a chain stops at an unknown contract or a cycle.
template <class Lookup>
std::vector<Continuation> lineage(const Contract& c, Lookup&& lookup);

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

/// Any document of the contract file format: a contract, an avenant or a convention
/// (key `kind`, default "contract").
using ContractDocument = std::variant<Contract, Avenant, Convention>;

/// Parses a contract, an avenant or a convention (R10). Throws ValidationError naming the
/// field, as parse_contract.
ContractDocument parse_contract_document(std::string_view json_text,
                                         std::string_view source = "<contract>");
/// Loads a contract document file. Throws ValidationError or NotFoundError (no file).
ContractDocument load_contract_document(const std::filesystem::path& path);

/// Serialises an avenant or a convention to the JSON format parse_contract_document reads.
std::string avenant_to_json(const Avenant& a);
std::string convention_to_json(const Convention& v);
/// Any of the three.
std::string contract_document_to_json(const ContractDocument& d);
/// The id of a document, and its kind ("contract", "avenant", "convention").
std::string document_id(const ContractDocument& d);
std::string_view document_kind(const ContractDocument& d) noexcept;

/// The built-in contracts (`dijon-2022`, `dijon-2023-2024`).
std::span<const Contract> builtin_contracts();

/// The built-in contract with that id. Throws NotFoundError.
const Contract& builtin_contract(std::string_view id);

template <class Lookup>
std::vector<Continuation> lineage(const Contract& c, Lookup&& lookup) {
    std::vector<Continuation> out;
    std::vector<ContractId> seen{c.id};
    const Contract* current = &c;
    std::map<int, int> onto;  // current's action -> c's action (identity for c itself)
    for (const auto& a : c.actions) onto[a.number] = a.number;
    while (current->continues) {
        const Continuation& k = *current->continues;
        if (std::find(seen.begin(), seen.end(), k.contract) != seen.end()) break;
        Continuation composed{k.contract, {}};
        for (const auto& [earlier, mine] : k.actions)
            if (const auto it = onto.find(mine); it != onto.end())
                composed.actions[earlier] = it->second;
        out.push_back(composed);
        seen.push_back(k.contract);
        const Contract* prev = lookup(k.contract);
        if (!prev) break;
        current = prev;
        onto = std::move(composed.actions);
    }
    return out;
}

}  // namespace ctai
