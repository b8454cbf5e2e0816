#pragma once
/// \file journeys.hpp
/// R7 (journeys through the actions) and the R6 articulation with AGIR, as pure rules over
/// domain values: no SQL, no I/O. The store calls them on every journey it writes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <ctai/contract.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai {

/// What an accepted enrollment check found, for the audit log and the indicators.
struct EnrollmentCheck {
    /// The person is outside the contract's public at entry but the action is open to the
    /// general population (R7): allowed, counted apart in the indicators.
    bool counted_apart = false;
    /// Rules that would have refused the journey and were bypassed by its override_reason
    /// (e.g. "R6.agir_excluded"). Empty when no override was needed.
    std::vector<std::string> overridden_rules;
};

/// Whether an override reason is usable: present and not blank.
bool has_override(const Journey& j) noexcept;

/// R7 shape of one journey, never bypassed by an override:
/// - non-empty id, person and contract; the action exists in `contract` (ValidationError);
/// - exit >= entry (ConflictError "R7.exit_before_entry");
/// - every step dated inside [entry, exit] (ConflictError "R7.step_outside_journey");
/// - an exit reason iff an exit date, from the contract's vocabulary (ValidationError,
///   field "exit_reason");
/// - an override reason, when present, is not blank (ValidationError, "override_reason").
void check_journey_shape(const Journey& j, const Contract& contract);

/// R7: the candidate does not overlap another journey of the same person in the same
/// contract and action (at most one open journey per person and action; a re-entry is a new
/// journey that starts on or after the previous exit). `others` may contain the candidate
/// itself (same id), which is ignored. Never bypassed. Throws ConflictError
/// "R7.one_open_journey".
void check_one_open_journey(const Journey& candidate, std::span<const Journey> others);

/// Whether the person is inside an AGIR support window on `on` (R6): an AGIR support with
/// an entry date whose 24-month window is active on `on` and that has not exited by `on`.
bool in_agir_support(std::span<const AgirSupport> supports, Date on, const Policy& p);

/// R6/R7: every rule an enrollment must satisfy, in this order:
/// 1. check_journey_shape and check_one_open_journey (never bypassed);
/// 2. "R7.public_at_entry": at entry the person is in one of the publics the contract
///    serves (R8: primo-arrivant, BPI or BPT per Contract::publics), unless the action is
///    open_to_general_population (then allowed and EnrollmentCheck::counted_apart);
/// 3. "R7.prerequisite": with an action Prerequisite, `others` must hold a journey of the
///    same person in the prerequisite action that reached one of its steps on or before the
///    entry date, or (when exited_counts) exited on or before it; the journey may be of an
///    earlier contract whose action `earlier` (lineage(), R10) maps onto the prerequisite
///    action (empty: the contract's own `continues`, one contract back);
/// 4. "R6.agir_excluded": inside an AGIR support window on the entry date (in_agir_support)
///    and the action's agir_policy is `excluded`;
///    "R6.agir_partner_need": inside a window, agir_policy `partner`, referral source `agir`,
///    `need` known and not in the action's agir_needs. An unknown need is accepted
///    (documented simplification: the need is checked when the caller or a referral gives
///    it).
/// `contract` is the contract as it stands on the entry date (R10: its avenants and the
/// local convention in force then, contract_on()).
/// Rules 2-4 are bypassed when the journey carries an override reason (has_override); the
/// bypassed rules are returned for the audit log. Throws ConflictError naming the rule of
/// the first failure, ValidationError for a malformed journey.
EnrollmentCheck check_enrollment(const Contract& contract, const Journey& candidate,
                                 const PersonCase& c, std::span<const Journey> others,
                                 std::span<const AgirSupport> agir, const Policy& p,
                                 std::optional<Need> need = std::nullopt,
                                 const PersonCase* family_bpi = nullptr,
                                 std::span<const Continuation> earlier = {});

/// R7: whether a closed journey ended with a positive exit under the contract's vocabulary.
/// False for an open journey or an exit reason unknown to the contract.
bool is_positive_exit(const Journey& j, const Contract& contract) noexcept;

/// R7: journey length in days: exit - entry, or `censor_on` - entry for an open journey
/// (censored), or nullopt for an open journey without a censoring date.
std::optional<std::int32_t> journey_length(const Journey& j,
                                           std::optional<Date> censor_on = std::nullopt) noexcept;

}  // namespace ctai
