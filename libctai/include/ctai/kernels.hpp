#pragma once
/// \file kernels.hpp
/// Bulk calendar kernels over day-number columns (days since 1970-01-01, as in
/// columns.hpp, NumPy datetime64[D] and Arrow date32): the five-year and two-year window
/// checks for a whole population at once (performance.md W4).

#include <cstdint>
#include <span>

#include <ctai/columns.hpp>
#include <ctai/date.hpp>

namespace ctai {

/// A closed interval of day numbers [first, last]; empty when first > last.
struct DayInterval {
    std::int64_t first = 0;
    std::int64_t last = -1;
    constexpr bool empty() const noexcept { return first > last; }
    constexpr bool contains(std::int64_t day) const noexcept { return first <= day && day <= last; }
    friend bool operator==(const DayInterval&, const DayInterval&) = default;
};

/// R0.2: the start dates whose period of `months` months is active on `on`. Because
/// add_months is non-decreasing in its start, these starts form exactly one interval
/// [first, on]: a window check becomes two comparisons per person.
DayInterval starts_active_on_months(Date on, int months, Boundary boundary = Boundary::strict,
                                    Feb29 feb29 = Feb29::last_day_of_february);

/// R0.2: starts_active_on_months(on, 12 * years, ...).
DayInterval starts_active_on(Date on, int years, Boundary boundary = Boundary::strict,
                             Feb29 feb29 = Feb29::last_day_of_february);

/// R0.2 for a column: out[i] = 1 iff the period of `years` years from starts[i] is active on
/// `on`; 0 for a missing start (`no_date` in int32 columns, INT64_MIN = NumPy NaT in int64
/// ones). Precondition: out.size() == starts.size().
void within_years(std::span<const std::int32_t> starts, int years, Date on, Boundary boundary,
                  Feb29 feb29, std::span<std::uint8_t> out);
void within_years(std::span<const std::int64_t> starts, int years, Date on, Boundary boundary,
                  Feb29 feb29, std::span<std::uint8_t> out);

/// R0.2 for a column: out[i] = period_end_years(starts[i], years, boundary, feb29), the first
/// day outside; missing starts stay missing (same sentinel as the input).
void period_end_years(std::span<const std::int32_t> starts, int years, Boundary boundary,
                      Feb29 feb29, std::span<std::int32_t> out);
void period_end_years(std::span<const std::int64_t> starts, int years, Boundary boundary,
                      Feb29 feb29, std::span<std::int64_t> out);

}  // namespace ctai
