// R7 journey-length statistics (see stats.hpp and docs/reports.md).
#include <ctai/stats.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <unordered_map>

#include <ctai/columns.hpp>
#include <ctai/error.hpp>
#include <ctai/store.hpp>

namespace ctai {
namespace {

std::optional<double> median_of_sorted(const std::vector<std::int32_t>& v) {
    if (v.empty()) return std::nullopt;
    const std::size_t n = v.size();
    if (n % 2 == 1) return static_cast<double>(v[n / 2]);
    return (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2.0;
}

void kaplan_meier(JourneyStats& s) {
    // Merge the two sorted lists into (time, events, censored) steps.
    const auto& ev = s.completed_days;
    const auto& ce = s.open_days;
    std::int64_t at_risk = s.count;
    double survival = 1.0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < ev.size() || j < ce.size()) {
        std::int32_t t = 0;
        if (j >= ce.size() || (i < ev.size() && ev[i] <= ce[j])) t = ev[i];
        else t = ce[j];
        KmPoint p;
        p.time = t;
        p.at_risk = at_risk;
        while (i < ev.size() && ev[i] == t) { ++p.events; ++i; }
        while (j < ce.size() && ce[j] == t) { ++p.censored; ++j; }
        // Events before censorings at the same time: the censored are still at risk at t.
        if (p.events > 0)
            survival *= 1.0 - static_cast<double>(p.events) / static_cast<double>(at_risk);
        p.survival = survival;
        at_risk -= p.events + p.censored;
        s.km_curve.push_back(p);
    }
    if (s.km_curve.empty()) return;
    for (const auto& p : s.km_curve) {
        // A tiny tolerance so that 1 - 1/2 compares as 0.5 whatever the rounding path.
        if (p.events > 0 && p.survival <= 0.5 + 1e-12) {
            s.km_median_days = static_cast<double>(p.time);
            break;
        }
    }
    // Area under the step function from 0 to tau (the largest observed time).
    const std::int32_t tau = s.km_curve.back().time;
    double area = 0;
    double level = 1.0;
    std::int32_t prev = 0;
    for (const auto& p : s.km_curve) {
        area += level * static_cast<double>(p.time - prev);
        prev = p.time;
        level = p.survival;
    }
    s.km_tau_days = tau;
    s.km_restricted_mean_days = area;
}

}  // namespace

JourneyStats journey_stats(std::span<const std::int32_t> entry,
                           std::span<const std::int32_t> exit_or_no_date, Date on) {
    if (entry.size() != exit_or_no_date.size())
        throw ValidationError("journey_stats: entry and exit columns differ in length",
                              "exit");
    JourneyStats s;
    s.on = on;
    const std::int32_t d = on.days();
    for (std::size_t k = 0; k < entry.size(); ++k) {
        const std::int32_t e = entry[k];
        const std::int32_t x = exit_or_no_date[k];
        if (x != no_date && x < e)
            throw ValidationError("journey_stats: exit before entry at row " + std::to_string(k),
                                  "exit");
        if (e > d) {
            ++s.excluded_not_started;
            continue;
        }
        ++s.count;
        if (x != no_date && x <= d) {
            ++s.completed;
            s.completed_days.push_back(x - e);
        } else {
            ++s.open;
            s.open_days.push_back(d - e);
        }
    }
    std::sort(s.completed_days.begin(), s.completed_days.end());
    std::sort(s.open_days.begin(), s.open_days.end());
    if (!s.completed_days.empty()) {
        double sum = 0;
        for (auto v : s.completed_days) sum += v;
        s.mean_days = sum / static_cast<double>(s.completed_days.size());
        s.median_days = median_of_sorted(s.completed_days);
    }
    kaplan_meier(s);
    return s;
}

JourneyStats journey_stats(const Store& store, std::optional<ContractId> contract,
                           std::optional<int> action, Date on) {
    const JourneyColumns c = store.journeys(std::move(contract), action, on);
    return journey_stats(c.entry, c.exit, on);
}

std::map<std::string, JourneyStats> journey_stats_by_public(const Store& store,
                                                            std::optional<ContractId> contract,
                                                            std::optional<int> action, Date on) {
    const JourneyColumns c = store.journeys(std::move(contract), action, on);
    // Many journeys: every case read in one pass (Store::for_each_case) and evaluated in
    // memory exactly as Store::eligibility does; a few: one lookup each.
    constexpr std::size_t bulk_from = 64;
    std::unordered_map<std::string, PersonCase> cases;
    if (c.size() >= bulk_from)
        store.for_each_case([&](const PersonCase& pc) { cases.emplace(pc.person.id.str(), pc); });
    auto eligibility = [&](const std::string& id, Date d) {
        const auto it = cases.find(id);
        if (it == cases.end()) return store.eligibility(PersonId(id), d);
        const PersonCase* family = nullptr;
        if (const auto& f = it->second.person.rejoining_family_of)
            if (const auto fit = cases.find(f->str()); fit != cases.end()) family = &fit->second;
        return evaluate(it->second, d, store.policy(), family);
    };
    std::map<std::string, std::pair<std::vector<std::int32_t>, std::vector<std::int32_t>>> groups;
    for (std::size_t k = 0; k < c.size(); ++k) {
        const Eligibility e = eligibility(c.person_id[k], Date::from_days(c.entry[k]));
        const std::string key =
            e.public_category ? std::string(to_string(*e.public_category)) : "not_eligible";
        auto& g = groups[key];
        g.first.push_back(c.entry[k]);
        g.second.push_back(c.exit[k]);
    }
    std::map<std::string, JourneyStats> out;
    for (const auto& [key, g] : groups) out.emplace(key, journey_stats(g.first, g.second, on));
    return out;
}

}  // namespace ctai
