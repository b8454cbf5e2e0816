// Contracts as data: the model's lookups, the contract as amended on a date (R10), the
// default exit reasons (R7) and the fiches' standard public table. Reading and writing the
// JSON contract file: codec/contract_json.cpp and contract_json_write.cpp.
#include <ctai/contract.hpp>

#include <algorithm>
#include <tuple>

#include <ctai/error.hpp>

namespace ctai {
namespace {

struct StandardRow {
    std::string_view key;
    std::string_view label_fr;
};
// The rows of the fiches' public table (seed 002, annex 1), in the fiches' order.
constexpr StandardRow standard_rows[] = {
    {"total", "Nombre total d'étrangers éligibles bénéficiaires de l'action"},
    {"men", "dont hommes"},
    {"women", "dont femmes"},
    {"under_25", "dont moins de 25 ans"},
    {"bpi", "dont BPI"},
    {"bpi_men", "dont BPI hommes"},
    {"bpi_women", "dont BPI femmes"},
    {"bpi_under_25", "dont BPI moins de 25 ans"},
};

}  // namespace

const Action& Contract::action(int number) const {
    for (const auto& a : actions)
        if (a.number == number) return a;
    throw NotFoundError("contract '" + id.str() + "' has no action " + std::to_string(number),
                        "action", std::to_string(number));
}

bool Contract::serves(PublicCategory p) const noexcept {
    return std::find(publics.begin(), publics.end(), p) != publics.end();
}

bool ActionAmendment::sets(std::string_view key) const noexcept {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool Contract::has_action(int number) const noexcept {
    return std::any_of(actions.begin(), actions.end(),
                       [number](const Action& a) { return a.number == number; });
}

const ExitReason& Contract::exit_reason(std::string_view code) const {
    for (const auto& r : exit_reasons)
        if (r.code == code) return r;
    throw NotFoundError("contract '" + id.str() + "' has no exit reason '" + std::string(code) +
                            "'",
                        "exit_reason", std::string(code));
}

bool Contract::is_positive_exit(std::string_view code) const {
    return exit_reason(code).positive;
}

Contract apply_avenant(Contract c, const Avenant& a) {
    if (a.end) c.end = *a.end;
    if (a.budget) c.budget = a.budget;
    for (const auto& am : a.actions) {
        const Action& v = am.values;
        auto it = std::find_if(c.actions.begin(), c.actions.end(),
                               [&](const Action& x) { return x.number == v.number; });
        if (it == c.actions.end()) {  // an action the contract lacks: added
            c.actions.push_back(v);
            continue;
        }
        Action& t = *it;
        if (am.sets("title")) t.title = v.title;
        if (am.sets("public_targets")) t.public_targets = v.public_targets;
        if (am.sets("public_table")) t.public_table = v.public_table;
        if (am.sets("specific_indicators")) t.specific_indicators = v.specific_indicators;
        if (am.sets("planned_cost")) t.planned_cost = v.planned_cost;
        if (am.sets("etp")) t.etp = v.etp;
        if (am.sets("agir_policy")) {
            t.agir_policy = v.agir_policy;
            // A new policy without needs: the needs go with it (only a partner has them).
            if (!am.sets("agir_needs")) t.agir_needs = v.agir_needs;
        }
        if (am.sets("agir_needs")) t.agir_needs = v.agir_needs;
        if (am.sets("prerequisite")) t.prerequisite = v.prerequisite;
        if (am.sets("open_to_general_population"))
            t.open_to_general_population = v.open_to_general_population;
    }
    return c;
}

Contract apply_convention(Contract c, const Convention& v) {
    for (std::size_t i = 0; i < v.actions.size(); ++i) {
        const auto& ca = v.actions[i];
        auto it = std::find_if(c.actions.begin(), c.actions.end(),
                               [&](const Action& x) { return x.number == ca.number; });
        if (it == c.actions.end())
            throw ValidationError("convention '" + v.id + "': actions[" + std::to_string(i) +
                                      "].number: contract '" + c.id.str() + "' has no action " +
                                      std::to_string(ca.number),
                                  "actions[" + std::to_string(i) + "].number");
        it->agir_policy = ca.agir_policy;
        it->agir_needs = ca.agir_needs;
    }
    return c;
}

const Convention* convention_in_force(std::span<const Convention> conventions,
                                      const ContractId& contract, Date on) {
    const Convention* best = nullptr;
    for (const auto& v : conventions) {
        if (v.contract != contract || v.effective > on) continue;
        if (!best || v.effective > best->effective ||
            (v.effective == best->effective && v.id > best->id))
            best = &v;
    }
    return best;
}

ContractOn contract_on(const Contract& c, std::span<const Avenant> avenants,
                       std::span<const Convention> conventions, Date on) {
    std::vector<const Avenant*> applicable;
    for (const auto& a : avenants)
        if (a.contract == c.id && a.effective <= on) applicable.push_back(&a);
    std::sort(applicable.begin(), applicable.end(), [](const Avenant* x, const Avenant* y) {
        return std::tie(x->effective, x->id) < std::tie(y->effective, y->id);
    });
    ContractOn out{c, {}, std::nullopt};
    for (const Avenant* a : applicable) {
        out.contract = apply_avenant(std::move(out.contract), *a);
        out.amended_by.push_back(a->id);
    }
    if (const Convention* v = convention_in_force(conventions, c.id, on)) {
        out.contract = apply_convention(std::move(out.contract), *v);
        out.convention = v->id;
    }
    if (!out.amended_by.empty() || out.convention) check_contract_consistency(out.contract);
    return out;
}

void check_contract_consistency(const Contract& c) {
    const auto label = [&](const Action& a) {
        return "contract '" + c.id.str() + "', action " + std::to_string(a.number) + ": ";
    };
    for (const auto& a : c.actions) {
        if (a.agir_policy == AgirPolicy::partner && a.agir_needs.empty())
            throw ValidationError(
                label(a) + "a partner action must declare the needs AGIR may refer its BPI for",
                "agir_needs");
        if (a.agir_policy != AgirPolicy::partner && !a.agir_needs.empty())
            throw ValidationError(
                label(a) + "agir_needs is only meaningful when agir_policy is 'partner'",
                "agir_needs");
        if (a.title.empty()) throw ValidationError(label(a) + "an action needs a title", "title");
        if (!a.prerequisite) continue;
        if (a.prerequisite->action == a.number || !c.has_action(a.prerequisite->action))
            throw ValidationError(label(a) + "the prerequisite names no other action of the "
                                             "contract",
                                  "prerequisite");
        const Action* current = &a;
        for (std::size_t hops = 0; hops < c.actions.size() && current->prerequisite; ++hops) {
            current = &c.action(current->prerequisite->action);
            if (current->number == a.number)
                throw ValidationError(label(a) + "prerequisites form a cycle", "prerequisite");
        }
    }
}

std::vector<ExitReason> default_exit_reasons() {
    return {
        {"lasting_housing", "Accès à un logement pérenne", true},
        {"lasting_job", "Accès à un emploi durable", true},
        {"qualifying_training", "Entrée en formation qualifiante", true},
        {"autonomy", "Autonomie atteinte", true},
        {"common_law", "Relais vers les dispositifs de droit commun", true},
        {"dropped_out", "Abandon du parcours", false},
        {"lost_contact", "Perte de contact", false},
        {"moved_away", "Départ du territoire", false},
        {"other", "Autre motif", false},
    };
}

std::vector<Indicator> standard_public_table() {
    std::vector<Indicator> out;
    for (const auto& r : standard_rows)
        out.push_back({std::string(r.key), std::string(r.label_fr), std::nullopt});
    return out;
}

}  // namespace ctai
