#pragma once
// What every workload file of ctai_bench shares: the cohort it runs on (Context g, from
// DIR/meta.json), the failure helpers (a wrong answer exits with status 2) and the store
// opened on the cohort file. Each workload file (w1_load.cpp, w2_journeys.cpp,
// w3_report.cpp, w4_windows.cpp, w5_eligibility.cpp) exposes check_wN() and
// register_wN(); main.cpp runs the checks, then registers and runs the benchmarks.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <ctai/ctai.hpp>

namespace bench {

namespace fs = std::filesystem;
using ctai::Date;

// --- Failure ------------------------------------------------------------------------------
/// Prints "WRONG ANSWER: what" and exits with status 2.
[[noreturn]] void fail(const std::string& what);
inline void expect(bool ok, const std::string& what) {
    if (!ok) fail(what);
}
/// A number with 10 significant digits (for messages).
std::string num(double v);

// --- The cohort ---------------------------------------------------------------------------
struct Context {
    fs::path dir;
    nlohmann::json meta;
    ctai::ContractId contract;
    Date from, to, on;
    std::size_t persons = 0;
    fs::path db() const { return dir / "store.db"; }
    fs::path folder() const { return dir / "exchange"; }
    fs::path scratch(const char* name) const { return dir / "scratch" / name; }
};

/// The cohort of this run (set by main from DIR/meta.json).
extern Context g;

/// Removes a SQLite file and its -wal, -shm and -journal companions.
void remove_db(const fs::path& p);

/// The cohort store, opened (must exist).
ctai::Store open_store();

/// items_processed and the "rows" counter of a benchmark over `rows` rows.
void set_rows(benchmark::State& state, std::size_t rows);

// --- The workloads (one file each) ----------------------------------------------------------
void check_w1();     // w1_load.cpp: bulk load of the exchange folder
void register_w1();
void check_w2();     // w2_journeys.cpp: journey-length statistics, warm and cold
void register_w2();
void check_w3_w7();  // w3_report.cpp: the report (W3) and open + report + JSON (W7)
void register_w3();
void register_w7();
void check_w4();     // w4_windows.cpp: window membership for every person
void register_w4();
void check_w5();     // w5_eligibility.cpp: point and batch eligibility checks
void register_w5();

}  // namespace bench
