#pragma once
// Internal to libctai: the rules a write must satisfy, as pure functions over domain values
// (no SQL, no I/O, nothing of storage). The store loads the values a rule needs, asks here,
// and persists only what is allowed; every refusal is a RuleVerdict naming the rule and the
// column it is about. The R7/R6 enrollment rules themselves are in <ctai/journeys.hpp>,
// the referral lifecycle in <ctai/referrals.hpp>: the functions here decide which of them
// apply to a write and carry their outcome as a RuleVerdict.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <ctai/contract.hpp>
#include <ctai/journeys.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai::rules {

/// What a rule decided about a write.
struct RuleVerdict {
    enum class Outcome {
        allowed,    ///< the write may go on
        invalid,    ///< a malformed value (ValidationError)
        conflict,   ///< a rule of the domain refuses it (ConflictError)
        not_found,  ///< it refers to a record that does not exist (NotFoundError)
    };
    Outcome outcome = Outcome::allowed;
    /// The rule's id for a conflict (e.g. "R7.already_exited"), else empty.
    std::string rule;
    /// The column (field) the verdict is about, or empty.
    std::string column;
    /// The message of the error (opaque ids only, never a personal field).
    std::string message;
    /// For not_found: the entity ("person", "journey", ...) and the id looked up.
    std::string entity, id;

    bool allowed() const noexcept { return outcome == Outcome::allowed; }

    static RuleVerdict allow() { return {}; }
    static RuleVerdict invalid(std::string message, std::string column);
    static RuleVerdict conflict(std::string message, std::string rule, std::string column);
    static RuleVerdict not_found(std::string message, std::string entity, std::string id);
};

/// Throws the error a refusing verdict names (ValidationError with its column as field,
/// ConflictError with rule and column, NotFoundError with entity and id); returns when the
/// verdict allows the write.
void enforce(const RuleVerdict& v);

/// The column a rule of the domain is about (e.g. "R7.one_open_journey" -> "entry_date"),
/// or empty for a rule that names no single column.
std::string_view rule_column(std::string_view rule) noexcept;

// ---- persons and cases --------------------------------------------------------------------

/// A person record: an id; nationalities normalised codes (the message names the position,
/// not the code: personal data); household and family link, when present, not empty.
RuleVerdict check_person(const Person& p);
/// check_person, then the case's lists: permits, protections and situations dated in order.
RuleVerdict check_case(const PersonCase& c);
/// R1: whether the undated codes are the same set as the codes of the dated nationalities
/// (order and repeats aside): what persons.nationalities must hold for a person with
/// dated nationalities.
bool same_codes(const std::vector<std::string>& undated, const std::vector<DatedNationality>& dated);
/// R1: the distinct codes of dated nationalities, in order of first appearance.
std::vector<std::string> dated_codes(const std::vector<DatedNationality>& dated);

// ---- other records --------------------------------------------------------------------------

/// `action` exists in contract `c`; `what` names the record in the message.
RuleVerdict check_action(const Contract& c, int action, std::string_view what);
/// A contract written by the user: an id, not one of the built-in contracts
/// (conflict "contract.builtin_id").
RuleVerdict check_contract(const Contract& c);
/// AGIR support dates in order (orientation <= entry <= exit, no exit without an entry),
/// cdd_months non-negative.
RuleVerdict check_agir_support(const AgirSupport& s);
/// An id and non-negative finite hours.
RuleVerdict check_activity(const Activity& a);
/// Satisfaction, when present, from 1 to 5.
RuleVerdict check_participation(const Participation& p);
/// End, when present, on or after the start.
RuleVerdict check_volunteering(const Volunteering& v);
/// A household id.
RuleVerdict check_housing_move(const HousingMove& m);
/// Non-negative finite amounts, the subsidy at most the total cost.
RuleVerdict check_cost(const Cost& c);

// ---- referrals (R6) -----------------------------------------------------------------------

/// A referral recorded in one go (check_referral of <ctai/referrals.hpp>) as a verdict.
RuleVerdict check_referral_record(const Referral& r);
/// R6: a referral already recorded (`old`) may only move forward along its lifecycle
/// ("R6.referral_transition"); a new one (`old` empty) is allowed.
RuleVerdict check_referral_update(const std::optional<Referral>& old, const Referral& next);
/// R6: a proposed referral's id is not taken ("R6.referral_id_exists").
RuleVerdict check_new_referral_id(const ReferralId& id, bool taken);

/// One transition of the service API (accept, decline, complete, cancel): the verdict and,
/// when allowed, the referral after it (apply_referral_transition of <ctai/referrals.hpp>).
struct ReferralTransition {
    RuleVerdict verdict;
    Referral next;
};
ReferralTransition transition_referral(const Referral& r, ReferralStatus to, Date on,
                                       std::optional<std::string> reason);

/// R6: the need of a journey sent by AGIR, inferred from the person's referrals: the need of
/// the latest (proposed_on, then id) accepted or completed referral from `agir` to the
/// journey's action. nullopt for a journey not sent by AGIR or without such a referral.
std::optional<Need> inferred_need(const Journey& j, std::span<const Referral> referrals);

// ---- journeys (R7, R6 articulation) ---------------------------------------------------------

/// R7: a journey enrolled through the service API has a free id ("R7.journey_id_exists").
RuleVerdict check_new_journey_id(const JourneyId& id, bool taken);
/// The journey the service API enrolls: entry on `on` with an intake step that day.
Journey enrollment(JourneyId id, PersonId person, ContractId contract, int action, Date on,
                   ReferralSource source, std::optional<std::string> override_reason);
/// `j` with one more step, the steps kept in date order (a step on the same date as others
/// goes after them).
Journey with_step(Journey j, StepKind step, Date on);
/// R7: a journey exits once ("R7.already_exited").
RuleVerdict check_exit(const Journey& j);
/// `j` exited on `on` for `reason` (check_exit first).
Journey exited(Journey j, Date on, std::string_view reason);

/// Which rules a write of journey `next` over the recorded `old` must pass.
enum class JourneyWrite {
    unchanged,     ///< the same journey: nothing to write, no rule to check
    continuation,  ///< same enrollment (person, contract, action, entry, source, override):
                   ///< only its shape and the one-open-journey rule (exits and steps; later
                   ///< facts such as an AGIR support recorded afterwards do not reopen the
                   ///< entry, validated when recorded)
    enrollment,    ///< a new journey or a changed enrollment: every rule (check_enrollment)
};
JourneyWrite classify_journey_write(const std::optional<Journey>& old, const Journey& next);

/// The rules of a journey write and, when allowed, what the enrollment check found (the
/// overridden rules go to the audit log).
struct JourneyVerdict {
    RuleVerdict verdict;
    EnrollmentCheck check;
};
/// JourneyWrite::continuation: check_journey_shape and check_one_open_journey.
JourneyVerdict check_journey_continuation(const Journey& j, const Contract& contract,
                                          std::span<const Journey> others);
/// JourneyWrite::enrollment: check_enrollment.
JourneyVerdict check_journey_enrollment(const Contract& contract, const Journey& j,
                                        const PersonCase& c, std::span<const Journey> others,
                                        std::span<const AgirSupport> agir, const Policy& p,
                                        std::optional<Need> need, const PersonCase* family,
                                        std::span<const Continuation> earlier = {});

}  // namespace ctai::rules
