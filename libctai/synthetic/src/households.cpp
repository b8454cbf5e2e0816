// The generator: households and their housing moves, partnerships and costs.
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

// -- households ---------------------------------------------------------------------
HousingType Generator::first_housing(Profile profile) {
    static constexpr auto asylum = std::to_array<Weighted<HousingType>>({
        {HousingType::asylum_accommodation, 55}, {HousingType::emergency, 10},
        {HousingType::hotel, 10}, {HousingType::family_or_friends, 15},
        {HousingType::street, 2}, {HousingType::chrs, 8}});
    static constexpr auto migrant = std::to_array<Weighted<HousingType>>({
        {HousingType::family_or_friends, 40}, {HousingType::private_rental, 30},
        {HousingType::social_rental, 10}, {HousingType::hotel, 5},
        {HousingType::emergency, 5}, {HousingType::other, 10}});
    static constexpr auto displaced = std::to_array<Weighted<HousingType>>({
        {HousingType::family_or_friends, 40}, {HousingType::hotel, 15},
        {HousingType::emergency, 15}, {HousingType::intermediated_rental, 15},
        {HousingType::social_rental, 15}});
    static constexpr auto resident = std::to_array<Weighted<HousingType>>({
        {HousingType::private_rental, 60}, {HousingType::social_rental, 30},
        {HousingType::other, 10}});
    static constexpr auto unknown = std::to_array<Weighted<HousingType>>({
        {HousingType::emergency, 40}, {HousingType::family_or_friends, 40},
        {HousingType::street, 20}});
    switch (profile) {
        case Profile::bpi:
        case Profile::stateless:
        case Profile::asylum_seeker:
            return pick(rng_, asylum);
        case Profile::primo:
        case Profile::reunification:
        case Profile::non_eligible:
            return pick(rng_, migrant);
        case Profile::bpt:
            return pick(rng_, displaced);
        case Profile::european:
            return pick(rng_, resident);
        case Profile::unknown:
            return pick(rng_, unknown);
    }
    return HousingType::other;
}

void Generator::make_housing(const HouseholdId& id, const PersonInfo& head,
                  const std::vector<HousingJourney>& housing) {
    std::optional<Date> last;
    auto add_move = [&](Date d, HousingType t) {
        if (d > eval_ || (last && d <= *last)) return;
        out_.housing.push_back(HousingMove{id, d, t});
        last = d;
    };
    add_move(head.arrival, first_housing(head.profile));
    if ((head.profile == Profile::bpi || head.profile == Profile::stateless) &&
        head.public_from && rng_.chance(0.5)) {
        static constexpr auto after_protection = std::to_array<Weighted<HousingType>>({
            {HousingType::chrs, 25}, {HousingType::intermediated_rental, 25},
            {HousingType::hotel, 10}, {HousingType::residence_sociale, 15},
            {HousingType::family_or_friends, 15}, {HousingType::pension_de_famille, 10}});
        add_move(head.public_from->plus_days(rng_.range(30, 300)), pick(rng_, after_protection));
    }
    if (!housing.empty()) {
        const HousingJourney& h = housing.front();
        if (h.housed && h.exit) {
            add_move(rand_date(rng_, std::max(h.entry, h.exit->plus_days(-30)), *h.exit),
                 pick(rng_, lasting_housing));
        } else if (!h.exit && rng_.chance(0.3)) {
            add_move(rand_date(rng_, h.entry, eval_), pick(rng_, lasting_housing));
        } else if (h.exit && rng_.chance(0.2)) {
            add_move(rand_date(rng_, h.entry, *h.exit),
                 rng_.chance(0.6) ? HousingType::intermediated_rental
                                  : HousingType::pension_de_famille);
        }
    } else if (rng_.chance(0.12)) {
        const Date lo = std::max(head.arrival.plus_days(60), cs_.plus_days(-180));
        add_move(rand_date(rng_, lo, eval_), pick(rng_, lasting_housing));
    }
}

void Generator::make_household(std::size_t size) {
    std::optional<HouseholdId> household;
    if (size > 1 || !rng_.chance(0.05))
        household = HouseholdId{make_id('H', ++household_count_, household_width_)};
    const Profile head_profile = pick(rng_, profile_weights);
    const std::size_t head_index = out_.cases.size();
    housing_.clear();
    PersonInfo head_info;
    for (std::size_t k = 0; k < size; ++k) {
        PersonInfo info;
        info.index = out_.cases.size();
        info.profile = k == 0 ? head_profile : member_profile(head_profile);
        const PersonCase* head = k == 0 ? nullptr : &out_.cases[head_index];
        if (info.profile == Profile::reunification) {
            if (head && !head->protections.empty() &&
                head->protections.front().type != ProtectionType::temporary)
                info.family_of = head_index;
            else
                info.profile = Profile::primo;
        }
        PersonCase c = make_person(info, household, head);
        out_.cases.push_back(std::move(c));
        PersonCase& stored = out_.cases.back();
        make_agir(stored, info);
        const std::size_t first = out_.journeys.size();
        make_journeys(stored, info, housing_);
        make_agir_referrals(stored, info);
        set_last_contact(stored, info, first);
        if (k == 0) head_info = info;
    }
    if (household) make_housing(*household, head_info, housing_);
}

// -- contract-level records ---------------------------------------------------------
void Generator::make_partnerships() {
    const Date lo = cs_.plus_days(-120);
    const Date hi = std::min(ce_, eval_);
    if (hi < lo) return;
    for (const auto& plan : plans_) {
        std::span<const Code> themes;
        switch (plan.flavor) {
            case Flavor::core:
                themes = core_themes;
                break;
            case Flavor::open:
                themes = open_themes;
                break;
            case Flavor::volunteering:
                themes = volunteering_themes;
                break;
            case Flavor::housing:
                themes = housing_themes;
                break;
        }
        const std::size_t count = 5 + n_ / 5000;
        const std::size_t first = out_.partnerships.size();
        for (std::size_t i = 0; i < count; ++i) {
            Partnership p;
            p.contract_id = contract_.id;
            p.action = plan.action->number;
            p.partner = numbered("Partenaire", rng_.index(partners_) + 1,
                             std::max(3, digit_count(partners_)));
            p.theme = std::string(themes[rng_.index(themes.size())]);
            p.date = rand_date(rng_, lo, hi);
            // Partnerships are keyed by the whole row: no duplicate.
            if (std::find(out_.partnerships.begin() + static_cast<std::ptrdiff_t>(first),
                          out_.partnerships.end(), p) == out_.partnerships.end())
                out_.partnerships.push_back(std::move(p));
        }
    }
}

void Generator::make_costs() {
    if (eval_ < cs_) return;
    const double elapsed = static_cast<double>(std::min(eval_, ce_).days_since(cs_) + 1);
    const double length = static_cast<double>(ce_.days_since(cs_) + 1);
    const double share = std::min(1.0, elapsed / length);
    for (const auto& plan : plans_) {
        const double planned = plan.action->planned_cost.value_or(20000.0);
        Cost cost;
        cost.contract_id = contract_.id;
        cost.action = plan.action->number;
        cost.total_cost = std::round(planned * share * rng_.range(880, 1040) / 1000.0);
        cost.subsidy_p104 = std::round(cost.total_cost * rng_.range(700, 1000) / 1000.0);
        out_.costs.push_back(std::move(cost));
    }
}

}  // namespace ctai::synth
