// The rules of a write as pure functions returning verdicts (see journey_rules.hpp).

#include "domain/journey_rules.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <ctai/error.hpp>
#include <ctai/nationality.hpp>
#include <ctai/referrals.hpp>

namespace ctai::rules {
namespace {

// Runs a rule of <ctai/journeys.hpp> or <ctai/referrals.hpp>, which throw, and returns
// its outcome as a verdict (a conflict carries the column of its rule).
template <class F>
RuleVerdict verdict_of(F&& f) {
    try {
        f();
        return RuleVerdict::allow();
    } catch (const ConflictError& e) {
        return RuleVerdict::conflict(e.what(), e.rule(),
                                 e.column().empty() ? std::string(rule_column(e.rule()))
                                                    : e.column());
    } catch (const NotFoundError& e) {
        return RuleVerdict::not_found(e.what(), e.entity(), e.id());
    } catch (const ValidationError& e) {
        return RuleVerdict::invalid(e.what(), e.field());
    }
}

std::string person_label(const PersonId& id) { return "person '" + id.str() + "'"; }

}  // namespace

RuleVerdict RuleVerdict::invalid(std::string message, std::string column) {
    RuleVerdict v;
    v.outcome = Outcome::invalid;
    v.message = std::move(message);
    v.column = std::move(column);
    return v;
}

RuleVerdict RuleVerdict::conflict(std::string message, std::string rule, std::string column) {
    RuleVerdict v;
    v.outcome = Outcome::conflict;
    v.message = std::move(message);
    v.rule = std::move(rule);
    v.column = std::move(column);
    return v;
}

RuleVerdict RuleVerdict::not_found(std::string message, std::string entity, std::string id) {
    RuleVerdict v;
    v.outcome = Outcome::not_found;
    v.message = std::move(message);
    v.entity = std::move(entity);
    v.id = std::move(id);
    return v;
}

void enforce(const RuleVerdict& v) {
    switch (v.outcome) {
        case RuleVerdict::Outcome::allowed: return;
        case RuleVerdict::Outcome::invalid: throw ValidationError(v.message, v.column);
        case RuleVerdict::Outcome::conflict: throw ConflictError(v.message, v.rule, v.column);
        case RuleVerdict::Outcome::not_found: throw NotFoundError(v.message, v.entity, v.id);
    }
}

std::string_view rule_column(std::string_view rule) noexcept {
    static const std::map<std::string_view, std::string_view> columns = {
        {"R7.exit_before_entry", "exit_date"},
        {"R7.step_outside_journey", "date"},
        {"R7.one_open_journey", "entry_date"},
        {"R7.public_at_entry", "person_id"},
        {"R7.prerequisite", "action"},
        {"R6.agir_excluded", "action"},
        {"R6.agir_partner_need", "action"},
        {"R6.referral_transition", "status"},
        {"R7.already_exited", "exit_date"},
        {"R7.journey_id_exists", "journey_id"},
        {"R6.referral_id_exists", "referral_id"},
        {"contract.builtin_id", "id"},
    };
    const auto it = columns.find(rule);
    return it == columns.end() ? std::string_view() : it->second;
}

// ---- persons and cases --------------------------------------------------------------------

RuleVerdict check_person(const Person& p) {
    if (p.id.empty()) return RuleVerdict::invalid("person without id", "person_id");
    for (std::size_t i = 0; i < p.nationalities.size(); ++i) {
        // Nationalities are personal data: the message names the position, not the code.
        bool ok = false;
        try {
            ok = normalize_nationality(p.nationalities[i]) == p.nationalities[i];
        } catch (const ValidationError&) {
            ok = false;
        }
        if (!ok)
            return RuleVerdict::invalid(person_label(p.id) + ": nationalities[" + std::to_string(i) +
                                        "] is not a normalised code",
                                    "nationalities");
    }
    if (p.household_id && p.household_id->empty())
        return RuleVerdict::invalid(person_label(p.id) + ": empty household id", "household_id");
    if (p.rejoining_family_of && p.rejoining_family_of->empty())
        return RuleVerdict::invalid(person_label(p.id) + ": empty rejoining_family_of",
                                "rejoining_family_of");
    return RuleVerdict::allow();
}

bool same_codes(const std::vector<std::string>& undated, const std::vector<DatedNationality>& dated) {
    const auto in_dated = [&](const std::string& code) {
        return std::any_of(dated.begin(), dated.end(),
                           [&](const DatedNationality& n) { return n.code == code; });
    };
    const auto in_undated = [&](const DatedNationality& n) {
        return std::find(undated.begin(), undated.end(), n.code) != undated.end();
    };
    return std::all_of(undated.begin(), undated.end(), in_dated) &&
           std::all_of(dated.begin(), dated.end(), in_undated);
}

std::vector<std::string> dated_codes(const std::vector<DatedNationality>& dated) {
    std::vector<std::string> codes;
    for (const auto& n : dated)
        if (std::find(codes.begin(), codes.end(), n.code) == codes.end()) codes.push_back(n.code);
    return codes;
}

namespace {
// R1: dated nationalities: normalised codes, lost after acquired, the undated codes the
// same set. Nationalities are personal data: messages name positions, never a code or date.
RuleVerdict check_dated_nationalities(const PersonCase& c) {
    const auto who = person_label(c.person.id) + ": ";
    for (std::size_t i = 0; i < c.nationalities.size(); ++i) {
        const auto& n = c.nationalities[i];
        bool ok = false;
        try {
            ok = normalize_nationality(n.code) == n.code;
        } catch (const ValidationError&) {
            ok = false;
        }
        const auto at = "dated nationalities[" + std::to_string(i) + "]";
        if (!ok) return RuleVerdict::invalid(who + at + " is not a normalised code", "nationality");
        if (n.acquired_on && n.lost_on && !(*n.acquired_on < *n.lost_on))
            return RuleVerdict::invalid(who + at + ": lost_on not after acquired_on", "lost_on");
    }
    if (!c.nationalities.empty() && !same_codes(c.person.nationalities, c.nationalities))
        return RuleVerdict::invalid(who + "nationalities do not agree with the dated nationalities "
                                          "(the same codes expected)",
                                    "nationalities");
    return RuleVerdict::allow();
}
}  // namespace

RuleVerdict check_case(const PersonCase& c) {
    if (auto v = check_person(c.person); !v.allowed()) return v;
    const auto who = person_label(c.person.id) + ": ";
    for (std::size_t i = 0; i < c.permits.size(); ++i)
        if (c.permits[i].valid_to && *c.permits[i].valid_to < c.permits[i].valid_from)
            return RuleVerdict::invalid(
                who + "permits[" + std::to_string(i) + "]: valid_to before valid_from", "valid_to");
    for (std::size_t i = 0; i < c.protections.size(); ++i) {
        const auto& p = c.protections[i];
        if ((p.end_date && *p.end_date < p.decision_date) ||
            (p.notification_date && *p.notification_date < p.decision_date))
            return RuleVerdict::invalid(
                who + "protections[" + std::to_string(i) + "]: date before the decision date",
                "decision_date");
    }
    for (std::size_t i = 0; i < c.situations.size(); ++i)
        if (c.situations[i].end && *c.situations[i].end < c.situations[i].start)
            return RuleVerdict::invalid(
                who + "situations[" + std::to_string(i) + "]: end before start", "end");
    if (auto v = check_dated_nationalities(c); !v.allowed()) return v;
    return RuleVerdict::allow();
}

// ---- other records --------------------------------------------------------------------------

RuleVerdict check_action(const Contract& c, int action, std::string_view what) {
    if (c.has_action(action)) return RuleVerdict::allow();
    return RuleVerdict::invalid(std::string(what) + ": contract '" + c.id.str() + "' has no action " +
                                std::to_string(action),
                            "action");
}

RuleVerdict check_contract(const Contract& c) {
    if (c.id.empty()) return RuleVerdict::invalid("contract without id", "id");
    for (const auto& b : builtin_contracts())
        if (b.id == c.id)
            return RuleVerdict::conflict("contract '" + c.id.str() + "' is a built-in contract",
                                     "contract.builtin_id", "id");
    return RuleVerdict::allow();
}

RuleVerdict check_agir_support(const AgirSupport& s) {
    const std::string label = "AGIR support of person '" + s.person_id.str() + "'";
    if (s.person_id.empty()) return RuleVerdict::invalid("AGIR support without person", "person_id");
    if (s.entry_date && *s.entry_date < s.orientation_date)
        return RuleVerdict::invalid(label + ": entry before orientation", "entry_date");
    if (s.exit_date && !s.entry_date)
        return RuleVerdict::invalid(label + ": exit without entry", "exit_date");
    if (s.exit_date && *s.exit_date < *s.entry_date)
        return RuleVerdict::invalid(label + ": exit before entry", "exit_date");
    if (s.cdd_months && *s.cdd_months < 0)
        return RuleVerdict::invalid(label + ": negative cdd_months", "cdd_months");
    return RuleVerdict::allow();
}

RuleVerdict check_activity(const Activity& a) {
    if (a.id.empty()) return RuleVerdict::invalid("activity without id", "activity_id");
    if (!std::isfinite(a.hours) || a.hours < 0)
        return RuleVerdict::invalid("activity '" + a.id.str() + "': hours must be a non-negative number",
                                "hours");
    return RuleVerdict::allow();
}

RuleVerdict check_participation(const Participation& p) {
    if (p.satisfaction && (*p.satisfaction < 1 || *p.satisfaction > 5))
        return RuleVerdict::invalid("participation in activity '" + p.activity_id.str() +
                                    "': satisfaction must be 1 to 5",
                                "satisfaction");
    return RuleVerdict::allow();
}

RuleVerdict check_volunteering(const Volunteering& v) {
    if (v.end && *v.end < v.start)
        return RuleVerdict::invalid("volunteering of person '" + v.person_id.str() +
                                    "': end before start",
                                "end");
    return RuleVerdict::allow();
}

RuleVerdict check_housing_move(const HousingMove& m) {
    if (m.household_id.empty())
        return RuleVerdict::invalid("housing move without household", "household_id");
    return RuleVerdict::allow();
}

RuleVerdict check_cost(const Cost& c) {
    const std::string label = "cost of " + c.contract_id.str() + ":" + std::to_string(c.action);
    if (!std::isfinite(c.total_cost) || !std::isfinite(c.subsidy_p104) || c.total_cost < 0 ||
        c.subsidy_p104 < 0)
        return RuleVerdict::invalid(label + ": amounts must be non-negative numbers", "total_cost");
    if (c.subsidy_p104 > c.total_cost)
        return RuleVerdict::invalid(label + ": subsidy greater than the total cost", "subsidy_p104");
    return RuleVerdict::allow();
}

// ---- referrals (R6) -----------------------------------------------------------------------

RuleVerdict check_referral_record(const Referral& r) {
    return verdict_of([&] { check_referral(r); });
}

RuleVerdict check_referral_update(const std::optional<Referral>& old, const Referral& next) {
    if (!old) return RuleVerdict::allow();
    const auto from = old->status, to = next.status;
    // Forward along the lifecycle, possibly skipping the decision (proposed -> completed or
    // cancelled: a referral recorded after the fact).
    const bool reachable = from == to || referral_transition_allowed(from, to) ||
                           (from == ReferralStatus::proposed &&
                            (to == ReferralStatus::completed || to == ReferralStatus::cancelled));
    if (reachable) return RuleVerdict::allow();
    return RuleVerdict::conflict("referral '" + next.id.str() + "': cannot go from " +
                                 std::string(to_string(from)) + " to " + std::string(to_string(to)),
                             "R6.referral_transition", "status");
}

RuleVerdict check_new_referral_id(const ReferralId& id, bool taken) {
    if (!taken) return RuleVerdict::allow();
    return RuleVerdict::conflict("referral '" + id.str() + "' already exists", "R6.referral_id_exists",
                             "referral_id");
}

ReferralTransition transition_referral(const Referral& r, ReferralStatus to, Date on,
                                       std::optional<std::string> reason) {
    ReferralTransition t;
    t.verdict = verdict_of([&] { t.next = apply_referral_transition(r, to, on, std::move(reason)); });
    return t;
}

std::optional<Need> inferred_need(const Journey& j, std::span<const Referral> referrals) {
    if (j.referral_source != ReferralSource::agir) return std::nullopt;
    const std::string to = j.contract_id.str() + ":" + std::to_string(j.action);
    const Referral* best = nullptr;
    for (const auto& r : referrals) {
        if (r.person_id != j.person_id || r.from != "agir" || r.to != to ||
            (r.status != ReferralStatus::accepted && r.status != ReferralStatus::completed))
            continue;
        if (!best || r.proposed_on > best->proposed_on ||
            (r.proposed_on == best->proposed_on && r.id.str() > best->id.str()))
            best = &r;
    }
    if (!best) return std::nullopt;
    return best->need;
}

// ---- journeys (R7, R6 articulation) ---------------------------------------------------------

RuleVerdict check_new_journey_id(const JourneyId& id, bool taken) {
    if (!taken) return RuleVerdict::allow();
    return RuleVerdict::conflict("journey '" + id.str() + "' already exists", "R7.journey_id_exists",
                             "journey_id");
}

Journey enrollment(JourneyId id, PersonId person, ContractId contract, int action, Date on,
                   ReferralSource source, std::optional<std::string> override_reason) {
    Journey j;
    j.id = std::move(id);
    j.person_id = std::move(person);
    j.contract_id = std::move(contract);
    j.action = action;
    j.entry_date = on;
    j.referral_source = source;
    j.override_reason = std::move(override_reason);
    j.steps.push_back(Step{StepKind::intake, on});
    return j;
}

Journey with_step(Journey j, StepKind step, Date on) {
    j.steps.push_back(Step{step, on});
    std::stable_sort(j.steps.begin(), j.steps.end(),
                     [](const Step& a, const Step& b) { return a.date < b.date; });
    return j;
}

RuleVerdict check_exit(const Journey& j) {
    if (!j.exit_date) return RuleVerdict::allow();
    return RuleVerdict::conflict("journey '" + j.id.str() + "' has already exited", "R7.already_exited",
                             "exit_date");
}

Journey exited(Journey j, Date on, std::string_view reason) {
    j.exit_date = on;
    j.exit_reason = std::string(reason);
    return j;
}

JourneyWrite classify_journey_write(const std::optional<Journey>& old, const Journey& next) {
    if (old && *old == next) return JourneyWrite::unchanged;
    const bool same_enrollment =
        old && old->person_id == next.person_id && old->contract_id == next.contract_id &&
        old->action == next.action && old->entry_date == next.entry_date &&
        old->referral_source == next.referral_source &&
        old->override_reason == next.override_reason;
    return same_enrollment ? JourneyWrite::continuation : JourneyWrite::enrollment;
}

JourneyVerdict check_journey_continuation(const Journey& j, const Contract& contract,
                                          std::span<const Journey> others) {
    JourneyVerdict out;
    out.verdict = verdict_of([&] {
        check_journey_shape(j, contract);
        check_one_open_journey(j, others);
    });
    return out;
}

JourneyVerdict check_journey_enrollment(const Contract& contract, const Journey& j,
                                        const PersonCase& c, std::span<const Journey> others,
                                        std::span<const AgirSupport> agir, const Policy& p,
                                        std::optional<Need> need, const PersonCase* family,
                                        std::span<const Continuation> earlier) {
    JourneyVerdict out;
    out.verdict = verdict_of([&] {
        out.check = check_enrollment(contract, j, c, others, agir, p, need, family, earlier);
    });
    return out;
}

}  // namespace ctai::rules
