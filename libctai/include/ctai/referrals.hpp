#pragma once
/// \file referrals.hpp
/// R6: the referral (orientation) lifecycle between AGIR and the CTAI actions, as pure rules.
///
///     proposed -> accepted | declined(reason)
///     accepted -> completed | cancelled(reason)
///
/// `decided_on` is the date of acceptance or decline; `completed_on` is the date of
/// completion or cancellation (the closing date). Dates never decrease along the lifecycle.

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

}  // namespace ctai
