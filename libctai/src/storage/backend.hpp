#pragma once
// Private to the storage layer: the seam between the Store and its SQL engine.
//
// What the storage layer asks of an engine beyond running its statements: transactions
// (the outermost one takes the write lock, inner ones are savepoints), the counters that
// tell whether the caches held by the Store (case snapshot, contract data, fingerprint) are
// still current, the append of one audit row, and giving memory back. The SQLite engine
// (sqlite_backend.cpp) implements it; StoreImpl holds one and every transaction, cache
// check and audit row goes through it.
//
// The statements themselves are not behind this interface: each table file (*_table.cpp)
// owns its SQL and reads its columns through Query (store_impl.hpp). A second engine
// implements Backend and provides the same Query surface (bind, step, typed column reads)
// for its connection; the SQL of the table files is standard but for the upsert clause
// (`ON CONFLICT ... DO UPDATE`, also PostgreSQL's) and the few engine pragmas named in
// docs/storage.md, "How to add a storage engine". Nothing above storage (domain, index,
// report, exchange) changes.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <ctai/model.hpp>

namespace ctai::detail {

/// One row of the audit log, as written (the change already serialised as JSON). Refers
/// to the caller's strings (no copy: a bulk import writes one row per record).
struct AuditRecord {
    const std::string& at;
    const std::string& actor;
    std::string_view entity;
    const std::string& entity_id;
    const std::optional<PersonId>& person;
    std::string_view operation;
    const std::string& change;
    const std::optional<std::string>& reason;
};

class Backend {
public:
    virtual ~Backend() = default;
    /// The engine's name, e.g. "sqlite".
    virtual std::string_view engine() const noexcept = 0;

    // ---- transactions ---------------------------------------------------------------
    /// Level 1: begins a write transaction that holds the write lock from the start;
    /// level n > 1: opens savepoint n inside it.
    virtual void begin(int level) = 0;
    /// Level 1: commits; level n > 1: releases savepoint n into the enclosing one.
    virtual void commit(int level) = 0;
    /// Level 1: rolls the transaction back; level n > 1: undoes savepoint n only. Never
    /// throws (called from destructors).
    virtual void rollback(int level) noexcept = 0;

    // ---- change counters ------------------------------------------------------------
    /// Changes whenever another connection commits to the file.
    virtual std::int64_t data_version() = 0;
    /// Rows changed by this connection so far (its own writes).
    virtual std::int64_t own_changes() const noexcept = 0;

    // ---- audited writes -------------------------------------------------------------
    /// Appends one row to the audit log (inside the caller's transaction).
    virtual void append_audit(const AuditRecord& row) = 0;

    // ---- memory ---------------------------------------------------------------------
    /// Frees the engine's page cache for this connection (pages a write changed stay).
    virtual void release_memory() noexcept = 0;
};

struct StoreImpl;
/// The SQLite engine over the connection of `impl` (sqlite_backend.cpp).
std::unique_ptr<Backend> make_sqlite_backend(StoreImpl& impl);

}  // namespace ctai::detail
