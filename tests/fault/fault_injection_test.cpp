// Fault injection under SQLite (issue #21, docs/reliability.md): for every N across an
// import, a report and an anonymisation, the Nth write, sync or allocation fails; the
// store must then be at its old state or at its new state, never between, and
// `PRAGMA integrity_check` must say "ok". The way SQLite tests itself: its I/O error and
// out-of-memory loops (test/ioerr.test, malloc.test), here over libctai's own operations.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <ctai/ctai.hpp>
#include <ctai/synthetic.hpp>

#include "fault_vfs.hpp"

namespace fs = std::filesystem;
namespace fault = ctai::test::fault;
using namespace ctai;

namespace {

// Which N to try. Every N up to half the budget, then evenly spaced N up to the number of
// operations the clean run made, so that a sweep is bounded whatever the operation's size.
// The budget is 200 runs per sweep, CTAI_FAULT_BUDGET=n sets another (the sanitizer build
// of scripts/test.sh uses a smaller one), CTAI_FAULT_EXHAUSTIVE=1 tries every N
// (docs/reliability.md: longer local runs).
std::vector<std::int64_t> fault_points(std::int64_t total) {
    std::vector<std::int64_t> out;
    std::int64_t budget = 200;
    if (const char* b = std::getenv("CTAI_FAULT_BUDGET")) budget = std::max<std::int64_t>(2, std::atoll(b));
    if (std::getenv("CTAI_FAULT_EXHAUSTIVE")) budget = total;
    const std::int64_t dense = std::min(total, budget / 2 > 0 ? budget / 2 : total);
    for (std::int64_t n = 1; n <= dense; ++n) out.push_back(n);
    const std::int64_t rest = total - dense, spaced = budget - dense;
    for (std::int64_t i = 1; i <= spaced && rest > 0; ++i) {
        const std::int64_t n = dense + (rest * i) / spaced;
        if (n > out.back()) out.push_back(n);
    }
    return out;
}

class Scratch {
public:
    Scratch() {
        std::random_device rd;
        dir_ = fs::temp_directory_path() / ("ctai-fault-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(dir_);
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

// The data of a store file as a hash (the fingerprint cache is dropped first with the raw
// C API, so the hash is computed from the tables themselves), after checking its integrity.
std::string state_of(const fs::path& db) {
    {
        sqlite3* raw = nullptr;
        EXPECT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(raw, "DELETE FROM fingerprint_cache", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(raw);
    }
    StoreOptions options;
    options.must_exist = true;
    auto store = Store::open(db, options);
    EXPECT_EQ(store.integrity_check(), "ok");
    return store.fingerprint().sha256;
}

void copy_store(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(to.string() + suffix, ec);
    fs::copy_file(from, to);
}

struct SweepResult {
    std::int64_t operations = 0;  // operations of the kind in a clean run
    std::int64_t runs = 0;        // faulty runs tried
    std::int64_t failed = 0;      // runs where the operation reported an error
};

// Opens a copy of `base` at `work` and runs `op` on it; whether it threw.
bool run_on_copy(const fs::path& base, const fs::path& work, const std::function<void(Store&)>& op) {
    copy_store(base, work);
    try {
        StoreOptions options;
        options.must_exist = true;
        auto store = Store::open(work, options);
        op(store);
    } catch (const std::exception&) {
        // Every failure must surface as an exception (StorageError, or an ImportError
        // listing the storage failure): never a crash, never silence.
        return true;
    }
    return false;
}

// Runs `op` on fresh copies of `base`: once without fault to count the operations of
// `kind` it makes (opening and closing the store included: closing writes too), then with
// the Nth of them failing for every N of fault_points(). After each run the fault is
// disarmed and the file checked: integrity ok, data at the old or the new state, and at
// the old one when the operation reported a failure. `check_new`, when given, replaces the
// comparison with `new_state` (operations whose result is not deterministic).
SweepResult sweep(const fs::path& base, const fs::path& work, fault::Kind kind,
                  fault::Persistence persistence, const std::string& old_state,
                  const std::string& new_state, const std::function<void(Store&)>& op) {
    SweepResult r;
    fault::arm(kind, std::numeric_limits<std::int64_t>::max());
    EXPECT_FALSE(run_on_copy(base, work, op));
    r.operations = fault::count(kind);
    fault::disarm();
    for (const std::int64_t n : fault_points(r.operations)) {
        fault::arm(kind, n, persistence);
        const bool failed = run_on_copy(base, work, op);
        const bool fired = fault::disarm();
        const std::string state = state_of(work);
        const bool at_old = state == old_state;
        const bool at_new = state == new_state;
        EXPECT_TRUE(at_old || at_new) << "N=" << n << ": the store is neither at its old nor its new state";
        if (failed) {
            EXPECT_TRUE(at_old) << "N=" << n << ": the operation failed but its writes stayed";
        }
        if (!fired) {
            EXPECT_FALSE(failed) << "N=" << n << ": failed without a fault";
        }
        ++r.runs;
        r.failed += failed;
        if (::testing::Test::HasFailure()) break;
    }
    return r;
}

class FaultInjection : public ::testing::Test {
protected:
    void SetUp() override {
        // The old state: a store holding a synthetic cohort; the update: the same folder
        // with every other person's département and last contact changed, permits
        // dropped for some (child rows replaced), and new persons added.
        base_ = scratch_.dir() / "base.db";
        work_ = scratch_.dir() / "work.db";
        CohortOptions a;
        a.seed = 11;
        a.persons = 40;
        Dataset data = generate_cohort(a);
        write_exchange_dir(data, scratch_.dir() / "a");
        const std::size_t n = data.cases.size();
        for (std::size_t i = 0; i < n; i += 2) {
            data.cases[i].person.department = "75";
            data.cases[i].person.last_contact = Date{2024, 9, 30};
            // Only for persons without journeys: an import that would leave a stored
            // journey breaking R7 is refused (issue #21).
            const bool has_journey = std::any_of(data.journeys.begin(), data.journeys.end(), [&](const Journey& j) {
                return j.person_id == data.cases[i].person.id;
            });
            if (i % 4 == 0 && !has_journey) data.cases[i].permits.clear();
        }
        for (std::size_t i = 0; i < 15; ++i) {
            PersonCase added = data.cases[i];
            added.person.id = PersonId{"Q" + std::to_string(1000 + i)};
            added.person.household_id.reset();
            added.person.rejoining_family_of.reset();
            data.cases.push_back(std::move(added));
        }
        write_exchange_dir(data, scratch_.dir() / "b");
        {
            auto store = Store::open(base_);
            import_dir(store, scratch_.dir() / "a");
        }
        old_state_ = state_of(base_);
    }

    std::string clean_run(const std::function<void(Store&)>& op) {
        const fs::path ref = scratch_.dir() / "ref.db";
        copy_store(base_, ref);
        {
            auto store = Store::open(ref);
            op(store);
        }
        return state_of(ref);
    }

    Scratch scratch_;
    fs::path base_, work_;
    std::string old_state_;
};

TEST_F(FaultInjection, ImportIsAllOrNothingWhateverWriteOrSyncFails) {
    const auto op = [&](Store& s) { import_dir(s, scratch_.dir() / "b"); };
    const std::string new_state = clean_run(op);
    ASSERT_NE(new_state, old_state_);
    for (auto persistence : {fault::Persistence::sticky, fault::Persistence::once}) {
        const auto r = sweep(base_, work_, fault::Kind::io, persistence, old_state_, new_state, op);
        EXPECT_GT(r.operations, 10) << "the import wrote too little for the sweep to mean anything";
        EXPECT_GT(r.failed, 0);
        if (HasFailure()) return;
    }
}

TEST_F(FaultInjection, ImportIsAllOrNothingWhateverAllocationFails) {
    const auto op = [&](Store& s) { import_dir(s, scratch_.dir() / "b"); };
    const std::string new_state = clean_run(op);
    const auto r = sweep(base_, work_, fault::Kind::alloc, fault::Persistence::once, old_state_,
                         new_state, op);
    EXPECT_GT(r.operations, 100);
    EXPECT_GT(r.failed, 0);
}

TEST_F(FaultInjection, ReportNeverChangesTheDataWhateverFails) {
    std::optional<std::string> reference;
    {
        const fs::path ref = scratch_.dir() / "ref.db";
        copy_store(base_, ref);
        auto store = Store::open(ref);
        reference = to_json(build_report(store, ContractId{"dijon-2023-2024"}));
    }
    const auto op = [&](Store& s) {
        const auto json = to_json(build_report(s, ContractId{"dijon-2023-2024"}));
        EXPECT_EQ(json, *reference) << "a report that completes under faults gives the same figures";
    };
    for (auto kind : {fault::Kind::io, fault::Kind::alloc}) {
        sweep(base_, work_, kind, fault::Persistence::once, old_state_, old_state_, op);
        if (HasFailure()) return;
    }
}

TEST_F(FaultInjection, AnonymisationIsAllOrNothingWhateverFails) {
    const Date today{2042, 6, 1};  // every case file of the cohort is past retention then
    const auto op = [&](Store& s) { s.anonymize_expired(today); };
    // Anonymisation draws random ids: two clean runs differ in the ids only. What must hold
    // is that a run is either not applied at all or fully applied: the number of persons
    // still to anonymise is all of them or none.
    const fs::path ref = scratch_.dir() / "ref.db";
    copy_store(base_, ref);
    std::size_t before = 0;
    {
        auto store = Store::open(ref);
        before = store.retention_candidates(today).size();
    }
    ASSERT_GT(before, 0u);
    for (auto kind : {fault::Kind::io, fault::Kind::alloc}) {
        fault::arm(kind, std::numeric_limits<std::int64_t>::max());
        ASSERT_FALSE(run_on_copy(base_, work_, op));
        const auto operations = fault::count(kind);
        fault::disarm();
        for (const std::int64_t n : fault_points(operations)) {
            fault::arm(kind, n, fault::Persistence::once);
            const bool failed = run_on_copy(base_, work_, op);
            const bool fired = fault::disarm();
            const std::string state = state_of(work_);
            auto store = Store::open(work_);
            const auto left = store.retention_candidates(today).size();
            if (failed) {
                EXPECT_EQ(state, old_state_) << "N=" << n;
                EXPECT_EQ(left, before) << "N=" << n;
            } else {
                EXPECT_EQ(left, 0u) << "N=" << n;
            }
            if (!fired) {
                EXPECT_FALSE(failed) << "N=" << n;
            }
            if (HasFailure()) return;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    // Before any SQLite connection: the fault VFS becomes the default and SQLite's
    // allocator is wrapped.
    fault::install();
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
