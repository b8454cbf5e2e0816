// R8: building the evaluation report from the public Store API (no SQL here).
#include <ctai/report.hpp>

#include "report/counts.hpp"
#include "report/orientations.hpp"

namespace ctai {

using namespace detail::counting;


const ReportCell& ActionReport::cell(std::string_view key) const {
    for (const auto& c : public_cells)
        if (c.key == key) return c;
    for (const auto& c : specific)
        if (c.key == key) return c;
    throw NotFoundError("no report cell '" + std::string(key) + "'", "report_cell",
                        std::string(key));
}

const ExtraIndicator& ActionReport::extra_indicator(std::string_view key) const {
    for (const auto& x : extra)
        if (x.key == key) return x;
    throw NotFoundError("no extra indicator '" + std::string(key) + "'", "extra_indicator",
                        std::string(key));
}

const ActionReport& Report::action(int number) const {
    for (const auto& a : actions)
        if (a.number == number) return a;
    throw NotFoundError("no action " + std::to_string(number) + " in the report", "action",
                        std::to_string(number));
}

namespace {

// R10: an exit reason of a journey continued from an earlier contract may be of that
// contract's vocabulary only: the nearest contract of the lineage that knows it decides.
bool is_positive_in_lineage(const Store& store, const Contract& c, const std::string& code) {
    const Contract* current = &c;
    std::optional<Contract> held;
    for (std::size_t hops = 0; hops < 64; ++hops) {
        for (const auto& r : current->exit_reasons)
            if (r.code == code) return r.positive;
        if (!current->continues) break;
        held = store.contract(current->continues->contract);
        current = &*held;
    }
    return current->is_positive_exit(code);  // NotFoundError: not in any vocabulary
}

}  // namespace

Report build_report(const Store& store, const ContractId& contract_id,
                    const ReportOptions& options) {
    // R10: the contract as amended on the evaluation date (which defaults to the end of the
    // period, itself by default the contract's end as amended on it).
    const Contract base = store.contract(contract_id);
    const Date first_guess = options.evaluated_on.value_or(options.to.value_or(base.end));
    ContractOn amended = store.contract_on(contract_id, first_guess);
    Report rep;
    rep.from = options.from.value_or(amended.contract.start);
    rep.to = options.to.value_or(amended.contract.end);
    if (rep.from > rep.to)
        throw ValidationError("report period: from " + to_iso(rep.from) + " is after to " +
                                  to_iso(rep.to),
                              "from");
    rep.evaluated_on = options.evaluated_on.value_or(rep.to);
    if (rep.evaluated_on < rep.from)
        throw ValidationError("report evaluated_on " + to_iso(rep.evaluated_on) +
                                  " is before the period starts",
                              "evaluated_on");
    if (rep.evaluated_on != first_guess) amended = store.contract_on(contract_id, rep.evaluated_on);
    const Contract& contract = amended.contract;
    rep.contract_id = contract.id;
    rep.contract_title = contract.title;
    rep.amended_by = amended.amended_by;
    rep.convention = amended.convention;
    rep.policy = store.policy();
    // R10: what differs from the store's settings is written in the report (JSON key and a note).
    const auto settings = store.settings();
    rep.policy_overrides = policy_overrides(settings ? settings->policy : Policy{}, rep.policy);
    if (!rep.policy_overrides.empty()) {
        std::string list;
        for (const auto& o : rep.policy_overrides) {
            if (!list.empty()) list += " ; ";
            list += o.option;
            list += " = ";
            list += o.used_value;
            list += " (réglage du magasin : ";
            list += o.store_value;
            list += ")";
        }
        std::string note = "Politique modifiée pour ce rapport par rapport aux réglages du magasin (R10) : ";
        note += list;
        note += ".";
        rep.notes.push_back(std::move(note));
    }
    rep.k = options.k.value_or(rep.policy.suppression_k);
    if (rep.k < 1) throw ValidationError("suppression k must be >= 1", "k");
    rep.policy.suppression_k = rep.k;
    rep.publish = options.publish;
    rep.fingerprint = store.fingerprint().sha256;
    rep.library_version = version;

    const auto data = store.contract_data(contract.id);
    // Slots: one per distinct action number, in the contract's order.
    Slots slots;
    for (const auto& a : contract.actions) {
        if (slots.of(a.number) != no_index) continue;
        if (a.number >= 0 && a.number < Slots::direct) {
            const auto k = static_cast<std::size_t>(a.number);
            if (k >= slots.by_number.size()) slots.by_number.resize(k + 1, no_index);
            slots.by_number[k] = slots.size();
        }
        slots.number.push_back(a.number);
    }
    std::vector<std::uint8_t> positive_reason;  // Contract::is_positive_exit of each code
    for (const auto& code : data->exit_reasons)
        positive_reason.push_back(is_positive_in_lineage(store, contract, code) ? 1 : 0);
    std::vector<ActionCounts> counts(slots.size(), ActionCounts(*data));
    for (std::uint32_t g0 = 0; g0 < slots.size(); g0 += group_size)
        count_slots(g0, std::min(group_size, slots.size() - g0), slots, *data, positive_reason,
                    rep.policy, rep.from, rep.to, rep.evaluated_on, counts,
                    publics_mask(contract));
    for (const auto& a : contract.actions)
        rep.actions.push_back(action_report(a, counts[slots.of(a.number)], *data, rep.from,
                                            rep.to, rep.evaluated_on, rep.notes));
    rep.orientations =
        detail::orientations_report(store, contract, rep.from, rep.to, rep.evaluated_on);
    if (rep.publish) suppress_small_cells(rep, rep.k);
    return rep;
}

}  // namespace ctai
