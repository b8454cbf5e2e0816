#pragma once
/// \file windows.hpp
/// What ends soon (`ctai windows`, Python `Store.windows`): for every person, the dates on
/// which a window of the rules or a document ends within a horizon, and whether the person
/// stays in the CTAI public after it, as known on the date of the question (R0.5).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <ctai/case_snapshot.hpp>
#include <ctai/date.hpp>
#include <ctai/vocab.hpp>

namespace ctai {

class Store;

/// The largest horizon accepted, in days (a hundred years).
inline constexpr std::int32_t max_window_horizon_days = 36500;

/// One row per end, ordered by end, then person id, then kind. Dates are day numbers
/// (columns.hpp conventions).
struct WindowColumns {
    std::int32_t on = 0;
    std::vector<std::string> person_id;
    /// Code of WindowKind.
    std::vector<std::uint8_t> kind;
    /// The first day outside (the window, the support, the document's validity).
    std::vector<std::int32_t> end;
    /// end - on, in days (1 or more).
    std::vector<std::int32_t> days_left;
    /// Code of PublicCategory at `on`, `no_code` when not in the CTAI public.
    std::vector<std::uint8_t> public_category;
    /// 1 when the person is still in the CTAI public on `end`, evaluated with the facts
    /// dated on or before `on` only (R0.5); stays_as: the category then (`no_code` if not).
    std::vector<std::uint8_t> stays;
    std::vector<std::uint8_t> stays_as;

    std::size_t size() const noexcept { return person_id.size(); }
};

/// The ends in (on, on + within] of the kinds asked for (every kind when `kinds` is empty):
/// - primo_window: the person is primo-arrivant on `on` and their window ends (R3);
/// - agir_window: AGIR-eligible in their own right on `on`, the recency window ends (R6);
/// - agir_support: an AGIR support entered on or before `on`, without an exit recorded on or
///   before `on`, reaches 24 months (R6);
/// - permit (card, vls_ts), receipt, aps: a document in force on `on` expires (the day
///   after valid_to), unless another document started on or before `on` covers that day.
/// Throws ValidationError when `within` is outside 0..max_window_horizon_days.
WindowColumns windows_ending(const CaseSnapshot& snapshot, Date on, std::int32_t within,
                             std::span<const WindowKind> kinds = {});
/// The same over the store's cases, under its policy.
WindowColumns windows_ending(const Store& store, Date on, std::int32_t within,
                             std::span<const WindowKind> kinds = {});

/// R0.5: the case as known on `on`: protections, permits, situations and nationalities
/// dated after `on` removed, ends (withdrawals, situation ends, nationalities given up)
/// after `on` not known yet.
PersonCase case_as_known_on(const PersonCase& c, Date on);

}  // namespace ctai
