#pragma once
// Writing a whole synthetic Dataset into a store, shared by the store, exchange and report
// tests.

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include <ctai/model.hpp>
#include <ctai/store.hpp>

namespace ctai::test {

/// Writes a dataset with the Store API in one transaction, in an order the R6/R7 rules
/// accept (persons before those who rejoin them, AGIR and referrals before journeys,
/// journeys by entry).
inline void put_dataset(Store& store, const Dataset& data, std::string reason = "test data") {
    auto tx = store.transaction(std::move(reason));
    for (const bool rejoining : {false, true})
        for (const auto& c : data.cases)
            if (c.person.rejoining_family_of.has_value() == rejoining) store.put_case(c);
    for (const auto& s : data.agir) store.put_agir_support(s);
    for (const auto& r : data.referrals) store.put_referral(r);
    auto journeys = data.journeys;
    std::stable_sort(journeys.begin(), journeys.end(), [](const Journey& a, const Journey& b) {
        return std::tie(a.entry_date, a.action, a.id) < std::tie(b.entry_date, b.action, b.id);
    });
    for (const auto& j : journeys) store.put_journey(j);
    for (const auto& a : data.activities) store.put_activity(a);
    for (const auto& p : data.participations) store.put_participation(p);
    for (const auto& v : data.volunteering) store.put_volunteering(v);
    for (const auto& m : data.housing) store.put_housing_move(m);
    for (const auto& p : data.partnerships) store.put_partnership(p);
    for (const auto& c : data.costs) store.put_cost(c);
    tx.commit();
}

}  // namespace ctai::test
