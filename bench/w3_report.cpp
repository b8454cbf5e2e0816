// W3 / W7: the report. W3: build_report on an open store holding its data, and reading
// the data inside the call; W7: open + report + JSON, with its parts. The public table is
// checked against ctai::evaluate per person.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "common.hpp"

namespace bench {
namespace {

struct BpiCells {
    std::int64_t total = 0, men = 0, women = 0, bpi = 0, bpi_men = 0, bpi_women = 0;
    friend bool operator==(const BpiCells&, const BpiCells&) = default;
};

std::string describe(const BpiCells& c) {
    return "total=" + std::to_string(c.total) + " men=" + std::to_string(c.men) +
           " women=" + std::to_string(c.women) + " bpi=" + std::to_string(c.bpi) +
           " bpi_men=" + std::to_string(c.bpi_men) + " bpi_women=" + std::to_string(c.bpi_women);
}

// Slow reference of the public table: per person, the scalar rules (ctai::evaluate) at the
// entry of their first journey in the action overlapping the period (docs/reports.md).
std::map<int, BpiCells> w3_reference(const ctai::Store& store, Date from, Date to) {
    std::map<std::string, ctai::PersonCase> cases;
    for (auto& c : store.all_cases()) cases.emplace(c.person.id.str(), std::move(c));
    std::map<std::pair<int, std::string>, Date> first_entry;
    for (const auto& j : store.all_journeys()) {
        if (j.contract_id != g.contract) continue;
        if (j.entry_date > to || (j.exit_date && *j.exit_date < from)) continue;
        auto key = std::make_pair(j.action, j.person_id.str());
        auto it = first_entry.find(key);
        if (it == first_entry.end()) first_entry.emplace(key, j.entry_date);
        else it->second = std::min(it->second, j.entry_date);
    }
    std::map<int, BpiCells> out;
    const auto& policy = store.policy();
    for (const auto& [key, ref] : first_entry) {
        const auto& c = cases.at(key.second);
        const ctai::PersonCase* family = nullptr;
        if (c.person.rejoining_family_of) {
            auto f = cases.find(c.person.rejoining_family_of->str());
            if (f != cases.end()) family = &f->second;
        }
        const auto e = ctai::evaluate(c, ref, policy, family);
        auto& cell = out[key.first];
        if (!e.public_category) continue;
        const bool man = c.person.sex == ctai::Sex::male, woman = c.person.sex == ctai::Sex::female;
        ++cell.total;
        cell.men += man;
        cell.women += woman;
        if (*e.public_category == ctai::PublicCategory::bpi) {
            ++cell.bpi;
            cell.bpi_men += man;
            cell.bpi_women += woman;
        }
    }
    return out;
}

std::map<int, BpiCells> cells_of(const ctai::Report& r) {
    std::map<int, BpiCells> out;
    for (const auto& a : r.actions) {
        auto v = [&](const char* key) {
            return static_cast<std::int64_t>(a.cell(key).realised.value_or(0));
        };
        BpiCells c{v("total"), v("men"), v("women"), v("bpi"), v("bpi_men"), v("bpi_women")};
        if (c != BpiCells{}) out[a.number] = c;
    }
    return out;
}

void w3_check() {
    auto store = open_store();
    const auto report = ctai::build_report(store, g.contract);
    auto ref = w3_reference(store, report.from, report.to);
    std::erase_if(ref, [](const auto& kv) { return kv.second == BpiCells{}; });
    const auto mine = cells_of(report);
    for (const auto& [a, c] : ref) {
        auto it = mine.find(a);
        if (it == mine.end() || it->second != c)
            fail("W3 build_report action " + std::to_string(a) + ": " +
                 (it == mine.end() ? std::string("missing") : describe(it->second)) +
                 " reference: " + describe(c));
    }
    expect(mine.size() == ref.size(), "W3 build_report: actions with people differ from the reference");
    const auto json = ctai::to_json(report);
    expect(nlohmann::json::parse(json).at("contract") == g.contract.str(), "W7 to_json: contract");
}

void BM_W3_build_report(benchmark::State& state) {
    auto store = open_store();
    // Warm: the first report reads the contract's data and the cases, which the Store then
    // keeps (the timed loop measures the report over data already in memory; the cost of
    // reading is W3/ctai_build_report_reading and W7).
    benchmark::DoNotOptimize(ctai::build_report(store, g.contract));
    for (auto _ : state) benchmark::DoNotOptimize(ctai::build_report(store, g.contract));
    state.counters["persons"] = static_cast<double>(g.persons);
}

// The same, reading the contract's rows and every case inside each call (the Store's
// snapshots dropped first): what a report costs when the data has just changed.
void BM_W3_build_report_reading(benchmark::State& state) {
    auto store = open_store();
    for (auto _ : state) {
        store.drop_case_snapshot();
        benchmark::DoNotOptimize(ctai::build_report(store, g.contract));
    }
    state.counters["persons"] = static_cast<double>(g.persons);
}

// W7 in process: open the store, build the report, render JSON.
void BM_W7_report_json(benchmark::State& state) {
    for (auto _ : state) {
        auto store = open_store();
        benchmark::DoNotOptimize(ctai::to_json(ctai::build_report(store, g.contract)));
    }
    state.counters["persons"] = static_cast<double>(g.persons);
}

// The parts of a report, to locate its cost.
void BM_W7_part_fingerprint(benchmark::State& state) {
    auto store = open_store();
    for (auto _ : state) benchmark::DoNotOptimize(store.fingerprint());
}

void BM_W7_part_eligibility_table(benchmark::State& state) {
    auto store = open_store();
    for (auto _ : state) benchmark::DoNotOptimize(store.eligibility_table(g.to));
}

void BM_W7_part_all_cases(benchmark::State& state) {
    auto store = open_store();
    for (auto _ : state) benchmark::DoNotOptimize(store.all_cases());
}

void BM_W7_part_case_snapshot(benchmark::State& state) {
    auto store = open_store();
    for (auto _ : state) {
        store.drop_case_snapshot();
        benchmark::DoNotOptimize(store.case_snapshot());
    }
}

}  // namespace

void check_w3_w7() { w3_check(); }

void register_w3() {
    using benchmark::kMillisecond;
    benchmark::RegisterBenchmark("W3/ctai_build_report", BM_W3_build_report)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W3/ctai_build_report_reading", BM_W3_build_report_reading)->Unit(kMillisecond);
}

void register_w7() {
    using benchmark::kMillisecond;
    benchmark::RegisterBenchmark("W7/part_case_snapshot", BM_W7_part_case_snapshot)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W7/ctai_open_report_json", BM_W7_report_json)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W7/part_fingerprint", BM_W7_part_fingerprint)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W7/part_eligibility_table", BM_W7_part_eligibility_table)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W7/part_all_cases", BM_W7_part_all_cases)->Unit(kMillisecond);
}

}  // namespace bench
