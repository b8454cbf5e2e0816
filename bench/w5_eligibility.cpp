// W5 in C++: point eligibility checks (10^5 random (person, date) pairs) and the same as
// one batch call, checked against ctai::evaluate on the case read back from the store.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"

namespace bench {
namespace {

// W5 in C++: point checks (10^5 random pairs) and the same as one batch call. The pairs are
// the same for every variant; the answers are checked against ctai::evaluate on the case
// read back from the store.
struct W5Pairs {
    std::vector<ctai::PersonId> ids;
    std::vector<Date> dates;
};

const W5Pairs& w5_pairs() {
    static const W5Pairs pairs = [] {
        auto store = open_store();
        const auto all = store.person_ids();
        W5Pairs p;
        std::uint64_t x = 42;
        auto next = [&] {  // splitmix64: deterministic, no dependency on the library's PRNG
            x += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            return z ^ (z >> 31);
        };
        const std::size_t k = std::min<std::size_t>(100'000, 10 * all.size());
        for (std::size_t i = 0; i < k; ++i) {
            p.ids.push_back(all[next() % all.size()]);
            p.dates.push_back(Date::from_days(g.from.days() + static_cast<std::int32_t>(next() % 366)));
        }
        return p;
    }();
    return pairs;
}

void w5_check() {
    auto store = open_store();
    const auto& p = w5_pairs();
    const auto batch = store.eligibility_for(p.ids, p.dates);
    expect(batch.size() == p.ids.size(), "W5 eligibility_for: row count");
    for (std::size_t i = 0; i < std::min<std::size_t>(p.ids.size(), 3000); ++i) {
        const ctai::PersonCase c = store.person_case(p.ids[i]);
        std::optional<ctai::PersonCase> family;
        if (c.person.rejoining_family_of)
            if (store.find_person(*c.person.rejoining_family_of))
                family = store.person_case(*c.person.rejoining_family_of);
        const auto ref = ctai::evaluate(c, p.dates[i], store.policy(), family ? &*family : nullptr);
        const auto point = store.eligibility(p.ids[i], p.dates[i]);
        expect(point.bpi == ref.bpi && point.agir == ref.agir && point.primo_arrivant == ref.primo_arrivant &&
                   point.public_category == ref.public_category && point.reasons == ref.reasons,
               "W5 Store::eligibility differs from evaluate() on person " + p.ids[i].str());
        expect(batch.bpi[i] == (ref.bpi ? 1 : 0) && batch.agir[i] == (ref.agir ? 1 : 0) &&
                   batch.primo_arrivant[i] == (ref.primo_arrivant ? 1 : 0),
               "W5 Store::eligibility_for differs from evaluate() on row " + std::to_string(i));
    }
}

// Point reads from the file (no snapshot: dropped before each call).
void BM_W5_point_reads(benchmark::State& state) {
    auto store = open_store();
    const auto& p = w5_pairs();
    std::size_t i = 0;
    for (auto _ : state) {
        store.drop_case_snapshot();
        benchmark::DoNotOptimize(store.eligibility(p.ids[i], p.dates[i]));
        if (++i == p.ids.size()) i = 0;
    }
}

// Point checks with the case snapshot held (built before timing).
void BM_W5_point_snapshot(benchmark::State& state) {
    auto store = open_store();
    (void)store.case_snapshot();
    const auto& p = w5_pairs();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(store.eligibility(p.ids[i], p.dates[i]));
        if (++i == p.ids.size()) i = 0;
    }
}

// The whole loop of point checks on a freshly opened store: the store decides when to build
// its snapshot (Store::eligibility's documented policy), and pays for it inside the loop.
void BM_W5_point_loop_cold(benchmark::State& state) {
    const auto& p = w5_pairs();
    for (auto _ : state) {
        auto store = open_store();
        for (std::size_t i = 0; i < p.ids.size(); ++i)
            benchmark::DoNotOptimize(store.eligibility(p.ids[i], p.dates[i]));
    }
    state.counters["calls"] = static_cast<double>(p.ids.size());
}

// One batch call, snapshot held / built inside the call.
void BM_W5_batch_snapshot(benchmark::State& state) {
    auto store = open_store();
    (void)store.case_snapshot();
    const auto& p = w5_pairs();
    for (auto _ : state) benchmark::DoNotOptimize(store.eligibility_for(p.ids, p.dates));
    state.counters["calls"] = static_cast<double>(p.ids.size());
}

// The batch kernel: (index, day) pairs in, one Verdict per pair out, the snapshot held and
// the ids resolved to indexes beforehand (CaseSnapshot::find is the lookup).
void BM_W5_verdicts(benchmark::State& state) {
    auto store = open_store();
    const auto snap = store.case_snapshot();
    const auto& p = w5_pairs();
    std::vector<std::uint32_t> index;
    std::vector<std::int32_t> days;
    for (std::size_t i = 0; i < p.ids.size(); ++i) {
        index.push_back(snap->find(p.ids[i].str()));
        days.push_back(p.dates[i].days());
    }
    std::vector<ctai::Verdict> out(index.size());
    snap->verdicts(index, days, out);
    for (std::size_t i = 0; i < std::min<std::size_t>(index.size(), 3000); ++i)
        expect(out[i].is(ctai::Verdict::bpi) == store.eligibility(p.ids[i], p.dates[i]).bpi,
               "W5 verdicts differ from Store::eligibility on row " + std::to_string(i));
    for (auto _ : state) {
        snap->verdicts(index, days, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["calls"] = static_cast<double>(index.size());
}

void BM_W5_batch_cold(benchmark::State& state) {
    auto store = open_store();
    const auto& p = w5_pairs();
    for (auto _ : state) {
        store.drop_case_snapshot();
        benchmark::DoNotOptimize(store.eligibility_for(p.ids, p.dates));
    }
    state.counters["calls"] = static_cast<double>(p.ids.size());
}

}  // namespace

void check_w5() { w5_check(); }

void register_w5() {
    using benchmark::kMicrosecond;
    using benchmark::kMillisecond;
    benchmark::RegisterBenchmark("W5/point_reads", BM_W5_point_reads)->Unit(kMicrosecond);
    benchmark::RegisterBenchmark("W5/point_snapshot", BM_W5_point_snapshot)->Unit(kMicrosecond);
    benchmark::RegisterBenchmark("W5/point_loop_cold", BM_W5_point_loop_cold)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
    benchmark::RegisterBenchmark("W5/batch_snapshot", BM_W5_batch_snapshot)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W5/batch_cold", BM_W5_batch_cold)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W5/verdicts", BM_W5_verdicts)->Unit(kMicrosecond);
}

}  // namespace bench
