// R7 journey-length statistics of a store (stats.hpp): queries that read the journeys (and
// the cases, for the split by public) from the Store and hand the values to the pure
// statistics of domain/stats.cpp. Above storage, beside report/: not domain code.
#include <ctai/stats.hpp>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/store.hpp>

namespace ctai {

JourneyStats journey_stats(const Store& store, std::optional<ContractId> contract,
                           std::optional<int> action, Date on) {
    check_journey_filter(store, contract, action);
    // Only the columns the statistics use (no strings, no steps).
    const JourneyColumns c =
        store.journeys(std::move(contract), action, on, JourneyFields::lengths);
    return journey_stats(c.entry, c.exit, on);
}

std::map<std::string, JourneyStats> journey_stats_by_public(const Store& store,
                                                            std::optional<ContractId> contract,
                                                            std::optional<int> action, Date on) {
    check_journey_filter(store, contract, action);
    const JourneyColumns c = store.journeys(std::move(contract), action, on, JourneyFields::ids);
    // Many journeys: every case read in one pass (Store::for_each_case) and evaluated in
    // memory exactly as Store::eligibility does; a few: one lookup each.
    constexpr std::size_t bulk_from = 64;
    std::unordered_map<std::string, PersonCase> cases;
    // (R3 minors_follow_household is a rule across persons: Store::eligibility then, which
    // holds the households.)
    if (c.size() >= bulk_from && !store.policy().minors_follow_household)
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
