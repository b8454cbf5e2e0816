#pragma once
/// \file stats.hpp
/// R7: journey-length statistics with censoring. Journeys still open at the evaluation date
/// are *censored* there: completed-only mean and median, plus a Kaplan-Meier estimate of the
/// length distribution that uses the open journeys as censored observations (median and
/// restricted mean), and the curve itself for charts. Pure functions over day numbers; the
/// Store overloads only fetch the columns. See docs/reports.md.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/date.hpp>
#include <ctai/ids.hpp>

namespace ctai {

class Store;

/// One step of the Kaplan-Meier curve: at `time` (days since entry) `events` journeys ended
/// and `censored` open journeys were censored, out of `at_risk`; `survival` is S(time), the
/// estimated share of journeys lasting longer than `time` days. S(t) = 1 before the first
/// point; between points the curve is flat (step function, right-continuous).
struct KmPoint {
    std::int32_t time = 0;
    std::int64_t at_risk = 0;
    std::int64_t events = 0;
    std::int64_t censored = 0;
    double survival = 1.0;
    /// 95 % pointwise confidence interval of S(time): the exponential Greenwood
    /// ("log(-log)") interval, as lifelines' KaplanMeierFitter gives by default:
    /// with V = sum over event times u <= time of d_u / (n_u (n_u - d_u)) (Greenwood) and
    /// c = log(-log S), the bounds are exp(-exp(c +/- 1.96 sqrt(V) / |log S|)).
    /// Both 1 while S = 1; both 0 once S = 0.
    double lower = 1.0;
    double upper = 1.0;
    friend bool operator==(const KmPoint&, const KmPoint&) = default;
};

/// R7: journey-length statistics at an evaluation date `on`.
struct JourneyStats {
    /// The evaluation (censoring) date.
    Date on;
    /// Journeys counted: entry <= on. count = completed + open.
    std::int64_t count = 0;
    /// Journeys with an exit on or before `on`.
    std::int64_t completed = 0;
    /// Journeys without an exit, or exiting after `on`: censored at `on`.
    std::int64_t open = 0;
    /// Journeys entering after `on`: not counted anywhere else (they had not started).
    std::int64_t excluded_not_started = 0;
    /// Mean and median length (days) of the completed journeys only; nullopt when none.
    /// The median of an even number of values is the mean of the two middle ones.
    std::optional<double> mean_days;
    std::optional<double> median_days;
    /// Kaplan-Meier median: the first time t with S(t) <= 0.5; nullopt when the curve never
    /// reaches 0.5 (too many journeys still open: the median is not yet observable) or when
    /// there is no journey.
    std::optional<double> km_median_days;
    /// 95 % confidence interval of the Kaplan-Meier median, as lifelines'
    /// `median_survival_times(kmf.confidence_interval_)`: the first time the lower (upper)
    /// bound of the curve is <= 0.5; nullopt when that bound never reaches 0.5 (lifelines:
    /// inf) or when there is no journey.
    std::optional<double> km_median_lower_days;
    std::optional<double> km_median_upper_days;
    /// Restricted mean: area under the Kaplan-Meier curve from 0 to tau, tau = the largest
    /// observed time (event or censoring); nullopt when there is no journey. When the last
    /// observation is an event (S reaches 0) it equals the mean of all lengths.
    std::optional<double> km_restricted_mean_days;
    /// The tau used for the restricted mean (largest observed time).
    std::optional<std::int32_t> km_tau_days;
    /// The Kaplan-Meier curve, one point per distinct observed time, ascending.
    std::vector<KmPoint> km_curve;
    /// Lengths in days of the completed journeys and of the open ones (censored at `on`),
    /// ascending: the material of a length histogram.
    std::vector<std::int32_t> completed_days;
    std::vector<std::int32_t> open_days;
    friend bool operator==(const JourneyStats&, const JourneyStats&) = default;
};

/// R7: statistics of journeys given by their entry and exit day numbers (days since
/// 1970-01-01; `exit_or_no_date[i]` is `no_date` (columns.hpp) for an open journey).
/// A journey entering after `on` is excluded (excluded_not_started); one exiting after `on`
/// was still open on `on` and is censored there. Kaplan-Meier ties: at a given time the
/// events are counted before the censorings (a journey censored at t is still at risk at t).
/// Throws ValidationError when the spans differ in length or an exit precedes its entry.
JourneyStats journey_stats(std::span<const std::int32_t> entry,
                           std::span<const std::int32_t> exit_or_no_date, Date on);

/// The same statistics from lengths already measured (days >= 0): `completed` ended,
/// `censored` were still running when last seen (censored at their own length, which lets a
/// caller censor an observation before `on`, e.g. a cancelled referral at its
/// cancellation). The one Kaplan-Meier of the library (R6 delays, R8 volunteer lengths).
/// excluded_not_started is 0. Throws ValidationError for a negative length.
JourneyStats length_stats(std::vector<std::int32_t> completed, std::vector<std::int32_t> censored,
                          Date on);

/// The q-th quantile (0 < q < 1) of the lengths from the Kaplan-Meier curve: the first
/// event time t with S(t) <= 1 - q (q = 0.5 gives km_median_days; lifelines'
/// `percentile(1 - q)`); nullopt when the curve never gets there.
std::optional<double> km_quantile(const JourneyStats& s, double q);

/// R7: the same for the journeys of a store, optionally of one contract and/or action.
JourneyStats journey_stats(const Store& store, std::optional<ContractId> contract,
                           std::optional<int> action, Date on);

/// R7: the journeys of a store *as known on `on`* (Store::journey_table, then this
/// filter): journeys entered after `on` are left out, exits after `on` are reopened (exit
/// `no_date`, exit_reason "", positive 0, open 1), an end step after `on` is dropped from
/// end_step_date, and length = min(exit, on) - entry. Without `on`, every journey as stored
/// (open lengths -1). Throws NotFoundError for an unknown contract, or an action that no
/// contract (or not the given one) defines.
JourneyTable journeys_as_of(const Store& store, std::optional<ContractId> contract,
                            std::optional<int> action, std::optional<Date> on,
                            JourneyFields fields);

/// R7: the filter of journeys_as_of over a table already read (rows kept in order).
void keep_as_of(JourneyTable& table, Date on);

/// Throws NotFoundError unless the store knows `contract` (when given) and `action` (when
/// given: an action of that contract, or of any contract).
void check_journey_filter(const Store& store, const std::optional<ContractId>& contract,
                          std::optional<int> action);

/// R7: the same, split by the journey's public category at its entry date
/// (store.eligibility(person, entry)): keys "bpi", "bpt", "primo_arrivant", "not_eligible"
/// (only the keys that have journeys).
std::map<std::string, JourneyStats> journey_stats_by_public(const Store& store,
                                                            std::optional<ContractId> contract,
                                                            std::optional<int> action, Date on);

}  // namespace ctai
