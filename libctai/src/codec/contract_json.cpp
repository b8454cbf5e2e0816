// The JSON contract file format (docs/contracts.md): reading with validation (through the
// codecs' one strict reader, json_reader.hpp), writing, and the built-in Dijon contracts.
#include <ctai/contract.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include <ctai/error.hpp>

#include "codec/json_reader.hpp"
#include "embedded.hpp"

namespace ctai {
namespace {

using codec::at_index;
using codec::child;
using codec::Json;
using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view public_target_keys[] = {"total", "primo_arrivants", "bpi", "bpt"};

bool is_code(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Contract ids appear in referrals as `<contract_id>:<action>` and in file names.
bool is_contract_id(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

/// Reads one contract file, naming the file and the JSON path of every error.
class ContractReader : public codec::JsonReader {
public:
    using JsonReader::JsonReader;

    Indicator indicator(const Json& j, const std::string& path, bool standard) const {
        object(j, path, {"key", "label_fr", "target"});
        Indicator ind;
        ind.key = req_string(j, path, "key");
        if (standard) {
            const auto rows = standard_public_table();
            const bool known = std::any_of(rows.begin(), rows.end(),
                                           [&](const Indicator& r) { return r.key == ind.key; });
            if (!known)
                fail(child(path, "key"),
                     "unknown public table row '" + ind.key +
                         "' (expected one of: total, men, women, under_25, bpi, bpi_men, "
                         "bpi_women, bpi_under_25)");
        } else if (!is_code(ind.key)) {
            fail(child(path, "key"), "'" + ind.key + "' is not a code (use a-z, 0-9 and _)");
        }
        ind.label_fr = req_string(j, path, "label_fr");
        ind.target = opt_amount(j, path, "target");
        return ind;
    }

    std::vector<Indicator> indicators(const Json& obj, const std::string& path,
                                      std::string_view key, bool standard) const {
        std::vector<Indicator> out;
        const Json* j = find(obj, path, key, false);
        if (!j) return out;
        const std::string p = child(path, key);
        const Json& arr = array(*j, p);
        for (std::size_t i = 0; i < arr.size(); ++i) {
            Indicator ind = indicator(arr[i], at_index(p, i), standard);
            for (const auto& prev : out)
                if (prev.key == ind.key)
                    fail(child(at_index(p, i), "key"), "duplicate indicator '" + ind.key + "'");
            out.push_back(std::move(ind));
        }
        return out;
    }

    Prerequisite prerequisite(const Json& j, const std::string& path) const {
        object(j, path, {"action", "steps", "exited_counts"});
        Prerequisite pre;
        pre.action = req_int(j, path, "action", 1);
        if (const Json* steps = find(j, path, "steps", false)) {
            const std::string p = child(path, "steps");
            const Json& arr = array(*steps, p);
            if (arr.empty()) fail(p, "must list at least one step");
            pre.steps.clear();
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const auto s = enumeration<StepKind>(arr[i], at_index(p, i));
                if (std::find(pre.steps.begin(), pre.steps.end(), s) != pre.steps.end())
                    fail(at_index(p, i), "duplicate step '" + std::string(to_string(s)) + "'");
                pre.steps.push_back(s);
            }
        }
        pre.exited_counts = opt_bool(j, path, "exited_counts", true);
        return pre;
    }

    Action action(const Json& j, const std::string& path) const {
        object(j, path,
               {"number", "title", "public_targets", "public_table", "specific_indicators",
                "planned_cost", "etp", "agir_policy", "agir_needs", "prerequisite",
                "open_to_general_population"});
        Action a;
        a.number = req_int(j, path, "number", 1);
        a.title = req_string(j, path, "title");

        if (const Json* targets = find(j, path, "public_targets", false)) {
            const std::string p = child(path, "public_targets");
            object(*targets, p, {"total", "primo_arrivants", "bpi", "bpt"});
            for (auto key : public_target_keys)
                if (auto it = targets->find(std::string(key)); it != targets->end())
                    a.public_targets[std::string(key)] =
                        static_cast<int>(integer(*it, child(p, key), 0));
            const auto& t = a.public_targets;
            if (t.size() == 4) {
                const long long sum = static_cast<long long>(t.at("primo_arrivants")) +
                                      t.at("bpi") + t.at("bpt");
                if (sum != t.at("total"))
                    fail(child(p, "total"), "total " + std::to_string(t.at("total")) +
                                                " is not primo_arrivants + bpi + bpt = " +
                                                std::to_string(sum));
            }
        }

        a.public_table = indicators(j, path, "public_table", true);
        a.specific_indicators = indicators(j, path, "specific_indicators", false);
        a.planned_cost = opt_amount(j, path, "planned_cost");
        a.etp = opt_amount(j, path, "etp");

        if (const Json* policy = find(j, path, "agir_policy", false))
            a.agir_policy = enumeration<AgirPolicy>(*policy, child(path, "agir_policy"));
        if (const Json* needs = find(j, path, "agir_needs", false)) {
            const std::string p = child(path, "agir_needs");
            const Json& arr = array(*needs, p);
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const auto n = enumeration<Need>(arr[i], at_index(p, i));
                if (std::find(a.agir_needs.begin(), a.agir_needs.end(), n) != a.agir_needs.end())
                    fail(at_index(p, i), "duplicate need '" + std::string(to_string(n)) + "'");
                a.agir_needs.push_back(n);
            }
        }
        // R6: AGIR refers its BPI to a partner action for the needs it declares, and only then.
        if (a.agir_policy == AgirPolicy::partner && a.agir_needs.empty())
            fail(child(path, "agir_needs"),
                 "a partner action must declare the needs AGIR may refer its BPI for");
        if (a.agir_policy != AgirPolicy::partner && !a.agir_needs.empty())
            fail(child(path, "agir_needs"),
                 "agir_needs is only meaningful when agir_policy is 'partner'");

        if (const Json* pre = find(j, path, "prerequisite", false); pre && !pre->is_null())
            a.prerequisite = prerequisite(*pre, child(path, "prerequisite"));
        a.open_to_general_population = opt_bool(j, path, "open_to_general_population", false);
        return a;
    }

    ExitReason exit_reason(const Json& j, const std::string& path) const {
        object(j, path, {"code", "label_fr", "positive"});
        ExitReason r;
        r.code = req_string(j, path, "code");
        if (!is_code(r.code))
            fail(child(path, "code"), "'" + r.code + "' is not a code (use a-z, 0-9 and _)");
        r.label_fr = req_string(j, path, "label_fr");
        r.positive = boolean(*find(j, path, "positive", true), child(path, "positive"));
        return r;
    }

    Contract contract(const Json& j) const {
        object(j, "",
               {"format_version", "id", "title", "territory", "operator_name", "start", "end",
                "budget", "source", "notes", "actions", "exit_reasons"});
        const int version = req_int(j, "", "format_version", 1);
        if (version != contract_format_version)
            fail("format_version", "unsupported format version " + std::to_string(version) +
                                       " (this library reads version " +
                                       std::to_string(contract_format_version) + ")");
        Contract c;
        const std::string id = req_string(j, "", "id");
        if (!is_contract_id(id))
            fail("id", "'" + id + "' is not a valid contract id (use letters, digits, '-', "
                                  "'_' and '.')");
        c.id = ContractId(id);
        c.title = req_string(j, "", "title");
        c.territory = req_string(j, "", "territory");
        c.operator_name = opt_string(j, "", "operator_name").value_or("");
        c.start = date(j, "", "start");
        c.end = date(j, "", "end");
        if (c.end < c.start)
            fail("end", "the contract ends (" + to_iso(c.end) + ") before it starts (" +
                            to_iso(c.start) + ")");
        c.budget = opt_amount(j, "", "budget");
        c.source = opt_string(j, "", "source").value_or("");
        if (const Json* notes = find(j, "", "notes", false)) {
            const Json& arr = array(*notes, "notes");
            for (std::size_t i = 0; i < arr.size(); ++i)
                c.notes.push_back(string(arr[i], at_index("notes", i)));
        }

        const Json& actions = array(*find(j, "", "actions", true), "actions");
        if (actions.empty()) fail("actions", "a contract must have at least one action");
        for (std::size_t i = 0; i < actions.size(); ++i) {
            Action a = action(actions[i], at_index("actions", i));
            for (std::size_t k = 0; k < c.actions.size(); ++k)
                if (c.actions[k].number == a.number)
                    fail(child(at_index("actions", i), "number"),
                         "duplicate action number " + std::to_string(a.number) +
                             " (also actions[" + std::to_string(k) + "])");
            c.actions.push_back(std::move(a));
        }
        check_prerequisites(c);

        c.exit_reasons = default_exit_reasons();
        if (const Json* reasons = find(j, "", "exit_reasons", false)) {
            const Json& arr = array(*reasons, "exit_reasons");
            std::set<std::string> seen;
            for (std::size_t i = 0; i < arr.size(); ++i) {
                ExitReason r = exit_reason(arr[i], at_index("exit_reasons", i));
                if (!seen.insert(r.code).second)
                    fail(child(at_index("exit_reasons", i), "code"),
                         "duplicate exit reason '" + r.code + "'");
                // R7: a contract redefines a default reason in place or adds its own.
                auto it = std::find_if(c.exit_reasons.begin(), c.exit_reasons.end(),
                                       [&](const ExitReason& e) { return e.code == r.code; });
                if (it != c.exit_reasons.end())
                    *it = std::move(r);
                else
                    c.exit_reasons.push_back(std::move(r));
            }
        }
        return c;
    }

private:
    void check_prerequisites(const Contract& c) const {
        auto path = [](std::size_t i) {
            return child(child(at_index("actions", i), "prerequisite"), "action");
        };
        for (std::size_t i = 0; i < c.actions.size(); ++i) {
            const Action& a = c.actions[i];
            if (!a.prerequisite) continue;
            if (a.prerequisite->action == a.number)
                fail(path(i), "an action cannot be its own prerequisite");
            if (!c.has_action(a.prerequisite->action))
                fail(path(i), "the contract has no action " +
                                  std::to_string(a.prerequisite->action));
        }
        // A cycle would make every action in it impossible to enter.
        for (std::size_t i = 0; i < c.actions.size(); ++i) {
            const Action* current = &c.actions[i];
            for (std::size_t hops = 0; hops < c.actions.size() && current->prerequisite; ++hops) {
                current = &c.action(current->prerequisite->action);
                if (current->number == c.actions[i].number)
                    fail(path(i), "prerequisites form a cycle through action " +
                                      std::to_string(current->number));
            }
        }
    }

};

// JSON numbers: integral amounts are written without a decimal part (300000, not 300000.0).
OrderedJson number(double v) {
    if (std::trunc(v) == v && std::fabs(v) < 9007199254740992.0)
        return static_cast<std::int64_t>(v);
    return v;
}

OrderedJson optional_number(const std::optional<double>& v) {
    return v ? number(*v) : OrderedJson(nullptr);
}

OrderedJson indicators_json(const std::vector<Indicator>& list) {
    OrderedJson out = OrderedJson::array();
    for (const auto& ind : list)
        out.push_back(OrderedJson{{"key", ind.key},
                                  {"label_fr", ind.label_fr},
                                  {"target", optional_number(ind.target)}});
    return out;
}

}  // namespace

Contract parse_contract(std::string_view json_text, std::string_view source) {
    const ContractReader reader(source);
    return reader.contract(reader.parse(json_text));
}

Contract load_contract(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw NotFoundError("contract file not found: " + path.string(), "contract_file",
                            path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw NotFoundError("cannot open contract file: " + path.string(), "contract_file",
                            path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return parse_contract(text.str(), path.string());
}

std::string contract_to_json(const Contract& c) {
    OrderedJson j;
    j["format_version"] = contract_format_version;
    j["id"] = c.id.str();
    j["title"] = c.title;
    j["territory"] = c.territory;
    j["operator_name"] = c.operator_name;
    j["start"] = to_iso(c.start);
    j["end"] = to_iso(c.end);
    j["budget"] = optional_number(c.budget);
    j["source"] = c.source;
    j["notes"] = c.notes;
    OrderedJson actions = OrderedJson::array();
    for (const auto& a : c.actions) {
        OrderedJson ja;
        ja["number"] = a.number;
        ja["title"] = a.title;
        OrderedJson targets = OrderedJson::object();
        for (auto key : public_target_keys)
            if (auto it = a.public_targets.find(std::string(key)); it != a.public_targets.end())
                targets[std::string(key)] = it->second;
        ja["public_targets"] = targets;
        ja["public_table"] = indicators_json(a.public_table);
        ja["specific_indicators"] = indicators_json(a.specific_indicators);
        ja["planned_cost"] = optional_number(a.planned_cost);
        ja["etp"] = optional_number(a.etp);
        ja["agir_policy"] = to_string(a.agir_policy);
        if (!a.agir_needs.empty()) {
            OrderedJson needs = OrderedJson::array();
            for (auto n : a.agir_needs) needs.push_back(to_string(n));
            ja["agir_needs"] = needs;
        }
        if (a.prerequisite) {
            OrderedJson steps = OrderedJson::array();
            for (auto s : a.prerequisite->steps) steps.push_back(to_string(s));
            ja["prerequisite"] = OrderedJson{{"action", a.prerequisite->action},
                                             {"steps", steps},
                                             {"exited_counts", a.prerequisite->exited_counts}};
        }
        ja["open_to_general_population"] = a.open_to_general_population;
        actions.push_back(std::move(ja));
    }
    j["actions"] = actions;
    // Only what differs from the defaults: reading adds the defaults back (R7).
    const auto defaults = default_exit_reasons();
    OrderedJson reasons = OrderedJson::array();
    for (const auto& r : c.exit_reasons)
        if (std::find(defaults.begin(), defaults.end(), r) == defaults.end())
            reasons.push_back(
                OrderedJson{{"code", r.code}, {"label_fr", r.label_fr}, {"positive", r.positive}});
    if (!reasons.empty()) j["exit_reasons"] = reasons;
    return j.dump(2) + "\n";
}

std::span<const Contract> builtin_contracts() {
    // Parsed once; a C++11 function-local static is initialised thread-safely.
    static const std::vector<Contract> contracts = [] {
        std::vector<Contract> out;
        for (const auto& file : detail::embedded_contracts())
            out.push_back(parse_contract(file.content, "builtin:" + std::string(file.name)));
        return out;
    }();
    return contracts;
}

const Contract& builtin_contract(std::string_view id) {
    for (const auto& c : builtin_contracts())
        if (c.id.str() == id) return c;
    throw NotFoundError("no built-in contract '" + std::string(id) + "'", "contract",
                        std::string(id));
}

}  // namespace ctai
