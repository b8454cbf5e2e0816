#pragma once
/// \file date.hpp
/// Calendar dates and the legal date arithmetic of domain rule R0.
/// A ctai::Date is a calendar day (no time, no zone) held as the number of days since
/// 1970-01-01, the same number NumPy `datetime64[D]`, Arrow `date32` and the store use.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

namespace ctai {

/// How add_months/add_years treat a 29 February start that lands in a common year (R0.1).
enum class Feb29 { last_day_of_february, march_first };

/// Whether the anniversary day itself is still inside a period (R0.2).
enum class Boundary { strict, inclusive };

/// A calendar date. Regular value type, totally ordered, trivially copyable.
/// Construct from validated parts only; parse_date() validates text.
class Date {
public:
    /// 1970-01-01.
    constexpr Date() noexcept = default;
    /// From a date::sys_days.
    constexpr explicit Date(date::sys_days d) noexcept
        : days_(static_cast<std::int32_t>(d.time_since_epoch().count())) {}
    /// From a valid year_month_day. Throws ValidationError when !ymd.ok().
    explicit Date(date::year_month_day ymd);
    /// From year, month (1-12), day (1-31). Throws ValidationError on an invalid date.
    Date(int y, unsigned m, unsigned d);
    /// From a day number (days since 1970-01-01).
    static constexpr Date from_days(std::int32_t days) noexcept {
        Date r;
        r.days_ = days;
        return r;
    }
    /// Days since 1970-01-01.
    constexpr std::int32_t days() const noexcept { return days_; }
    constexpr date::sys_days sys_days() const noexcept {
        return date::sys_days{date::days{days_}};
    }
    constexpr date::year_month_day ymd() const noexcept {
        return date::year_month_day{sys_days()};
    }
    int year() const noexcept { return static_cast<int>(ymd().year()); }
    unsigned month() const noexcept { return static_cast<unsigned>(ymd().month()); }
    unsigned day() const noexcept { return static_cast<unsigned>(ymd().day()); }

    /// The date n days later (n may be negative).
    constexpr Date plus_days(std::int32_t n) const noexcept { return from_days(days_ + n); }
    /// Days from `other` to this date (this - other).
    constexpr std::int32_t days_since(Date other) const noexcept { return days_ - other.days_; }

    friend constexpr auto operator<=>(Date, Date) noexcept = default;
    friend constexpr bool operator==(Date, Date) noexcept = default;

private:
    std::int32_t days_ = 0;
};

/// Parses an ISO date `YYYY-MM-DD`. Throws ValidationError naming the value when it is not
/// a valid calendar date (e.g. 2023-02-30).
Date parse_date(std::string_view text);

/// Parses `YYYY-MM-DD` or `DD/MM/YYYY` (French spreadsheets). Throws ValidationError.
Date parse_date_lenient(std::string_view text);

/// Formats as ISO `YYYY-MM-DD`.
std::string to_iso(Date d);

/// R0.1: same day of month n months later (n may be negative); when that day does not
/// exist, the last day of the target month (CPC art. 641 al. 2). With Feb29::march_first a
/// 29 February start landing in a common February gives 1 March instead of 28 February.
Date add_months(Date start, int n, Feb29 feb29 = Feb29::last_day_of_february);

/// R0.1: add_months(start, 12 * n, feb29).
Date add_years(Date start, int n, Feb29 feb29 = Feb29::last_day_of_february);

/// R0.2: the first day no longer inside a period of `years` years starting on `start`
/// (start included): the anniversary under Boundary::strict, the day after it under
/// Boundary::inclusive.
Date period_end_years(Date start, int years, Boundary boundary = Boundary::strict,
                      Feb29 feb29 = Feb29::last_day_of_february);

/// R0.2 for a period counted in months (AGIR support window: 24 months).
Date period_end_months(Date start, int months, Boundary boundary = Boundary::strict,
                       Feb29 feb29 = Feb29::last_day_of_february);

/// R0.2: whether `on` is inside the period of `years` years starting on `start`:
/// start <= on < period_end_years(start, years, boundary, feb29).
bool within_years(Date start, int years, Date on, Boundary boundary = Boundary::strict,
                  Feb29 feb29 = Feb29::last_day_of_february);

/// R0.3: age in whole years (âge révolu) at `on`: the number of whole years k >= 0 with
/// add_years(birth, k) <= on. Precondition: birth <= on (returns 0 otherwise).
int age_on(Date birth, Date on, Feb29 feb29 = Feb29::last_day_of_february);

/// Precision of a recorded birth date (R0.4).
enum class DatePrecision { day, month, year };

/// A date known to the day, the month or the year only (R0.4). `first` is the earliest
/// compatible date (the first of the month or of the year when partial).
struct PartialDate {
    Date first;
    DatePrecision precision = DatePrecision::day;

    /// The latest date compatible with this partial date.
    Date last() const;
    friend bool operator==(const PartialDate&, const PartialDate&) = default;
};

/// Parses `YYYY-MM-DD`, `YYYY-MM`, `YYYY` (and `DD/MM/YYYY`). Throws ValidationError.
PartialDate parse_partial_date(std::string_view text);

/// Formats as `YYYY-MM-DD`, `YYYY-MM` or `YYYY` according to the precision.
std::string to_string(const PartialDate& d);

/// A yes / no / undecidable answer (R0.4: never guessed).
enum class Tri { no, yes, unknown };

/// R0.3/R0.4: "moins de N ans" at `on`: on < add_years(birth, years). For a partial birth
/// date the answer is decided only when every compatible full date gives the same answer,
/// otherwise Tri::unknown.
Tri under_age(const PartialDate& birth, int years, Date on,
              Feb29 feb29 = Feb29::last_day_of_february);

/// R0.3/R0.4: age at `on` when every compatible full date gives the same age, else nullopt.
std::optional<int> age_on(const PartialDate& birth, Date on,
                          Feb29 feb29 = Feb29::last_day_of_february);

}  // namespace ctai
