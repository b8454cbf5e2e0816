// R7 journey-length statistics over values (see stats.hpp and docs/reports.md): pure; the
// Store overloads that fetch the columns are in query/journey_stats.cpp.
#include <ctai/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/error.hpp>

namespace ctai {
namespace {

std::optional<double> median_of_sorted(const std::vector<std::int32_t>& v) {
    if (v.empty()) return std::nullopt;
    const std::size_t n = v.size();
    if (n % 2 == 1) return static_cast<double>(v[n / 2]);
    return (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2.0;
}

// One point of the Kaplan-Meier curve at time t with `events` ends and `censored`
// censorings; updates the running survival and number at risk. Shared by both paths so
// that the arithmetic (hence every double) is the same.
// z of a two-sided 95 % interval (lifelines: inv_normal_cdf(0.975)).
constexpr double z95 = 1.959963984540054;

void km_step(JourneyStats& s, std::int32_t t, std::int64_t events, std::int64_t censored,
             std::int64_t& at_risk, double& survival, double& greenwood) {
    KmPoint p;
    p.time = t;
    p.at_risk = at_risk;
    p.events = events;
    p.censored = censored;
    // Events before censorings at the same time: the censored are still at risk at t.
    if (p.events > 0) {
        survival *= 1.0 - static_cast<double>(p.events) / static_cast<double>(at_risk);
        // Greenwood's term; n = d (the curve drops to 0) adds nothing (lifelines: inf -> 0).
        if (p.events < at_risk)
            greenwood += static_cast<double>(p.events) /
                         (static_cast<double>(at_risk) * static_cast<double>(at_risk - p.events));
    }
    p.survival = survival;
    if (survival <= 0.0) {
        p.lower = p.upper = 0.0;
    } else if (survival < 1.0) {
        const double log_s = std::log(survival);
        const double c = std::log(-log_s);
        const double half = z95 * std::sqrt(greenwood) / -log_s;
        p.lower = std::exp(-std::exp(c + half));
        p.upper = std::exp(-std::exp(c - half));
    }
    at_risk -= p.events + p.censored;
    s.km_curve.push_back(p);
}

// KM median, restricted mean and tau from the curve.
void km_summary(JourneyStats& s) {
    if (s.km_curve.empty()) return;
    for (const auto& p : s.km_curve) {
        // A tiny tolerance so that 1 - 1/2 compares as 0.5 whatever the rounding path.
        if (p.events > 0 && p.survival <= 0.5 + 1e-12) {
            s.km_median_days = static_cast<double>(p.time);
            break;
        }
    }
    for (const auto& p : s.km_curve)
        if (p.lower <= 0.5) {
            s.km_median_lower_days = static_cast<double>(p.time);
            break;
        }
    for (const auto& p : s.km_curve)
        if (p.upper <= 0.5) {
            s.km_median_upper_days = static_cast<double>(p.time);
            break;
        }
    // Area under the step function from 0 to tau (the largest observed time).
    const std::int32_t tau = s.km_curve.back().time;
    double area = 0;
    double level = 1.0;
    std::int32_t prev = 0;
    for (const auto& p : s.km_curve) {
        area += level * static_cast<double>(p.time - prev);
        prev = p.time;
        level = p.survival;
    }
    s.km_tau_days = tau;
    s.km_restricted_mean_days = area;
}

// The curve from the two sorted lists (merge into (time, events, censored) steps).
void kaplan_meier(JourneyStats& s) {
    const auto& ev = s.completed_days;
    const auto& ce = s.open_days;
    std::int64_t at_risk = s.count;
    double survival = 1.0;
    double greenwood = 0.0;
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < ev.size() || j < ce.size()) {
        std::int32_t t = 0;
        if (j >= ce.size() || (i < ev.size() && ev[i] <= ce[j])) t = ev[i];
        else t = ce[j];
        std::int64_t events = 0;
        std::int64_t censored = 0;
        while (i < ev.size() && ev[i] == t) { ++events; ++i; }
        while (j < ce.size() && ce[j] == t) { ++censored; ++j; }
        km_step(s, t, events, censored, at_risk, survival, greenwood);
    }
    km_summary(s);
}

// The mean of the completed lengths exactly as a left-to-right double sum over the sorted
// values gives it: every partial sum of non-negative integers below 2^53 is exact, so the
// integer sum converts to the same double; beyond, the sorted values are summed as before.
std::optional<double> mean_of(std::int64_t sum, const std::vector<std::int32_t>& sorted) {
    if (sorted.empty()) return std::nullopt;
    constexpr std::int64_t exact = std::int64_t{1} << 53;
    if (sum >= 0 && sum < exact)
        return static_cast<double>(sum) / static_cast<double>(sorted.size());
    double d = 0;
    for (auto v : sorted) d += v;
    return d / static_cast<double>(sorted.size());
}

// Fallback (lengths spread over a range much wider than the number of journeys): copy,
// sort, merge. O(n log n) time, O(n) memory.
void stats_by_sorting(JourneyStats& s, std::span<const std::int32_t> entry,
                      std::span<const std::int32_t> exit_or_no_date, std::int32_t d) {
    s.completed_days.reserve(static_cast<std::size_t>(s.completed));
    s.open_days.reserve(static_cast<std::size_t>(s.open));
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < entry.size(); ++k) {
        const std::int32_t e = entry[k];
        const std::int32_t x = exit_or_no_date[k];
        if (e > d) continue;
        if (x != no_date && x <= d) {
            s.completed_days.push_back(x - e);
            sum += static_cast<std::int64_t>(x) - e;
        } else {
            s.open_days.push_back(d - e);
        }
    }
    std::sort(s.completed_days.begin(), s.completed_days.end());
    std::sort(s.open_days.begin(), s.open_days.end());
    s.mean_days = mean_of(sum, s.completed_days);
    s.median_days = median_of_sorted(s.completed_days);
    kaplan_meier(s);
}

// Counting path: lengths are day counts in a narrow range [lo, lo + range): one histogram
// of (completed, censored) per length gives the sorted lists and the curve in O(n + range)
// without sorting.
void stats_by_counting(JourneyStats& s, std::span<const std::int32_t> entry,
                       std::span<const std::int32_t> exit_or_no_date, std::int32_t d,
                       std::int64_t lo, std::size_t range, std::int64_t sum) {
    // counts[2 * i]: completed journeys of length lo + i; counts[2 * i + 1]: censored.
    std::vector<std::uint32_t> counts(2 * range, 0);
    const std::size_t n = entry.size();
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t e = entry[k];
        const std::int32_t x = exit_or_no_date[k];
        if (e > d) continue;
        const bool done = x != no_date && x <= d;
        const std::int64_t len = static_cast<std::int64_t>(done ? x : d) - e;
        ++counts[2 * static_cast<std::size_t>(len - lo) + (done ? 0 : 1)];
    }
    s.completed_days.resize(static_cast<std::size_t>(s.completed));
    s.open_days.resize(static_cast<std::size_t>(s.open));
    std::int32_t* ev = s.completed_days.data();
    std::int32_t* ce = s.open_days.data();
    std::int64_t at_risk = s.count;
    double survival = 1.0;
    double greenwood = 0.0;
    for (std::size_t i = 0; i < range; ++i) {
        const std::uint32_t events = counts[2 * i];
        const std::uint32_t censored = counts[2 * i + 1];
        if ((events | censored) == 0) continue;
        const auto t = static_cast<std::int32_t>(lo + static_cast<std::int64_t>(i));
        ev = std::fill_n(ev, events, t);
        ce = std::fill_n(ce, censored, t);
        km_step(s, t, events, censored, at_risk, survival, greenwood);
    }
    s.mean_days = mean_of(sum, s.completed_days);
    s.median_days = median_of_sorted(s.completed_days);
    km_summary(s);
}

}  // namespace

JourneyStats journey_stats(std::span<const std::int32_t> entry,
                           std::span<const std::int32_t> exit_or_no_date, Date on) {
    if (entry.size() != exit_or_no_date.size())
        throw ValidationError("journey_stats: entry and exit columns differ in length",
                              "exit");
    JourneyStats s;
    s.on = on;
    const std::int32_t d = on.days();
    const std::size_t n = entry.size();
    // Pass 1: validation, counts, the exact sum of the completed lengths and the range of
    // every length (completed or censored; all >= 0).
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = -1;
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t e = entry[k];
        const std::int32_t x = exit_or_no_date[k];
        if (x != no_date && x < e)
            throw ValidationError("journey_stats: exit before entry at row " + std::to_string(k),
                                  "exit");
        if (e > d) {
            ++s.excluded_not_started;
            continue;
        }
        const bool done = x != no_date && x <= d;
        const std::int64_t len = static_cast<std::int64_t>(done ? x : d) - e;
        s.completed += done ? 1 : 0;
        sum += done ? len : 0;
        lo = std::min(lo, len);
        hi = std::max(hi, len);
    }
    s.count = static_cast<std::int64_t>(n) - s.excluded_not_started;
    s.open = s.count - s.completed;
    if (s.count == 0) return s;
    // Counting when the lengths fit int32 and their range is not much wider than the
    // number of journeys (bounded memory: at most 8 * (4n + 1024) bytes of counts).
    const std::int64_t range = hi - lo + 1;
    const bool fits = hi <= std::numeric_limits<std::int32_t>::max() &&
                      n < std::numeric_limits<std::uint32_t>::max();
    if (fits && range <= 4 * static_cast<std::int64_t>(n) + 1024)
        stats_by_counting(s, entry, exit_or_no_date, d, lo, static_cast<std::size_t>(range), sum);
    else
        stats_by_sorting(s, entry, exit_or_no_date, d);
    return s;
}

JourneyStats length_stats(std::vector<std::int32_t> completed, std::vector<std::int32_t> censored,
                          Date on) {
    JourneyStats s;
    s.on = on;
    std::int64_t sum = 0;
    for (const auto* v : {&completed, &censored})
        for (const std::int32_t d : *v)
            if (d < 0)
                throw ValidationError("length_stats: negative length " + std::to_string(d),
                                      "length");
    for (const std::int32_t d : completed) sum += d;
    s.completed = static_cast<std::int64_t>(completed.size());
    s.open = static_cast<std::int64_t>(censored.size());
    s.count = s.completed + s.open;
    s.completed_days = std::move(completed);
    s.open_days = std::move(censored);
    std::sort(s.completed_days.begin(), s.completed_days.end());
    std::sort(s.open_days.begin(), s.open_days.end());
    s.mean_days = mean_of(sum, s.completed_days);
    s.median_days = median_of_sorted(s.completed_days);
    kaplan_meier(s);
    return s;
}

std::optional<double> km_quantile(const JourneyStats& s, double q) {
    // The tolerance of km_summary, so that q = 0.5 gives km_median_days exactly.
    for (const auto& p : s.km_curve)
        if (p.events > 0 && p.survival <= 1.0 - q + 1e-12) return static_cast<double>(p.time);
    return std::nullopt;
}

}  // namespace ctai
