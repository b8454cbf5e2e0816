// R7 journey-length statistics: every expected value below is computed by hand in the
// comments (Kaplan-Meier with events before censorings at tied times).
#include <ctai/columns.hpp>
#include <ctai/error.hpp>
#include <ctai/stats.hpp>
#include <ctai/store.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace ctai;

const Date on = Date::from_days(1000);

struct Js {
    std::vector<std::int32_t> entry, exit;
    void done(std::int32_t length) {  // completed journey of `length` days
        entry.push_back(0);
        exit.push_back(length);
    }
    void open_for(std::int32_t length) {  // open on `on` since `length` days
        entry.push_back(on.days() - length);
        exit.push_back(no_date);
    }
    JourneyStats stats() const { return journey_stats(entry, exit, on); }
};

TEST(Stats, TiesCountEventsBeforeCensoringsAtTheSameTime) {
    Js j;
    j.done(10);
    j.done(20);
    j.done(20);
    j.open_for(20);
    j.open_for(30);
    const auto s = j.stats();
    EXPECT_EQ(s.count, 5);
    EXPECT_EQ(s.completed, 3);
    EXPECT_EQ(s.open, 2);
    // mean (10 + 20 + 20) / 3, median 20 (completed only).
    EXPECT_DOUBLE_EQ(*s.mean_days, 50.0 / 3.0);
    EXPECT_DOUBLE_EQ(*s.median_days, 20.0);
    // t=10: 5 at risk, 1 event: S = 4/5. t=20: 4 at risk (the censored one included),
    // 2 events: S = 0.8 * 2/4 = 0.4 (censorings first would give 0.8 * 1/3).
    ASSERT_EQ(s.km_curve.size(), 3u);
    EXPECT_EQ(s.km_curve[0].time, 10);
    EXPECT_EQ(s.km_curve[0].at_risk, 5);
    EXPECT_EQ(s.km_curve[0].events, 1);
    EXPECT_EQ(s.km_curve[0].censored, 0);
    EXPECT_DOUBLE_EQ(s.km_curve[0].survival, 0.8);
    EXPECT_EQ(s.km_curve[1].at_risk, 4);
    EXPECT_EQ(s.km_curve[1].events, 2);
    EXPECT_EQ(s.km_curve[1].censored, 1);
    EXPECT_DOUBLE_EQ(s.km_curve[1].survival, 0.4);
    EXPECT_EQ(s.km_curve[2].time, 30);
    EXPECT_EQ(s.km_curve[2].at_risk, 1);
    EXPECT_DOUBLE_EQ(s.km_curve[2].survival, 0.4);
    EXPECT_DOUBLE_EQ(*s.km_median_days, 20.0);
    // Area to tau = 30: 10 * 1 + 10 * 0.8 + 10 * 0.4 = 22.
    EXPECT_EQ(*s.km_tau_days, 30);
    EXPECT_DOUBLE_EQ(*s.km_restricted_mean_days, 22.0);
    EXPECT_EQ(s.completed_days, (std::vector<std::int32_t>{10, 20, 20}));
    EXPECT_EQ(s.open_days, (std::vector<std::int32_t>{20, 30}));
}

TEST(Stats, AllCensoredGroupHasNoMedianAndAFlatCurve) {
    Js j;
    j.open_for(7);
    j.open_for(5);
    const auto s = j.stats();
    EXPECT_EQ(s.count, 2);
    EXPECT_EQ(s.completed, 0);
    EXPECT_EQ(s.open, 2);
    EXPECT_FALSE(s.mean_days);
    EXPECT_FALSE(s.median_days);
    EXPECT_FALSE(s.km_median_days);
    ASSERT_EQ(s.km_curve.size(), 2u);
    EXPECT_DOUBLE_EQ(s.km_curve[1].survival, 1.0);
    // S = 1 up to tau = 7.
    EXPECT_DOUBLE_EQ(*s.km_restricted_mean_days, 7.0);
}

TEST(Stats, SingleCompletedJourney) {
    Js j;
    j.done(12);
    const auto s = j.stats();
    EXPECT_EQ(s.count, 1);
    EXPECT_DOUBLE_EQ(*s.mean_days, 12.0);
    EXPECT_DOUBLE_EQ(*s.median_days, 12.0);
    EXPECT_DOUBLE_EQ(*s.km_median_days, 12.0);
    EXPECT_DOUBLE_EQ(*s.km_restricted_mean_days, 12.0);
    ASSERT_EQ(s.km_curve.size(), 1u);
    EXPECT_DOUBLE_EQ(s.km_curve[0].survival, 0.0);
}

TEST(Stats, EmptyInputGivesZeroCountsAndNoEstimate) {
    const auto s = journey_stats({}, {}, on);
    EXPECT_EQ(s.count, 0);
    EXPECT_EQ(s.completed, 0);
    EXPECT_EQ(s.open, 0);
    EXPECT_FALSE(s.mean_days);
    EXPECT_FALSE(s.median_days);
    EXPECT_FALSE(s.km_median_days);
    EXPECT_FALSE(s.km_restricted_mean_days);
    EXPECT_TRUE(s.km_curve.empty());
}

TEST(Stats, EvenCountMedianAndRestrictedMeanEqualsMeanWhenAllCompleted) {
    Js j;
    for (int v : {40, 10, 30, 20}) j.done(v);
    const auto s = j.stats();
    EXPECT_DOUBLE_EQ(*s.median_days, 25.0);  // (20 + 30) / 2
    EXPECT_DOUBLE_EQ(*s.mean_days, 25.0);
    // S: 0.75 at 10, 0.5 at 20 -> KM median 20 (first S <= 0.5).
    EXPECT_DOUBLE_EQ(*s.km_median_days, 20.0);
    // 10 + 7.5 + 5 + 2.5 = 25: the last observation is an event, area = mean.
    EXPECT_DOUBLE_EQ(*s.km_restricted_mean_days, 25.0);
}

TEST(Stats, MedianIsNotReachedWhenTooManyJourneysAreOpen) {
    Js j;
    j.done(10);
    j.open_for(20);
    j.open_for(20);
    j.open_for(20);
    const auto s = j.stats();
    EXPECT_DOUBLE_EQ(s.km_curve.back().survival, 0.75);
    EXPECT_FALSE(s.km_median_days);
    EXPECT_DOUBLE_EQ(*s.median_days, 10.0);  // completed-only median is biased low
}

TEST(Stats, JourneysEnteringAfterTheDateAreExcludedAndLateExitsAreCensored) {
    const std::vector<std::int32_t> entry{900, 990, 1001};
    const std::vector<std::int32_t> exit{1010, no_date, 1020};
    const auto s = journey_stats(entry, exit, on);
    EXPECT_EQ(s.excluded_not_started, 1);
    EXPECT_EQ(s.count, 2);
    EXPECT_EQ(s.completed, 0);  // the exit on day 1010 is after `on`: still open then
    EXPECT_EQ(s.open_days, (std::vector<std::int32_t>{10, 100}));
}

TEST(Stats, ExitOnTheEvaluationDateIsCompleted) {
    const std::vector<std::int32_t> entry{990};
    const std::vector<std::int32_t> exit{1000};
    const auto s = journey_stats(entry, exit, on);
    EXPECT_EQ(s.completed, 1);
    EXPECT_EQ(s.completed_days, (std::vector<std::int32_t>{10}));
}

TEST(Stats, MalformedColumnsAreRefused) {
    const std::vector<std::int32_t> two{1, 2};
    const std::vector<std::int32_t> one{1};
    EXPECT_THROW(journey_stats(two, one, on), ValidationError);
    const std::vector<std::int32_t> entry{10};
    const std::vector<std::int32_t> exit{9};
    EXPECT_THROW(journey_stats(entry, exit, on), ValidationError);
}

}  // namespace

namespace {

// The journeys of a lifelines run: durations and whether each ended (1) or was censored (0).
JourneyStats of_durations(const std::vector<std::int32_t>& length, const std::vector<int>& ended) {
    Js j;
    for (std::size_t k = 0; k < length.size(); ++k) {
        if (ended[k]) j.done(length[k]);
        else j.open_for(length[k]);
    }
    return j.stats();
}

}  // namespace

TEST(Stats, ConfidenceIntervalsAreLifelinesExponentialGreenwood) {
    // lifelines 0.30 KaplanMeierFitter().fit([10, 20, 20, 20, 30], [1, 1, 1, 0, 0])
    // .confidence_interval_ and median_survival_times(...) of it.
    const auto s = of_durations({10, 20, 20, 20, 30}, {1, 1, 1, 0, 0});
    ASSERT_EQ(s.km_curve.size(), 3u);
    EXPECT_NEAR(s.km_curve[0].lower, 0.20380926326763904, 1e-12);
    EXPECT_NEAR(s.km_curve[0].upper, 0.96917978886674272, 1e-12);
    EXPECT_NEAR(s.km_curve[1].lower, 0.05197575037746751, 1e-12);
    EXPECT_NEAR(s.km_curve[1].upper, 0.75281579135875532, 1e-12);
    EXPECT_NEAR(s.km_curve[2].lower, 0.05197575037746751, 1e-12);  // censorings only
    EXPECT_EQ(s.km_median_lower_days, 10.0);
    EXPECT_EQ(s.km_median_upper_days, std::nullopt);  // lifelines: inf
}

TEST(Stats, ConfidenceIntervalsReachZeroWithTheCurve) {
    const auto s = of_durations({5, 8, 8, 12, 15, 20, 22, 30, 31, 40},
                                {1, 1, 0, 1, 1, 0, 1, 1, 0, 1});
    const std::vector<double> lower{0.47300927136205084, 0.40869078163340444,
                                    0.30458507420184727, 0.21719270238228386,
                                    0.21719270238228386, 0.11404177765577757,
                                    0.04566553336379574, 0.04566553336379574, 0.0};
    const std::vector<double> upper{0.98528139336734299, 0.94587264583891151,
                                    0.88714849502770732, 0.81457213792077920,
                                    0.81457213792077920, 0.71845342487635888,
                                    0.60140190287291873, 0.60140190287291873, 0.0};
    ASSERT_EQ(s.km_curve.size(), lower.size());
    for (std::size_t k = 0; k < lower.size(); ++k) {
        EXPECT_NEAR(s.km_curve[k].lower, lower[k], 1e-12) << k;
        EXPECT_NEAR(s.km_curve[k].upper, upper[k], 1e-12) << k;
    }
    EXPECT_EQ(s.km_median_days, 22.0);
    EXPECT_EQ(s.km_median_lower_days, 5.0);
    EXPECT_EQ(s.km_median_upper_days, 40.0);
}

TEST(StatsAsOf, JourneysAreTheOnesKnownOnTheDate) {
    // Four journeys, as stored; as known on day 100: the one entered on day 150 is left
    // out, the exit on day 120 is reopened, the exit on day 80 stays.
    JourneyTable t;
    JourneyColumns& c = t.columns;
    c.action = {1, 1, 1, 1};
    c.entry = {10, 50, 60, 150};
    c.exit = {80, 120, no_date, 160};
    c.open = {0, 0, 1, 0};
    c.positive = {1, 1, 0, 0};
    c.length = {70, 70, -1, 10};
    c.end_step_date = {no_date, 110, 90, no_date};
    for (const char* id : {"J1", "J2", "J3", "J4"}) t.journey_id.push_back(id);
    for (const char* r : {"autonomy", "lasting_job", "", "dropped_out"}) t.exit_reason.push_back(r);
    keep_as_of(t, Date::from_days(100));
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t.journey_id.strings(), (std::vector<std::string>{"J1", "J2", "J3"}));
    EXPECT_EQ(c.exit, (std::vector<std::int32_t>{80, no_date, no_date}));
    EXPECT_EQ(c.open, (std::vector<std::uint8_t>{0, 1, 1}));
    EXPECT_EQ(c.positive, (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_EQ(c.length, (std::vector<std::int32_t>{70, 50, 40}));
    EXPECT_EQ(c.end_step_date, (std::vector<std::int32_t>{no_date, no_date, 90}));
    EXPECT_EQ(t.exit_reason.strings(), (std::vector<std::string>{"autonomy", "", ""}));
    EXPECT_TRUE(c.referral_source.empty());  // a column not read stays empty
}

TEST(StatsAsOf, UnknownContractsAndActionsAreNotFoundNotEmpty) {
    Store s = Store::open(":memory:");
    const auto none = std::optional<ContractId>();
    EXPECT_THROW((void)journeys_as_of(s, ContractId{"no-such"}, std::nullopt, on,
                                      JourneyFields::lengths),
                 NotFoundError);
    EXPECT_THROW((void)journey_stats(s, ContractId{"no-such"}, std::nullopt, on), NotFoundError);
    EXPECT_THROW((void)journey_stats_by_public(s, none, 99, on), NotFoundError);
    EXPECT_THROW((void)journey_stats(s, ContractId{"dijon-2022"}, 9, on), NotFoundError);
    // A known contract and action without journeys: no row, no error.
    EXPECT_EQ(journeys_as_of(s, ContractId{"dijon-2022"}, 1, on, JourneyFields::all).size(), 0u);
    EXPECT_EQ(journey_stats(s, none, 1, on).count, 0);
}
