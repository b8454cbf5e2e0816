#pragma once
// The few raw SQLite C API helpers of the columnar reads (no wrapper object per value: text
// read as pointer + length, integers straight into the output columns).
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include <ctai/error.hpp>

namespace ctai::detail::sqlite_c {

using Stmt = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

[[noreturn]] inline void fail(sqlite3* db, int rc) {
    throw StorageError(std::string("storage error: ") + sqlite3_errmsg(db), rc);
}

inline Stmt prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size() + 1), &raw,
                                      nullptr);
    Stmt s(raw, sqlite3_finalize);
    if (rc != SQLITE_OK) fail(db, rc);
    return s;
}

/// True on a row, false when done; throws StorageError on an error.
inline bool step(sqlite3* db, sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db, rc);
}

/// Binds text that outlives the statement's use (SQLITE_STATIC).
inline void bind_text(sqlite3* db, sqlite3_stmt* s, int i, std::string_view v) {
    if (const int rc = sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        rc != SQLITE_OK)
        fail(db, rc);
}

/// Column i as text ("" for NULL), valid until the next step.
inline std::string_view text(sqlite3_stmt* s, int i) {
    const unsigned char* p = sqlite3_column_text(s, i);  // before _bytes (SQLite's rule)
    const int n = sqlite3_column_bytes(s, i);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

inline bool is_null(sqlite3_stmt* s, int i) { return sqlite3_column_type(s, i) == SQLITE_NULL; }

}  // namespace ctai::detail::sqlite_c
