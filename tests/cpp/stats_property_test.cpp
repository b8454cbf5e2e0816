// R7 journey-length statistics, property test: journey_stats (a counting pass over the
// day lengths, or a sort when their range is too wide) must give exactly, to the last bit
// of every double, what the straightforward definition gives: copy the lengths, sort them,
// take the mean and the median, and merge the two sorted lists into the Kaplan-Meier curve.
#include <ctai/columns.hpp>
#include <ctai/error.hpp>
#include <ctai/stats.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace ctai;

// The reference: the sort-based definition, written independently of the library.
JourneyStats reference(const std::vector<std::int32_t>& entry,
                       const std::vector<std::int32_t>& exit, Date on) {
    JourneyStats s;
    s.on = on;
    const std::int32_t d = on.days();
    for (std::size_t k = 0; k < entry.size(); ++k) {
        if (entry[k] > d) {
            ++s.excluded_not_started;
            continue;
        }
        ++s.count;
        if (exit[k] != no_date && exit[k] <= d) {
            ++s.completed;
            s.completed_days.push_back(exit[k] - entry[k]);
        } else {
            ++s.open;
            s.open_days.push_back(d - entry[k]);
        }
    }
    std::sort(s.completed_days.begin(), s.completed_days.end());
    std::sort(s.open_days.begin(), s.open_days.end());
    const auto& c = s.completed_days;
    if (!c.empty()) {
        double sum = 0;
        for (auto v : c) sum += v;
        s.mean_days = sum / static_cast<double>(c.size());
        const std::size_t h = c.size() / 2;
        s.median_days = c.size() % 2 == 1
                            ? static_cast<double>(c[h])
                            : (static_cast<double>(c[h - 1]) + static_cast<double>(c[h])) / 2.0;
    }
    // Every distinct time, ascending: events first, then censorings, at that time.
    std::vector<std::int32_t> times = s.completed_days;
    times.insert(times.end(), s.open_days.begin(), s.open_days.end());
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    std::int64_t at_risk = s.count;
    double survival = 1.0;
    double greenwood = 0.0;
    for (const std::int32_t t : times) {
        KmPoint p;
        p.time = t;
        p.at_risk = at_risk;
        p.events = std::count(s.completed_days.begin(), s.completed_days.end(), t);
        p.censored = std::count(s.open_days.begin(), s.open_days.end(), t);
        if (p.events > 0) {
            survival *= 1.0 - static_cast<double>(p.events) / static_cast<double>(at_risk);
            if (p.events < at_risk)
                greenwood += static_cast<double>(p.events) /
                             (static_cast<double>(at_risk) * static_cast<double>(at_risk - p.events));
        }
        p.survival = survival;
        // Exponential Greenwood (lifelines' default): exp(-exp(log(-log S) +/- z sqrt(V) / |log S|)).
        if (survival <= 0.0) {
            p.lower = p.upper = 0.0;
        } else if (survival < 1.0) {
            const double log_s = std::log(survival);
            const double half = 1.959963984540054 * std::sqrt(greenwood) / -log_s;
            p.lower = std::exp(-std::exp(std::log(-log_s) + half));
            p.upper = std::exp(-std::exp(std::log(-log_s) - half));
        }
        at_risk -= p.events + p.censored;
        s.km_curve.push_back(p);
    }
    if (s.km_curve.empty()) return s;
    for (const auto& p : s.km_curve)
        if (p.events > 0 && p.survival <= 0.5 + 1e-12) {
            s.km_median_days = static_cast<double>(p.time);
            break;
        }
    // The interval of the median: where each bound first reaches 0.5.
    const auto lower = std::find_if(s.km_curve.begin(), s.km_curve.end(),
                                    [](const KmPoint& p) { return p.lower <= 0.5; });
    const auto upper = std::find_if(s.km_curve.begin(), s.km_curve.end(),
                                    [](const KmPoint& p) { return p.upper <= 0.5; });
    if (lower != s.km_curve.end()) s.km_median_lower_days = static_cast<double>(lower->time);
    if (upper != s.km_curve.end()) s.km_median_upper_days = static_cast<double>(upper->time);
    double area = 0;
    double level = 1.0;
    std::int32_t prev = 0;
    for (const auto& p : s.km_curve) {
        area += level * static_cast<double>(p.time - prev);
        prev = p.time;
        level = p.survival;
    }
    s.km_tau_days = s.km_curve.back().time;
    s.km_restricted_mean_days = area;
    return s;
}

std::string describe(const JourneyStats& s) {
    std::string out = "count=" + std::to_string(s.count) +
                      " completed=" + std::to_string(s.completed) +
                      " open=" + std::to_string(s.open) +
                      " excluded=" + std::to_string(s.excluded_not_started) +
                      " points=" + std::to_string(s.km_curve.size());
    if (s.mean_days) out += " mean=" + std::to_string(*s.mean_days);
    if (s.median_days) out += " median=" + std::to_string(*s.median_days);
    if (s.km_median_days) out += " km_median=" + std::to_string(*s.km_median_days);
    if (s.km_restricted_mean_days) out += " rmean=" + std::to_string(*s.km_restricted_mean_days);
    return out;
}

struct Case {
    std::vector<std::int32_t> entry, exit;
};

// A random cohort evaluated on day `d`: `n` journeys of lengths drawn from [0, max_len],
// with a share of open journeys, of journeys exiting after d (censored at d) and of journeys
// entering after d (excluded).
Case random_case(std::mt19937_64& rng, std::size_t n, std::int32_t max_len, std::int32_t d,
                 double open_share, double late_exit_share, double not_started_share) {
    std::uniform_int_distribution<std::int32_t> len(0, max_len);
    std::uniform_real_distribution<double> u(0, 1);
    Case c;
    for (std::size_t k = 0; k < n; ++k) {
        const double r = u(rng);
        if (r < not_started_share) {  // enters after d
            const std::int32_t e = d + 1 + len(rng) % 50;
            c.entry.push_back(e);
            c.exit.push_back(u(rng) < 0.5 ? no_date : e + len(rng));
        } else if (r < not_started_share + open_share) {  // open, entered on or before d
            c.entry.push_back(d - len(rng));
            c.exit.push_back(no_date);
        } else if (r < not_started_share + open_share + late_exit_share) {  // exits after d
            const std::int32_t e = d - len(rng);
            c.entry.push_back(e);
            c.exit.push_back(d + 1 + len(rng) % 30);
        } else {  // completed on or before d
            const std::int32_t l = len(rng);
            const std::int32_t x = d - len(rng) % 100;
            c.entry.push_back(x - l);
            c.exit.push_back(x);
        }
    }
    return c;
}

void expect_same(const Case& c, Date on, const std::string& what) {
    const JourneyStats mine = journey_stats(c.entry, c.exit, on);
    const JourneyStats ref = reference(c.entry, c.exit, on);
    ASSERT_TRUE(mine == ref) << what << "\n  mine:      " << describe(mine)
                             << "\n  reference: " << describe(ref);
}

TEST(StatsProperty, CountingPathEqualsTheSortDefinitionOnRandomCohorts) {
    std::mt19937_64 rng(20240229);
    const Date on = Date::from_days(20000);
    const std::size_t sizes[] = {1, 2, 3, 4, 5, 7, 10, 33, 100, 1000, 5000};
    const std::int32_t max_lens[] = {0, 1, 3, 10, 60, 400, 3000};
    const double open_shares[] = {0.0, 0.1, 0.5, 1.0};
    int cases = 0;
    for (const std::size_t n : sizes)
        for (const std::int32_t max_len : max_lens)
            for (const double open : open_shares)
                for (int rep = 0; rep < 3; ++rep) {
                    const double late = rep == 0 ? 0.0 : 0.05;
                    const double not_started = open >= 1.0 ? 0.0 : (rep == 2 ? 0.2 : 0.0);
                    const Case c = random_case(rng, n, max_len, on.days(),
                                               std::min(open, 1.0 - not_started), late,
                                               not_started);
                    expect_same(c, on,
                                "n=" + std::to_string(n) + " max_len=" + std::to_string(max_len) +
                                    " open=" + std::to_string(open) + " rep=" + std::to_string(rep));
                    ++cases;
                }
    EXPECT_GT(cases, 900);
}

TEST(StatsProperty, EdgeCases) {
    const Date on = Date::from_days(1000);
    // Empty; only journeys not yet started.
    expect_same({}, on, "empty");
    expect_same({{1001, 1500}, {no_date, 1600}}, on, "nothing started");
    // Single element: completed, open, zero-length, exit on the date itself.
    expect_same({{990}, {1000}}, on, "single completed on the date");
    expect_same({{990}, {no_date}}, on, "single open");
    expect_same({{1000}, {1000}}, on, "single zero length");
    expect_same({{1000}, {no_date}}, on, "single open entered on the date (length 0)");
    // Ties everywhere: the same length completed and censored, many times.
    Case ties;
    for (int k = 0; k < 50; ++k) {
        ties.entry.push_back(1000 - 7);
        ties.exit.push_back(k % 3 == 0 ? no_date : 1000);
    }
    expect_same(ties, on, "all tied at 7 days");
    // All zeros, all censored, even and odd counts.
    for (const std::size_t n : {std::size_t{2}, std::size_t{3}, std::size_t{8}, std::size_t{9}}) {
        Case zeros;
        Case censored;
        for (std::size_t k = 0; k < n; ++k) {
            zeros.entry.push_back(500);
            zeros.exit.push_back(500);
            censored.entry.push_back(1000 - static_cast<std::int32_t>(k * 3));
            censored.exit.push_back(no_date);
        }
        expect_same(zeros, on, "zeros n=" + std::to_string(n));
        expect_same(censored, on, "all censored n=" + std::to_string(n));
    }
}

TEST(StatsProperty, WideRangesFallBackToSortingWithTheSameAnswers) {
    // Lengths spread far wider than 4n + 1024 days: the sort path; dates near the limits of
    // int32 day numbers (lengths near 2^31 would overflow; stay a little below).
    std::mt19937_64 rng(7);
    const Date on = Date::from_days(1'000'000'000);
    for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{10}, std::size_t{101}, std::size_t{2000}}) {
        std::uniform_int_distribution<std::int32_t> len(0, 900'000'000);
        Case c;
        for (std::size_t k = 0; k < n; ++k) {
            const std::int32_t l = len(rng);
            c.entry.push_back(on.days() - l);
            c.exit.push_back(k % 4 == 0 ? no_date : on.days() - l + len(rng) % (l + 1));
        }
        // A few ties, and one zero, on top of the spread.
        c.entry.push_back(on.days());
        c.exit.push_back(on.days());
        c.entry.push_back(c.entry.front());
        c.exit.push_back(c.exit.front());
        expect_same(c, on, "wide n=" + std::to_string(n));
    }
    // Just over and just under the counting bound (range 4n + 1024 with n = 10).
    for (const std::int32_t spread : {1064, 1065, 1066, 5000}) {
        Case c;
        for (std::int32_t k = 0; k < 10; ++k) {
            c.entry.push_back(1000 - (k == 0 ? spread - 1 : k));
            c.exit.push_back(k % 2 == 0 ? no_date : 1000);
        }
        expect_same(c, Date::from_days(1000), "spread=" + std::to_string(spread));
    }
    // A large common offset with a narrow spread: counting from the smallest length.
    Case offset;
    for (std::int32_t k = 0; k < 300; ++k) {
        offset.entry.push_back(-500'000 - k % 17);
        offset.exit.push_back(k % 5 == 0 ? no_date : 100'000 - k % 11);
    }
    expect_same(offset, Date::from_days(200'000), "offset");
}

TEST(StatsProperty, ExitBeforeEntryIsRefusedWhateverThePath) {
    const Date on = Date::from_days(1000);
    const std::vector<std::int32_t> entry{10, 20, 30};
    const std::vector<std::int32_t> exit{15, 19, no_date};
    try {
        (void)journey_stats(entry, exit, on);
        FAIL() << "no error";
    } catch (const ValidationError& e) {
        EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
    }
    // Also when the journey had not started on the date (checked before the exclusion).
    const std::vector<std::int32_t> late_entry{2000};
    const std::vector<std::int32_t> late_exit{1500};
    EXPECT_THROW((void)journey_stats(late_entry, late_exit, on), ValidationError);
}

}  // namespace
