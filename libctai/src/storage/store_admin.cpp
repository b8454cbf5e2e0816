// Store lifecycle: opening, schema migrations, transactions, the audit writer, the data
// fingerprint and small utilities.

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>
#include <string_view>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include <date/date.h>

#include "embedded.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

std::vector<std::pair<int, std::string_view>> migrations() {
    std::vector<std::pair<int, std::string_view>> out;
    for (const auto& f : embedded_migrations()) {
        int n = 0;
        const auto [ptr, ec] = std::from_chars(f.name.data(), f.name.data() + f.name.size(), n);
        if (ec != std::errc{} || ptr == f.name.data() || *ptr != '_' ||
            n != static_cast<int>(out.size()) + 1)
            throw StorageError("embedded migration '" + std::string(f.name) +
                               "' is not numbered in sequence");
        out.emplace_back(n, f.content);
    }
    return out;
}

std::string random_id(std::string_view prefix) {
    static thread_local std::mt19937_64 gen{[] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(prefix);
    std::uint64_t v = gen();
    for (int i = 0; i < 16; ++i) {
        out += hex[v & 0xF];
        v >>= 4;
    }
    return out;
}

std::string utc_now_iso() {
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    // A bulk write audits many rows in the same millisecond: format each millisecond once.
    static thread_local std::chrono::sys_time<std::chrono::milliseconds> last{};
    static thread_local std::string text;
    if (text.empty() || now != last) {
        text = date::format("%FT%TZ", now);
        last = now;
    }
    return text;
}

SQLite::Statement& StoreImpl::statement(const std::string& sql) {
    auto it = statements.find(sql);
    if (it == statements.end())
        it = statements.emplace(sql, std::make_unique<SQLite::Statement>(*db, sql)).first;
    return *it->second;
}

const std::string& StoreImpl::savepoint_sql(std::string_view verb, int level) {
    auto& cache = verb == "RELEASE" ? release_sql_cache : savepoint_sql_cache;
    const auto i = static_cast<std::size_t>(level);
    while (cache.size() <= i)
        cache.push_back(std::string(verb) + " ctai_" + std::to_string(cache.size()));
    return cache[i];
}

std::optional<std::string> StoreImpl::tx_reason() const {
    for (auto it = reasons.rbegin(); it != reasons.rend(); ++it)
        if (!it->empty()) return *it;
    return std::nullopt;
}

void StoreImpl::audit(std::string_view entity, const std::string& entity_id,
                      const std::optional<PersonId>& person, std::string_view operation,
                      const Json& change, std::optional<std::string> reason) {
    if (!reason) reason = tx_reason();
    query("INSERT INTO audit_log (at, actor, entity, entity_id, person_id, operation, change, "
          "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(utc_now_iso(), options.actor, entity, entity_id, person, operation,
              change.dump(), reason)
        .exec();
}

void StoreImpl::audit_upsert(std::string_view entity, const std::string& entity_id,
                             const std::optional<PersonId>& person, const Json* before,
                             const Json& after, std::optional<std::string> reason) {
    if (before)
        audit(entity, entity_id, person, "update", json_diff(*before, after), std::move(reason));
    else
        audit(entity, entity_id, person, "insert", after, std::move(reason));
}

Json json_diff(const Json& before, const Json& after) {
    Json out = Json::object();
    for (auto it = after.begin(); it != after.end(); ++it) {
        const auto old = before.find(it.key());
        const Json old_value = old == before.end() ? Json() : *old;
        if (old_value != it.value()) out[it.key()] = Json::array({old_value, it.value()});
    }
    for (auto it = before.begin(); it != before.end(); ++it)
        if (!after.contains(it.key())) out[it.key()] = Json::array({it.value(), Json()});
    return out;
}

namespace {

bool is_memory_path(const std::filesystem::path& p) {
    const auto s = p.string();
    return s.empty() || s == ":memory:" || s.rfind("file:", 0) == 0;
}

// Creates the file with mode 0600 before SQLite does (SQLite would honour the umask, and
// then gives its -wal and -shm files the mode of the database file).
void create_private_file(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return;
        throw StorageError("cannot create the store file '" + p.string() +
                               "': " + std::strerror(errno),
                           SQLITE_CANTOPEN);
    }
    ::fchmod(fd, 0600);
    ::close(fd);
}

int pragma_int(SQLite::Database& db, const char* name) {
    return db.execAndGet(std::string("PRAGMA ") + name).getInt();
}

// Throws (and the caller rolls back) when the migration `version` leaves rows whose foreign
// key has no parent. The message names tables only, never a value (R9).
void check_foreign_keys(SQLite::Database& db, int version) {
    std::map<std::string, std::int64_t> violations;  // "child -> parent" -> rows
    SQLite::Statement q(db, "PRAGMA foreign_key_check");
    while (q.executeStep())
        ++violations[q.getColumn(0).getString() + " -> " + q.getColumn(2).getString()];
    if (violations.empty()) return;
    std::string list;
    for (const auto& [tables, rows] : violations)
        list += (list.empty() ? "" : ", ") + tables + " (" + std::to_string(rows) + " rows)";
    throw StorageError("schema migration " + std::to_string(version) +
                           " rolled back: rows without their parent row: " + list,
                       SQLITE_CONSTRAINT_FOREIGNKEY);
}

// Each migration runs in its own BEGIN IMMEDIATE transaction, with foreign keys off: a
// table rebuild (create, copy, drop, rename) must not cascade or check on the way, and
// `PRAGMA foreign_keys` is a no-op inside a transaction. PRAGMA foreign_key_check then
// runs before COMMIT (violations roll the migration back), and foreign keys are turned
// back on whatever happened.
void migrate(StoreImpl& impl) {
    auto& db = *impl.db;
    for (const auto& [version, sql] : migrations()) {
        if (version <= pragma_int(db, "user_version")) continue;
        db.exec("PRAGMA foreign_keys = OFF");
        try {
            db.exec("BEGIN IMMEDIATE");
            try {
                // Another connection may have migrated while we waited for the lock.
                if (pragma_int(db, "user_version") < version) {
                    db.exec(std::string(sql));
                    check_foreign_keys(db, version);
                    db.exec("PRAGMA user_version = " + std::to_string(version));
                    db.exec("PRAGMA application_id = " + std::to_string(store_application_id));
                }
                db.exec("COMMIT");
            } catch (...) {
                db.tryExec("ROLLBACK");
                throw;
            }
        } catch (...) {
            db.tryExec("PRAGMA foreign_keys = ON");
            throw;
        }
        db.exec("PRAGMA foreign_keys = ON");
    }
}

void check_identity(SQLite::Database& db, const std::filesystem::path& path) {
    // One read transaction: another process may commit the first migration between two
    // separate reads (application_id still 0, user_version already 1).
    db.exec("BEGIN");
    int app = 0, version = 0;
    std::int64_t objects = 0;
    try {
        app = pragma_int(db, "application_id");
        version = pragma_int(db, "user_version");
        objects = db.execAndGet("SELECT count(*) FROM sqlite_master").getInt64();
        db.exec("COMMIT");
    } catch (...) {
        db.tryExec("ROLLBACK");
        throw;
    }
    const int latest = Store::latest_schema_version();
    if (app != 0 && app != store_application_id)
        throw SchemaVersionError("'" + path.string() + "' is not a libctai store (application_id " +
                                     std::to_string(app) + ")",
                                 version, latest);
    if (app == 0) {
        if (objects != 0 || version != 0)
            throw SchemaVersionError("'" + path.string() +
                                         "' is an SQLite database but not a libctai store",
                                     version, latest);
    }
    if (version > latest)
        throw SchemaVersionError("'" + path.string() + "' has schema version " +
                                     std::to_string(version) + ", newer than this library (" +
                                     std::to_string(latest) + "): upgrade libctai",
                                 version, latest);
}

}  // namespace
}  // namespace detail

// ---- Transaction ------------------------------------------------------------------------

Transaction::Transaction(detail::StoreImpl& impl, std::string reason) {
    detail::guard([&] {
        // Cached prepared statements: a bulk import opens one savepoint per write.
        if (impl.depth == 0)
            impl.query("BEGIN IMMEDIATE").exec();
        else
            impl.query(impl.savepoint_sql("SAVEPOINT", impl.depth + 1)).exec();
    });
    impl_ = &impl;
    depth_ = ++impl.depth;
    impl.reasons.push_back(std::move(reason));
}

Transaction::Transaction(Transaction&& other) noexcept
    : impl_(std::exchange(other.impl_, nullptr)), depth_(other.depth_) {}

Transaction::~Transaction() { rollback(); }

void Transaction::commit() {
    if (!impl_) throw StorageError("commit of a finished transaction");
    if (impl_->depth != depth_)
        throw StorageError("commit of a transaction while an inner one is still active");
    try {
        detail::guard([&] {
            if (impl_->bulk && depth_ <= impl_->bulk_depth) impl_->end_bulk();
            if (depth_ == 1)
                impl_->query("COMMIT").exec();
            else
                impl_->query(impl_->savepoint_sql("RELEASE", depth_)).exec();
        });
    } catch (...) {
        rollback();
        throw;
    }
    --impl_->depth;
    impl_->reasons.pop_back();
    if (depth_ == 1) impl_->release_stale_case_snapshot();
    impl_ = nullptr;
}

void Transaction::rollback() noexcept {
    if (!impl_) return;
    if (impl_->bulk && depth_ <= impl_->bulk_depth) impl_->abandon_bulk();
    // Inner transactions still open (misuse) are rolled back with this one.
    while (impl_->depth > depth_) {
        --impl_->depth;
        impl_->reasons.pop_back();
    }
    if (depth_ == 1) {
        impl_->db->tryExec("ROLLBACK");
    } else {
        const auto name = "ctai_" + std::to_string(depth_);
        impl_->db->tryExec(("ROLLBACK TO " + name + "; RELEASE " + name).c_str());
    }
    --impl_->depth;
    impl_->reasons.pop_back();
    if (depth_ == 1) impl_->release_stale_case_snapshot();
    impl_ = nullptr;
}

// ---- Store lifecycle --------------------------------------------------------------------

Store::Store(std::unique_ptr<detail::StoreImpl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

int Store::latest_schema_version() noexcept {
    return static_cast<int>(detail::embedded_migrations().size());
}

Store Store::open(const std::filesystem::path& path, StoreOptions options) {
    return detail::guard([&] {
        auto impl = std::make_unique<detail::StoreImpl>();
        impl->path = path.empty() ? std::filesystem::path(":memory:") : path;
        const bool memory = detail::is_memory_path(impl->path);
        int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX;
        if (memory && impl->path.string().rfind("file:", 0) == 0) flags |= SQLite::OPEN_URI;
        if (!memory) {
            if (!std::filesystem::exists(impl->path)) {
                if (options.must_exist)
                    throw StorageError("no store at '" + impl->path.string() + "'",
                                       SQLITE_CANTOPEN);
                detail::create_private_file(impl->path);
            }
        } else {
            flags |= SQLite::OPEN_CREATE;
        }
        impl->db = std::make_unique<SQLite::Database>(impl->path.string(), flags,
                                                      options.busy_timeout_ms);
        impl->options = std::move(options);
        auto& db = *impl->db;
        detail::register_row_function(db.getHandle());
        // Two processes creating the same new file race on the switch to WAL, for which
        // SQLite may answer SQLITE_BUSY without calling the busy handler: the whole setup
        // is retried until the busy timeout has passed.
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(impl->options.busy_timeout_ms);
        for (int attempt = 0;; ++attempt) {
            try {
                detail::check_identity(db, impl->path);
                db.exec("PRAGMA foreign_keys = ON");
                // A larger page cache (64 MiB) keeps a bulk import from spilling dirty pages
                // to the WAL and reading them back; temporary b-trees and savepoint journals
                // stay in memory. synchronous = NORMAL is SQLite's recommended safe setting
                // for WAL mode: a crash never corrupts the file, and at worst the last
                // commits before a power loss are rolled back (docs/storage.md).
                db.exec("PRAGMA cache_size = -65536");
                db.exec("PRAGMA temp_store = MEMORY");
                db.exec("PRAGMA synchronous = NORMAL");
                if (!memory) {
                    const auto mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
                    if (mode != "wal")
                        throw StorageError("cannot switch '" + impl->path.string() + "' to WAL mode");
                }
                detail::migrate(*impl);
                break;
            } catch (const SQLite::Exception& e) {
                if ((e.getErrorCode() & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
                    throw;
                if (sqlite3_get_autocommit(db.getHandle()) == 0) db.exec("ROLLBACK");
                std::this_thread::sleep_for(std::chrono::milliseconds(5 + 5 * std::min(attempt, 10)));
            }
        }
        return Store(std::move(impl));
    });
}

int Store::schema_version() const {
    return detail::guard([&] { return detail::pragma_int(*impl_->db, "user_version"); });
}

const std::filesystem::path& Store::path() const noexcept { return impl_->path; }
const Policy& Store::policy() const noexcept { return impl_->options.policy; }
void Store::set_policy(Policy p) {
    impl_->options.policy = std::move(p);
    impl_->case_snapshot.reset();  // it evaluates under the policy it was built with
    impl_->contract_data.reset();  // it holds such a snapshot
}
const std::string& Store::actor() const noexcept { return impl_->options.actor; }
void Store::set_actor(std::string actor) { impl_->options.actor = std::move(actor); }

Transaction Store::transaction(std::string reason) { return Transaction(*impl_, std::move(reason)); }
bool Store::in_transaction() const noexcept { return impl_->depth > 0; }

std::string Store::integrity_check() const {
    return detail::guard([&] {
        std::string out;
        SQLite::Statement s(*impl_->db, "PRAGMA integrity_check");
        while (s.executeStep()) {
            if (!out.empty()) out += '\n';
            out += s.getColumn(0).getString();
        }
        return out;
    });
}

// ---- fingerprint ------------------------------------------------------------------------

namespace {

struct Sha256 {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    Sha256() {
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
            throw StorageError("SHA-256 unavailable");
    }
    ~Sha256() { EVP_MD_CTX_free(ctx); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, std::size_t n) { EVP_DigestUpdate(ctx, data, n); }
    void update_u64(std::uint64_t v) {
        std::array<unsigned char, 8> b{};
        for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
        update(b.data(), b.size());
    }
    std::string hex() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx, md.data(), &n);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < n; ++i) {
            out += digits[md[i] >> 4];
            out += digits[md[i] & 0xF];
        }
        return out;
    }
};

// Data tables, the columns hashed and their key order: the fingerprint does not depend on
// insertion order. journeys: the columns of schema v2, not the step summary of v3
// (step_count, end_step_date: derived from steps, which is hashed), so that the same data
// gives the same hash before and after that migration.
struct FingerprintTable {
    const char* table;
    const char* columns;
    const char* order;
};
constexpr std::array<FingerprintTable, 15> fingerprint_tables{{
    {"persons", "*", "person_id"},
    {"permits", "*", "person_id, position"},
    {"protections", "*", "person_id, position"},
    {"situations", "*", "person_id, position"},
    {"contracts", "*", "contract_id"},
    {"journeys",
     "journey_id, person_id, contract_id, action, entry_date, referral_source, exit_date, "
     "exit_reason, override_reason",
     "journey_id"},
    {"steps", "*", "journey_id, position"},
    {"agir_supports", "*", "person_id, orientation_date"},
    {"referrals", "*", "referral_id"},
    {"activities", "*", "activity_id"},
    {"participations", "*", "activity_id, person_id"},
    {"volunteering", "*", "person_id, kind, start"},
    {"housing_moves", "*", "household_id, date"},
    {"partnerships", "*", "contract_id, action, partner, theme, date"},
    {"costs", "*", "contract_id, action"},
}};

// SHA-256 over every data table in key order (read in the caller's read snapshot).
std::string hash_data(detail::StoreImpl& impl) {
    Sha256 sha;
    // Values are serialised into a local buffer and hashed in large chunks (the same
    // byte stream, hence the same hash, as hashing value by value).
    std::vector<unsigned char> buf;
    buf.reserve(1 << 16);
    auto flush = [&] {
        if (!buf.empty()) sha.update(buf.data(), buf.size());
        buf.clear();
    };
    auto put = [&](const void* data, std::size_t n) {
        if (buf.size() + n > (1u << 16)) {
            flush();
            if (n >= (1u << 16)) {
                sha.update(data, n);
                return;
            }
        }
        const auto* b = static_cast<const unsigned char*>(data);
        buf.insert(buf.end(), b, b + n);
    };
    auto put_u64 = [&](std::uint64_t v) {
        std::array<unsigned char, 8> b{};
        for (std::size_t i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
        put(b.data(), b.size());
    };
    auto hash_table = [&](const FingerprintTable& t) {
        const std::string_view table = t.table;
        put(table.data(), table.size() + 1);
        // The C API on the hot loop: SQLite::Column copies a shared handle per value.
        sqlite3* db = impl.db->getHandle();
        const std::string sql =
            std::string("SELECT ") + t.columns + " FROM " + t.table + " ORDER BY " + t.order;
        sqlite3_stmt* raw = nullptr;
        if (const int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
            rc != SQLITE_OK) {
            sqlite3_finalize(raw);
            throw SQLite::Exception(db, rc);
        }
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(raw, sqlite3_finalize);
        sqlite3_stmt* st = owner.get();
        const int n = sqlite3_column_count(st);
        for (;;) {
            const int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) throw SQLite::Exception(db, rc);
            for (int i = 0; i < n; ++i) {
                const int type = sqlite3_column_type(st, i);
                put_u64(static_cast<std::uint64_t>(type));
                if (type == SQLITE_INTEGER) {
                    put_u64(static_cast<std::uint64_t>(sqlite3_column_int64(st, i)));
                } else if (type == SQLITE_FLOAT) {
                    const double d = sqlite3_column_double(st, i);
                    std::uint64_t bits = 0;
                    std::memcpy(&bits, &d, sizeof bits);
                    put_u64(bits);
                } else if (type != SQLITE_NULL) {
                    const void* blob = sqlite3_column_blob(st, i);
                    const int bytes = sqlite3_column_bytes(st, i);
                    put_u64(static_cast<std::uint64_t>(bytes));
                    if (bytes > 0) put(blob, static_cast<std::size_t>(bytes));
                }
            }
        }
    };
    for (const auto& t : fingerprint_tables) hash_table(t);
    flush();
    return sha.hex();
}

std::int64_t change_counter(detail::StoreImpl& impl) {
    auto q = impl.query("SELECT coalesce(max(seq), 0) FROM audit_log");
    q.step();
    return q.i64(0);
}

// Stores `f` as the only row of fingerprint_cache, in a short write transaction of its own
// that never waits and never fails the read it follows: the write lock is tried once
// (busy timeout 0 for that attempt, then the store's again), and any failure (another
// writer, a read-only file, a full disk) just leaves the table as it was. Writes no audit
// row: the key is the change counter, which an audit row would move. Skipped when the
// counter has moved since `f` was computed (another connection changed the data).
void persist_fingerprint(detail::StoreImpl& impl, const DataFingerprint& f) noexcept {
    sqlite3* handle = impl.db->getHandle();
    if (sqlite3_get_autocommit(handle) == 0) return;  // a transaction is open: not ours to end
    const std::int64_t changes_before = std::int64_t{sqlite3_total_changes(handle)};
    sqlite3_busy_timeout(handle, 0);
    try {
        impl.query("BEGIN IMMEDIATE").exec();
        if (change_counter(impl) == f.change_counter) {
            impl.query("DELETE FROM fingerprint_cache").exec();
            impl.query("INSERT INTO fingerprint_cache (change_counter, sha256) VALUES (?, ?)")
                .bind(f.change_counter, f.sha256)
                .exec();
            impl.query("COMMIT").exec();
        }
    } catch (...) {
    }
    if (sqlite3_get_autocommit(handle) == 0) impl.db->tryExec("ROLLBACK");
    sqlite3_busy_timeout(handle, impl.options.busy_timeout_ms);
    // That write changed no data: the case snapshot, the contract data and the point-read
    // counter, which watch the connection's total changes, stay current if they were.
    const std::int64_t changes_after = std::int64_t{sqlite3_total_changes(handle)};
    if (changes_after != changes_before) {
        if (impl.case_snapshot_changes == changes_before) impl.case_snapshot_changes = changes_after;
        if (impl.contract_data_changes == changes_before) impl.contract_data_changes = changes_after;
        if (impl.point_reads_changes == changes_before) impl.point_reads_changes = changes_after;
    }
}

}  // namespace

DataFingerprint Store::fingerprint() const {
    return detail::guard([&] {
        detail::StoreImpl& impl = *impl_;
        // Every change of the data writes an audit row (and the audit log is append-only),
        // so the hash computed at a change counter stays valid until the counter moves.
        // Kept in memory and in the file (fingerprint_cache) only outside a transaction:
        // a transaction's audit rows may still be rolled back. A persisted value is read
        // inside one too: it matches only while the transaction has written nothing.
        const bool outside = impl.depth == 0;
        DataFingerprint f;
        {
            const detail::ReadSnapshot snapshot(impl);  // one read snapshot for every table
            f.change_counter = change_counter(impl);
            if (outside && impl.fingerprint_cache &&
                impl.fingerprint_cache->change_counter == f.change_counter)
                return *impl.fingerprint_cache;
            {
                auto q = impl.query("SELECT sha256 FROM fingerprint_cache WHERE change_counter = ?");
                q.bind(f.change_counter);
                if (q.step()) f.sha256 = q.text(0);
            }
            if (!f.sha256.empty()) {
                if (outside) impl.fingerprint_cache = f;
                return f;
            }
            f.sha256 = hash_data(impl);
        }
        if (outside) {
            impl.fingerprint_cache = f;
            persist_fingerprint(impl, f);
        }
        return f;
    });
}

}  // namespace ctai
