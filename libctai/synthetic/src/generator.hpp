// Internal to ctai_synthetic: the generator's state and members, defined across
// generator.cpp, persons.cpp, agir.cpp, journeys.cpp and households.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ctai/synthetic.hpp>

#include "plan.hpp"
#include "random.hpp"

namespace ctai::synth {

class Generator {
public:
    // -- the cohort, the contract's actions and the activities (generator.cpp)
    Generator(const CohortOptions& options, const Contract& contract, const Policy& policy);
    Dataset run();
private:
    void plan_actions();
    void plan_exits(ActionPlan& plan) const;
    std::string endpoint(int action) const;
    std::vector<ActivityKindPlan> activity_plans(Flavor f) const;
    void make_activities();
    // -- persons and their statuses: permits, protections, CIR (persons.cpp)
    Profile member_profile(Profile head);
    std::vector<std::string> nationalities_for(Profile profile);
    std::optional<PartialDate> birth_date(int year_lo, int year_hi);
    static std::optional<Date> leap_day_in(Rng& rng, Date lo, Date hi);
    Date clamp_eval(Date d) const { return std::min(d, eval_); }
    void add_permit(PersonCase& c, PermitKind kind, Motive motive, Date from,
                    std::optional<Date> to) const;
    void sign_cir(PersonCase& c, Date from, double p_signed);
    void make_protected(PersonCase& c, PersonInfo& info, Date decided, bool stateless);
    Date protection_decision();
    void make_primo(PersonCase& c, PersonInfo& info);
    void make_reunification(PersonCase& c, PersonInfo& info, const PersonCase& head);
    void make_bpt(PersonCase& c, PersonInfo& info);
    void make_asylum_seeker(PersonCase& c, PersonInfo& info);
    void make_non_eligible(PersonCase& c, PersonInfo& info);
    PersonCase make_person(PersonInfo& info, const std::optional<HouseholdId>& household,
                           const PersonCase* head);
    // -- AGIR supports and referrals (agir.cpp)
    bool agir_window(const PersonInfo& info, Date d) const;
    bool agir_supported(const PersonInfo& info, Date d) const;
    void make_agir(const PersonCase& c, PersonInfo& info);
    Referral& new_referral(const PersonCase& c, std::string from, std::string to, Need need,
                           Date proposed);
    static Need need_of(Rng& rng, const ActionPlan& plan);
    void make_agir_referrals(const PersonCase& c, const PersonInfo& info);
    // -- journeys through the actions, steps, participations, volunteering (journeys.cpp)
    bool in_public(const PersonCase& c, Date d) const;
    bool entry_allowed(const ActionPlan& plan, const PersonCase& c, const PersonInfo& info,
                       Date d) const;
    std::optional<Date> sample_entry(const ActionPlan& plan, const PersonCase& c,
                                     const PersonInfo& info, Date lo, Date hi);
    std::optional<Date> prerequisite_date(const Prerequisite& pre, std::size_t first) const;
    double take_probability(const ActionPlan& plan, const PersonInfo& info) const;
    double reentry_probability(Flavor f) const;
    static std::pair<int, int> length_range(Flavor f, bool full);
    std::vector<Step> plan_steps(Flavor f, Date entry, Date end, bool full);
    const std::string& exit_code(const ActionPlan& plan, bool positive);
    Journey make_journey(const ActionPlan& plan, const PersonCase& c, Date entry);
    void add_participations(const ActionPlan& plan, const Journey& j, int lo, int hi);
    void add_volunteering_row(Volunteering v);
    void add_volunteering(const ActionPlan& plan, const Journey& j);
    void make_journeys(const PersonCase& c, const PersonInfo& info,
                       std::vector<HousingJourney>& housing);
    std::size_t plan_index(int action) const;
    void set_last_contact(PersonCase& c, const PersonInfo& info, std::size_t first) const;
    // -- households, housing moves, partnerships and costs (households.cpp)
    HousingType first_housing(Profile profile);
    void make_housing(const HouseholdId& id, const PersonInfo& head,
                      const std::vector<HousingJourney>& housing);
    void make_household(std::size_t size);
    void make_partnerships();
    void make_costs();

    const CohortOptions& options_;
    const Contract& contract_;
    const Policy& policy_;
    Rng rng_;
    Date cs_;
    Date ce_;
    Date eval_;
    Date window_start_;
    std::size_t n_;
    int person_width_ = 6;
    int journey_width_ = 7;
    int referral_width_ = 6;
    int household_width_ = 5;
    std::size_t structures_ = 55;
    std::size_t partners_ = 40;
    // Probability that a journey still running on the evaluation date stays open (the
    // others ended early): calibrated for about 10% open journeys.
    double open_share_ = 0.12;
    std::size_t journey_count_ = 0;
    std::size_t referral_count_ = 0;
    std::size_t household_count_ = 0;
    std::vector<ActionPlan> plans_;
    std::vector<std::size_t> order_;
    std::vector<HousingJourney> housing_;
    std::vector<std::size_t> attended_;  // activities of the current person
    std::size_t person_volunteering_ = 0;  // first volunteering row of the current person
    Dataset out_;
};

}  // namespace ctai::synth
