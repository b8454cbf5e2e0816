// `ctai contract add|show|new` (domain R10): load a contract, an avenant or a local AGIR
// convention; show a contract as amended on a date with what applied; draft the next one.
#include <ctai/ctai.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "output.hpp"

namespace ctai::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

struct ContractArgs {
    std::string db, file, id, on, from, new_id, output, format = "md";
    bool overwrite = false;
};
ContractArgs ca;
CLI::App* sub_add = nullptr;
CLI::App* sub_show = nullptr;
CLI::App* sub_new = nullptr;

std::string list(const std::vector<std::string>& v, const char* none = "-") {
    if (v.empty()) return none;
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
}

int cmd_contract_add() {
    const ContractDocument doc = load_contract_document(ca.file);
    auto store = open_existing(ca.db, Policy{});
    const bool changed = std::visit(
        [&](const auto& x) -> bool {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Contract>) return store.put_contract(x);
            else if constexpr (std::is_same_v<T, Avenant>) return store.put_avenant(x);
            else return store.put_convention(x);
        },
        doc);
    std::cout << (changed ? "loaded " : "unchanged ") << document_kind(doc) << " '"
              << document_id(doc) << "'";
    if (const auto* a = std::get_if<Avenant>(&doc))
        std::cout << " of contract '" << a->contract.str() << "', effective " << to_iso(a->effective);
    if (const auto* v = std::get_if<Convention>(&doc))
        std::cout << " of contract '" << v->contract.str() << "', effective " << to_iso(v->effective);
    std::cout << '\n';
    return 0;
}

std::string targets_text(const Action& a) {
    const auto& t = a.public_targets;
    auto get = [&](const char* k) {
        const auto it = t.find(k);
        return it == t.end() ? std::string("-") : std::to_string(it->second);
    };
    if (t.empty()) return "-";
    return get("total") + " (" + get("primo_arrivants") + " / " + get("bpi") + " / " + get("bpt") + ")";
}

std::string amount_text(const std::optional<double>& v) {
    if (!v) return "-";
    std::ostringstream s;
    s << *v;
    return s.str();
}

std::string agir_text(const Action& a) {
    std::string out(to_string(a.agir_policy));
    if (!a.agir_needs.empty()) {
        std::vector<std::string> needs;
        for (auto n : a.agir_needs) needs.emplace_back(to_string(n));
        out += " (" + list(needs) + ")";
    }
    return out;
}

std::string cell(std::string s) {  // a Markdown table cell
    for (auto& c : s)
        if (c == '|' || c == '\n' || c == '\r') c = ' ';
    return s;
}

void show_markdown(const ContractOn& on, Date date, const std::vector<Avenant>& avenants,
                   const std::vector<Convention>& conventions) {
    const Contract& c = on.contract;
    std::vector<std::string> publics, continues;
    for (auto p : c.publics) publics.emplace_back(to_string(p));
    std::cout << "# Contract `" << c.id.str() << "` as on " << to_iso(date) << "\n\n"
              << cell(c.title) << "\n\n| | |\n|---|---|\n"
              << "| Territory | " << cell(c.territory) << " (départements: " << list(c.departments) << ") |\n"
              << "| Period | " << to_iso(c.start) << " to " << to_iso(c.end) << " (included) |\n"
              << "| Budget | " << amount_text(c.budget) << " |\n"
              << "| Publics | " << list(publics) << " |\n";
    if (c.continues) {
        for (const auto& [earlier, mine] : c.continues->actions)
            continues.push_back(std::to_string(earlier) + " -> " + std::to_string(mine));
        std::cout << "| Continues | " << c.continues->contract.str() << " (actions " << list(continues) << ") |\n";
    }
    std::cout << "| Avenants applied | " << list(on.amended_by, "none") << " |\n"
              << "| Local AGIR convention in force | " << (on.convention ? *on.convention : "none") << " |\n\n"
              << "| # | action | target total (PA / BPI / BPT) | planned cost | ETP | agir_policy | prerequisite | general population |\n"
              << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& a : c.actions)
        std::cout << "| " << a.number << " | " << cell(a.title) << " | " << targets_text(a) << " | "
                  << amount_text(a.planned_cost) << " | " << amount_text(a.etp) << " | " << agir_text(a) << " | "
                  << (a.prerequisite ? "action " + std::to_string(a.prerequisite->action) : std::string("-"))
                  << " | " << (a.open_to_general_population ? "yes" : "no") << " |\n";
    if (avenants.empty() && conventions.empty()) return;
    std::cout << "\n## History\n\n| document | kind | effective | on " << to_iso(date) << " |\n|---|---|---|---|\n";
    auto row = [&](const std::string& id, const char* kind, Date effective, bool applied) {
        std::cout << "| " << cell(id) << " | " << kind << " | " << to_iso(effective) << " | "
                  << (applied ? "applied" : effective > date ? "not yet in effect" : "replaced") << " |\n";
    };
    for (const auto& a : avenants) row(a.id, "avenant", a.effective, a.effective <= date);
    for (const auto& v : conventions) row(v.id, "convention", v.effective, on.convention == v.id);
}

int cmd_contract_show() {
    auto store = open_existing(ca.db, Policy{});
    const ContractId id{ca.id};
    const Contract base = store.contract(id);
    const Date date = ca.on.empty() ? base.end : date_arg(ca.on, "--on");
    const ContractOn on = store.contract_on(id, date);
    const auto avenants = store.avenants(id);
    const auto conventions = store.conventions(id);
    if (ca.format == "json") {
        ordered_json j;
        j["contract"] = ordered_json::parse(contract_to_json(on.contract));
        j["on"] = to_iso(date);
        j["amended_by"] = on.amended_by;
        j["convention"] = on.convention ? ordered_json(*on.convention) : ordered_json(nullptr);
        auto history = ordered_json::array();
        for (const auto& a : avenants)
            history.push_back({{"id", a.id}, {"kind", "avenant"}, {"effective", to_iso(a.effective)}});
        for (const auto& v : conventions)
            history.push_back({{"id", v.id}, {"kind", "convention"}, {"effective", to_iso(v.effective)}});
        j["history"] = history;
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    show_markdown(on, date, avenants, conventions);
    return 0;
}

int cmd_contract_new() {
    check_output_target(ca.output, ca.overwrite);  // before opening anything
    auto store = open_existing(ca.db, Policy{});
    const ContractId from{ca.from};
    const Contract base = store.contract(from);
    // With its avenants (not its local convention: a convention is signed per contract).
    Contract next = ctai::contract_on(base, store.avenants(from), {}, base.end).contract;
    next.id = ContractId{ca.new_id};
    if (next.id == from) throw UsageError("--id must differ from --from");
    next.start = next.end.plus_days(1);
    next.end = add_years(next.start, 1).plus_days(-1);
    next.continues = Continuation{from, {}};
    for (const auto& a : next.actions) next.continues->actions[a.number] = a.number;
    next.source = "";
    next.notes = {"Draft made by `ctai contract new` from '" + from.str() +
                  "' as amended on its end: review the title, the period, the budget, the "
                  "actions and their targets, and the mapping of `continues` (each action of '" +
                  from.str() + "' onto the action of this contract that continues it) before "
                  "`ctai contract add`."};
    // Checked as `ctai contract add` will read it.
    const std::string text = contract_to_json(parse_contract(contract_to_json(next), ca.output));
    write_file_atomically(ca.output, text, ca.overwrite);
    std::cerr << "wrote " << ca.output << " (draft of '" << next.id.str() << "', continuing '"
              << from.str() << "')\n";
    return 0;
}

}  // namespace

void register_contract_commands(CLI::App& app) {
    auto* contract = app.add_subcommand(
        "contract", "Load a contract, an avenant or a local AGIR convention; show one as amended on a date; "
                    "draft the next one");
    contract->require_subcommand(1);
    contract->footer("Run `ctai contract COMMAND --help`. Documentation: docs/contracts.md");

    sub_add = contract->add_subcommand("add", "Load a contract, an avenant or a local AGIR convention (JSON file, "
                                              "docs/contracts.md) into a store");
    sub_add->add_option("DB", ca.db, "Store file")->required();
    sub_add->add_option("FILE", ca.file, "Contract file (its `kind`: contract, avenant or convention)")->required();
    sub_add->footer("Examples:\n  ctai contract add cases.db valmont-2025.json\n"
                    "  ctai contract add cases.db avenant-2024-1.json");

    sub_show = contract->add_subcommand("show", "A contract as amended on a date, with the avenants and the "
                                                "convention applied");
    sub_show->add_option("DB", ca.db, "Store file")->required();
    sub_show->add_option("ID", ca.id, "Contract id")->required();
    sub_show->add_option("--on", ca.on, "Date (YYYY-MM-DD; default: the contract's end)");
    sub_show->add_option("--format", ca.format, "Output format: md, json")
        ->check(CLI::IsMember({"md", "json"}))
        ->capture_default_str();
    sub_show->footer("Examples:\n  ctai contract show cases.db dijon-2023-2024 --on 2024-06-01\n"
                     "  ctai contract show cases.db dijon-2023-2024 --format json");

    sub_new = contract->add_subcommand("new", "Write a draft of the contract that follows another (`continues` "
                                              "filled in) to a file");
    sub_new->add_option("DB", ca.db, "Store file")->required();
    sub_new->add_option("--from", ca.from, "The contract it follows")->required();
    sub_new->add_option("--id", ca.new_id, "The new contract's id")->required();
    sub_new->add_option("--output,-o", ca.output,
                        "The draft file (never replaces an existing file without --overwrite, nor a store file)")
        ->required();
    sub_new->add_flag("--overwrite", ca.overwrite, "Let -o replace an existing file (never a store)");
    sub_new->footer("Example:\n  ctai contract new cases.db --from dijon-2023-2024 --id dijon-2025 -o dijon-2025.json\n"
                    "  (edit dijon-2025.json, then: ctai contract add cases.db dijon-2025.json)");
}

std::optional<int> run_contract_command() {
    if (sub_add && sub_add->parsed()) return cmd_contract_add();
    if (sub_show && sub_show->parsed()) return cmd_contract_show();
    if (sub_new && sub_new->parsed()) return cmd_contract_new();
    return std::nullopt;
}

}  // namespace ctai::cli
