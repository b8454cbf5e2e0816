// Deterministic synthetic cohort (synthetic.hpp). Everything is drawn from one xoshiro256**
// stream seeded by splitmix64, with the integer helpers below (no std distribution), so the
// output is the same on every platform. Every date is checked against the rules the store
// applies (R6, R7) with the library's own eligibility functions before it is used.
// The generator: the cohort loop, the plan of each action of the contract and the activities.
#include <ctai/synthetic.hpp>

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

Generator::Generator(const CohortOptions& options, const Contract& contract,
                     const Policy& policy)
    : options_(options),
      contract_(contract),
      policy_(policy),
      rng_(options.seed),
      cs_(contract.start),
      ce_(contract.end),
      eval_(options.evaluated_on.value_or(contract.end)),
      n_(options.persons) {
    if (contract_.actions.empty())
        throw ValidationError("contract '" + contract_.id.str() + "' has no action",
                              "actions");
    if (contract_.exit_reasons.empty())
        throw ValidationError("contract '" + contract_.id.str() + "' has no exit reason",
                              "exit_reasons");
    window_start_ = std::min(cs_, eval_).plus_days(-330);
    person_width_ = std::max(6, digit_count(n_));
    journey_width_ = std::max(7, digit_count(n_ * 6 + 10));
    referral_width_ = std::max(6, digit_count(n_ + 10));
    household_width_ = std::max(5, digit_count(n_));
    structures_ = 55 + n_ / 200;
    partners_ = 40 + n_ / 2000;
    plan_actions();
}

Dataset Generator::run() {
    out_.cases.reserve(n_);
    out_.journeys.reserve(n_ * 3 + n_ / 4 + 16);
    out_.agir.reserve(n_ / 5 + 16);
    out_.referrals.reserve(n_ / 3 + 16);
    out_.participations.reserve(n_ * 5 + 16);
    out_.volunteering.reserve(n_ / 3 + 16);
    out_.housing.reserve(n_ + 16);
    make_activities();

    const std::size_t report_every = std::max<std::size_t>(1, n_ / 100);
    std::size_t next_report = report_every;
    std::size_t made = 0;
    while (made < n_) {
        const std::size_t size =
            std::min(static_cast<std::size_t>(pick(rng_, household_sizes)), n_ - made);
        make_household(size);
        made += size;
        if (options_.progress && made >= next_report && made < n_) {
            options_.progress(made, n_);
            next_report = made + report_every;
        }
    }
    make_partnerships();
    make_costs();
    if (options_.progress) options_.progress(n_, n_);
    return std::move(out_);
}

// -- contract -----------------------------------------------------------------------
void Generator::plan_actions() {
    bool core_seen = false;
    for (const auto& a : contract_.actions) {
        ActionPlan plan;
        plan.action = &a;
        const bool housing = std::find(a.agir_needs.begin(), a.agir_needs.end(),
                                       Need::housing) != a.agir_needs.end();
        if (a.open_to_general_population)
            plan.flavor = Flavor::open;
        else if (housing)
            plan.flavor = Flavor::housing;
        else if (a.prerequisite)
            plan.flavor = Flavor::volunteering;
        else
            plan.flavor = Flavor::core;
        if (plan.flavor == Flavor::core && !core_seen) {
            plan.first_core = true;
            core_seen = true;
        }
        plan_exits(plan);
        plans_.push_back(std::move(plan));
    }
    // Actions without a prerequisite first, so prerequisites exist when needed.
    for (std::size_t i = 0; i < plans_.size(); ++i)
        if (!plans_[i].action->prerequisite) order_.push_back(i);
    for (std::size_t i = 0; i < plans_.size(); ++i)
        if (plans_[i].action->prerequisite) order_.push_back(i);
}

void Generator::plan_exits(ActionPlan& plan) const {
    struct Preference {
        std::string_view code;
        int weight;
    };
    std::vector<Preference> positive;
    switch (plan.flavor) {
        case Flavor::core:
            positive = {{"autonomy", 30}, {"common_law", 30}, {"lasting_job", 15},
                        {"qualifying_training", 15}, {"lasting_housing", 10}};
            break;
        case Flavor::open:
            positive = {{"autonomy", 55}, {"common_law", 45}};
            break;
        case Flavor::volunteering:
            positive = {{"autonomy", 50}, {"common_law", 20}, {"lasting_job", 15},
                        {"qualifying_training", 15}};
            break;
        case Flavor::housing:
            positive = {{"lasting_housing", 80}, {"autonomy", 10}, {"common_law", 10}};
            break;
    }
    const std::vector<Preference> negative = {
        {"dropped_out", 35}, {"lost_contact", 35}, {"moved_away", 15}, {"other", 15}};
    const auto& reasons = contract_.exit_reasons;
    auto resolve = [&](const std::vector<Preference>& prefs, bool want_positive) {
        std::vector<Weighted<std::size_t>> table;
        for (const auto& pref : prefs)
            for (std::size_t i = 0; i < reasons.size(); ++i)
                if (reasons[i].code == pref.code && reasons[i].positive == want_positive)
                    table.push_back({i, pref.weight});
        if (table.empty())  // a contract with its own vocabulary: any of that polarity
            for (std::size_t i = 0; i < reasons.size(); ++i)
                if (reasons[i].positive == want_positive) table.push_back({i, 1});
        return table;
    };
    plan.positive_exits = resolve(positive, true);
    plan.negative_exits = resolve(negative, false);
    if (plan.positive_exits.empty()) plan.positive_exits = plan.negative_exits;
    if (plan.negative_exits.empty()) plan.negative_exits = plan.positive_exits;
}

std::string Generator::endpoint(int action) const {
    return contract_.id.str() + ":" + std::to_string(action);
}

// -- activities ---------------------------------------------------------------------
std::vector<ActivityKindPlan> Generator::activity_plans(Flavor f) const {
    switch (f) {
        case Flavor::core:
            return {{ActivityKind::workshop, 12, 8, 0.05, core_workshops, 3, 6},
                    {ActivityKind::individual_practice, 10, 6, 0.0, core_practice, 1, 3}};
        case Flavor::open:
            return {{ActivityKind::workshop, 8, 15, 0.1, open_workshops, 3, 6},
                    {ActivityKind::event, 6, 40, 0.2, open_events, 4, 12},
                    {ActivityKind::actor_training, 20, 100, 0.0, training_types, 4, 14}};
        case Flavor::volunteering:
            return {{ActivityKind::workshop, 8, 25, 0.85, volunteering_activities, 3, 8},
                    {ActivityKind::event, 4, 60, 0.6, open_events, 4, 12}};
        case Flavor::housing:
            return {{ActivityKind::workshop, 6, 30, 0.0, housing_workshops, 3, 5},
                    {ActivityKind::individual_practice, 10, 10, 0.0, housing_practice, 1, 3}};
    }
    return {};
}

void Generator::make_activities() {
    const Date lo = cs_;
    const Date hi = std::min(ce_, eval_);
    if (hi < lo) {
        for (auto& plan : plans_) plan.activity_begin = out_.activities.size();
        return;
    }
    std::vector<std::vector<Activity>> per_plan;
    std::size_t total = 0;
    for (auto& plan : plans_) {
        std::vector<Activity> acts;
        for (const auto& k : activity_plans(plan.flavor)) {
            const std::size_t count = k.base + n_ / k.per_persons;
            for (std::size_t i = 0; i < count; ++i) {
                Activity a;
                a.contract_id = contract_.id;
                a.action = plan.action->number;
                a.kind = k.kind;
                a.type = std::string(k.types[rng_.index(k.types.size())]);
                a.date = rand_date(rng_, lo, hi);
                a.hours = rng_.range(k.half_hours_min, k.half_hours_max) / 2.0;
                a.co_animated = rng_.chance(k.co_animated);
                if (k.kind == ActivityKind::actor_training)
                    a.structure = numbered("Structure", rng_.index(structures_) + 1,
                                           std::max(3, digit_count(structures_)));
                acts.push_back(std::move(a));
            }
        }
        std::stable_sort(acts.begin(), acts.end(),
                         [](const Activity& a, const Activity& b) { return a.date < b.date; });
        total += acts.size();
        per_plan.push_back(std::move(acts));
    }
    // Ids numbered action by action, then by date, all of the same width.
    std::size_t next_id = 1;
    const int width = std::max(5, digit_count(total));
    out_.activities.reserve(total);
    for (std::size_t i = 0; i < plans_.size(); ++i) {
        ActionPlan& plan = plans_[i];
        plan.activity_begin = out_.activities.size();
        for (auto& a : per_plan[i]) {
            a.id = ActivityId{make_id('A', next_id++, width)};
            plan.activity_dates.push_back(a.date);
            out_.activities.push_back(std::move(a));
        }
    }
}

}  // namespace ctai::synth

namespace ctai {

Dataset generate_cohort(const CohortOptions& options, const Contract& contract,
                        const Policy& policy) {
    return synth::Generator(options, contract, policy).run();
}

Dataset generate_cohort(const CohortOptions& options, const Policy& policy) {
    return generate_cohort(options, builtin_contract(options.contract.str()), policy);
}

}  // namespace ctai
