#pragma once
/// \file referrals.hpp
/// R6: the referral (orientation) lifecycle between AGIR and the CTAI actions, as pure rules.
///
///     proposed -> accepted | declined(reason)
///     accepted -> completed | cancelled(reason)
///
/// `decided_on` is the date of acceptance or decline; `completed_on` is the date of
/// completion or cancellation (the closing date). Dates never decrease along the lifecycle.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <ctai/model.hpp>

namespace ctai {

/// A referral endpoint: `agir` or `<contract_id>:<action>`.
struct ReferralEndpoint {
    /// Empty for AGIR.
    ContractId contract_id;
    /// 0 for AGIR.
    int action = 0;
    bool is_agir() const noexcept { return contract_id.empty(); }
    friend bool operator==(const ReferralEndpoint&, const ReferralEndpoint&) = default;
};

/// Parses `agir` or `<contract_id>:<action>` (action >= 1). Throws ValidationError
/// (field = `field`).
ReferralEndpoint parse_referral_endpoint(std::string_view text, std::string_view field = "to");

/// Formats an endpoint back to `agir` or `<contract_id>:<action>`.
std::string to_string(const ReferralEndpoint& e);

/// Whether the lifecycle allows `from -> to` (R6).
bool referral_transition_allowed(ReferralStatus from, ReferralStatus to) noexcept;

/// R6: a referral recorded in one go (import) is consistent: non-empty ids, valid
/// endpoints that differ, dates present exactly for the statuses that have them and
/// non-decreasing, a reason for `declined` and `cancelled`. Throws ValidationError, or
/// ConflictError "R6.referral_transition" for dates out of order.
void check_referral(const Referral& r);

/// R6: applies one transition and returns the new referral: `accepted`/`declined` set
/// decided_on, `completed`/`cancelled` set completed_on; `reason` is required (non-blank)
/// for declined and cancelled. Throws ConflictError "R6.referral_transition" when the
/// transition is not allowed from the current status or `on` is before the previous date;
/// ValidationError for a missing reason.
Referral apply_referral_transition(const Referral& r, ReferralStatus to, Date on,
                                   std::optional<std::string> reason = std::nullopt);

/// R6: the direction of a referral from its endpoints: AGIR -> a CTAI action, a CTAI action
/// -> AGIR, or between two actions. (Both AGIR is refused by check_referral.)
ReferralDirection referral_direction(const ReferralEndpoint& from,
                                     const ReferralEndpoint& to) noexcept;

/// R6 and R0.5: a referral as known on a date `on`.
struct ReferralState {
    /// The status on `on`: `proposed` until decided_on, then `declined` or `accepted` (an
    /// acceptance later completed or cancelled is `accepted` until completed_on), then
    /// `completed` or `cancelled` from completed_on.
    ReferralStatus status = ReferralStatus::proposed;
    /// The transition dates on or before `on` (a later one is not known yet: nullopt).
    std::optional<Date> decided_on;
    std::optional<Date> completed_on;
    /// on - proposed_on, in days (>= 0).
    std::int32_t age_days = 0;
    /// The step the referral waits on: `decision` (proposed), `entry` (accepted: the
    /// person has not entered the target yet, completion being the entry, docs/rules.md);
    /// nullopt once declined, completed or cancelled.
    std::optional<ReferralStep> waiting_on;
    /// Days since the awaited step became due: on - proposed_on (decision), on -
    /// decided_on (entry); nullopt when waiting on nothing.
    std::optional<std::int32_t> waiting_days;
    friend bool operator==(const ReferralState&, const ReferralState&) = default;
};

/// R6, R0.5: the state of `r` on `on`, from its dated transitions; nullopt when it was
/// proposed after `on` (it does not exist yet). Expects a referral that passed
/// check_referral (dates present for its status, in order).
std::optional<ReferralState> referral_state_on(const Referral& r, Date on) noexcept;

/// R6: the state of `r` as stored (no date): its status and dates, waiting_on from its
/// status, age_days 0 and waiting_days nullopt.
ReferralState referral_state_stored(const Referral& r) noexcept;

}  // namespace ctai
