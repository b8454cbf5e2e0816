#pragma once
// Private to the storage layer: StoreImpl (the pimpl of ctai::Store: the connection, its
// engine behind the Backend seam, the statement cache, the caches kept by the Store), Query
// (binding and reading columns) and the declarations shared by the table files. The only
// place (with the .cpp files next to it) that knows SQL; docs/storage.md maps the files.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <ctai/store.hpp>

#include "storage/backend.hpp"

namespace ctai::detail {

using Json = nlohmann::ordered_json;

/// Runs f, translating SQLite::Exception into StorageError (the message of SQLite names
/// tables, columns and constraints, never values).
template <class F>
auto guard(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const SQLite::Exception& e) {
        throw StorageError(std::string("storage error: ") + e.what(), e.getErrorCode(),
                           (e.getErrorCode() & 0xFF) == SQLITE_CONSTRAINT);
    }
}

// ---- binding and reading values ---------------------------------------------------------

inline void bind_value(SQLite::Statement& s, int i, const std::string& v) { s.bind(i, v); }
inline void bind_value(SQLite::Statement& s, int i, std::string_view v) {
    s.bind(i, std::string(v));
}
inline void bind_value(SQLite::Statement& s, int i, const char* v) { s.bind(i, v); }
inline void bind_value(SQLite::Statement& s, int i, int v) { s.bind(i, v); }
inline void bind_value(SQLite::Statement& s, int i, std::int64_t v) { s.bind(i, v); }
inline void bind_value(SQLite::Statement& s, int i, double v) { s.bind(i, v); }
inline void bind_value(SQLite::Statement& s, int i, bool v) { s.bind(i, v ? 1 : 0); }
inline void bind_value(SQLite::Statement& s, int i, Date v) { s.bind(i, v.days()); }
inline void bind_value(SQLite::Statement& s, int i, std::nullopt_t) { s.bind(i); }
template <class Tag>
void bind_value(SQLite::Statement& s, int i, const Id<Tag>& v) {
    s.bind(i, v.str());
}
template <class E>
    requires std::is_enum_v<E>
void bind_value(SQLite::Statement& s, int i, E v) {
    s.bind(i, std::string(to_string(v)));
}
template <class T>
void bind_value(SQLite::Statement& s, int i, const std::optional<T>& v) {
    if (v)
        bind_value(s, i, *v);
    else
        s.bind(i);
}

/// A cached statement in use: binds, steps, and resets when it goes out of scope (so that
/// no read snapshot stays open between calls).
class Query {
public:
    explicit Query(SQLite::Statement& s) : s_(&s) {}
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query() { s_->tryReset(); }

    template <class... Args>
    Query& bind(const Args&... args) {
        int i = 0;
        (bind_value(*s_, ++i, args), ...);
        return *this;
    }
    bool step() { return s_->executeStep(); }
    /// Runs a statement that returns no row; returns the number of rows changed.
    int exec() { return s_->exec(); }
    SQLite::Column col(int i) const { return s_->getColumn(i); }
    bool null(int i) const { return s_->isColumnNull(i); }
    std::string text(int i) const { return s_->getColumn(i).getString(); }
    std::int64_t i64(int i) const { return s_->getColumn(i).getInt64(); }
    int i32(int i) const { return s_->getColumn(i).getInt(); }
    double real(int i) const { return s_->getColumn(i).getDouble(); }
    Date date(int i) const {
        return Date::from_days(static_cast<std::int32_t>(s_->getColumn(i).getInt64()));
    }
    std::optional<Date> opt_date(int i) const {
        if (null(i)) return std::nullopt;
        return date(i);
    }
    std::optional<std::string> opt_text(int i) const {
        if (null(i)) return std::nullopt;
        return text(i);
    }
    template <class E>
    E enumv(int i) const {
        return from_string<E>(s_->getColumn(i).getText());
    }
    template <class E>
    std::optional<E> opt_enum(int i) const {
        if (null(i)) return std::nullopt;
        return enumv<E>(i);
    }
    SQLite::Statement& statement() { return *s_; }

private:
    SQLite::Statement* s_;
};

// ---- columnar results ----------------------------------------------------------------

/// An enum as its code in a column (uint8).
template <class E>
std::uint8_t code(E e) {
    return static_cast<std::uint8_t>(e);
}
/// A date column's value: its day number, or no_date.
inline std::int32_t days_or_none(const std::optional<Date>& d) { return d ? d->days() : no_date; }

// ---- JSON of the records (audit log changes) -----------------------------------------------

Json to_json(const Person& p);
Json to_json(const PersonCase& c);
/// nationalities_table.cpp: the "dated_nationalities" key of a case's audit JSON (DOM and
/// flat text), added only when the case has dated nationalities.
void add_nationalities_json(Json& j, const PersonCase& c);
class FlatJson;
void add_nationalities_flat(FlatJson& w, const PersonCase& c);
Json to_json(const Journey& j);
Json to_json(const AgirSupport& s);
Json to_json(const Referral& r);
Json to_json(const Activity& a);
Json to_json(const Participation& p);
Json to_json(const Volunteering& v);
Json to_json(const HousingMove& m);
Json to_json(const Partnership& p);
Json to_json(const Cost& c);
/// {"field": [old, new]} for the top-level fields that differ.
Json json_diff(const Json& before, const Json& after);

struct StoreImpl;
/// Appends one audit row whose change is already serialised (audit.cpp): the one writer of
/// the audit log, through the backend. `reason` defaults to the transaction's reason.
void append_audit(StoreImpl& impl, std::string_view entity, const std::string& entity_id,
                  const std::optional<PersonId>& person, std::string_view operation,
                  const std::string& change, std::optional<std::string> reason);

/// A random opaque id: prefix + 16 lowercase hex digits.
std::string random_id(std::string_view prefix);
/// Current UTC time as ISO 8601 with milliseconds and a Z.
std::string utc_now_iso();

// ---- the connection --------------------------------------------------------------------

/// What a bulk load (detail::begin_bulk_load) has written so far, in memory (bulk_load.hpp).
struct BulkSession;

struct StoreImpl {
    std::filesystem::path path;
    StoreOptions options;
    /// The policy in force for this Store: StoreOptions::policy, else the store's settings
    /// in force (R10, settings_table.cpp), else the default.
    Policy policy{};
    /// Whether `policy` comes from the store's settings (then put_settings updates it).
    bool policy_from_settings = false;
    /// R10: sets `policy` from the settings in force today (settings_table.cpp).
    void load_settings_policy();
    std::unique_ptr<SQLite::Database> db;
    /// The engine behind the seam (backend.hpp): transactions, change counters, audit rows.
    std::unique_ptr<Backend> backend;
    std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements;
    int depth = 0;
    std::vector<std::string> reasons;
    /// Loaded contracts by id (cache; cleared by put_contract).
    mutable std::map<std::string, Contract> contract_cache;
    /// R10: the avenants and conventions of a contract, in (effective, id) order.
    struct ContractDocuments {
        std::vector<Avenant> avenants;
        std::vector<Convention> conventions;
    };
    /// Caches of contract_documents_table.cpp, cleared by every put of a contract document.
    std::map<std::string, ContractDocuments> documents_cache;
    std::map<std::string, Contract> contract_at_cache;
    std::map<std::string, std::vector<Continuation>> lineage_cache;
    /// Set by detail::begin_bulk_load on a store without data rows: the put_* upserts read
    /// what they need from it instead of the file. Ended with the transaction at depth
    /// `bulk_depth` (commit or rollback) and by every other kind of write.
    std::shared_ptr<BulkSession> bulk;
    int bulk_depth = 0;
    /// The non-unique secondary indexes dropped by begin_bulk_load (name, CREATE sql): the
    /// rows are loaded without maintaining them and the indexes are built once, sorted, when
    /// the bulk session ends. A rollback of the bulk transaction undoes the DROP (SQLite's
    /// DDL is transactional).
    std::vector<std::pair<std::string, std::string>> bulk_dropped_indexes;
    /// Ends the bulk session while its transaction goes on (a commit, or another kind of
    /// write): recreates the dropped indexes. Throws StorageError if that fails.
    void end_bulk();
    /// Ends the bulk session because its transaction is rolled back (never throws).
    void abandon_bulk() noexcept {
        bulk.reset();
        bulk_dropped_indexes.clear();
    }
    /// Store::fingerprint() of the last change counter it was computed at (outside any
    /// transaction): valid while no audit row is added (every data change writes one).
    std::optional<DataFingerprint> fingerprint_cache;
    /// Store::case_snapshot(), valid while `PRAGMA data_version` (commits by other
    /// connections) and the connection's total change count (its own writes) are those
    /// recorded here and no transaction is active.
    std::shared_ptr<const CaseSnapshot> case_snapshot;
    std::int64_t case_snapshot_data_version = -1;
    std::int64_t case_snapshot_changes = -1;
    /// Point eligibility() calls made by reads since the snapshot was last current.
    std::int64_t point_reads = 0;
    std::int64_t point_reads_data_version = -1;
    std::int64_t point_reads_changes = -1;
    /// person_count() at that data version (-1: not read yet).
    std::int64_t point_reads_persons = -1;
    /// Backend::data_version (commits by other connections).
    std::int64_t data_version() { return backend->data_version(); }
    /// The current case snapshot if one is held, else nullptr (outside transactions only).
    std::shared_ptr<const CaseSnapshot> current_case_snapshot();
    /// Builds (and, outside a transaction, keeps) a case snapshot.
    std::shared_ptr<const CaseSnapshot> build_case_snapshot();
    /// Frees the kept snapshot when this connection has changed rows since it was built
    /// (called at the end of every outermost transaction: its memory is not held until
    /// the next read). Never throws.
    void release_stale_case_snapshot() noexcept {
        if (case_snapshot && backend->own_changes() != case_snapshot_changes) case_snapshot.reset();
        if (contract_data && backend->own_changes() != contract_data_changes) contract_data.reset();
    }
    /// Reads a case snapshot inside the caller's read snapshot or transaction (not kept).
    std::shared_ptr<const CaseSnapshot> read_case_snapshot();
    /// Frees the pages SQLite's cache holds for this connection (sqlite3_db_release_memory;
    /// pages a write transaction has changed stay) once whole tables have been read into
    /// memory (case snapshot, contract data): those pages are a second copy of what the
    /// columns now hold, which the scans that follow do not read again, and their memory
    /// is reused by the next columns instead of adding to the peak (bench W7, peak RSS at
    /// 10^4 / 10^5 persons: 27 -> 19 MiB, 163 -> 120 MiB, with the releases between the
    /// parent and child tables in store_contract_data.cpp). A later read of those pages
    /// fetches them from the OS file cache. Never throws.
    void release_page_cache() noexcept;
    /// Store::contract_data() of the last contract asked for, kept like case_snapshot (same
    /// two counters); it holds the case snapshot it was read with.
    std::shared_ptr<const ContractData> contract_data;
    std::int64_t contract_data_data_version = -1;
    std::int64_t contract_data_changes = -1;

    /// The cached prepared statement for `sql`, ready to bind.
    Query query(const std::string& sql) { return Query(statement(sql)); }
    /// The cached prepared statement for `sql` (prepared on first use).
    SQLite::Statement& statement(const std::string& sql);
    /// Same, for a string literal: found by address (no string built or hashed per call;
    /// a literal has static storage, so its address always names the same text).
    template <std::size_t N>
    Query query(const char (&sql)[N]) {
        const char* key = sql;
        auto it = literal_statements.find(key);
        if (it == literal_statements.end())
            it = literal_statements.emplace(key, &statement(std::string(sql, N - 1))).first;
        return Query(*it->second);
    }
    std::unordered_map<const char*, SQLite::Statement*> literal_statements;
    /// "SAVEPOINT ctai_<depth>" / "RELEASE ctai_<depth>" (memoised: no allocation per write).
    const std::string& savepoint_sql(std::string_view verb, int level);
    std::vector<std::string> savepoint_sql_cache;
    std::vector<std::string> release_sql_cache;
    /// Executes SQL without result rows.
    void exec(const std::string& sql) { db->exec(sql); }

    /// Innermost non-empty transaction reason, if any.
    std::optional<std::string> tx_reason() const;
    /// Appends one audit row. `reason` defaults to tx_reason().
    void audit(std::string_view entity, const std::string& entity_id,
               const std::optional<PersonId>& person, std::string_view operation,
               const Json& change, std::optional<std::string> reason = std::nullopt);
    /// Audits an upsert: insert (before = null) or update (diff).
    void audit_upsert(std::string_view entity, const std::string& entity_id,
                      const std::optional<PersonId>& person, const Json* before,
                      const Json& after, std::optional<std::string> reason = std::nullopt);

    // reads used by writes and by the public reads
    std::optional<Person> load_person(const PersonId& id);
    std::optional<PersonCase> load_case(const PersonId& id);
    std::vector<DatedNationality> load_nationalities(const PersonId& id);
    std::optional<Journey> load_journey(const JourneyId& id);
    std::vector<Journey> load_journeys_of(const PersonId& id);
    std::vector<AgirSupport> load_agir_of(const PersonId& id);
    std::optional<Referral> load_referral(const ReferralId& id);
    std::optional<Activity> load_activity(const ActivityId& id);
    std::vector<Referral> load_referrals_of(const PersonId& id);
    bool person_exists(const PersonId& id);
    /// Built-in or loaded contract, or nullopt.
    std::optional<Contract> find_contract(const ContractId& id);
    /// Built-in or loaded contract; throws NotFoundError.
    Contract require_contract(const ContractId& id);
    /// R10: the avenants and conventions of a contract (contract_documents_table.cpp).
    const ContractDocuments& documents_of(const ContractId& id);
    /// R10: the contract as amended on `on`, with the convention in force then (what an
    /// enrollment on `on` is judged under). NotFoundError for an unknown contract.
    const Contract& contract_at(const ContractId& id, Date on);
    /// R10: the contracts `id` continues, with their action mappings (lineage()).
    const std::vector<Continuation>& lineage_of(const ContractId& id);
    void clear_contract_caches();
    /// R10: the contract with every avenant applied (avenants only add actions): what a
    /// record naming an action (activity, partnership, cost, referral) is checked against.
    const Contract& contract_with_every_action(const ContractId& id) {
        return contract_at(id, Date(9999, 12, 31));
    }

    // writes (no validation, no audit)
    void write_person(const Person& p);
    /// `person_is_new`: the person row was inserted by this write (no list rows to delete).
    void write_case_lists(const PersonCase& c, bool person_is_new = false);
    /// The nationalities rows of a case (nationalities_table.cpp), replacing the stored ones.
    void write_nationalities(const PersonCase& c, bool person_is_new = false);
    /// `journey_is_new`: no row with this journey id existed (no steps to delete).
    void write_journey(const Journey& j, bool journey_is_new = false);
    void write_referral(const Referral& r);

    /// Validates and writes a journey (put_journey, enroll, add_step, exit_journey).
    bool store_journey(const Journey& j, std::optional<Need> need, std::string_view operation_hint);
};

/// One read snapshot over several statements (one lock instead of one per statement) when
/// no transaction is active; a no-op inside one. Uses cached BEGIN/ROLLBACK statements.
class ReadSnapshot {
public:
    explicit ReadSnapshot(StoreImpl& impl) : impl_(impl.depth == 0 ? &impl : nullptr) {
        if (impl_) impl_->query("BEGIN").exec();
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;
    ~ReadSnapshot() {
        if (!impl_) return;
        try {
            impl_->query("ROLLBACK").exec();  // nothing was written: ends the read
        } catch (...) {
        }
    }

private:
    StoreImpl* impl_;
};

/// Reads every row of persons + permits + protections + situations in person id order
/// (store_cases.cpp). `f` may move from the case it is given (every field of the next one
/// is assigned: one PersonCase is reused, so what `f` copies costs no new allocation).
void for_each_case_impl(StoreImpl& impl, const std::function<void(PersonCase&)>& f);
/// R3 minors_follow_household (household_reads.cpp): the ids of a household's persons, and
/// the rule applied to a point evaluation `e` of case `c` (a no-op when the option is off).
std::vector<PersonId> household_member_ids(StoreImpl& impl, const HouseholdId& h);
void apply_household_rule(StoreImpl& impl, Eligibility& e, const PersonCase& c);
/// The same cases, in a vector reserved to the number of persons (each case built in place).
std::vector<PersonCase> read_all_cases(StoreImpl& impl);
/// Every AGIR support, by person then orientation date (agir_table.cpp).
std::vector<AgirSupport> read_all_agir(StoreImpl& impl);

/// Registers the internal SQL function ctai_rows, through which the columnar reads receive
/// rows inside SQLite's own loop (store_journeys.cpp). Called once per connection.
void register_row_function(sqlite3* db);

/// The schema migrations: (version, sql) in order; version n is 000n_*.sql.
std::vector<std::pair<int, std::string_view>> migrations();
/// `PRAGMA <name>` as an integer (migrations.cpp).
int pragma_int(SQLite::Database& db, const char* name);
/// Applies the pending migrations, each in its own transaction (migrations.cpp).
void migrate(StoreImpl& impl);
/// Throws SchemaVersionError unless `db` is a libctai store (or empty) of a schema this
/// library knows (migrations.cpp).
void check_identity(SQLite::Database& db, const std::filesystem::path& path);

}  // namespace ctai::detail
