// The data fingerprint (R8): SHA-256 over every data table in key order, kept by change
// counter in the Store and in the file.

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
// nationalities (version 4) and contract_documents (version 5: avenants and conventions
// change reports, so they are data, R10) are `when_rows`: a table's name enters the hash
// only once it has a row, so that a store without them keeps the hash of version 3 (and the
// fingerprint cached by change counter stays true across the migrations).
struct FingerprintTable {
    const char* table;
    const char* columns;
    const char* order;
    bool when_rows = false;
};
constexpr std::array<FingerprintTable, 17> fingerprint_tables{{
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
    {"nationalities", "*", "person_id, position", true},
    {"contract_documents", "*", "document_id", true},
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
        if (!t.when_rows) put(table.data(), table.size() + 1);
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
        bool named = false;
        for (;;) {
            const int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) throw SQLite::Exception(db, rc);
            if (t.when_rows && !named) {
                put(table.data(), table.size() + 1);
                named = true;
            }
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
