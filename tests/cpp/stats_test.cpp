// R7 journey-length statistics: every expected value below is computed by hand in the
// comments (Kaplan-Meier with events before censorings at tied times).
#include <ctai/columns.hpp>
#include <ctai/error.hpp>
#include <ctai/stats.hpp>

#include <cstdint>
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
    EXPECT_EQ(s.km_curve[0], (KmPoint{10, 5, 1, 0, 0.8}));
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
