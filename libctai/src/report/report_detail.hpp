#pragma once
// Internals shared by the report builder and renderers (not public API).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <ctai/date.hpp>
#include <ctai/report.hpp>
#include <ctai/vocab.hpp>

namespace ctai::detail {

/// Whether `years` (0 <= years < 100; the report asks 18, 25, 35 and 50) whole years have
/// passed from `birth` to `on` (day numbers; add_years(birth, years) <= on, under either
/// feb29 policy), from the number of days alone: `unknown` within 3 days of the
/// anniversary, where the calendar decides. Why: most persons are far from their
/// birthdays, and the calendar conversions of every birth date were a tenth of the report
/// at 10^4 persons. Those k years last 365k + L days, L the 29 Februaries they contain:
/// floor(k/4) or ceil(k/4), one fewer when they contain a century year that is not leap
/// (at most one below 100 years), and a 29 February birth moved to 28 February or 1 March
/// shifts the anniversary by one day: at most 2 days from 365k + floor(k/4). Tested against
/// add_years around every anniversary of every birth day from 1890 to 2110 under both
/// policies (tests/cpp/report_test.cpp).
inline Tri years_passed_by_days(std::int32_t birth, std::int32_t on, int years) {
    const std::int64_t days = std::int64_t{on} - birth, typical = 365 * years + years / 4;
    if (days < typical - 3) return Tri::no;
    if (days > typical + 3) return Tri::yes;
    return Tri::unknown;
}

/// Keys of the public block, in output order (interfaces.md section 2).
inline constexpr std::array<const char*, 11> public_keys{
    "total", "men", "women", "under_25", "bpi", "bpi_men", "bpi_women", "bpi_under_25",
    "primo_arrivants", "bpt", "not_eligible"};

/// French wording of the age reference option.
inline std::string age_reference_label(AgeReference a) {
    switch (a) {
    case AgeReference::entry: return "date d'entrée dans l'action (entry)";
    case AgeReference::period_end: return "fin de période (period_end)";
    case AgeReference::december_31: return "31 décembre (december_31)";
    }
    return std::string(to_string(a));
}

/// French label of a report key (public rows not in the fiche, extras, journeys, financial).
std::string_view extra_label(std::string_view key);

/// French label of a breakdown entry (sex, age band, public, step, referral source...), or
/// the entry itself when it is free text (workshop types, themes).
std::string breakdown_label(std::string_view extra_key, std::string_view entry);

/// French label of a key of the orientations block (R6), of a delay figure, or of a
/// breakdown entry (direction, status, need); orientation_entry_label: the label of an entry
/// of the breakdown `key` ("fiche 4" for by_action).
std::string_view orientation_label(std::string_view key);
std::string orientation_entry_label(std::string_view key, std::string_view entry);

/// A number as text: integral values without decimals, others with up to 2 decimals
/// (point as decimal separator; `french` uses a comma and thin-space thousands).
std::string format_number(double v, bool french = false);
std::string format_optional(const std::optional<double>& v, bool french, std::string_view none);

/// A count as a figure (nullopt stays nullopt).
inline std::optional<double> as_double(const std::optional<std::int64_t>& v) {
    if (!v) return std::nullopt;
    return static_cast<double>(*v);
}

/// The rows of the journeys block (R7) in output order, as (key, value) pairs: one list for
/// every renderer.
inline std::array<std::pair<const char*, std::optional<double>>, 8> journey_rows(const ReportJourneys& j) {
    constexpr auto num = &as_double;
    return {{{"count", num(j.count)},
             {"completed", num(j.completed)},
             {"open", num(j.open)},
             {"mean_days", j.mean_days},
             {"median_days", j.median_days},
             {"km_median_days", j.km_median_days},
             {"km_restricted_mean_days", j.km_restricted_mean_days},
             {"positive_exits", num(j.positive_exits)}}};
}

/// The rows of a delay of the orientations block (R6) in output order.
inline std::array<std::pair<const char*, std::optional<double>>, 6> delay_rows(const ReferralDelay& d) {
    return {{{"count", as_double(d.count)},
             {"observed", as_double(d.observed)},
             {"open", as_double(d.open)},
             {"median_days", d.median_days},
             {"km_median_days", d.km_median_days},
             {"km_p90_days", d.km_p90_days}}};
}

}  // namespace ctai::detail
