// Crash safety and concurrency across processes (fork): a writer killed with SIGKILL in the
// middle of a big transaction leaves a sound file without any of its batch; two processes
// writing at once lose nothing (WAL, BEGIN IMMEDIATE, busy timeout).
#include <ctai/store.hpp>

#include <csignal>
#include <cstdlib>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::spawn;
using ctai::test::wait_exit_code;
using ctai::test::TempDir;

PersonCase numbered(const std::string& prefix, int i) {
    auto c = ctai::test::primo(prefix + std::to_string(i));
    return c;
}

TEST(StoreProcess, WriterKilledMidTransactionLeavesASoundFileWithoutItsBatch) {
    TempDir dir;
    const auto file = dir.file("crash.db");
    {
        auto store = Store::open(file);
        store.put_case(ctai::test::refugee("P-BEFORE"));
    }
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = spawn([&] {
        ::close(ready[0]);
        auto store = Store::open(file);
        auto tx = store.transaction("big batch");
        for (int i = 0; i < 5000; ++i) {
            store.put_case(numbered("P-BATCH-", i));
            if (i == 2500) {
                // Tell the parent we are in the middle of the batch, then keep writing.
                const char byte = 'x';
                if (::write(ready[1], &byte, 1) != 1) std::_Exit(2);
            }
        }
        ::pause();  // never commits
    });
    ASSERT_GT(child, 0);
    ::close(ready[1]);
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ::close(ready[0]);
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));

    auto store = Store::open(file);
    EXPECT_EQ(store.integrity_check(), "ok");
    EXPECT_EQ(store.person_ids(), std::vector<PersonId>{PersonId{"P-BEFORE"}});
    AuditQuery q;
    q.entity = "case";
    EXPECT_EQ(store.audit_log(q).size(), 1u);
    // And the file is writable again (no stale lock).
    EXPECT_TRUE(store.put_case(ctai::test::primo("P-AFTER")));
}

TEST(StoreProcess, TwoProcessesWritingAtOnceLoseNothing) {
    TempDir dir;
    const auto file = dir.file("concurrent.db");
    { auto store = Store::open(file); }
    constexpr int per_child = 150;
    auto writer = [&](const std::string& prefix) {
        return [&file, prefix] {
            auto store = Store::open(file);
            for (int i = 0; i < per_child; ++i) {
                // Small transactions interleave with the other process's.
                auto tx = store.transaction();
                store.put_case(numbered(prefix, i));
                tx.commit();
            }
        };
    };
    const pid_t a = spawn(writer("P-A-"));
    const pid_t b = spawn(writer("P-B-"));
    ASSERT_GT(a, 0);
    ASSERT_GT(b, 0);
    EXPECT_EQ(wait_exit_code(a), 0);
    EXPECT_EQ(wait_exit_code(b), 0);
    auto store = Store::open(file);
    EXPECT_EQ(store.person_count(), 2 * per_child);
    EXPECT_EQ(store.audit_log().size(), static_cast<std::size_t>(2 * per_child));
    EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(StoreProcess, TwoProcessesCreatingTheSameNewFileBothSucceed) {
    TempDir dir;
    const auto file = dir.file("race.db");
    auto opener = [&file] {
        auto store = Store::open(file);
        if (store.schema_version() != Store::latest_schema_version()) throw 1;
    };
    const pid_t a = spawn(opener);
    const pid_t b = spawn(opener);
    EXPECT_EQ(wait_exit_code(a), 0);
    EXPECT_EQ(wait_exit_code(b), 0);
    auto store = Store::open(file);
    EXPECT_EQ(store.integrity_check(), "ok");
}

}  // namespace
