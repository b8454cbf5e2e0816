// ctai_bench: Google Benchmark harness of libctai's C++ workloads against their floors
// (docs/performance.md, /work/shared/spec/performance.md).
//
//   ctai_bench --data DIR [--check-only] [--only W1,W2,...] [google benchmark flags]
//
// DIR is a cohort written by ctai_cohort (DIR/store.db, DIR/exchange/, DIR/meta.json).
// Every workload first checks its answer (libctai's and the floor's) against a slow
// reference and aborts (exit 2) when it is wrong; --check-only runs the checks only (CI
// smoke test). The floors use the raw SQLite C API (sqlite3.h): that is bench code, not
// the library.
//
// One file per workload (w1_load.cpp ... w5_eligibility.cpp; W7 with W3 in w3_report.cpp),
// the shared cohort context in common.hpp and the one raw-SQLite helper in raw_sqlite.hpp.

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"

using namespace bench;

namespace {

Date parse(const nlohmann::json& j, const char* key) { return ctai::parse_date(j.at(key).get<std::string>()); }

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> rest{argv[0]};
    bool check_only = false;
    std::string only;
    fs::path data;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--data" && i + 1 < argc) data = argv[++i];
        else if (a == "--check-only") check_only = true;
        else if (a == "--only" && i + 1 < argc) only = argv[++i];
        else rest.push_back(argv[i]);
    }
    if (data.empty()) {
        std::cerr << "usage: ctai_bench --data DIR [--check-only] [--only W1,W2,...] "
                     "[--benchmark_* flags]\n";
        return 1;
    }
    auto wanted = [&](const char* w) { return only.empty() || only.find(w) != std::string::npos; };
    try {
        g.dir = data;
        std::ifstream in(data / "meta.json");
        g.meta = nlohmann::json::parse(in);
        g.contract = ctai::ContractId(g.meta.at("contract").get<std::string>());
        g.from = parse(g.meta, "from");
        g.to = parse(g.meta, "to");
        g.on = g.to;
        g.persons = g.meta.at("persons").get<std::size_t>();
        fs::create_directories(data / "scratch");

        // Correctness first: every workload's answer against its slow reference.
        auto timed = [](const char* what, const std::function<void()>& f) {
            const auto t0 = std::chrono::steady_clock::now();
            f();
            std::cerr << "check " << what << " ok ("
                      << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
                      << " s)\n";
        };
        if (wanted("W4")) timed("W4", check_w4);
        if (wanted("W2")) timed("W2", check_w2);
        if (wanted("W1")) timed("W1", check_w1);
        if (wanted("W3") || wanted("W7")) timed("W3/W7", check_w3_w7);
        if (wanted("W5")) timed("W5", check_w5);
        if (check_only) {
            std::cerr << "all checks passed\n";
            return 0;
        }

        if (wanted("W4")) register_w4();
        if (wanted("W2")) register_w2();
        if (wanted("W1")) register_w1();
        if (wanted("W3")) register_w3();
        if (wanted("W5")) register_w5();
        if (wanted("W7")) register_w7();
        int bargc = static_cast<int>(rest.size());
        benchmark::Initialize(&bargc, rest.data());
        if (benchmark::ReportUnrecognizedArguments(bargc, rest.data())) return 1;
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        fs::remove_all(data / "scratch");
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ctai_bench: " << e.what() << "\n";
        return 3;
    }
}
