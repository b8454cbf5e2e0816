// The JSON contract file format (docs/contracts.md): reading contracts, avenants and local
// conventions (R10) with validation (through the codecs' one strict reader, json_reader.hpp),
// and the built-in Dijon contracts. Writing: contract_json_write.cpp.
#include <ctai/contract.hpp>

#include <algorithm>
#include <charconv>
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
// A département code: two digits, 2A/2B, or three digits (overseas).
bool is_department(std::string_view s) {
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (s == "2A" || s == "2B") return true;
    return (s.size() == 2 || s.size() == 3) && std::all_of(s.begin(), s.end(), digit);
}

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

    // `patch`: an avenant's action (R10): only `number` is required and the R6 needs are
    // checked on the amended contract (check_contract_consistency).
    Action action(const Json& j, const std::string& path, bool patch = false) const {
        object(j, path,
               {"number", "title", "public_targets", "public_table", "specific_indicators",
                "planned_cost", "etp", "agir_policy", "agir_needs", "prerequisite",
                "open_to_general_population"});
        Action a;
        a.number = req_int(j, path, "number", 1);
        if (!patch || j.contains("title")) a.title = req_string(j, path, "title");

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
        a.agir_needs = needs(j, path);
        if (!patch) check_needs(a.agir_policy, a.agir_needs, path);

        if (const Json* pre = find(j, path, "prerequisite", false); pre && !pre->is_null())
            a.prerequisite = prerequisite(*pre, child(path, "prerequisite"));
        a.open_to_general_population = opt_bool(j, path, "open_to_general_population", false);
        return a;
    }

    std::vector<Need> needs(const Json& j, const std::string& path) const {
        std::vector<Need> out;
        if (const Json* list = find(j, path, "agir_needs", false)) {
            const std::string p = child(path, "agir_needs");
            const Json& arr = array(*list, p);
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const auto n = enumeration<Need>(arr[i], at_index(p, i));
                if (std::find(out.begin(), out.end(), n) != out.end())
                    fail(at_index(p, i), "duplicate need '" + std::string(to_string(n)) + "'");
                out.push_back(n);
            }
        }
        return out;
    }

    // R6: AGIR refers its BPI to a partner action for the needs it declares, and only then.
    void check_needs(AgirPolicy policy, const std::vector<Need>& n,
                     const std::string& path) const {
        if (policy == AgirPolicy::partner && n.empty())
            fail(child(path, "agir_needs"),
                 "a partner action must declare the needs AGIR may refer its BPI for");
        if (policy != AgirPolicy::partner && !n.empty())
            fail(child(path, "agir_needs"),
                 "agir_needs is only meaningful when agir_policy is 'partner'");
    }

    std::vector<std::string> strings(const Json& obj, std::string_view key) const {
        std::vector<std::string> out;
        if (const Json* list = find(obj, "", key, false)) {
            const std::string p(key);
            const Json& arr = array(*list, p);
            for (std::size_t i = 0; i < arr.size(); ++i) out.push_back(string(arr[i], at_index(p, i)));
        }
        return out;
    }

    std::string document_id(const Json& j) const {
        const std::string id = req_string(j, "", "id");
        if (!is_contract_id(id))
            fail("id", "'" + id + "' is not a valid id (use letters, digits, '-', '_' and '.')");
        return id;
    }

    ContractId contract_ref(const Json& j, const std::string& path) const {
        const std::string id = req_string(j, path, "contract");
        if (!is_contract_id(id)) fail(child(path, "contract"), "'" + id + "' is not a contract id");
        return ContractId(id);
    }

    void check_version(const Json& j) const {
        const int version = req_int(j, "", "format_version", 1);
        if (version != contract_format_version)
            fail("format_version", "unsupported format version " + std::to_string(version) +
                                       " (this library reads version " +
                                       std::to_string(contract_format_version) + ")");
    }

    ContractDocument document(const Json& j) const {
        if (!j.is_object()) object(j, "", {});
        const Json* kind = j.contains("kind") ? &j.at("kind") : nullptr;
        const std::string k = kind ? string(*kind, "kind") : "contract";
        if (k == "contract") return contract(j);
        if (k == "avenant") return avenant(j);
        if (k == "convention") return convention(j);
        fail("kind", "unknown document kind '" + k + "' (expected contract, avenant or convention)");
    }

    Avenant avenant(const Json& j) const {
        object(j, "", {"format_version", "kind", "id", "contract", "effective", "title", "end",
                       "budget", "actions", "source", "notes"});
        check_version(j);
        Avenant a;
        a.id = document_id(j);
        a.contract = contract_ref(j, "");
        a.effective = date(j, "", "effective");
        a.title = opt_string(j, "", "title").value_or("");
        if (const Json* end = find(j, "", "end", false); end && !end->is_null())
            a.end = date(j, "", "end");
        if (a.end && *a.end < a.effective)
            fail("end", "the new end (" + to_iso(*a.end) + ") is before the avenant's effective date (" +
                            to_iso(a.effective) + ")");
        a.budget = opt_amount(j, "", "budget");
        if (const Json* actions = find(j, "", "actions", false)) {
            const Json& arr = array(*actions, "actions");
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const std::string p = at_index("actions", i);
                ActionAmendment am;
                am.values = action(arr[i], p, true);
                for (const auto& [key, value] : arr[i].items())
                    if (key != "number") am.keys.push_back(key);
                for (const auto& prev : a.actions)
                    if (prev.values.number == am.values.number)
                        fail(child(p, "number"), "action " + std::to_string(am.values.number) +
                                                     " is amended twice");
                if (am.sets("agir_policy") && am.sets("agir_needs"))
                    check_needs(am.values.agir_policy, am.values.agir_needs, p);
                a.actions.push_back(std::move(am));
            }
        }
        if (!a.end && !a.budget && a.actions.empty())
            fail("actions", "an avenant must change something (end, budget or actions)");
        a.source = opt_string(j, "", "source").value_or("");
        a.notes = strings(j, "notes");
        return a;
    }

    Convention convention(const Json& j) const {
        object(j, "", {"format_version", "kind", "id", "contract", "effective", "title",
                       "parties", "global_accompaniment", "actions", "source", "notes"});
        check_version(j);
        Convention v;
        v.id = document_id(j);
        v.contract = contract_ref(j, "");
        v.effective = date(j, "", "effective");
        v.title = opt_string(j, "", "title").value_or("");
        v.parties = strings(j, "parties");
        v.global_accompaniment = opt_string(j, "", "global_accompaniment").value_or("");
        const Json& arr = array(*find(j, "", "actions", true), "actions");
        if (arr.empty()) fail("actions", "a convention must set at least one action");
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string p = at_index("actions", i);
            object(arr[i], p, {"number", "agir_policy", "agir_needs"});
            ConventionAction ca;
            ca.number = req_int(arr[i], p, "number", 1);
            ca.agir_policy = enumeration<AgirPolicy>(*find(arr[i], p, "agir_policy", true),
                                                     child(p, "agir_policy"));
            ca.agir_needs = needs(arr[i], p);
            check_needs(ca.agir_policy, ca.agir_needs, p);
            for (const auto& prev : v.actions)
                if (prev.number == ca.number)
                    fail(child(p, "number"), "action " + std::to_string(ca.number) + " is set twice");
            v.actions.push_back(std::move(ca));
        }
        v.source = opt_string(j, "", "source").value_or("");
        v.notes = strings(j, "notes");
        return v;
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
               {"format_version", "kind", "id", "title", "territory", "operator_name", "start",
                "end", "budget", "source", "notes", "actions", "exit_reasons", "publics",
                "departments", "continues"});
        check_version(j);
        if (const Json* kind = find(j, "", "kind", false); kind && string(*kind, "kind") != "contract")
            fail("kind", "expected a contract, not '" + kind->get<std::string>() + "'");
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
        c.notes = strings(j, "notes");
        if (const Json* publics = find(j, "", "publics", false)) {
            const Json& arr = array(*publics, "publics");
            if (arr.empty()) fail("publics", "a contract serves at least one public");
            c.publics.clear();
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const auto p = enumeration<PublicCategory>(arr[i], at_index("publics", i));
                if (c.serves(p))
                    fail(at_index("publics", i), "duplicate public '" + std::string(to_string(p)) + "'");
                c.publics.push_back(p);
            }
            std::sort(c.publics.begin(), c.publics.end());
        }
        c.departments = strings(j, "departments");
        for (std::size_t i = 0; i < c.departments.size(); ++i)
            if (!is_department(c.departments[i]))
                fail(at_index("departments", i),
                     "'" + c.departments[i] + "' is not a département code (e.g. 21, 2A, 974)");
        if (const Json* k = find(j, "", "continues", false); k && !k->is_null())
            c.continues = continuation(*k, c.id);

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
        if (c.continues)
            for (const auto& [earlier, mine] : c.continues->actions)
                if (!c.has_action(mine))
                    fail("continues.actions." + std::to_string(earlier),
                         "the contract has no action " + std::to_string(mine));

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
    Continuation continuation(const Json& j, const ContractId& self) const {
        object(j, "continues", {"contract", "actions"});
        Continuation k;
        k.contract = contract_ref(j, "continues");
        if (k.contract == self) fail("continues.contract", "a contract cannot continue itself");
        const Json& map = *find(j, "continues", "actions", true);
        if (!map.is_object()) object(map, "continues.actions", {});
        for (const auto& [key, value] : map.items()) {
            const std::string p = "continues.actions." + key;
            int earlier = 0;
            const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), earlier);
            if (ec != std::errc{} || ptr != key.data() + key.size() || earlier < 1)
                fail(p, "'" + key + "' is not an action number of the earlier contract");
            k.actions[earlier] = static_cast<int>(integer(value, p, 1));
        }
        return k;
    }

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

std::string read_contract_file(const std::filesystem::path& path) {
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
    return text.str();
}

}  // namespace

Contract parse_contract(std::string_view json_text, std::string_view source) {
    const ContractReader reader(source);
    return reader.contract(reader.parse(json_text));
}

ContractDocument parse_contract_document(std::string_view json_text, std::string_view source) {
    const ContractReader reader(source);
    return reader.document(reader.parse(json_text));
}

ContractDocument load_contract_document(const std::filesystem::path& path) {
    return parse_contract_document(read_contract_file(path), path.string());
}

Contract load_contract(const std::filesystem::path& path) {
    return parse_contract(read_contract_file(path), path.string());
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
