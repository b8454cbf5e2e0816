// W2: mean and median length of the completed journeys, per action: warm (journey_stats
// over JourneyColumns vs an int32 loop + nth_element) and cold (Store::journeys() from the
// file vs the raw C API reading the same columns).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "raw_sqlite.hpp"

namespace bench {
namespace {

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

}  // namespace

void check_w2() { w2_check(); }

void register_w2() {
    using benchmark::kMicrosecond;
    using benchmark::kMillisecond;
    benchmark::RegisterBenchmark("W2/warm/ctai_journey_stats", BM_W2_warm_ctai)->Unit(kMicrosecond);
    benchmark::RegisterBenchmark("W2/warm/floor", BM_W2_warm_floor)->Unit(kMicrosecond);
    benchmark::RegisterBenchmark("W2/cold/ctai_journeys_stats", BM_W2_cold_ctai)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W2/cold/ctai_journeys_only", BM_W2_cold_columns_only)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W2/cold/ctai_journeys_all_columns", BM_W2_cold_all_columns)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W2/cold/floor_3_columns", BM_W2_cold_floor)->Unit(kMillisecond);
    benchmark::RegisterBenchmark("W2/cold/floor_all_columns", BM_W2_cold_floor_all_columns)->Unit(kMillisecond);
}

}  // namespace bench
