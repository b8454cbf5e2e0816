// The bulk load (detail::begin_bulk_load): a load into a store without data rows writes
// every new row without reading the file back (BulkSession, bulk_load.hpp) and builds the
// secondary indexes once at the end.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ctai/journeys.hpp>
#include <ctai/referrals.hpp>

#include "domain/journey_rules.hpp"
#include "storage/bulk_load.hpp"
#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

// Appends one audit row with an already serialised change (bulk path of StoreImpl::audit).
void audit_text(StoreImpl& impl, std::string_view entity, const std::string& entity_id,
                const std::optional<PersonId>& person, const std::string& change,
                std::optional<std::string> reason) {
    append_audit(impl, entity, entity_id, person, "insert", change, std::move(reason));
}

}  // namespace detail

// ---- bulk loading -------------------------------------------------------------------------

// Bulk loading (used by import_dir): called inside an active transaction. When the store
// holds no data row yet, the put_* upserts of that transaction keep what they write in
// memory and check the R6/R7 rules, detect no-ops and build the audit rows from it instead
// of reading rows back, and a put that writes a single row opens no savepoint. Results,
// errors and audit rows are the same as without it. It ends with the transaction that was
// active when it was called, and at any other kind of write (put_person, put_contract, the
// service-style API, anonymisation). Returns whether the fast path is on (false: no active
// transaction, or the store already holds data).
bool detail::begin_bulk_load(Store& store) {
    auto& impl_ = store.impl_;
    return detail::guard([&] {
        if (impl_->depth == 0) return false;
        impl_->end_bulk();  // a bulk session already on: ended (its indexes rebuilt) first
        // Tables every other row hangs on (foreign keys): empty means no data row at all.
        {
            auto q = impl_->query(
                "SELECT EXISTS (SELECT 1 FROM persons) OR EXISTS (SELECT 1 FROM activities) OR "
                "EXISTS (SELECT 1 FROM housing_moves) OR EXISTS (SELECT 1 FROM partnerships) OR "
                "EXISTS (SELECT 1 FROM costs)");
            q.step();
            if (q.i32(0) != 0) return false;
        }  // reset: no statement may be pending at DROP INDEX
        impl_->bulk = std::make_shared<detail::BulkSession>();
        impl_->bulk_depth = impl_->depth;
        // Secondary indexes that enforce nothing (not UNIQUE) are built once at the end.
        std::vector<std::pair<std::string, std::string>> indexes;
        {
            auto idx = impl_->query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name");
            while (idx.step()) indexes.emplace_back(idx.text(0), idx.text(1));
        }
        for (auto& index : indexes) {  // listed once dropped: end_bulk rebuilds exactly these
            impl_->exec("DROP INDEX \"" + index.first + "\"");
            impl_->bulk_dropped_indexes.push_back(std::move(index));
        }
        return true;
    });
}

namespace detail {
void StoreImpl::end_bulk() {
    bulk.reset();
    // Cleared first: a failure below leaves the transaction to be rolled back (which
    // restores the indexes dropped inside it), never a second attempt.
    const auto indexes = std::exchange(bulk_dropped_indexes, {});
    for (const auto& [name, sql] : indexes) exec(sql);
}
}  // namespace detail

}  // namespace ctai
