// The generator: AGIR supports and the referrals AGIR makes (R6).
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

// -- AGIR ---------------------------------------------------------------------------
bool Generator::agir_window(const PersonInfo& info, Date d) const {
    return info.agir && info.agir->entry_date &&
           agir_support_active(*info.agir->entry_date, d, policy_);
}

// Inside the AGIR support (window active and not exited).
bool Generator::agir_supported(const PersonInfo& info, Date d) const {
    return agir_window(info, d) && !(info.agir->exit_date && *info.agir->exit_date <= d);
}

void Generator::make_agir(const PersonCase& c, PersonInfo& info) {
    const auto deployed = policy_.agir_start.find(c.person.department);
    if (deployed == policy_.agir_start.end()) return;
    const PersonCase* family = info.family_of ? &out_.cases[*info.family_of] : nullptr;
    const PersonCase& own = family ? *family : c;
    const auto prot = protection_date(own, policy_);
    if (!prot) return;
    const Date lo = std::max({deployed->second, *prot, info.arrival});
    const Date hi = std::min(eval_, agir_window_end(*prot, policy_).plus_days(-1));
    if (hi < lo || !rng_.chance(family ? 0.5 : 0.7)) return;
    const Date oriented = rand_date(rng_, lo, hi);
    if (!is_agir_eligible(c, oriented, policy_, family)) return;
    AgirSupport s;
    s.person_id = c.person.id;
    s.orientation_date = oriented;
    const Date entry = oriented.plus_days(rng_.range(5, 45));
    if (entry <= eval_) {
        s.entry_date = entry;
        const Date window_end = period_end_months(entry, 24, policy_.boundary, policy_.feb29);
        const Date exit = std::min(entry.plus_days(rng_.range(150, 760)), window_end.plus_days(-1));
        if (exit <= eval_) {
            s.exit_date = exit;
            s.exit_housing = pick(rng_, agir_exit_housing);
            s.exit_activity = pick(rng_, agir_exit_activity);
            if (*s.exit_activity == ExitActivity::cdd) s.cdd_months = rng_.range(1, 18);
        }
    }
    info.agir = s;
    out_.agir.push_back(std::move(s));
}

// -- referrals ----------------------------------------------------------------------
Referral& Generator::new_referral(const PersonCase& c, std::string from, std::string to, Need need,
                       Date proposed) {
    Referral r;
    r.id = ReferralId{make_id('R', ++referral_count_, referral_width_)};
    r.person_id = c.person.id;
    r.from = std::move(from);
    r.to = std::move(to);
    r.need = need;
    r.status = ReferralStatus::proposed;
    r.proposed_on = proposed;
    out_.referrals.push_back(std::move(r));
    return out_.referrals.back();
}

Need Generator::need_of(Rng& rng, const ActionPlan& plan) {
    const auto& needs = plan.action->agir_needs;
    if (plan.action->agir_policy == AgirPolicy::partner && !needs.empty())
        return needs[rng.index(needs.size())];
    static constexpr auto open_needs = std::to_array<Need>(
        {Need::language, Need::rights, Need::employment, Need::health, Need::mobility,
         Need::childcare});
    switch (plan.flavor) {
        case Flavor::housing:
            return Need::housing;
        case Flavor::core:
            return rng.chance(0.5) ? Need::rights : Need::employment;
        case Flavor::open:
        case Flavor::volunteering:
            break;
    }
    return pick_uniform(rng, open_needs);
}

// Referrals that do not come with a journey: declined, pending, cancelled, and the
// hand-offs at the end of AGIR support.
void Generator::make_agir_referrals(const PersonCase& c, const PersonInfo& info) {
    if (!info.agir || !info.agir->entry_date) return;
    const Date entry = *info.agir->entry_date;
    const int x = rng_.range(0, 99);
    const ActionPlan* excluded = nullptr;
    const ActionPlan* partner = nullptr;
    const ActionPlan* open = nullptr;
    for (const auto& plan : plans_) {
        if (!excluded && plan.action->agir_policy == AgirPolicy::excluded) excluded = &plan;
        if (!partner && plan.action->agir_policy == AgirPolicy::partner) partner = &plan;
        if (!open && plan.action->agir_policy == AgirPolicy::open) open = &plan;
    }
    if (x < 10 && excluded) {
        const Date proposed = rand_date(rng_, entry, eval_);
        Referral& r = new_referral(c, "agir", endpoint(excluded->action->number),
                                   need_of(rng_, *excluded), proposed);
        r.status = ReferralStatus::declined;
        r.decided_on = clamp_eval(proposed.plus_days(rng_.range(0, 20)));
        r.reason = "action exclue pour les bénéficiaires AGIR (article 2 du contrat)";
    } else if (x < 18 && partner) {
        const Date proposed = rand_date(rng_, std::max(entry, eval_.plus_days(-45)), eval_);
        new_referral(c, "agir", endpoint(partner->action->number), need_of(rng_, *partner),
                     proposed);
    } else if (x < 28 && open) {
        const Date proposed = rand_date(rng_, entry, eval_);
        Referral& r = new_referral(c, "agir", endpoint(open->action->number),
                                   need_of(rng_, *open), proposed);
        r.status = ReferralStatus::cancelled;
        r.decided_on = clamp_eval(proposed.plus_days(rng_.range(0, 14)));
        r.completed_on = clamp_eval(r.decided_on->plus_days(rng_.range(1, 60)));
        r.reason = rng_.chance(0.5) ? "départ du territoire" : "la personne a renoncé";
    }
    // End of AGIR support: suite de parcours in a CTAI action.
    if (info.agir->exit_date && open && rng_.chance(0.4)) {
        const Date exit = *info.agir->exit_date;
        const Date proposed = rand_date(rng_, std::max(entry, exit.plus_days(-30)), exit);
        Referral& r = new_referral(c, "agir", endpoint(open->action->number),
                                   need_of(rng_, *open), proposed);
        if (rng_.chance(0.8)) {
            r.status = ReferralStatus::accepted;
            r.decided_on = clamp_eval(proposed.plus_days(rng_.range(0, 15)));
        }
    }
}

}  // namespace ctai::synth
