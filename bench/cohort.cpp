// ctai_cohort: writes a deterministic synthetic cohort for the benchmarks
// (docs/performance.md, /work/shared/spec/performance.md).
//
//   ctai_cohort --size S|M|L | --persons N  --out DIR [--seed N] [--contract ID] [--quiet]
//       DIR/store.db      the cohort written with the public put_* upserts, one transaction
//       DIR/exchange/     the same data exported as an exchange folder (export_dir)
//       DIR/meta.json     sizes, dates and the time each step took
//   ctai_cohort --report DB --contract ID
//       a cold-process report (W7): opens DB, build_report, to_json, prints it to stdout;
//       the time taken goes to stderr.
//
// Uses the library's public API only.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <ctai/ctai.hpp>
#include <ctai/synthetic.hpp>

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

[[noreturn]] void usage(const char* message) {
    std::cerr << "ctai_cohort: " << message << "\n"
              << "usage: ctai_cohort (--size S|M|L | --persons N) --out DIR [--seed N] "
                 "[--contract ID] [--quiet]\n"
                 "       ctai_cohort --report DB --contract ID\n";
    std::exit(1);
}

std::size_t persons_of_size(std::string_view size) {
    if (size == "S" || size == "s") return 10'000;
    if (size == "M" || size == "m") return 100'000;
    if (size == "L" || size == "l") return 1'000'000;
    usage("--size must be S, M or L");
}

std::string json_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

int run_report(const fs::path& db, const std::string& contract) {
    const auto t0 = std::chrono::steady_clock::now();
    ctai::StoreOptions options;
    options.must_exist = true;
    auto store = ctai::Store::open(db, options);
    const auto report = ctai::build_report(store, ctai::ContractId(contract));
    const std::string json = ctai::to_json(report);
    std::fwrite(json.data(), 1, json.size(), stdout);
    std::fputc('\n', stdout);
    std::cerr << "report_seconds " << seconds_since(t0) << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t persons = 0;
    std::uint64_t seed = 20231015;
    std::string contract = "dijon-2023-2024";
    fs::path out;
    fs::path report_db;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (arg == "--size") persons = persons_of_size(value());
        else if (arg == "--persons") persons = std::stoul(value());
        else if (arg == "--seed") seed = std::stoull(value());
        else if (arg == "--contract") contract = value();
        else if (arg == "--out") out = value();
        else if (arg == "--report") report_db = value();
        else if (arg == "--quiet") quiet = true;
        else usage("unknown argument");
    }
    try {
        if (!report_db.empty()) return run_report(report_db, contract);
        if (persons == 0 || out.empty()) usage("--size/--persons and --out are required");

        fs::create_directories(out);
        const fs::path db = out / "store.db";
        const fs::path folder = out / "exchange";
        for (const auto& p : {db, fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm")})
            fs::remove(p);
        fs::remove_all(folder);

        auto t0 = std::chrono::steady_clock::now();
        ctai::CohortOptions options;
        options.seed = seed;
        options.persons = persons;
        options.contract = ctai::ContractId(contract);
        const ctai::Dataset data = ctai::generate_cohort(options);
        const double generate_s = seconds_since(t0);
        if (!quiet) std::cerr << "generated " << persons << " persons in " << generate_s << " s\n";

        t0 = std::chrono::steady_clock::now();
        {
            auto store = ctai::Store::open(db);
            auto tx = store.transaction("benchmark cohort");
            for (const auto& c : data.cases) store.put_case(c);
            for (const auto& a : data.agir) store.put_agir_support(a);
            for (const auto& r : data.referrals) store.put_referral(r);
            for (const auto& j : data.journeys) store.put_journey(j);
            for (const auto& a : data.activities) store.put_activity(a);
            for (const auto& p : data.participations) store.put_participation(p);
            for (const auto& v : data.volunteering) store.put_volunteering(v);
            for (const auto& h : data.housing) store.put_housing_move(h);
            for (const auto& p : data.partnerships) store.put_partnership(p);
            for (const auto& c : data.costs) store.put_cost(c);
            tx.commit();
        }
        const double store_s = seconds_since(t0);
        if (!quiet) std::cerr << "wrote " << db << " in " << store_s << " s\n";

        t0 = std::chrono::steady_clock::now();
        {
            ctai::StoreOptions so;
            so.must_exist = true;
            const auto store = ctai::Store::open(db, so);
            ctai::export_dir(store, folder);
        }
        const double export_s = seconds_since(t0);
        if (!quiet) std::cerr << "exported " << folder << " in " << export_s << " s\n";

        std::size_t permits = 0, protections = 0, situations = 0, steps = 0, open = 0, feb29 = 0;
        for (const auto& c : data.cases) {
            permits += c.permits.size();
            protections += c.protections.size();
            situations += c.situations.size();
            for (const auto& p : c.permits)
                if (p.valid_from.month() == 2 && p.valid_from.day() == 29) ++feb29;
        }
        for (const auto& j : data.journeys) {
            steps += j.steps.size();
            if (j.open()) ++open;
        }
        const auto& k = ctai::builtin_contract(contract);
        std::ofstream meta(out / "meta.json");
        meta << "{\n  \"persons\": " << data.cases.size() << ",\n  \"seed\": " << seed
             << ",\n  \"contract\": \"" << json_escape(contract) << "\",\n  \"from\": \""
             << ctai::to_iso(k.start) << "\",\n  \"to\": \"" << ctai::to_iso(k.end)
             << "\",\n  \"rows\": {\"persons\": " << data.cases.size()
             << ", \"permits\": " << permits << ", \"protections\": " << protections
             << ", \"situations\": " << situations << ", \"journeys\": " << data.journeys.size()
             << ", \"steps\": " << steps << ", \"agir\": " << data.agir.size()
             << ", \"referrals\": " << data.referrals.size()
             << ", \"activities\": " << data.activities.size()
             << ", \"participations\": " << data.participations.size()
             << ", \"volunteering\": " << data.volunteering.size()
             << ", \"housing\": " << data.housing.size()
             << ", \"partnerships\": " << data.partnerships.size()
             << ", \"costs\": " << data.costs.size() << "},\n  \"open_journeys\": " << open
             << ",\n  \"permits_from_feb29\": " << feb29 << ",\n  \"seconds\": {\"generate\": "
             << generate_s << ", \"store\": " << store_s << ", \"export\": " << export_s
             << "}\n}\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "ctai_cohort: " << e.what() << "\n";
        return 2;
    }
}
