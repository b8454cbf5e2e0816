#include <ctai/journeys.hpp>

#include <algorithm>
#include <limits>

#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>

namespace ctai {
namespace {

bool blank(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
    });
}

std::string journey_label(const Journey& j) { return "journey '" + j.id.str() + "'"; }

// Day number of the end of a journey for overlap tests; an open journey never ends.
std::int64_t end_key(const Journey& j) noexcept {
    return j.exit_date ? j.exit_date->days() : std::numeric_limits<std::int64_t>::max();
}

// R10: whether journey `o` is in action `action` of the candidate's contract, directly or
// through an earlier contract whose action the succession maps onto it.
bool in_action(const Journey& o, const ContractId& contract, int action,
               std::span<const Continuation> earlier) {
    if (o.contract_id == contract) return o.action == action;
    for (const auto& k : earlier)
        if (k.contract == o.contract_id) {
            const auto it = k.actions.find(o.action);
            return it != k.actions.end() && it->second == action;
        }
    return false;
}

bool satisfies_prerequisite(const Prerequisite& pre, const Journey& candidate,
                            std::span<const Journey> others,
                            std::span<const Continuation> earlier) {
    for (const auto& o : others) {
        if (o.id == candidate.id || o.person_id != candidate.person_id ||
            !in_action(o, candidate.contract_id, pre.action, earlier))
            continue;
        if (pre.exited_counts && o.exit_date && *o.exit_date <= candidate.entry_date) return true;
        for (const auto& s : o.steps)
            if (s.date <= candidate.entry_date &&
                std::find(pre.steps.begin(), pre.steps.end(), s.kind) != pre.steps.end())
                return true;
    }
    return false;
}

}  // namespace

bool has_override(const Journey& j) noexcept {
    return j.override_reason.has_value() && !blank(*j.override_reason);
}

void check_journey_shape(const Journey& j, const Contract& contract) {
    if (j.id.empty()) throw ValidationError("journey without id", "journey_id");
    if (j.person_id.empty())
        throw ValidationError(journey_label(j) + ": no person", "person_id");
    if (j.contract_id.empty())
        throw ValidationError(journey_label(j) + ": no contract", "contract_id");
    if (!contract.has_action(j.action))
        throw ValidationError(journey_label(j) + ": contract '" + contract.id.str() +
                                  "' has no action " + std::to_string(j.action),
                              "action");
    if (j.exit_date && *j.exit_date < j.entry_date)
        throw ConflictError(journey_label(j) + ": exit date before entry date",
                            "R7.exit_before_entry");
    for (const auto& s : j.steps) {
        if (s.date < j.entry_date || (j.exit_date && s.date > *j.exit_date))
            throw ConflictError(journey_label(j) + ": step " + std::string(to_string(s.kind)) +
                                    " dated outside [entry, exit]",
                                "R7.step_outside_journey");
    }
    if (j.exit_date.has_value() != j.exit_reason.has_value())
        throw ValidationError(journey_label(j) +
                                  (j.exit_date ? ": exit date without exit reason"
                                               : ": exit reason without exit date"),
                              "exit_reason");
    if (j.exit_reason) {
        const auto& reasons = contract.exit_reasons;
        if (std::none_of(reasons.begin(), reasons.end(),
                         [&](const ExitReason& r) { return r.code == *j.exit_reason; }))
            throw ValidationError(journey_label(j) + ": exit reason '" + *j.exit_reason +
                                      "' is not in the vocabulary of contract '" +
                                      contract.id.str() + "'",
                                  "exit_reason");
    }
    if (j.override_reason && blank(*j.override_reason))
        throw ValidationError(journey_label(j) + ": an override needs a written reason",
                              "override_reason");
}

void check_one_open_journey(const Journey& candidate, std::span<const Journey> others) {
    const std::int64_t c_entry = candidate.entry_date.days();
    const std::int64_t c_end = end_key(candidate);
    for (const auto& o : others) {
        if (o.id == candidate.id || o.person_id != candidate.person_id ||
            o.contract_id != candidate.contract_id || o.action != candidate.action)
            continue;
        // Overlap of [entry, exit) intervals: a re-entry may start on the previous exit day.
        const bool both_open = !o.exit_date && !candidate.exit_date;
        if (both_open || (c_entry < end_key(o) && o.entry_date.days() < c_end))
            throw ConflictError(journey_label(candidate) + " overlaps journey '" + o.id.str() +
                                    "' of the same person in action " +
                                    std::to_string(candidate.action) +
                                    " (a re-entry is a new journey after the exit)",
                                "R7.one_open_journey");
    }
}

bool in_agir_support(std::span<const AgirSupport> supports, Date on, const Policy& p) {
    return std::any_of(supports.begin(), supports.end(), [&](const AgirSupport& s) {
        return s.entry_date && agir_support_active(*s.entry_date, on, p) &&
               !(s.exit_date && *s.exit_date <= on);
    });
}

EnrollmentCheck check_enrollment(const Contract& contract, const Journey& candidate,
                                 const PersonCase& c, std::span<const Journey> others,
                                 std::span<const AgirSupport> agir, const Policy& p,
                                 std::optional<Need> need, const PersonCase* family_bpi,
                                 std::span<const Continuation> earlier) {
    check_journey_shape(candidate, contract);
    if (c.person.id != candidate.person_id)
        throw ValidationError(journey_label(candidate) + ": case of another person",
                              "person_id");
    check_one_open_journey(candidate, others);

    const Action& action = contract.action(candidate.action);
    EnrollmentCheck result;
    std::vector<ConflictError> failures;
    const std::string where = journey_label(candidate) + " (contract '" + contract.id.str() +
                              "', action " + std::to_string(candidate.action) + ")";

    const Eligibility e = evaluate(c, candidate.entry_date, p, family_bpi);
    // R8: the public is the contract's (dijon-2022 does not serve BPT).
    const bool in_public = (e.primo_arrivant && contract.serves(PublicCategory::primo_arrivant)) ||
                           (e.bpi && contract.serves(PublicCategory::bpi)) ||
                           (e.bpt && contract.serves(PublicCategory::bpt));
    if (!in_public) {
        if (action.open_to_general_population)
            result.counted_apart = true;
        else
            failures.emplace_back(where + ": person '" + c.person.id.str() +
                                      "' is not in the contract's public at entry",
                                  "R7.public_at_entry");
    }
    // Without a lineage from the caller, the contract's own `continues` (one step back).
    std::vector<Continuation> direct;
    if (earlier.empty() && contract.continues) direct.push_back(*contract.continues);
    if (action.prerequisite &&
        !satisfies_prerequisite(*action.prerequisite, candidate, others,
                                earlier.empty() ? std::span<const Continuation>(direct) : earlier))
        failures.emplace_back(where + ": requires a journey in action " +
                                  std::to_string(action.prerequisite->action) +
                                  " that reached its end of support",
                              "R7.prerequisite");
    if (in_agir_support(agir, candidate.entry_date, p)) {
        if (action.agir_policy == AgirPolicy::excluded)
            failures.emplace_back(where + ": person '" + c.person.id.str() +
                                      "' is inside an AGIR support window at entry and the "
                                      "action is excluded for AGIR beneficiaries",
                                  "R6.agir_excluded");
        else if (action.agir_policy == AgirPolicy::partner &&
                 candidate.referral_source == ReferralSource::agir && need &&
                 std::find(action.agir_needs.begin(), action.agir_needs.end(), *need) ==
                     action.agir_needs.end())
            failures.emplace_back(where + ": AGIR may refer to this partner action only for "
                                          "its declared needs, not '" +
                                      std::string(to_string(*need)) + "'",
                                  "R6.agir_partner_need");
    }
    if (failures.empty()) return result;
    if (!has_override(candidate)) throw failures.front();
    for (const auto& f : failures) result.overridden_rules.push_back(f.rule());
    return result;
}

bool is_positive_exit(const Journey& j, const Contract& contract) noexcept {
    if (!j.exit_reason) return false;
    for (const auto& r : contract.exit_reasons)
        if (r.code == *j.exit_reason) return r.positive;
    return false;
}

std::optional<std::int32_t> journey_length(const Journey& j,
                                           std::optional<Date> censor_on) noexcept {
    if (j.exit_date) return j.exit_date->days_since(j.entry_date);
    if (censor_on) return censor_on->days_since(j.entry_date);
    return std::nullopt;
}

}  // namespace ctai
