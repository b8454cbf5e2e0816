#pragma once
// The bench's one raw-SQLite helper (sqlite3.h): the floors read and write the cohort
// store through the C API directly. That is bench code, not the library's; the tables
// themselves are always created by the library (ctai::Store::open applies its migrations),
// never re-typed here.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include <ctai/date.hpp>

namespace bench {

class Db {
public:
    explicit Db(const std::filesystem::path& path, bool create = false) {
        const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
            throw std::runtime_error("sqlite3_open " + path.string() + ": " + sqlite3_errmsg(db_));
    }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db() { sqlite3_close_v2(db_); }
    sqlite3* get() const noexcept { return db_; }
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error("sqlite3_exec: " + msg + " in " + sql);
        }
    }
    std::int64_t scalar(const std::string& sql);

private:
    sqlite3* db_ = nullptr;
};

class Stmt {
public:
    Stmt(Db& db, const std::string& sql) : db_(db.get()) {
        if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_) + " in " + sql);
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt() { sqlite3_finalize(s_); }
    sqlite3_stmt* get() const noexcept { return s_; }
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(db_));
    }
    void run() {
        step();
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    // Binding (1-based index, advanced by each call).
    Stmt& text(std::string_view v) {
        sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_STATIC_);
        return *this;
    }
    Stmt& integer(std::int64_t v) {
        sqlite3_bind_int64(s_, ++i_, v);
        return *this;
    }
    Stmt& real(double v) {
        sqlite3_bind_double(s_, ++i_, v);
        return *this;
    }
    Stmt& null() {
        sqlite3_bind_null(s_, ++i_);
        return *this;
    }
    Stmt& date(const std::optional<ctai::Date>& d) { return d ? integer(d->days()) : null(); }
    Stmt& opt_text(const std::optional<std::string>& t) { return t ? text(*t) : null(); }
    void exec() {
        i_ = 0;
        if (sqlite3_step(s_) != SQLITE_DONE)
            throw std::runtime_error(std::string("insert: ") + sqlite3_errmsg(db_));
        sqlite3_reset(s_);
    }

private:
    // SQLITE_STATIC without the old-style cast of the macro: bound values outlive the step.
    static constexpr sqlite3_destructor_type SQLITE_STATIC_ = nullptr;
    sqlite3* db_;
    sqlite3_stmt* s_ = nullptr;
    int i_ = 0;
};

inline std::int64_t Db::scalar(const std::string& sql) {
    Stmt s(*this, sql);
    if (!s.step()) return 0;
    return sqlite3_column_int64(s.get(), 0);
}

/// A column that may be NULL: `missing` for NULL, else its int32 value.
inline std::int32_t int_or(sqlite3_stmt* s, int column, std::int32_t missing) {
    return sqlite3_column_type(s, column) == SQLITE_NULL ? missing : sqlite3_column_int(s, column);
}

}  // namespace bench
