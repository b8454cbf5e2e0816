#pragma once
// Private to the storage layer: the state of a bulk load (detail::begin_bulk_load) and the
// helpers of its write path, used by the table files.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/store_impl.hpp"

namespace ctai::detail {

// Everything written since detail::begin_bulk_load into a store that had no data row: the
// file holds exactly these rows, so reads of the rules and no-op checks are answered here.
struct BulkSession {
    std::unordered_map<std::string, PersonCase> cases;
    /// By person, in load_journeys_of order (entry date, id).
    std::unordered_map<std::string, std::vector<Journey>> journeys_of;
    /// Journey id -> person id.
    std::unordered_map<std::string, std::string> journey_person;
    /// By person, in orientation date order.
    std::unordered_map<std::string, std::vector<AgirSupport>> agir_of;
    std::unordered_map<std::string, std::vector<Referral>> referrals_of;
    std::unordered_set<std::string> referral_ids, activity_ids;
    /// Keys of the other tables written ("table\\x1fkey...").
    std::unordered_set<std::string> keys;
    // Contracts: StoreImpl::contract_at and contract_with_every_action (cached there, R10).

    void remember(const Journey& j) {
        auto [it, inserted] = journey_person.try_emplace(j.id.str(), j.person_id.str());
        if (!inserted) {
            auto& old = journeys_of[it->second];
            std::erase_if(old, [&](const Journey& x) { return x.id == j.id; });
            it->second = j.person_id.str();
        }
        auto& v = journeys_of[j.person_id.str()];
        const auto pos = std::upper_bound(v.begin(), v.end(), j, [](const Journey& a, const Journey& b) {
            return std::tie(a.entry_date, a.id) < std::tie(b.entry_date, b.id);
        });
        v.insert(pos, j);
    }

    void remember(const AgirSupport& s) {
        auto& v = agir_of[s.person_id.str()];
        auto it = std::find_if(v.begin(), v.end(), [&](const AgirSupport& x) {
            return x.orientation_date == s.orientation_date;
        });
        if (it != v.end()) {
            *it = s;
            return;
        }
        const auto pos = std::upper_bound(v.begin(), v.end(), s, [](const AgirSupport& a, const AgirSupport& b) {
            return a.orientation_date < b.orientation_date;
        });
        v.insert(pos, s);
    }

    void remember(const Referral& r) {
        if (!referral_ids.insert(r.id.str()).second)
            for (auto& [person, v] : referrals_of)
                std::erase_if(v, [&](const Referral& x) { return x.id == r.id; });
        referrals_of[r.person_id.str()].push_back(r);
    }

    /// Whether `key` is new (and records it).
    bool add_key(std::string key) { return keys.insert(std::move(key)).second; }
    bool has_key(const std::string& key) const { return keys.count(key) != 0; }
};

inline constexpr char key_sep = '\x1f';

/// The key of a row of `table` in BulkSession::keys.
template <class... Parts>
std::string make_key(std::string_view table, const Parts&... parts) {
    std::string k(table);
    ((k += key_sep, k += parts), ...);
    return k;
}

// Appends one audit row with an already serialised change (bulk path of StoreImpl::audit).
void audit_text(StoreImpl& impl, std::string_view entity, const std::string& entity_id,
                const std::optional<PersonId>& person, const std::string& change,
                std::optional<std::string> reason = std::nullopt);

// Runs `write`, which inserts a new row keyed `key` and rows that depend on it; when it
// throws, runs `undo` (a DELETE of that row whose foreign keys cascade to the others) so
// that nothing of it stays, as a savepoint would, then rethrows.
template <std::size_t N, class F>
void undo_on_failure(StoreImpl& impl, const char (&undo)[N], const std::string& key, F&& write) {
    try {
        write();
    } catch (...) {
        impl.query(undo).bind(key).exec();
        throw;
    }
}

/// Throws ValidationError unless `action` exists in contract `c` (contracts_table.cpp).
void require_action(const Contract& c, int action, const std::string& what);

}  // namespace ctai::detail
