#pragma once
/// \file orientations.hpp
/// R6 (referral lifecycle) and R0.5 (what is known at D): the orientations of a store as
/// known on a date, in columns, each with its age and the step it waits on. The report's
/// statistics of the orientations (counts, acceptance, censored delays) are in report.hpp
/// (Report::orientations). See docs/rules.md (R6, "Orientations at a date").

#include <cstdint>
#include <optional>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/date.hpp>
#include <ctai/vocab.hpp>

namespace ctai {

class Store;

/// Which referrals referrals_as_of keeps (every given condition holds).
struct ReferralFilter {
    /// The status on the evaluation date (as stored without a date).
    std::optional<ReferralStatus> status;
    std::optional<Need> need;
};

/// The referrals of a store as known on `on` (referrals_as_of), by referral id.
struct ReferralTable {
    /// The evaluation date; nullopt: as stored.
    std::optional<Date> on;
    /// status: the status on `on` (referral_state_on); decided_on, completed_on: `no_date`
    /// when not known on `on` (dated after it) or absent.
    ReferralColumns columns;
    /// Code of ReferralDirection.
    std::vector<std::uint8_t> direction;
    /// on - proposed_on in days; -1 without `on`.
    std::vector<std::int32_t> age_days;
    /// Code of ReferralStep (`decision`, `entry`); `no_code` when waiting on nothing.
    std::vector<std::uint8_t> waiting_on;
    /// Days the awaited step has been due (referral_state_on); -1 when waiting on nothing
    /// or without `on`.
    std::vector<std::int32_t> waiting_days;

    std::size_t size() const noexcept { return columns.size(); }
};

/// R6, R0.5: every referral of the store as known on `on` (those proposed after `on` left
/// out; status and dates as on `on`), or as stored without `on`, filtered by `filter`, in
/// referral id order.
ReferralTable referrals_as_of(const Store& store, std::optional<Date> on,
                              const ReferralFilter& filter = {});

/// The same over referral columns already read (Store::referrals()).
ReferralTable referrals_as_of(ReferralColumns stored, std::optional<Date> on,
                              const ReferralFilter& filter = {});

}  // namespace ctai
