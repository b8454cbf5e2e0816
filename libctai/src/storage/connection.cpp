// The connection: opening a store (file creation, identity check, WAL, migrations),
// the statement cache and savepoints, transactions, the Store's settings.

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

namespace {

bool is_memory_path(const std::filesystem::path& p) {
    const auto s = p.string();
    return s.empty() || s == ":memory:" || s.rfind("file:", 0) == 0;
}

// Creates the file with mode 0600 before SQLite does (SQLite would honour the umask, and
// then gives its -wal and -shm files the mode of the database file).
// Returns whether this call created it (false: another process just did).
bool create_private_file(const std::filesystem::path& p) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        throw StorageError("cannot create the store file '" + p.string() +
                               "': " + std::strerror(errno),
                           SQLITE_CANTOPEN);
    }
    ::fchmod(fd, 0600);
    ::close(fd);
    return true;
}

// An existing file of 0 bytes (and no write-ahead log holding its first pages) is not a
// store. Opening it with `must_exist` is refused; otherwise it becomes a store only when it
// is private (0600, as create_private_file makes it: another process creating the same
// store at this moment), never a file someone left readable by others.
void check_existing_file(const std::filesystem::path& p, bool must_exist) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 0) return;
    struct stat wal {};
    const auto wal_path = p.string() + "-wal";
    if (::stat(wal_path.c_str(), &wal) == 0 && wal.st_size > 0) return;
    if (must_exist)
        throw StorageError("'" + p.string() + "' is an empty file, not a store (create one with "
                           "a new file name, or remove the empty file first)",
                           SQLITE_NOTADB);
    if ((st.st_mode & 0077) != 0)
        throw StorageError("'" + p.string() + "' is an empty file readable by others, not a store: "
                           "refusing to turn it into one (remove it first; a new store is created "
                           "readable by its owner only)",
                           SQLITE_NOTADB);
}

}  // namespace
}  // namespace detail

// ---- Transaction ------------------------------------------------------------------------

Transaction::Transaction(detail::StoreImpl& impl, std::string reason) {
    detail::guard([&] {
        impl.backend->begin(impl.depth + 1);
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
            impl_->backend->commit(depth_);
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
    impl_->backend->rollback(depth_);
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
    // A file this call created is removed again if the store cannot be set up in it (a full
    // disk, an I/O error): a failed creation leaves no empty file behind.
    bool created = false;
    try {
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
                    created = detail::create_private_file(impl->path);
                } else {
                    detail::check_existing_file(impl->path, options.must_exist);
                }
            } else {
                flags |= SQLite::OPEN_CREATE;
            }
            impl->db = std::make_unique<SQLite::Database>(impl->path.string(), flags,
                                                          options.busy_timeout_ms);
            impl->backend = detail::make_sqlite_backend(*impl);
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
            // R10: an explicit policy, else the store's settings in force, else the default.
            if (impl->options.policy)
                impl->policy = *impl->options.policy;
            else
                impl->load_settings_policy();
            return Store(std::move(impl));
        });
    } catch (...) {
        if (created) {
            std::error_code ec;
            std::filesystem::remove(path, ec);
            std::filesystem::remove(path.string() + "-wal", ec);
            std::filesystem::remove(path.string() + "-shm", ec);
        }
        throw;
    }
}

int Store::schema_version() const {
    return detail::guard([&] { return detail::pragma_int(*impl_->db, "user_version"); });
}

const std::filesystem::path& Store::path() const noexcept { return impl_->path; }
const Policy& Store::policy() const noexcept { return impl_->policy; }
void Store::set_policy(Policy p) {
    impl_->policy = std::move(p);
    impl_->policy_from_settings = false;
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

}  // namespace ctai
