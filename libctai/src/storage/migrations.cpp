// Schema migrations: the embedded 000n_*.sql files applied in order, each in its own
// transaction with a foreign key check; the identity check of an opened file.

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

namespace ctai::detail {

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
                       SQLITE_CONSTRAINT_FOREIGNKEY, true);
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

}  // namespace ctai::detail
