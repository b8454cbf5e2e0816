// W4: window membership for every person (R0.2 within_years against a plain int32 loop
// and per-row add_years), checked against the rule written out over the library calendar.

#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"
#include "raw_sqlite.hpp"

namespace bench {
namespace {

// The slow reference of R0.1 written out (same day n years later, 29 February -> 28
// February in a common year) over the library's calendar (ctai::Date <-> year/month/day),
// independent of ctai::add_years and ctai::within_years.
std::int32_t ref_add_years(std::int32_t start, int n) {
    const Date s = Date::from_days(start);
    const int y = s.year() + n;
    const bool feb29 = s.month() == 2 && s.day() == 29;
    const unsigned d = feb29 && !date::year{y}.is_leap() ? 28u : s.day();
    return Date(y, s.month(), d).days();
}

// R0.2 (strict boundary): start <= on < add_years(start, n).
bool ref_within(std::int32_t start, int years, std::int32_t on) {
    if (start == ctai::no_date) return false;
    return start <= on && on < ref_add_years(start, years);
}

struct W4Data {
    std::vector<std::int32_t> starts;
    Date on;
    std::size_t feb29 = 0;
};

// Anchors: each person's first permit date (no_date without a permit), tiled to n persons.
W4Data w4_data(std::size_t n) {
    std::vector<std::int32_t> base;
    {
        Db db(g.db());
        Stmt s(db,
               "SELECT (SELECT min(valid_from) FROM permits pm WHERE pm.person_id = p.person_id) "
               "FROM persons p ORDER BY p.person_id");
        while (s.step()) base.push_back(int_or(s.get(), 0, ctai::no_date));
    }
    expect(!base.empty(), "W4: no person in the store");
    W4Data d;
    d.starts.resize(n);
    for (std::size_t i = 0; i < n; ++i) d.starts[i] = base[i % base.size()];
    // Evaluated the day a five-year window from 29 February 2020 ends (28 Feb 2025):
    // the day SQLite's date(x, '+5 years') gets wrong.
    d.on = Date(2025, 2, 28);
    for (auto s : d.starts)
        if (s != ctai::no_date) {
            const Date c = Date::from_days(s);
            if (c.month() == 2 && c.day() == 29) ++d.feb29;
        }
    return d;
}

void w4_ctai(const W4Data& d, std::vector<std::uint8_t>& o5, std::vector<std::uint8_t>& o2) {
    ctai::within_years(d.starts, 5, d.on, ctai::Boundary::strict,
                       ctai::Feb29::last_day_of_february, o5);
    ctai::within_years(d.starts, 2, d.on, ctai::Boundary::strict,
                       ctai::Feb29::last_day_of_february, o2);
}

// The floor: a plain loop over contiguous int32 comparing to two constants.
void w4_floor_loop(const std::int32_t* s, std::size_t n, std::int32_t lo, std::int32_t hi,
                   std::uint8_t* out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((s[i] >= lo) & (s[i] <= hi));
}

struct W4Bounds {
    std::int32_t lo5, hi5, lo2, hi2;
};

W4Bounds w4_bounds(Date on) {
    // The floor's two constants, from the independent reference arithmetic.
    // start <= on < add_years(start, n) holds for the starts of one interval [lo, on]:
    // walk forward from a few days before on - n years.
    auto lo = [&](int years) {
        std::int32_t s = ref_add_years(on.days(), -years) - 3;
        while (!ref_within(s, years, on.days())) ++s;
        return s;
    };
    return {lo(5), on.days(), lo(2), on.days()};
}

void w4_floor(const W4Data& d, const W4Bounds& b, std::vector<std::uint8_t>& o5,
              std::vector<std::uint8_t>& o2) {
    // no_date = INT32_MIN is below every lo: no special case needed.
    w4_floor_loop(d.starts.data(), d.starts.size(), b.lo5, b.hi5, o5.data());
    w4_floor_loop(d.starts.data(), d.starts.size(), b.lo2, b.hi2, o2.data());
}

// Naive per-row calendar arithmetic through the library's scalar add_years.
void w4_naive(const W4Data& d, std::vector<std::uint8_t>& o5, std::vector<std::uint8_t>& o2) {
    const std::size_t n = d.starts.size();
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t s = d.starts[i];
        if (s == ctai::no_date) {
            o5[i] = o2[i] = 0;
            continue;
        }
        const Date start = Date::from_days(s);
        o5[i] = static_cast<std::uint8_t>(start <= d.on && d.on < ctai::add_years(start, 5));
        o2[i] = static_cast<std::uint8_t>(start <= d.on && d.on < ctai::add_years(start, 2));
    }
}

void w4_check(const W4Data& d) {
    const std::size_t n = d.starts.size();
    std::vector<std::uint8_t> r5(n), r2(n), a5(n), a2(n);
    for (std::size_t i = 0; i < n; ++i) {
        r5[i] = ref_within(d.starts[i], 5, d.on.days());
        r2[i] = ref_within(d.starts[i], 2, d.on.days());
    }
    auto same = [&](const char* who) {
        for (std::size_t i = 0; i < n; ++i)
            if (a5[i] != r5[i] || a2[i] != r2[i])
                fail(std::string("W4 ") + who + " row " + std::to_string(i) + " start " +
                     ctai::to_iso(Date::from_days(d.starts[i])));
    };
    w4_ctai(d, a5, a2);
    same("ctai::within_years");
    w4_floor(d, w4_bounds(d.on), a5, a2);
    same("floor");
    w4_naive(d, a5, a2);
    same("naive add_years");
    // A 29 February 2020 start is outside its five-year window on 28 February 2025.
    std::vector<std::int32_t> one{Date(2020, 2, 29).days()};
    std::vector<std::uint8_t> out(1);
    ctai::within_years(one, 5, d.on, ctai::Boundary::strict, ctai::Feb29::last_day_of_february,
                       out);
    expect(out[0] == 0, "W4: 2020-02-29 + 5 years must end on 2025-02-28");
}

void BM_W4_ctai(benchmark::State& state, std::size_t n) {
    const W4Data d = w4_data(n);
    std::vector<std::uint8_t> o5(n), o2(n);
    for (auto _ : state) {
        w4_ctai(d, o5, o2);
        benchmark::DoNotOptimize(o5.data());
        benchmark::DoNotOptimize(o2.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
    state.counters["persons"] = static_cast<double>(n);
    state.counters["feb29_anchors"] = static_cast<double>(d.feb29);
}

void BM_W4_floor(benchmark::State& state, std::size_t n) {
    const W4Data d = w4_data(n);
    const W4Bounds b = w4_bounds(d.on);
    std::vector<std::uint8_t> o5(n), o2(n);
    for (auto _ : state) {
        w4_floor(d, b, o5, o2);
        benchmark::DoNotOptimize(o5.data());
        benchmark::DoNotOptimize(o2.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
    state.counters["persons"] = static_cast<double>(n);
}

void BM_W4_naive(benchmark::State& state, std::size_t n) {
    const W4Data d = w4_data(n);
    std::vector<std::uint8_t> o5(n), o2(n);
    for (auto _ : state) {
        w4_naive(d, o5, o2);
        benchmark::DoNotOptimize(o5.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n));
    state.counters["persons"] = static_cast<double>(n);
}

}  // namespace

void check_w4() { w4_check(w4_data(g.persons)); }

void register_w4() {
    using benchmark::kMicrosecond;
    for (std::size_t n : {g.persons, std::size_t{1'000'000}}) {
        const std::string sfx = "/" + std::to_string(n);
        benchmark::RegisterBenchmark(("W4/ctai_within_years" + sfx).c_str(), BM_W4_ctai, n)->Unit(kMicrosecond);
        benchmark::RegisterBenchmark(("W4/floor" + sfx).c_str(), BM_W4_floor, n)->Unit(kMicrosecond);
        benchmark::RegisterBenchmark(("W4/naive_add_years" + sfx).c_str(), BM_W4_naive, n)->Unit(kMicrosecond);
        if (n == 1'000'000) break;
    }
}

}  // namespace bench
