// Bulk window kernels. The interval trick: period_end(s) is non-decreasing in s, so
// {s : s <= on < period_end(s)} is an interval ending at `on`; its first day is found by a
// binary search, then each person costs two comparisons (no calendar arithmetic per row).
#include <ctai/kernels.hpp>

#include <limits>

namespace ctai {
namespace {

constexpr std::int64_t nat = std::numeric_limits<std::int64_t>::min();

template <class T>
void check_all(std::span<const T> starts, DayInterval iv, std::span<std::uint8_t> out) {
    const std::size_t n = starts.size() < out.size() ? starts.size() : out.size();
    const T* s = starts.data();
    std::uint8_t* o = out.data();
    // Missing values (INT32_MIN / INT64_MIN) are far below any interval: no special case.
    for (std::size_t i = 0; i < n; ++i)
        o[i] = static_cast<std::uint8_t>((s[i] >= iv.first) & (s[i] <= iv.last));
}

template <class T>
void ends_all(std::span<const T> starts, int years, Boundary b, Feb29 f, std::span<T> out, T missing) {
    const std::size_t n = starts.size() < out.size() ? starts.size() : out.size();
    for (std::size_t i = 0; i < n; ++i)
        out[i] = starts[i] == missing
                     ? missing
                     : static_cast<T>(period_end_years(Date::from_days(static_cast<std::int32_t>(starts[i])),
                                                       years, b, f)
                                          .days());
}

}  // namespace

DayInterval starts_active_on_months(Date on, int months, Boundary boundary, Feb29 feb29) {
    const auto ends_after_on = [&](std::int64_t s) {
        return on < period_end_months(Date::from_days(static_cast<std::int32_t>(s)), months, boundary, feb29);
    };
    const std::int64_t hi = on.days();
    if (months < 0 || !ends_after_on(hi)) return {hi + 1, hi};
    // A period of `months` months ends at most 31 * months + 1 days after its start.
    std::int64_t lo = hi - 31 * static_cast<std::int64_t>(months) - 2;
    std::int64_t first = hi;
    while (first - lo > 1) {  // invariant: !ends_after_on(lo) && ends_after_on(first)
        const std::int64_t mid = lo + (first - lo) / 2;
        (ends_after_on(mid) ? first : lo) = mid;
    }
    return {first, hi};
}

DayInterval starts_active_on(Date on, int years, Boundary boundary, Feb29 feb29) {
    return starts_active_on_months(on, 12 * years, boundary, feb29);
}

void within_years(std::span<const std::int32_t> starts, int years, Date on, Boundary boundary, Feb29 feb29,
                  std::span<std::uint8_t> out) {
    check_all(starts, starts_active_on(on, years, boundary, feb29), out);
}

void within_years(std::span<const std::int64_t> starts, int years, Date on, Boundary boundary, Feb29 feb29,
                  std::span<std::uint8_t> out) {
    check_all(starts, starts_active_on(on, years, boundary, feb29), out);
}

void period_end_years(std::span<const std::int32_t> starts, int years, Boundary boundary, Feb29 feb29,
                      std::span<std::int32_t> out) {
    ends_all<std::int32_t>(starts, years, boundary, feb29, out, no_date);
}

void period_end_years(std::span<const std::int64_t> starts, int years, Boundary boundary, Feb29 feb29,
                      std::span<std::int64_t> out) {
    ends_all<std::int64_t>(starts, years, boundary, feb29, out, nat);
}

}  // namespace ctai
