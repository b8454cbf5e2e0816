#pragma once
// The few raw SQLite C API helpers of the columnar reads (no wrapper object per value: text
// read as pointer + length, integers straight into the output columns), and the RowSink
// through which SQLite hands rows to C++ (ctai_rows, below).
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include <ctai/error.hpp>

namespace ctai::detail::sqlite_c {

using Stmt = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

[[noreturn]] inline void fail(sqlite3* db, int rc) {
    throw StorageError(std::string("storage error: ") + sqlite3_errmsg(db), rc,
                       (rc & 0xFF) == SQLITE_CONSTRAINT);
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

/// A value as text ("" for NULL), valid until SQLite moves to the next row.
inline std::string_view text(sqlite3_value* v) {
    const unsigned char* p = sqlite3_value_text(v);  // before _bytes (SQLite's rule)
    const int n = sqlite3_value_bytes(v);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

inline bool is_null(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }

// ---- rows handed to C++ inside SQLite's loop ------------------------------------------------
//
// Returning each row through sqlite3_step, then reading it with a sqlite3_column_* call per
// value, costs about as much as SQLite's scan itself. Instead a read runs
// `SELECT count(ctai_rows(?3, <columns>)) FROM ...`: SQLite calls the application-defined
// function ctai_rows (registered on every connection by Store::open, see
// register_row_function) with the values of each row, in the statement's own loop, and it
// hands them to the RowSink bound to ?3 through SQLite's pointer interface
// (sqlite3_bind_pointer: SQL text cannot forge the pointer). Measured on 297 300 journeys
// and 888 495 steps (CPU): 84 -> 51 ms and 91 -> 58 ms for the bare reads.
//
// The rows come in the order of the scan. A read that needs an order calls ctai_rows in the
// WHERE clause instead, `SELECT NULL FROM t WHERE ctai_rows(?3, <columns>) ORDER BY <key>`
// (ctai_rows returns NULL: no row comes out): an ORDER BY on the count() would be dropped
// (one result row) and the planner could then scan another index; a subquery keeping it
// (a co-routine) would copy, with a malloc, every text value of every row.

inline constexpr const char* sink_type = "ctai::RowSink";
/// The parameter of the sink in every ctai_rows statement (?1 and ?2: the reads' filters).
inline constexpr int sink_param = 3;

struct RowSink {
    void (*row)(void* self, sqlite3_value** values);
    void* self;
    std::exception_ptr error;  // thrown by `row`: rethrown once SQLite has stopped
};

/// A sink calling f(values) for each row (`f` outlives the run).
template <class F>
RowSink sink_of(F& f) {
    return {[](void* self, sqlite3_value** v) { (*static_cast<F*>(self))(v); }, &f, {}};
}

/// Runs `s` (its filter bound), feeding every row to `sink`; returns the number of rows
/// (count(ctai_rows(...))), 0 when ctai_rows is in the WHERE clause. An exception thrown by
/// the sink is rethrown as it is; an SQLite error throws StorageError.
inline std::int64_t run_rows(sqlite3* db, sqlite3_stmt* s, RowSink& sink) {
    if (const int rc = sqlite3_bind_pointer(s, sink_param, &sink, sink_type, nullptr); rc != SQLITE_OK)
        fail(db, rc);
    const int rc = sqlite3_step(s);
    if (sink.error) {
        sqlite3_reset(s);
        std::rethrow_exception(sink.error);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(db, rc);
    const std::int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return n;
}

}  // namespace ctai::detail::sqlite_c
