// R8: the fiche of one action (ActionReport) from the counts of its slot (counts.hpp).
#include "report/counts.hpp"

namespace ctai::detail::counting {

ActionReport action_report(const Action& action, const ActionCounts& c, const ContractData& data,
                           Date from, Date to, Date evaluated_on,
                           std::vector<std::string>& notes) {
    ActionReport r;
    r.number = action.number;
    r.title = action.title;
    const PublicCounts& pc = c.pc;

    std::map<std::string, std::int64_t> entrants_sex, entrants_age, entrants_public;
    for (const Sex x : {Sex::female, Sex::male, Sex::unknown})
        entrants_sex[std::string(to_string(x))] = c.sex_count[static_cast<std::size_t>(x)];
    for (std::size_t b = 0; b < age_bands.size(); ++b)
        entrants_age[std::string(age_bands[b])] = c.age_count[b];
    for (const PublicCategory x : {PublicCategory::bpi, PublicCategory::bpt, PublicCategory::primo_arrivant})
        entrants_public[std::string(to_string(x))] = c.public_count[static_cast<std::size_t>(x)];
    entrants_public["not_eligible"] = c.public_count.back();
    const auto entrants_source = met(c.source_count, names_of<ReferralSource>());
    std::map<std::string, std::int64_t> entrants_household;
    for (std::size_t b = 0; b < household_size_bands.size(); ++b)
        entrants_household[std::string(household_size_bands[b])] = c.household_size_count[b];
    auto housing_names = names_of<HousingType>();
    housing_names.emplace_back("unknown");
    const auto entrants_housing = met(c.housing_count, housing_names);
    std::map<std::string, std::int64_t> housed_size;  // a housed household has a member
    for (std::size_t b = 0; b + 1 < household_size_bands.size(); ++b)
        housed_size[std::string(household_size_bands[b])] = c.housed_size_count[b];
    const auto housed_type = met(c.housed_type_count, names_of<HousingType>());
    if (pc.not_eligible > 0 && !action.open_to_general_population)
        notes.push_back("Fiche " + std::to_string(action.number) + " : " +
                        std::to_string(pc.not_eligible) +
                        " personne(s) hors du public du contrat à la date de référence "
                        "(inscription avec dérogation ou statut changé) : comptées à part "
                        "(not_eligible), hors total.");

    // Public table: the fiche's rows (labels and targets), then the targets by public.
    std::vector<Indicator> table = action.public_table;
    if (table.empty()) table = standard_public_table();
    const std::map<std::string, std::int64_t> values{
        {"total", pc.total},       {"men", pc.men},
        {"women", pc.women},       {"under_25", pc.under_25},
        {"bpi", pc.bpi},           {"bpi_men", pc.bpi_men},
        {"bpi_women", pc.bpi_women}, {"bpi_under_25", pc.bpi_under_25},
        {"primo_arrivants", pc.primo}, {"bpt", pc.bpt},
        {"not_eligible", pc.not_eligible}};
    auto target_by_public = [&](const std::string& key) -> std::optional<double> {
        auto it = action.public_targets.find(key);
        if (it == action.public_targets.end()) return std::nullopt;
        return static_cast<double>(it->second);
    };
    for (const char* key : detail::public_keys) {
        ReportCell cell;
        cell.key = key;
        auto row = std::find_if(table.begin(), table.end(),
                                [&](const Indicator& i) { return i.key == key; });
        if (row != table.end()) {
            cell.label_fr = row->label_fr;
            cell.target = row->target;
        } else {
            cell.label_fr = std::string(detail::extra_label(key));
        }
        if (!cell.target) cell.target = target_by_public(key);
        cell.realised = static_cast<double>(values.at(key));
        r.public_cells.push_back(std::move(cell));
    }

    // R7 journeys block, followed up to the evaluation date.
    const auto exits_by_reason = met(c.reason_count, data.exit_reasons);
    std::map<std::string, std::int64_t> steps;
    std::array<std::int64_t, step_kinds> reached_count{};
    for (std::size_t set = 0; set < c.reached_sets.size(); ++set)
        for (std::size_t k = 0; k < step_kinds; ++k)
            if (set & (std::size_t{1} << k)) reached_count[k] += c.reached_sets[set];
    for (std::size_t k = 0; k < step_kinds; ++k)
        steps[std::string(enum_names<StepKind>()[k])] = reached_count[k];
    r.journeys.stats = journey_stats(c.entry, c.exit, evaluated_on);
    const JourneyStats& st = r.journeys.stats;
    r.journeys.count = st.count;
    r.journeys.completed = st.completed;
    r.journeys.open = st.open;
    r.journeys.mean_days = rounded(st.mean_days, 1);
    r.journeys.median_days = st.median_days;
    r.journeys.km_median_days = st.km_median_days;
    r.journeys.km_restricted_mean_days = rounded(st.km_restricted_mean_days, 1);
    r.journeys.positive_exits = c.positive;

    // Financial.
    for (const auto& cost : data.costs)
        if (cost.action == action.number) {
            r.financial.total_cost = cost.total_cost;
            r.financial.subsidy_p104 = cost.subsidy_p104;
        }

    std::int64_t structures = 0;
    for (std::size_t s = 0; s < c.structure_trained.size(); ++s)
        if (c.structure_trained[s] && !data.structures[s].empty()) ++structures;
    std::map<std::string, std::int64_t> by_association;
    for (std::size_t a = 0; a < c.association_count.size(); ++a)
        if (c.association_count[a] > 0)
            by_association[data.association_types[a].empty() ? "unknown"
                                                              : data.association_types[a]] +=
                c.association_count[a];

    std::map<std::string, std::int64_t> partnerships_by_theme;
    std::int64_t partnerships = 0;
    for (const auto& p : data.partnerships)
        if (p.action == action.number && in_range(p.date, from, to)) {
            ++partnerships;
            ++partnerships_by_theme[p.theme];
        }

    const PublicCounts& co = c.co;
    auto d = [](std::int64_t v) { return std::optional<double>(static_cast<double>(v)); };
    auto& x = r.extra;
    x.reserve(45);
    x.push_back(scalar("entrants", d(c.entrants), true));
    x.push_back(breakdown("entrants_by_sex", entrants_sex, true));
    x.push_back(breakdown("entrants_by_age_band", entrants_age, true));
    x.push_back(breakdown("entrants_by_public", entrants_public, true));
    x.push_back(breakdown("entrants_by_referral_source", entrants_source, true));
    x.push_back(breakdown("entrants_by_household_size", entrants_household, true));
    x.push_back(breakdown("entrants_by_housing_at_entry", entrants_housing, true));
    x.push_back(scalar("sex_unknown", d(pc.sex_unknown), true));
    x.push_back(scalar("age_unknown", d(pc.age_unknown), true));
    x.push_back(breakdown("steps_reached", steps, true));
    x.push_back(breakdown("exits_by_reason", exits_by_reason, true));
    x.push_back(scalar("workshops", d(c.workshops), false));
    x.push_back(breakdown("workshops_by_type", met(c.workshops_by_type, data.activity_types), false));
    x.push_back(scalar("individual_practice_sessions", d(c.practice), false));
    x.push_back(breakdown("individual_practice_by_type", met(c.practice_by_type, data.activity_types), false));
    x.push_back(scalar("events", d(c.events), false));
    x.push_back(breakdown("events_by_type", met(c.events_by_type, data.activity_types), false));
    x.push_back(scalar("participations", d(c.participations), false));
    x.push_back(scalar("mean_satisfaction",
                       c.satisfaction_n > 0
                           ? std::optional<double>(round_to(
                                 static_cast<double>(c.satisfaction_sum) /
                                     static_cast<double>(c.satisfaction_n),
                                 2))
                           : std::nullopt,
                       false));
    x.push_back(scalar("satisfaction_responses", d(c.satisfaction_n), false));
    x.push_back(scalar("structures_trained", d(structures), false));
    x.push_back(scalar("training_hours", round_to(c.training_hours, 2), false));
    x.push_back(scalar("co_animated_activities", d(c.co_animated), false));
    x.push_back(breakdown("co_animated_by_type", met(c.co_by_type, data.activity_types), false));
    x.push_back(scalar("co_animated_beneficiaries", d(co.total), true));
    x.push_back(scalar("co_animated_men", d(co.men), true));
    x.push_back(scalar("co_animated_women", d(co.women), true));
    x.push_back(scalar("co_animated_sex_unknown", d(co.sex_unknown), true));
    x.push_back(scalar("co_animated_under_25", d(co.under_25), true));
    x.push_back(scalar("co_animated_bpi", d(co.bpi), true));
    x.push_back(scalar("co_animated_bpi_men", d(co.bpi_men), true));
    x.push_back(scalar("co_animated_bpi_women", d(co.bpi_women), true));
    x.push_back(scalar("co_animated_bpi_under_25", d(co.bpi_under_25), true));
    x.push_back(scalar("co_animated_not_eligible", d(co.not_eligible), true));
    x.push_back(scalar("volunteers", d(c.volunteers), true));
    x.push_back(scalar("volunteer_engagements", d(c.engagements), true));
    // R8 action 3: each engagement from its own start, open ones censored at evaluated_on.
    const JourneyStats vl = journey_stats(c.engagement_start, c.engagement_end, evaluated_on);
    x.push_back(scalar("mean_volunteer_days", rounded(vl.mean_days, 1), false));
    x.push_back(scalar("km_restricted_mean_volunteer_days", rounded(vl.km_restricted_mean_days, 1),
                       false));
    x.push_back(scalar("volunteer_engagements_open", d(vl.open), true));
    x.push_back(breakdown("engagements_by_association_type", by_association, true));
    x.push_back(scalar("memberships", d(c.memberships), true));
    x.push_back(scalar("one_off_participations", d(c.one_off), true));
    x.push_back(scalar("households_housed", d(c.housed), true));
    x.push_back(breakdown("households_housed_by_size", housed_size, true));
    x.push_back(breakdown("households_housed_by_housing_type", housed_type, true));
    x.push_back(scalar("partnerships", d(partnerships), false));
    x.push_back(breakdown("partnerships_by_theme", partnerships_by_theme, false));

    // The contract's specific indicators, realised from the extras of the same key.
    for (const auto& ind : action.specific_indicators) {
        ReportCell cell{ind.key, ind.label_fr, ind.target, std::nullopt, false};
        auto it = std::find_if(x.begin(), x.end(), [&](const ExtraIndicator& e) {
            return e.key == ind.key && !e.is_breakdown;
        });
        if (it != x.end()) cell.realised = it->value;
        else
            notes.push_back("Fiche " + std::to_string(action.number) + " : indicateur « " +
                            ind.label_fr + " » (" + ind.key +
                            ") non calculé par la bibliothèque.");
        r.specific.push_back(std::move(cell));
    }
    return r;
}

}  // namespace ctai::detail::counting
