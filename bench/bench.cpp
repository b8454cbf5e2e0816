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

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <ctai/ctai.hpp>

namespace fs = std::filesystem;
using ctai::Date;

namespace {

// ---------------------------------------------------------------------------------------
// Failure and small helpers

[[noreturn]] void fail(const std::string& what) {
    std::cerr << "ctai_bench: WRONG ANSWER: " << what << std::endl;
    std::exit(2);
}

void expect(bool ok, const std::string& what) {
    if (!ok) fail(what);
}

std::string num(double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

// ---------------------------------------------------------------------------------------
// Raw SQLite (floors)

class Db {
public:
    explicit Db(const fs::path& path, bool create = false) {
        const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
            throw std::runtime_error("sqlite3_open " + path.string() + ": " + sqlite3_errmsg(db_));
    }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db() { sqlite3_close_v2(db_); }
    sqlite3* get() const noexcept { return db_; }
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error("sqlite3_exec: " + msg + " in " + sql);
        }
    }
    std::int64_t scalar(const std::string& sql);

private:
    sqlite3* db_ = nullptr;
};

class Stmt {
public:
    Stmt(Db& db, const std::string& sql) : db_(db.get()) {
        if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(db_) + " in " + sql);
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt() { sqlite3_finalize(s_); }
    sqlite3_stmt* get() const noexcept { return s_; }
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("step: ") + sqlite3_errmsg(db_));
    }
    void run() {
        step();
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    // Binding (1-based index, advanced by each call).
    Stmt& text(std::string_view v) {
        sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_STATIC_);
        return *this;
    }
    Stmt& integer(std::int64_t v) {
        sqlite3_bind_int64(s_, ++i_, v);
        return *this;
    }
    Stmt& real(double v) {
        sqlite3_bind_double(s_, ++i_, v);
        return *this;
    }
    Stmt& null() {
        sqlite3_bind_null(s_, ++i_);
        return *this;
    }
    Stmt& date(const std::optional<Date>& d) { return d ? integer(d->days()) : null(); }
    Stmt& opt_text(const std::optional<std::string>& t) { return t ? text(*t) : null(); }
    void exec() {
        i_ = 0;
        if (sqlite3_step(s_) != SQLITE_DONE)
            throw std::runtime_error(std::string("insert: ") + sqlite3_errmsg(db_));
        sqlite3_reset(s_);
    }

private:
    // SQLITE_STATIC without the old-style cast of the macro: bound values outlive the step.
    static constexpr sqlite3_destructor_type SQLITE_STATIC_ = nullptr;
    sqlite3* db_;
    sqlite3_stmt* s_ = nullptr;
    int i_ = 0;
};

std::int64_t Db::scalar(const std::string& sql) {
    Stmt s(*this, sql);
    if (!s.step()) return 0;
    return sqlite3_column_int64(s.get(), 0);
}

// ---------------------------------------------------------------------------------------
// The cohort

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

Context g;

void remove_db(const fs::path& p) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix);
}

// ---------------------------------------------------------------------------------------
// Independent calendar arithmetic (the slow references): Howard Hinnant's civil algorithms.

struct Ymd {
    int y;
    int m;
    int d;
};

Ymd civil(std::int32_t days) {
    const int z = days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

std::int32_t days_of(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// R0.1: same day n years later, clamped to the end of the month (29 Feb -> 28 Feb).
std::int32_t ref_add_years(std::int32_t start, int n) {
    const Ymd s = civil(start);
    const int y = s.y + n;
    const int d = (s.m == 2 && s.d == 29 && !leap(y)) ? 28 : s.d;
    return days_of(y, s.m, d);
}

// R0.2 (strict boundary): start <= on < add_years(start, n).
bool ref_within(std::int32_t start, int years, std::int32_t on) {
    if (start == ctai::no_date) return false;
    return start <= on && on < ref_add_years(start, years);
}

// ---------------------------------------------------------------------------------------
// W4: window membership for every person

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
        while (s.step())
            base.push_back(sqlite3_column_type(s.get(), 0) == SQLITE_NULL
                               ? ctai::no_date
                               : sqlite3_column_int(s.get(), 0));
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
            const Ymd c = civil(s);
            if (c.m == 2 && c.d == 29) ++d.feb29;
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

// ---------------------------------------------------------------------------------------
// W2: mean and median length of the completed journeys, per action

struct ActionStats {
    int action = 0;
    std::int64_t completed = 0;
    double mean = NAN;
    double median = NAN;
};

bool same_stats(const std::vector<ActionStats>& a, const std::vector<ActionStats>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].action != b[i].action || a[i].completed != b[i].completed) return false;
        auto close = [](double x, double y) {
            return (std::isnan(x) && std::isnan(y)) || std::fabs(x - y) <= 1e-9 * (1 + std::fabs(y));
        };
        if (!close(a[i].mean, b[i].mean) || !close(a[i].median, b[i].median)) return false;
    }
    return true;
}

std::string describe(const std::vector<ActionStats>& v) {
    std::string s;
    for (const auto& a : v)
        s += " [action " + std::to_string(a.action) + ": n=" + std::to_string(a.completed) +
             " mean=" + num(a.mean) + " median=" + num(a.median) + "]";
    return s;
}

// Slow reference: per row, then a full sort per action.
std::vector<ActionStats> w2_reference(const std::vector<std::int32_t>& action,
                                      const std::vector<std::int32_t>& entry,
                                      const std::vector<std::int32_t>& exit, Date on) {
    std::map<int, std::vector<std::int32_t>> lengths;
    for (std::size_t i = 0; i < action.size(); ++i) {
        lengths[action[i]];
        if (entry[i] <= on.days() && exit[i] != ctai::no_date && exit[i] <= on.days())
            lengths[action[i]].push_back(exit[i] - entry[i]);
    }
    std::vector<ActionStats> out;
    for (auto& [a, v] : lengths) {
        ActionStats s;
        s.action = a;
        s.completed = static_cast<std::int64_t>(v.size());
        if (!v.empty()) {
            std::sort(v.begin(), v.end());
            double sum = 0;
            for (auto x : v) sum += x;
            s.mean = sum / static_cast<double>(v.size());
            const std::size_t h = v.size() / 2;
            s.median = v.size() % 2 ? v[h] : (static_cast<double>(v[h - 1]) + v[h]) / 2.0;
        }
        out.push_back(s);
    }
    return out;
}

// libctai: journey_stats over each action's slice of JourneyColumns (ordered by action).
std::vector<ActionStats> w2_ctai(const ctai::JourneyColumns& c, Date on) {
    std::vector<ActionStats> out;
    const std::size_t n = c.size();
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        while (j < n && c.action[j] == c.action[i]) ++j;
        const auto st = ctai::journey_stats(std::span(c.entry).subspan(i, j - i),
                                            std::span(c.exit).subspan(i, j - i), on);
        ActionStats s;
        s.action = c.action[i];
        s.completed = st.completed;
        s.mean = st.mean_days.value_or(NAN);
        s.median = st.median_days.value_or(NAN);
        out.push_back(s);
        i = j;
    }
    return out;
}

// The floor kernel: one pass over int32 arrays sorted by action, a reused buffer and
// nth_element for the median.
std::vector<ActionStats> w2_floor(const std::int32_t* action, const std::int32_t* entry,
                                  const std::int32_t* exit, std::size_t n, Date on,
                                  std::vector<std::int32_t>& buf) {
    std::vector<ActionStats> out;
    const std::int32_t d = on.days();
    std::size_t i = 0;
    buf.resize(n);
    while (i < n) {
        const std::int32_t a = action[i];
        std::size_t k = 0;
        std::int64_t sum = 0;
        for (; i < n && action[i] == a; ++i) {
            const bool done = (entry[i] <= d) & (exit[i] != ctai::no_date) & (exit[i] <= d);
            const std::int32_t len = exit[i] - entry[i];
            buf[k] = len;
            k += done;
            sum += done ? len : 0;
        }
        ActionStats s;
        s.action = a;
        s.completed = static_cast<std::int64_t>(k);
        if (k) {
            s.mean = static_cast<double>(sum) / static_cast<double>(k);
            const std::size_t h = k / 2;
            std::nth_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(h),
                             buf.begin() + static_cast<std::ptrdiff_t>(k));
            const double hi = buf[h];
            if (k % 2) {
                s.median = hi;
            } else {
                const double lo = *std::max_element(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(h));
                s.median = (lo + hi) / 2.0;
            }
        }
        out.push_back(s);
    }
    return out;
}

struct RawJourneys {
    std::vector<std::int32_t> action, entry, exit;
};

// Raw SQLite C API: the three columns W2 needs, into vectors.
RawJourneys w2_raw_read(Db& db) {
    RawJourneys r;
    Stmt s(db,
           "SELECT action, entry_date, exit_date FROM journeys WHERE contract_id = ? "
           "ORDER BY contract_id, action, entry_date, journey_id");
    s.text(g.contract.str());
    while (s.step()) {
        r.action.push_back(sqlite3_column_int(s.get(), 0));
        r.entry.push_back(sqlite3_column_int(s.get(), 1));
        r.exit.push_back(sqlite3_column_type(s.get(), 2) == SQLITE_NULL
                             ? ctai::no_date
                             : sqlite3_column_int(s.get(), 2));
    }
    return r;
}

// Raw SQLite C API: the same columns JourneyColumns holds (ids, codes, steps aggregate).
struct RawJourneyColumns {
    std::vector<std::string> journey_id, person_id, contract_id, exit_reason;
    std::vector<std::int32_t> action, entry, exit, length, steps, end_step;
    std::vector<std::uint8_t> open, source, positive, overridden;
};

RawJourneyColumns w2_raw_read_all(Db& db, const std::set<std::string, std::less<>>& positive) {
    RawJourneyColumns r;
    Stmt s(db,
           "SELECT j.journey_id, j.person_id, j.contract_id, j.action, j.entry_date, j.exit_date, "
           "j.referral_source, j.exit_reason, j.override_reason IS NOT NULL, "
           "(SELECT count(*) FROM steps s WHERE s.journey_id = j.journey_id), "
           "(SELECT min(date) FROM steps s WHERE s.journey_id = j.journey_id AND "
           "s.step IN ('follow_on', 'end_of_support')) "
           "FROM journeys j WHERE j.contract_id = ? "
           "ORDER BY j.contract_id, j.action, j.entry_date, j.journey_id");
    s.text(g.contract.str());
    const auto sources = ctai::enum_names<ctai::ReferralSource>();
    auto txt = [&](int col) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), col));
        return std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s.get(), col)));
    };
    while (s.step()) {
        r.journey_id.emplace_back(txt(0));
        r.person_id.emplace_back(txt(1));
        r.contract_id.emplace_back(txt(2));
        r.action.push_back(sqlite3_column_int(s.get(), 3));
        const std::int32_t entry = sqlite3_column_int(s.get(), 4);
        const bool open = sqlite3_column_type(s.get(), 5) == SQLITE_NULL;
        const std::int32_t exit = open ? ctai::no_date : sqlite3_column_int(s.get(), 5);
        r.entry.push_back(entry);
        r.exit.push_back(exit);
        r.open.push_back(open);
        r.length.push_back(open ? -1 : exit - entry);
        const auto src = txt(6);
        r.source.push_back(static_cast<std::uint8_t>(
            std::find(sources.begin(), sources.end(), src) - sources.begin()));
        r.exit_reason.emplace_back(txt(7));
        r.positive.push_back(positive.count(r.exit_reason.back()) != 0);
        r.overridden.push_back(static_cast<std::uint8_t>(sqlite3_column_int(s.get(), 8)));
        r.steps.push_back(sqlite3_column_int(s.get(), 9));
        r.end_step.push_back(sqlite3_column_type(s.get(), 10) == SQLITE_NULL
                                 ? ctai::no_date
                                 : sqlite3_column_int(s.get(), 10));
    }
    return r;
}

std::set<std::string, std::less<>> positive_reasons() {
    std::set<std::string, std::less<>> out;
    const auto& k = ctai::builtin_contract(g.contract.str());
    for (const auto& r : k.exit_reasons.empty() ? ctai::default_exit_reasons() : k.exit_reasons)
        if (r.positive) out.insert(r.code);
    return out;
}

ctai::Store open_store() {
    ctai::StoreOptions o;
    o.must_exist = true;
    return ctai::Store::open(g.db(), o);
}

void w2_check() {
    auto store = open_store();
    const auto cols = store.journeys(g.contract);
    const auto ref = w2_reference(cols.action, cols.entry, cols.exit, g.on);
    const auto mine = w2_ctai(cols, g.on);
    expect(same_stats(mine, ref), "W2 ctai journey_stats:" + describe(mine) + " reference:" + describe(ref));
    std::vector<std::int32_t> buf;
    const auto fl = w2_floor(cols.action.data(), cols.entry.data(), cols.exit.data(), cols.size(), g.on, buf);
    expect(same_stats(fl, ref), "W2 floor:" + describe(fl) + " reference:" + describe(ref));
    Db db(g.db());
    const auto raw = w2_raw_read(db);
    expect(raw.action == cols.action && raw.entry == cols.entry && raw.exit == cols.exit,
           "W2 raw SQLite read differs from Store::journeys()");
    const auto all = w2_raw_read_all(db, positive_reasons());
    expect(all.journey_id.size() == cols.size(), "W2 raw all-column read: row count");
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (all.journey_id[i] != cols.journey_id[i] || all.person_id[i] != cols.person_id[i] ||
            all.open[i] != cols.open[i] || all.length[i] != cols.length[i] ||
            all.source[i] != cols.referral_source[i] || all.exit_reason[i] != cols.exit_reason[i] ||
            all.positive[i] != cols.positive[i] || all.overridden[i] != cols.overridden[i] ||
            all.steps[i] != cols.steps[i] || all.end_step[i] != cols.end_step_date[i])
            fail("W2 raw all-column read differs from Store::journeys() at row " +
                 std::to_string(i) + " (" + cols.journey_id[i] + ")");
    }
    // The narrow read W2 cold times (JourneyFields::lengths): the same rows, same order.
    const auto narrow = store.journeys(g.contract, std::nullopt, std::nullopt, ctai::JourneyFields::lengths);
    expect(narrow.action == cols.action && narrow.entry == cols.entry && narrow.exit == cols.exit &&
               narrow.open == cols.open && narrow.length == cols.length && narrow.journey_id.empty(),
           "W2 Store::journeys(lengths) differs from Store::journeys()");
    expect(same_stats(w2_ctai(narrow, g.on), ref), "W2 ctai journey_stats on the narrow read");
    std::int64_t completed = 0;
    for (const auto& a : ref) completed += a.completed;
    expect(completed > 0, "W2: no completed journey");
}

void set_rows(benchmark::State& state, std::size_t rows) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(rows));
    state.counters["rows"] = static_cast<double>(rows);
}

void BM_W2_warm_ctai(benchmark::State& state) {
    auto store = open_store();
    const auto cols = store.journeys(g.contract);
    for (auto _ : state) benchmark::DoNotOptimize(w2_ctai(cols, g.on));
    set_rows(state, cols.size());
}

void BM_W2_warm_floor(benchmark::State& state) {
    Db db(g.db());
    const auto raw = w2_raw_read(db);
    std::vector<std::int32_t> buf;
    for (auto _ : state)
        benchmark::DoNotOptimize(w2_floor(raw.action.data(), raw.entry.data(), raw.exit.data(),
                                          raw.action.size(), g.on, buf));
    set_rows(state, raw.action.size());
}

// W2 cold reads only what the statistics need: Store::journeys(..., JourneyFields::lengths)
// (action, entry, exit, open, length; same rows and order as the full read).
void BM_W2_cold_ctai(benchmark::State& state) {
    auto store = open_store();
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto cols = store.journeys(g.contract, std::nullopt, std::nullopt, ctai::JourneyFields::lengths);
        benchmark::DoNotOptimize(w2_ctai(cols, g.on));
        rows = cols.size();
    }
    set_rows(state, rows);
}

void BM_W2_cold_columns_only(benchmark::State& state) {
    auto store = open_store();
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto cols = store.journeys(g.contract, std::nullopt, std::nullopt, ctai::JourneyFields::lengths);
        benchmark::DoNotOptimize(cols.entry.data());
        rows = cols.size();
    }
    set_rows(state, rows);
}

// For scale: every JourneyColumns column (compare with floor_all_columns).
void BM_W2_cold_all_columns(benchmark::State& state) {
    auto store = open_store();
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto cols = store.journeys(g.contract);
        benchmark::DoNotOptimize(cols.entry.data());
        rows = cols.size();
    }
    set_rows(state, rows);
}

void BM_W2_cold_floor(benchmark::State& state) {
    Db db(g.db());
    std::vector<std::int32_t> buf;
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto raw = w2_raw_read(db);
        benchmark::DoNotOptimize(w2_floor(raw.action.data(), raw.entry.data(), raw.exit.data(),
                                          raw.action.size(), g.on, buf));
        rows = raw.action.size();
    }
    set_rows(state, rows);
}

void BM_W2_cold_floor_all_columns(benchmark::State& state) {
    Db db(g.db());
    const auto positive = positive_reasons();
    std::vector<std::int32_t> buf;
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto raw = w2_raw_read_all(db, positive);
        benchmark::DoNotOptimize(w2_floor(raw.action.data(), raw.entry.data(), raw.exit.data(),
                                          raw.action.size(), g.on, buf));
        rows = raw.action.size();
    }
    set_rows(state, rows);
}

// ---------------------------------------------------------------------------------------
// W1: bulk load of the exchange folder into a new store

std::size_t dataset_rows(const ctai::Dataset& d) {
    std::size_t n = d.cases.size() + d.journeys.size() + d.agir.size() + d.referrals.size() +
                    d.activities.size() + d.participations.size() + d.volunteering.size() +
                    d.housing.size() + d.partnerships.size() + d.costs.size();
    for (const auto& c : d.cases) n += c.permits.size() + c.protections.size() + c.situations.size();
    for (const auto& j : d.journeys) n += j.steps.size();
    return n;
}

const char* const w1_tables[] = {"persons", "permits", "protections", "situations", "journeys",
                                 "steps", "agir_supports", "referrals", "activities",
                                 "participations", "volunteering", "housing_moves",
                                 "partnerships", "costs"};

std::map<std::string, std::int64_t> table_counts(const fs::path& path) {
    Db db(path);
    std::map<std::string, std::int64_t> out;
    for (const char* t : w1_tables) out[t] = db.scalar(std::string("SELECT count(*) FROM ") + t);
    return out;
}

// A new empty store (the schema) at `path`.
void new_store(const fs::path& path) {
    remove_db(path);
    fs::create_directories(path.parent_path());
    (void)ctai::Store::open(path);
}

template <class E>
std::string_view name(E e) {
    return ctai::to_string(e);
}

std::string_view name(ctai::DatePrecision p) {
    switch (p) {
        case ctai::DatePrecision::day: return "day";
        case ctai::DatePrecision::month: return "month";
        case ctai::DatePrecision::year: return "year";
    }
    return "day";
}

// The floor: the same rows, already parsed, through prepared INSERTs in one transaction on
// the same schema with the store's pragmas (WAL, foreign keys), without rules or audit.
void w1_raw_insert(const fs::path& path, const ctai::Dataset& d) {
    Db db(path);
    db.exec("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;");
    db.exec("BEGIN IMMEDIATE");
    {
        Stmt person(db,
                    "INSERT INTO persons (person_id, sex, birth_date, birth_precision, "
                    "nationalities, household_id, department, cir_status, cir_date, "
                    "rejoining_family_of, last_contact) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        Stmt permit(db,
                    "INSERT INTO permits (person_id, position, kind, motive, valid_from, valid_to) "
                    "VALUES (?,?,?,?,?,?)");
        Stmt protection(db,
                        "INSERT INTO protections (person_id, position, type, authority, "
                        "decision_date, notification_date, displaced_on, end_date) "
                        "VALUES (?,?,?,?,?,?,?,?)");
        Stmt situation(db,
                       "INSERT INTO situations (person_id, position, situation, start, \"end\") "
                       "VALUES (?,?,?,?,?)");
        std::string nat;
        for (const auto& c : d.cases) {
            const auto& p = c.person;
            nat.clear();
            for (std::size_t i = 0; i < p.nationalities.size(); ++i) {
                if (i) nat += '|';
                nat += p.nationalities[i];
            }
            person.text(p.id.str()).text(name(p.sex));
            if (p.birth_date)
                person.integer(p.birth_date->first.days()).text(name(p.birth_date->precision));
            else
                person.null().null();
            person.text(nat);
            if (p.household_id) person.text(p.household_id->str());
            else person.null();
            person.text(p.department).text(name(p.cir_status)).date(p.cir_date);
            if (p.rejoining_family_of) person.text(p.rejoining_family_of->str());
            else person.null();
            person.date(p.last_contact).exec();
            std::int64_t pos = 0;
            for (const auto& x : c.permits)
                permit.text(p.id.str()).integer(pos++).text(name(x.kind)).text(name(x.motive))
                    .integer(x.valid_from.days()).date(x.valid_to).exec();
            pos = 0;
            for (const auto& x : c.protections)
                protection.text(p.id.str()).integer(pos++).text(name(x.type))
                    .text(name(x.authority)).integer(x.decision_date.days())
                    .date(x.notification_date).date(x.displaced_on).date(x.end_date).exec();
            pos = 0;
            for (const auto& x : c.situations)
                situation.text(p.id.str()).integer(pos++).text(name(x.kind))
                    .integer(x.start.days()).date(x.end).exec();
        }
    }
    {
        Stmt agir(db,
                  "INSERT INTO agir_supports (person_id, orientation_date, entry_date, exit_date, "
                  "exit_housing, exit_activity, cdd_months) VALUES (?,?,?,?,?,?,?)");
        for (const auto& a : d.agir) {
            agir.text(a.person_id.str()).integer(a.orientation_date.days()).date(a.entry_date)
                .date(a.exit_date);
            if (a.exit_housing) agir.text(name(*a.exit_housing));
            else agir.null();
            if (a.exit_activity) agir.text(name(*a.exit_activity));
            else agir.null();
            if (a.cdd_months) agir.integer(*a.cdd_months);
            else agir.null();
            agir.exec();
        }
        Stmt ref(db,
                 "INSERT INTO referrals (referral_id, person_id, \"from\", \"to\", need, status, "
                 "proposed_on, decided_on, completed_on, reason) VALUES (?,?,?,?,?,?,?,?,?,?)");
        for (const auto& r : d.referrals)
            ref.text(r.id.str()).text(r.person_id.str()).text(r.from).text(r.to)
                .text(name(r.need)).text(name(r.status)).integer(r.proposed_on.days())
                .date(r.decided_on).date(r.completed_on).opt_text(r.reason).exec();
        Stmt journey(db,
                     "INSERT INTO journeys (journey_id, person_id, contract_id, action, "
                     "entry_date, referral_source, exit_date, exit_reason, override_reason) "
                     "VALUES (?,?,?,?,?,?,?,?,?)");
        Stmt step(db, "INSERT INTO steps (journey_id, position, step, date) VALUES (?,?,?,?)");
        for (const auto& j : d.journeys) {
            journey.text(j.id.str()).text(j.person_id.str()).text(j.contract_id.str())
                .integer(j.action).integer(j.entry_date.days()).text(name(j.referral_source))
                .date(j.exit_date).opt_text(j.exit_reason).opt_text(j.override_reason).exec();
            std::int64_t pos = 0;
            for (const auto& s : j.steps)
                step.text(j.id.str()).integer(pos++).text(name(s.kind)).integer(s.date.days()).exec();
        }
        Stmt act(db,
                 "INSERT INTO activities (activity_id, contract_id, action, kind, type, date, "
                 "hours, co_animated, structure) VALUES (?,?,?,?,?,?,?,?,?)");
        for (const auto& a : d.activities)
            act.text(a.id.str()).text(a.contract_id.str()).integer(a.action).text(name(a.kind))
                .text(a.type).integer(a.date.days()).real(a.hours).integer(a.co_animated)
                .text(a.structure).exec();
        Stmt part(db,
                  "INSERT INTO participations (activity_id, person_id, satisfaction) VALUES (?,?,?)");
        for (const auto& p : d.participations) {
            part.text(p.activity_id.str()).text(p.person_id.str());
            if (p.satisfaction) part.integer(*p.satisfaction);
            else part.null();
            part.exec();
        }
        Stmt vol(db,
                 "INSERT INTO volunteering (person_id, kind, start, \"end\", association_type) "
                 "VALUES (?,?,?,?,?)");
        for (const auto& v : d.volunteering)
            vol.text(v.person_id.str()).text(name(v.kind)).integer(v.start.days()).date(v.end)
                .text(v.association_type).exec();
        Stmt housing(db, "INSERT INTO housing_moves (household_id, date, housing_type) VALUES (?,?,?)");
        for (const auto& h : d.housing)
            housing.text(h.household_id.str()).integer(h.date.days()).text(name(h.housing_type)).exec();
        Stmt partner(db,
                     "INSERT INTO partnerships (contract_id, action, partner, theme, date) "
                     "VALUES (?,?,?,?,?)");
        for (const auto& p : d.partnerships)
            partner.text(p.contract_id.str()).integer(p.action).text(p.partner).text(p.theme)
                .integer(p.date.days()).exec();
        Stmt cost(db,
                  "INSERT INTO costs (contract_id, action, total_cost, subsidy_p104) VALUES (?,?,?,?)");
        for (const auto& c : d.costs)
            cost.text(c.contract_id.str()).integer(c.action).real(c.total_cost).real(c.subsidy_p104).exec();
    }
    db.exec("COMMIT");
}

void w1_check() {
    const auto expected = table_counts(g.db());
    const auto data = ctai::read_exchange_dir(g.folder());
    const fs::path a = g.scratch("w1_check_import.db");
    new_store(a);
    {
        auto store = ctai::Store::open(a);
        ctai::import_dir(store, g.folder());
    }
    expect(table_counts(a) == expected, "W1 import_dir: table row counts differ from the cohort store");
    {
        auto s1 = open_store();
        ctai::StoreOptions o;
        o.must_exist = true;
        auto s2 = ctai::Store::open(a, o);
        expect(s1.fingerprint().sha256 == s2.fingerprint().sha256,
               "W1 import_dir: data fingerprint differs from the cohort store");
    }
    const fs::path b = g.scratch("w1_check_raw.db");
    new_store(b);
    w1_raw_insert(b, data);
    expect(table_counts(b) == expected, "W1 raw insert: table row counts differ from the cohort store");
    std::int64_t total = 0;
    for (const auto& [t, n] : expected) total += n;
    expect(static_cast<std::size_t>(total) == dataset_rows(data), "W1: row count of the folder");
    remove_db(a);
    remove_db(b);
}

void BM_W1_import(benchmark::State& state) {
    const fs::path path = g.scratch("w1_import.db");
    const std::size_t rows = dataset_rows(ctai::read_exchange_dir(g.folder()));
    for (auto _ : state) {
        state.PauseTiming();
        new_store(path);
        {
            auto store = ctai::Store::open(path);
            state.ResumeTiming();
            ctai::import_dir(store, g.folder());
            state.PauseTiming();
        }
        remove_db(path);
        state.ResumeTiming();
    }
    set_rows(state, rows);
}

void BM_W1_read_only(benchmark::State& state) {
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto d = ctai::read_exchange_dir(g.folder());
        rows = dataset_rows(d);
        benchmark::DoNotOptimize(d.cases.data());
    }
    set_rows(state, rows);
}

void BM_W1_floor(benchmark::State& state) {
    const fs::path path = g.scratch("w1_raw.db");
    const auto data = ctai::read_exchange_dir(g.folder());
    for (auto _ : state) {
        state.PauseTiming();
        new_store(path);
        state.ResumeTiming();
        w1_raw_insert(path, data);
        state.PauseTiming();
        remove_db(path);
        state.ResumeTiming();
    }
    set_rows(state, dataset_rows(data));
}

// ---------------------------------------------------------------------------------------
// W3 / W7: the report

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

void BM_W7_part_case_snapshot(benchmark::State& state) {
    auto store = open_store();
    for (auto _ : state) {
        store.drop_case_snapshot();
        benchmark::DoNotOptimize(store.case_snapshot());
    }
}

// ---------------------------------------------------------------------------------------

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
        if (wanted("W4")) {
            timed("W4", [] { w4_check(w4_data(g.persons)); });
        }
        if (wanted("W2")) timed("W2", w2_check);
        if (wanted("W1")) timed("W1", w1_check);
        if (wanted("W3") || wanted("W7")) timed("W3/W7", w3_check);
        if (wanted("W5")) timed("W5", w5_check);
        if (check_only) {
            std::cerr << "all checks passed\n";
            return 0;
        }

        using benchmark::kMillisecond;
        using benchmark::kMicrosecond;
        if (wanted("W4")) {
            for (std::size_t n : {g.persons, std::size_t{1'000'000}}) {
                const std::string sfx = "/" + std::to_string(n);
                benchmark::RegisterBenchmark(("W4/ctai_within_years" + sfx).c_str(), BM_W4_ctai, n)->Unit(kMicrosecond);
                benchmark::RegisterBenchmark(("W4/floor" + sfx).c_str(), BM_W4_floor, n)->Unit(kMicrosecond);
                benchmark::RegisterBenchmark(("W4/naive_add_years" + sfx).c_str(), BM_W4_naive, n)->Unit(kMicrosecond);
                if (n == 1'000'000) break;
            }
        }
        if (wanted("W2")) {
            benchmark::RegisterBenchmark("W2/warm/ctai_journey_stats", BM_W2_warm_ctai)->Unit(kMicrosecond);
            benchmark::RegisterBenchmark("W2/warm/floor", BM_W2_warm_floor)->Unit(kMicrosecond);
            benchmark::RegisterBenchmark("W2/cold/ctai_journeys_stats", BM_W2_cold_ctai)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W2/cold/ctai_journeys_only", BM_W2_cold_columns_only)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W2/cold/ctai_journeys_all_columns", BM_W2_cold_all_columns)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W2/cold/floor_3_columns", BM_W2_cold_floor)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W2/cold/floor_all_columns", BM_W2_cold_floor_all_columns)->Unit(kMillisecond);
        }
        if (wanted("W1")) {
            benchmark::RegisterBenchmark("W1/ctai_import_dir", BM_W1_import)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
            benchmark::RegisterBenchmark("W1/ctai_read_exchange_dir", BM_W1_read_only)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
            benchmark::RegisterBenchmark("W1/floor_raw_insert", BM_W1_floor)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
        }
        if (wanted("W3")) {
            benchmark::RegisterBenchmark("W3/ctai_build_report", BM_W3_build_report)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W3/ctai_build_report_reading", BM_W3_build_report_reading)->Unit(kMillisecond);
        }
        if (wanted("W5")) {
            benchmark::RegisterBenchmark("W5/point_reads", BM_W5_point_reads)->Unit(kMicrosecond);
            benchmark::RegisterBenchmark("W5/point_snapshot", BM_W5_point_snapshot)->Unit(kMicrosecond);
            benchmark::RegisterBenchmark("W5/point_loop_cold", BM_W5_point_loop_cold)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
            benchmark::RegisterBenchmark("W5/batch_snapshot", BM_W5_batch_snapshot)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W5/batch_cold", BM_W5_batch_cold)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W5/verdicts", BM_W5_verdicts)->Unit(kMicrosecond);
        }
        if (wanted("W7")) {
            benchmark::RegisterBenchmark("W7/part_case_snapshot", BM_W7_part_case_snapshot)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W7/ctai_open_report_json", BM_W7_report_json)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W7/part_fingerprint", BM_W7_part_fingerprint)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W7/part_eligibility_table", BM_W7_part_eligibility_table)->Unit(kMillisecond);
            benchmark::RegisterBenchmark("W7/part_all_cases", BM_W7_part_all_cases)->Unit(kMillisecond);
        }
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
