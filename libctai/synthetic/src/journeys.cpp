// The generator: journeys through the actions (R7 public, prerequisites, steps),
// participations and volunteering.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>

#include "generator.hpp"

namespace ctai::synth {

// -- journeys -----------------------------------------------------------------------
bool Generator::in_public(const PersonCase& c, Date d) const {
    // Same as the R7 public_at_entry check (evaluate() and the contract's publics, R8),
    // without building the reasons.
    return (contract_.serves(PublicCategory::bpi) && is_bpi(c, d, policy_)) ||
           (contract_.serves(PublicCategory::bpt) && is_bpt(c, d, policy_)) ||
           (contract_.serves(PublicCategory::primo_arrivant) && is_primo_arrivant(c, d, policy_));
}

bool Generator::entry_allowed(const ActionPlan& plan, const PersonCase& c, const PersonInfo& info,
                   Date d) const {
    if (!plan.action->open_to_general_population && !in_public(c, d)) return false;
    if (plan.action->agir_policy == AgirPolicy::excluded && agir_window(info, d)) return false;
    return true;
}

std::optional<Date> Generator::sample_entry(const ActionPlan& plan, const PersonCase& c,
                                 const PersonInfo& info, Date lo, Date hi) {
    if (hi < lo) return std::nullopt;
    for (int attempt = 0; attempt < 6; ++attempt) {
        const Date d = rand_date(rng_, lo, hi);
        if (entry_allowed(plan, c, info, d)) return d;
    }
    return std::nullopt;
}

// The first day a journey of the prerequisite action gave access (strictly after it).
std::optional<Date> Generator::prerequisite_date(const Prerequisite& pre, std::size_t first) const {
    std::optional<Date> best;
    auto consider = [&](Date d) {
        if (!best || d < *best) best = d;
    };
    for (std::size_t i = first; i < out_.journeys.size(); ++i) {
        const Journey& j = out_.journeys[i];
        if (j.action != pre.action) continue;
        if (pre.exited_counts && j.exit_date) consider(*j.exit_date);
        for (const auto& s : j.steps)
            if (std::find(pre.steps.begin(), pre.steps.end(), s.kind) != pre.steps.end())
                consider(s.date);
    }
    return best;
}

double Generator::take_probability(const ActionPlan& plan, const PersonInfo& info) const {
    const bool public_profile = info.public_from.has_value();
    switch (plan.flavor) {
        case Flavor::core:
            if (!public_profile) return 0.0;
            return plan.first_core ? 0.95 : 0.5;
        case Flavor::open:
            return public_profile ? 0.8 : 0.75;
        case Flavor::volunteering:
            return 0.6;
        case Flavor::housing:
            return 0.65;
    }
    return 0.0;
}

double Generator::reentry_probability(Flavor f) const {
    switch (f) {
        case Flavor::core:
            return 0.45;
        case Flavor::open:
            return 0.7;
        case Flavor::volunteering:
        case Flavor::housing:
            return 0.25;
    }
    return 0.0;
}

// Range of the length in days of a journey, full (reaching the end of support) or not.
std::pair<int, int> Generator::length_range(Flavor f, bool full) {
    switch (f) {
        case Flavor::core:
            return full ? std::pair{100, 420} : std::pair{7, 150};
        case Flavor::open:
            return full ? std::pair{1, 100} : std::pair{0, 45};
        case Flavor::volunteering:
            return full ? std::pair{60, 300} : std::pair{14, 120};
        case Flavor::housing:
            return full ? std::pair{45, 270} : std::pair{14, 120};
    }
    return {0, 30};
}

// Steps of a journey from entry to `end` (the planned exit), in the R7 order.
std::vector<Step> Generator::plan_steps(Flavor f, Date entry, Date end, bool full) {
    std::vector<Step> steps;
    steps.reserve(5);
    Date cur = entry;
    auto add = [&](StepKind k, Date d) {
        d = std::min(std::max(d, cur), end);
        steps.push_back(Step{k, d});
        cur = d;
    };
    add(StepKind::intake, entry);
    if (f == Flavor::open) {
        if (full || rng_.chance(0.5)) add(StepKind::support, entry.plus_days(rng_.range(0, 14)));
        if (full) add(StepKind::end_of_support, end);
        return steps;
    }
    if (full || rng_.chance(0.7)) {
        add(StepKind::diagnosis, entry.plus_days(rng_.range(3, 30)));
        if (full || rng_.chance(0.6)) add(StepKind::support, cur.plus_days(rng_.range(7, 45)));
    }
    if (full) {
        add(StepKind::follow_on, end.plus_days(-rng_.range(15, 60)));
        add(StepKind::end_of_support, end.plus_days(-rng_.range(0, 10)));
    }
    return steps;
}

const std::string& Generator::exit_code(const ActionPlan& plan, bool positive) {
    const auto& table = positive ? plan.positive_exits : plan.negative_exits;
    return contract_.exit_reasons[pick(rng_, std::span<const Weighted<std::size_t>>(table))]
        .code;
}

// Builds a journey entering on `entry`; returns it (not yet stored).
Journey Generator::make_journey(const ActionPlan& plan, const PersonCase& c, Date entry) {
    Journey j;
    j.id = JourneyId{make_id('J', ++journey_count_, journey_width_)};
    j.person_id = c.person.id;
    j.contract_id = contract_.id;
    j.action = plan.action->number;
    j.entry_date = entry;
    const bool full = rng_.chance(plan.flavor == Flavor::open ? 0.6 : 0.68);
    const auto [min_days, max_days] = length_range(plan.flavor, full);
    Date planned_exit = entry.plus_days(rng_.range(min_days, max_days));
    if (planned_exit <= eval_) {
        j.exit_date = planned_exit;
    } else if (const int shortest = min_days / 3;
               eval_.days_since(entry) >= shortest && !rng_.chance(open_share_)) {
        // A shorter journey that ended before the evaluation date. Journeys entered too
        // recently to have ended stay open.
        planned_exit = rand_date(rng_, entry.plus_days(shortest), eval_);
        j.exit_date = planned_exit;
    }
    const auto steps = plan_steps(plan.flavor, entry, planned_exit, full);
    const Date last = j.exit_date.value_or(eval_);
    for (const auto& s : steps)
        if (s.date <= last) j.steps.push_back(s);
    if (j.exit_date) j.exit_reason = exit_code(plan, full ? rng_.chance(0.93) : false);
    return j;
}

void Generator::add_participations(const ActionPlan& plan, const Journey& j, int lo, int hi) {
    if (plan.activity_dates.empty()) return;
    const Date last = j.exit_date.value_or(eval_);
    const auto& dates = plan.activity_dates;
    const auto first = std::lower_bound(dates.begin(), dates.end(), j.entry_date);
    const auto end = std::upper_bound(first, dates.end(), last);
    const auto available = static_cast<std::size_t>(end - first);
    if (available == 0) return;
    const std::size_t base = plan.activity_begin + static_cast<std::size_t>(first - dates.begin());
    const int count = rng_.range(lo, hi);
    for (int i = 0; i < count; ++i) {
        const std::size_t k = base + rng_.index(available);
        const Activity& a = out_.activities[k];
        if (a.kind == ActivityKind::actor_training) continue;
        // One participation per person and activity.
        if (std::find(attended_.begin(), attended_.end(), k) != attended_.end()) continue;
        attended_.push_back(k);
        Participation part;
        part.activity_id = a.id;
        part.person_id = j.person_id;
        if (rng_.chance(0.35)) part.satisfaction = pick(rng_, satisfaction_scores);
        out_.participations.push_back(std::move(part));
    }
}

// Volunteering rows are keyed by (person, kind, start): one row per key.
void Generator::add_volunteering_row(Volunteering v) {
    for (std::size_t i = person_volunteering_; i < out_.volunteering.size(); ++i) {
        const Volunteering& o = out_.volunteering[i];
        if (o.kind == v.kind && o.start == v.start) return;
    }
    out_.volunteering.push_back(std::move(v));
}

void Generator::add_volunteering(const ActionPlan& plan, const Journey& j) {
    const Date last = j.exit_date.value_or(eval_);
    if (plan.flavor == Flavor::volunteering) {
        Volunteering v;
        v.person_id = j.person_id;
        v.kind = VolunteeringKind::engagement;
        v.start = rand_date(rng_, j.entry_date, std::min(last, j.entry_date.plus_days(45)));
        if (j.exit_date && rng_.chance(0.7))
            v.end = clamp_eval(std::max(v.start, j.exit_date->plus_days(rng_.range(0, 120))));
        v.association_type = std::string(pick_uniform(rng_, association_types));
        add_volunteering_row(std::move(v));
        if (rng_.chance(0.3)) {
            Volunteering m;
            m.person_id = j.person_id;
            m.kind = VolunteeringKind::membership;
            m.start = rand_date(rng_, j.entry_date, last);
            m.association_type = std::string(pick_uniform(rng_, association_types));
            add_volunteering_row(std::move(m));
        }
    } else if (plan.flavor == Flavor::open) {
        if (rng_.chance(0.15)) {
            Volunteering m;
            m.person_id = j.person_id;
            m.kind = VolunteeringKind::membership;
            m.start = rand_date(rng_, j.entry_date, last);
            if (rng_.chance(0.3)) m.end = rand_date(rng_, m.start, eval_);
            m.association_type = std::string(pick_uniform(rng_, association_types));
            add_volunteering_row(std::move(m));
        }
        if (rng_.chance(0.15)) {
            Volunteering o;
            o.person_id = j.person_id;
            o.kind = VolunteeringKind::one_off;
            o.start = rand_date(rng_, j.entry_date, last);
            o.end = o.start;
            o.association_type = std::string(pick_uniform(rng_, association_types));
            add_volunteering_row(std::move(o));
        }
    }
}

void Generator::make_journeys(const PersonCase& c, const PersonInfo& info,
                   std::vector<HousingJourney>& housing) {
    const std::size_t first = out_.journeys.size();
    attended_.clear();
    person_volunteering_ = out_.volunteering.size();
    const ActionPlan* volunteering = nullptr;
    for (const auto& plan : plans_)
        if (plan.flavor == Flavor::volunteering) volunteering = &plan;
    for (const std::size_t idx : order_) {
        const ActionPlan& plan = plans_[idx];
        if (!rng_.chance(take_probability(plan, info))) continue;
        Date lo = std::max(window_start_, info.arrival.plus_days(15));
        if (info.public_from && !plan.action->open_to_general_population)
            lo = std::max(lo, *info.public_from);
        if (const auto& pre = plan.action->prerequisite) {
            const auto access = prerequisite_date(*pre, first);
            if (!access) continue;
            lo = std::max(lo, access->plus_days(rng_.range(1, 90)));
        }
        for (int k = 0; k < 4; ++k) {
            const auto entry = sample_entry(plan, c, info, lo, eval_);
            if (!entry) break;
            Journey j = make_journey(plan, c, *entry);
            // Source of the referral into the action; AGIR only inside its support,
            // never into an excluded action, into a partner action for its needs only.
            const bool from_agir = plan.action->agir_policy != AgirPolicy::excluded &&
                                   agir_supported(info, *entry) && rng_.chance(0.6);
            if (from_agir) {
                j.referral_source = ReferralSource::agir;
                const Date agir_entry = *info.agir->entry_date;
                const Date proposed =
                    rand_date(rng_, std::max(agir_entry, entry->plus_days(-40)), *entry);
                Referral& r = new_referral(c, "agir", endpoint(plan.action->number),
                                           need_of(rng_, plan), proposed);
                r.status = ReferralStatus::completed;
                r.decided_on = rand_date(rng_, proposed, *entry);
                r.completed_on = *entry;
            } else {
                j.referral_source = plan.flavor == Flavor::housing
                                        ? pick(rng_, housing_sources)
                                        : pick(rng_, other_sources);
            }
            const int extra = volunteering && plan.flavor == Flavor::core ? 1 : 0;
            switch (plan.flavor) {
                case Flavor::core:
                    add_participations(plan, j, 1, 4);
                    break;
                case Flavor::open:
                    add_participations(plan, j, 1, 3);
                    break;
                case Flavor::volunteering:
                case Flavor::housing:
                    add_participations(plan, j, 0, 3);
                    break;
            }
            if (extra && rng_.chance(0.25)) add_participations(*volunteering, j, 1, 1);
            add_volunteering(plan, j);
            if (plan.flavor == Flavor::housing)
                housing.push_back(HousingJourney{
                    j.entry_date, j.exit_date,
                    j.exit_reason && *j.exit_reason == "lasting_housing"});
            const bool open = j.open();
            const Date exit = j.exit_date.value_or(eval_);
            out_.journeys.push_back(std::move(j));
            if (open || !rng_.chance(reentry_probability(plan.flavor))) break;
            lo = exit.plus_days(plan.flavor == Flavor::open ? rng_.range(7, 120)
                                                            : rng_.range(30, 200));
        }
    }
    // A core (excluded) journey running when AGIR takes the person in: hand-off to AGIR.
    if (info.agir) {
        const Date oriented = info.agir->orientation_date;
        for (std::size_t i = first; i < out_.journeys.size(); ++i) {
            const Journey& j = out_.journeys[i];
            if (plans_[plan_index(j.action)].flavor != Flavor::core ||
                oriented < j.entry_date || (j.exit_date && *j.exit_date < oriented))
                continue;
            const Date proposed =
                rand_date(rng_, std::max(j.entry_date, oriented.plus_days(-30)), oriented);
            Referral& r = new_referral(c, endpoint(j.action), "agir",
                                       rng_.chance(0.5) ? Need::rights : Need::employment,
                                       proposed);
            r.status = ReferralStatus::accepted;
            r.decided_on = oriented;
            if (info.agir->entry_date) {
                r.status = ReferralStatus::completed;
                r.completed_on = *info.agir->entry_date;
            }
            break;
        }
    }
}

std::size_t Generator::plan_index(int action) const {
    for (std::size_t i = 0; i < plans_.size(); ++i)
        if (plans_[i].action->number == action) return i;
    return 0;
}

// Last date the person was seen (journeys, AGIR), for R9 retention.
void Generator::set_last_contact(PersonCase& c, const PersonInfo& info, std::size_t first) const {
    std::optional<Date> last;
    auto see = [&](Date d) {
        if (!last || *last < d) last = d;
    };
    for (std::size_t i = first; i < out_.journeys.size(); ++i) {
        const Journey& j = out_.journeys[i];
        see(j.entry_date);
        if (j.exit_date) see(*j.exit_date);
        for (const auto& s : j.steps) see(s.date);
    }
    if (info.agir) {
        see(info.agir->orientation_date);
        if (info.agir->entry_date) see(*info.agir->entry_date);
        if (info.agir->exit_date) see(*info.agir->exit_date);
    }
    c.person.last_contact = last;
}

}  // namespace ctai::synth
