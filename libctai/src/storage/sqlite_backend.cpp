// The SQLite engine behind the Backend seam (backend.hpp): BEGIN IMMEDIATE and named
// savepoints, PRAGMA data_version and the connection's total changes, the audit insert,
// sqlite3_db_release_memory. Cached prepared statements: a bulk import opens one savepoint
// per write.

#include <memory>
#include <string>

#include <sqlite3.h>

#include "storage/backend.hpp"
#include "storage/store_impl.hpp"

namespace ctai::detail {
namespace {

class SqliteBackend final : public Backend {
public:
    explicit SqliteBackend(StoreImpl& impl) : impl_(impl) {}

    std::string_view engine() const noexcept override { return "sqlite"; }

    void begin(int level) override {
        if (level == 1)
            impl_.query("BEGIN IMMEDIATE").exec();
        else
            impl_.query(impl_.savepoint_sql("SAVEPOINT", level)).exec();
    }

    void commit(int level) override {
        if (level == 1)
            impl_.query("COMMIT").exec();
        else
            impl_.query(impl_.savepoint_sql("RELEASE", level)).exec();
    }

    void rollback(int level) noexcept override {
        if (level == 1) {
            impl_.db->tryExec("ROLLBACK");
        } else {
            const auto name = "ctai_" + std::to_string(level);
            impl_.db->tryExec(("ROLLBACK TO " + name + "; RELEASE " + name).c_str());
        }
    }

    std::int64_t data_version() override {
        auto q = impl_.query("PRAGMA data_version");
        q.step();
        return q.i64(0);
    }

    std::int64_t own_changes() const noexcept override { return impl_.db->getTotalChanges(); }

    void append_audit(const AuditRecord& r) override {
        impl_.query("INSERT INTO audit_log (at, actor, entity, entity_id, person_id, operation, "
                    "change, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(r.at, r.actor, r.entity, r.entity_id, r.person, r.operation, r.change, r.reason)
            .exec();
    }

    void release_memory() noexcept override { sqlite3_db_release_memory(impl_.db->getHandle()); }

private:
    StoreImpl& impl_;
};

}  // namespace

std::unique_ptr<Backend> make_sqlite_backend(StoreImpl& impl) {
    return std::make_unique<SqliteBackend>(impl);
}

}  // namespace ctai::detail
