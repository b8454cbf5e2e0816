// R6 in the report: the orientations between AGIR and the contract's actions proposed in
// the period, followed up to the evaluation date (docs/reports.md, "Orientations").
#include "report/orientations.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <ctai/error.hpp>
#include <ctai/orientations.hpp>
#include <ctai/referrals.hpp>
#include <ctai/store.hpp>

#include "report/report_detail.hpp"

namespace ctai {

const ExtraIndicator& ReportOrientations::indicator(std::string_view key) const {
    for (const auto& x : indicators)
        if (x.key == key) return x;
    throw NotFoundError("no orientation indicator '" + std::string(key) + "'",
                        "orientation_indicator", std::string(key));
}

namespace detail {
namespace {

ExtraIndicator count_of(const char* key, std::int64_t v) {
    ExtraIndicator x;
    x.key = key;
    x.label_fr = std::string(orientation_label(key));
    x.value = static_cast<double>(v);
    x.counts_people = true;
    return x;
}

ExtraIndicator breakdown_of(const char* key, const std::map<std::string, std::int64_t>& m) {
    ExtraIndicator x;
    x.key = key;
    x.label_fr = std::string(orientation_label(key));
    x.is_breakdown = true;
    x.counts_people = true;
    for (const auto& [k, v] : m) x.breakdown.emplace_back(k, static_cast<double>(v));
    return x;
}

template <class E>
std::map<std::string, std::int64_t> zeros() {
    std::map<std::string, std::int64_t> m;
    for (const auto n : enum_names<E>()) m[std::string(n)] = 0;
    return m;
}

ReferralDelay delay_of(std::vector<std::int32_t> observed, std::vector<std::int32_t> open,
                       Date on) {
    ReferralDelay d;
    d.stats = length_stats(std::move(observed), std::move(open), on);
    d.count = d.stats.count;
    d.observed = d.stats.completed;
    d.open = d.stats.open;
    d.median_days = d.stats.median_days;
    d.km_median_days = d.stats.km_median_days;
    d.km_p90_days = km_quantile(d.stats, 0.9);
    return d;
}

}  // namespace

ReportOrientations orientations_report(const Store& store, const Contract& contract, Date from,
                                       Date to, Date evaluated_on) {
    const Date on = evaluated_on;
    const Date last = std::min(to, evaluated_on);
    const ReferralTable t = referrals_as_of(store, on);
    const ReferralColumns& c = t.columns;

    std::int64_t total = 0, decided = 0, accepted = 0;
    auto by_direction = zeros<ReferralDirection>();
    auto by_status = zeros<ReferralStatus>();
    auto by_need = zeros<Need>();
    std::map<std::string, std::int64_t> by_action;
    for (const auto& a : contract.actions) by_action[std::to_string(a.number)] = 0;
    std::vector<std::int32_t> decision_done, decision_open, entry_done, entry_open;
    for (std::size_t r = 0; r < c.size(); ++r) {
        const std::int32_t proposed = c.proposed_on[r];
        if (proposed < from.days() || proposed > last.days()) continue;
        const auto src = parse_referral_endpoint(c.from[r], "from");
        const auto dst = parse_referral_endpoint(c.to[r], "to");
        // The action of this contract at the CTAI end (the target first).
        const ReferralEndpoint* mine = nullptr;
        if (!dst.is_agir() && dst.contract_id == contract.id) mine = &dst;
        else if (!src.is_agir() && src.contract_id == contract.id) mine = &src;
        if (!mine) continue;
        ++total;
        ++by_direction[std::string(to_string(static_cast<ReferralDirection>(t.direction[r])))];
        const auto status = static_cast<ReferralStatus>(c.status[r]);
        ++by_status[std::string(to_string(status))];
        ++by_need[std::string(to_string(static_cast<Need>(c.need[r])))];
        ++by_action[std::to_string(mine->action)];
        // Proposal -> decision: decided on or before `on`, else waiting (censored at `on`).
        if (c.decided_on[r] != no_date) {
            ++decided;
            decision_done.push_back(c.decided_on[r] - proposed);
        } else {
            decision_open.push_back(on.days() - proposed);
        }
        // Acceptance -> entry (completion): only the accepted ones are at risk; a cancelled
        // one is censored at its cancellation (it had not entered by then).
        if (status == ReferralStatus::declined || c.decided_on[r] == no_date) continue;
        ++accepted;
        const std::int32_t d = c.decided_on[r];
        if (status == ReferralStatus::completed) entry_done.push_back(c.completed_on[r] - d);
        else if (status == ReferralStatus::cancelled) entry_open.push_back(c.completed_on[r] - d);
        else entry_open.push_back(on.days() - d);
    }

    ReportOrientations o;
    auto& x = o.indicators;
    x.push_back(count_of("total", total));
    x.push_back(breakdown_of("by_direction", by_direction));
    x.push_back(breakdown_of("by_status", by_status));
    x.push_back(breakdown_of("by_need", by_need));
    x.push_back(breakdown_of("by_action", by_action));
    x.push_back(count_of("decided", decided));
    x.push_back(count_of("accepted", accepted));
    ExtraIndicator rate;
    rate.key = "acceptance_rate";
    rate.label_fr = std::string(orientation_label(rate.key));
    if (decided > 0)
        rate.value = std::round(1000.0 * static_cast<double>(accepted) / static_cast<double>(decided)) / 1000.0;
    x.push_back(std::move(rate));
    x.push_back(count_of("entered", by_status["completed"]));
    x.push_back(count_of("without_entry", by_status["declined"] + by_status["cancelled"]));
    o.decision_delay = delay_of(std::move(decision_done), std::move(decision_open), on);
    o.entry_delay = delay_of(std::move(entry_done), std::move(entry_open), on);
    return o;
}

}  // namespace detail
}  // namespace ctai
