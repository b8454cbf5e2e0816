// The JSON contract file format (docs/contracts.md): writing contracts, avenants and local
// conventions (R10) in the form parse_contract_document reads back. Reading: contract_json.cpp.
#include <ctai/contract.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

namespace ctai {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view public_target_keys[] = {"total", "primo_arrivants", "bpi", "bpt"};

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

OrderedJson action_json(const Action& a) {
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
    return ja;
}

OrderedJson strings_json(const std::vector<std::string>& v) {
    OrderedJson out = OrderedJson::array();
    for (const auto& x : v) out.push_back(x);
    return out;
}

OrderedJson needs_json(const std::vector<Need>& v) {
    OrderedJson out = OrderedJson::array();
    for (auto n : v) out.push_back(to_string(n));
    return out;
}

}  // namespace

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
    OrderedJson publics = OrderedJson::array();
    for (auto p : c.publics) publics.push_back(to_string(p));
    j["publics"] = publics;
    if (!c.departments.empty()) j["departments"] = strings_json(c.departments);
    if (c.continues) {
        OrderedJson map = OrderedJson::object();
        for (const auto& [earlier, mine] : c.continues->actions) map[std::to_string(earlier)] = mine;
        j["continues"] = OrderedJson{{"contract", c.continues->contract.str()}, {"actions", map}};
    }
    OrderedJson actions = OrderedJson::array();
    for (const auto& a : c.actions) actions.push_back(action_json(a));
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

std::string avenant_to_json(const Avenant& a) {
    OrderedJson j;
    j["format_version"] = contract_format_version;
    j["kind"] = "avenant";
    j["id"] = a.id;
    j["contract"] = a.contract.str();
    j["effective"] = to_iso(a.effective);
    if (!a.title.empty()) j["title"] = a.title;
    if (a.end) j["end"] = to_iso(*a.end);
    if (a.budget) j["budget"] = number(*a.budget);
    OrderedJson actions = OrderedJson::array();
    for (const auto& am : a.actions) {
        const OrderedJson full = action_json(am.values);
        OrderedJson ja;
        ja["number"] = am.values.number;
        for (const auto& key : am.keys)
            ja[key] = full.contains(key) ? full.at(key) : OrderedJson(nullptr);
        actions.push_back(std::move(ja));
    }
    j["actions"] = actions;
    if (!a.source.empty()) j["source"] = a.source;
    if (!a.notes.empty()) j["notes"] = strings_json(a.notes);
    return j.dump(2) + "\n";
}

std::string convention_to_json(const Convention& v) {
    OrderedJson j;
    j["format_version"] = contract_format_version;
    j["kind"] = "convention";
    j["id"] = v.id;
    j["contract"] = v.contract.str();
    j["effective"] = to_iso(v.effective);
    if (!v.title.empty()) j["title"] = v.title;
    j["parties"] = strings_json(v.parties);
    if (!v.global_accompaniment.empty()) j["global_accompaniment"] = v.global_accompaniment;
    OrderedJson actions = OrderedJson::array();
    for (const auto& ca : v.actions) {
        OrderedJson ja{{"number", ca.number}, {"agir_policy", to_string(ca.agir_policy)}};
        if (!ca.agir_needs.empty()) ja["agir_needs"] = needs_json(ca.agir_needs);
        actions.push_back(std::move(ja));
    }
    j["actions"] = actions;
    if (!v.source.empty()) j["source"] = v.source;
    if (!v.notes.empty()) j["notes"] = strings_json(v.notes);
    return j.dump(2) + "\n";
}

std::string contract_document_to_json(const ContractDocument& d) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Contract>) return contract_to_json(x);
            else if constexpr (std::is_same_v<T, Avenant>) return avenant_to_json(x);
            else return convention_to_json(x);
        },
        d);
}

std::string document_id(const ContractDocument& d) {
    return std::visit(
        [](const auto& x) -> std::string {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Contract>) return x.id.str();
            else return x.id;
        },
        d);
}

std::string_view document_kind(const ContractDocument& d) noexcept {
    constexpr std::string_view kinds[] = {"contract", "avenant", "convention"};
    return kinds[d.index()];
}

}  // namespace ctai
