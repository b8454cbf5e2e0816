// R8: building the evaluation report from the public Store API (no SQL here).
#include <ctai/report.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <ctai/contract.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>
#include <ctai/journeys.hpp>
#include <ctai/store.hpp>
#include <ctai/version.hpp>

#include "report/report_detail.hpp"

namespace ctai {
namespace {

double round_to(double v, int decimals) {
    const double f = std::pow(10.0, decimals);
    return std::round(v * f) / f;
}

std::optional<double> rounded(std::optional<double> v, int decimals) {
    if (!v) return v;
    return round_to(*v, decimals);
}

bool overlaps(const Journey& j, Date from, Date to) {
    return j.entry_date <= to && (!j.exit_date || *j.exit_date >= from);
}

bool in_range(Date d, Date from, Date to) { return from <= d && d <= to; }

/// R8 december_31: the last 31 December inside the period, else the one of the period's
/// last year (docs/reports.md).
Date december_31_of(Date from, Date to) {
    Date d(to.year(), 12, 31);
    if (d > to) d = Date(to.year() - 1, 12, 31);
    if (d < from) d = Date(to.year(), 12, 31);
    return d;
}

/// Every person's case, from the store's case snapshot (Store::case_snapshot: read once in
/// one pass per table, shared with the eligibility queries while the data is unchanged).
/// Evaluates exactly as Store::eligibility does: the store policy, with the case of the
/// person they rejoin, if stored (without the reasons, which the report does not show).
class Lookup {
public:
    explicit Lookup(const Store& store)
        : snap_(store.case_snapshot()) {}
    /// The dense index of a person (NotFoundError for a person not in the store).
    std::uint32_t index(const PersonId& id) const {
        const auto i = snap_->find(id.str());
        if (i == none) throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
        return i;
    }
    /// The dense index of a person, or `none`.
    std::uint32_t find_index(const PersonId& id) const { return snap_->find(id.str()); }
    const Person& person(std::uint32_t i) const { return (*snap_)[i].person; }
    Eligibility eligibility(std::uint32_t i, Date on) const {
        return snap_->evaluate(i, on, Explain::none);
    }

    static constexpr std::uint32_t none = CaseSnapshot::npos;

private:
    std::shared_ptr<const CaseSnapshot> snap_;
};

/// The public breakdown of a set of persons, each described at its own reference date.
struct PublicCounts {
    std::int64_t total = 0, men = 0, women = 0, under_25 = 0, bpi = 0, bpi_men = 0,
                 bpi_women = 0, bpi_under_25 = 0, primo = 0, bpt = 0, not_eligible = 0,
                 sex_unknown = 0, age_unknown = 0;
};

void count_person(PublicCounts& c, const Person& p, const Eligibility& e, Date ref,
                  const Policy& policy) {
    if (!e.public_category) {
        ++c.not_eligible;
        return;
    }
    ++c.total;
    const bool bpi = *e.public_category == PublicCategory::bpi;
    if (bpi) ++c.bpi;
    else if (*e.public_category == PublicCategory::bpt) ++c.bpt;
    else ++c.primo;
    if (p.sex == Sex::male) {
        ++c.men;
        if (bpi) ++c.bpi_men;
    } else if (p.sex == Sex::female) {
        ++c.women;
        if (bpi) ++c.bpi_women;
    } else {
        ++c.sex_unknown;
    }
    const Tri under = p.birth_date ? under_age(*p.birth_date, 25, ref, policy.feb29) : Tri::unknown;
    if (under == Tri::yes) {
        ++c.under_25;
        if (bpi) ++c.bpi_under_25;
    } else if (under == Tri::unknown) {
        ++c.age_unknown;
    }
}

std::string age_band(const Person& p, Date on, const Policy& policy) {
    if (!p.birth_date) return "unknown";
    const auto age = age_on(*p.birth_date, on, policy.feb29);
    if (!age) return "unknown";
    if (*age < 18) return "0-17";
    if (*age < 25) return "18-24";
    if (*age < 35) return "25-34";
    if (*age < 50) return "35-49";
    return "50+";
}

ExtraIndicator scalar(std::string key, std::optional<double> v, bool people) {
    ExtraIndicator x;
    x.label_fr = std::string(detail::extra_label(key));
    x.key = std::move(key);
    x.value = v;
    x.counts_people = people;
    return x;
}

ExtraIndicator breakdown(std::string key, const std::map<std::string, std::int64_t>& m,
                         bool people) {
    ExtraIndicator x;
    x.label_fr = std::string(detail::extra_label(key));
    x.key = std::move(key);
    x.is_breakdown = true;
    x.counts_people = people;
    for (const auto& [k, v] : m) x.breakdown.emplace_back(k, static_cast<double>(v));
    return x;
}

std::map<std::string, std::int64_t> zeros(std::initializer_list<std::string_view> keys) {
    std::map<std::string, std::int64_t> m;
    for (auto k : keys) m[std::string(k)] = 0;
    return m;
}

struct Inputs {
    std::vector<Journey> journeys;  // of the contract
    std::vector<Activity> activities;
    std::map<ActivityId, std::vector<const Participation*>> participations;
    std::vector<Participation> all_participations;
    std::vector<Volunteering> volunteering;
    std::vector<HousingMove> housing;
    std::vector<Partnership> partnerships;
    std::vector<Cost> costs;
};

ActionReport build_action(const Contract& contract, const Action& action, const Inputs& in,
                          Lookup& look, const Policy& policy, Date from, Date to,
                          Date evaluated_on, std::vector<std::string>& notes) {
    ActionReport r;
    r.number = action.number;
    r.title = action.title;
    const Date observed_until = std::min(to, evaluated_on);
    const Date dec31 = december_31_of(from, to);
    auto reference = [&](Date entry) {
        switch (policy.age_reference) {
        case AgeReference::entry: return entry;
        case AgeReference::period_end: return to;
        case AgeReference::december_31: return dec31;
        }
        return entry;
    };

    // Journeys of the action overlapping the period, in entry order (all_journeys is in
    // key order; sort to make "first journey" well defined).
    std::vector<const Journey*> js;
    for (const auto& j : in.journeys)
        if (j.action == action.number && overlaps(j, from, to)) js.push_back(&j);
    std::sort(js.begin(), js.end(), [](const Journey* a, const Journey* b) {
        if (a->entry_date != b->entry_date) return a->entry_date < b->entry_date;
        return a->id < b->id;
    });

    // Counted population: each person described at the entry of their first journey.
    // Keyed by the person's dense index (only counts are derived from it: order-free).
    std::unordered_map<std::uint32_t, const Journey*> first;
    for (const Journey* j : js) first.emplace(look.index(j->person_id), j);

    PublicCounts pc;
    std::vector<std::uint32_t> eligible_persons;
    auto entrants_sex = zeros({"female", "male", "unknown"});
    auto entrants_age = zeros({"0-17", "18-24", "25-34", "35-49", "50+", "unknown"});
    auto entrants_public = zeros({"bpi", "bpt", "primo_arrivant", "not_eligible"});
    std::map<std::string, std::int64_t> entrants_source;
    std::int64_t entrants = 0;
    for (const auto& [pid, j] : first) {
        const Person& p = look.person(pid);
        const Date ref = reference(j->entry_date);
        const Eligibility e = look.eligibility(pid, ref);
        count_person(pc, p, e, ref, policy);
        if (e.public_category) eligible_persons.push_back(pid);
        if (in_range(j->entry_date, from, to)) {
            ++entrants;
            ++entrants_sex[std::string(to_string(p.sex))];
            ++entrants_age[age_band(p, j->entry_date, policy)];
            const Eligibility at_entry = look.eligibility(pid, j->entry_date);
            ++entrants_public[at_entry.public_category
                                  ? std::string(to_string(*at_entry.public_category))
                                  : "not_eligible"];
            ++entrants_source[std::string(to_string(j->referral_source))];
        }
    }
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
        ReportCell c;
        c.key = key;
        auto row = std::find_if(table.begin(), table.end(),
                                [&](const Indicator& i) { return i.key == key; });
        if (row != table.end()) {
            c.label_fr = row->label_fr;
            c.target = row->target;
        } else {
            c.label_fr = std::string(detail::extra_label(key));
        }
        if (!c.target) c.target = target_by_public(key);
        c.realised = static_cast<double>(values.at(key));
        r.public_cells.push_back(std::move(c));
    }

    // R7 journeys block, followed up to the evaluation date.
    std::vector<std::int32_t> entry, exit;
    std::int64_t positive = 0;
    std::map<std::string, std::int64_t> exits_by_reason;
    // Step kinds reached per journey as a bit set, counted per kind (no set per journey).
    constexpr std::size_t step_kinds = enum_names<StepKind>().size();
    static_assert(step_kinds <= 32);
    std::array<std::int64_t, step_kinds> reached_count{};
    entry.reserve(js.size());
    exit.reserve(js.size());
    for (const Journey* j : js) {
        entry.push_back(j->entry_date.days());
        exit.push_back(j->exit_date ? j->exit_date->days() : no_date);
        if (j->exit_date && in_range(*j->exit_date, from, observed_until)) {
            ++exits_by_reason[j->exit_reason.value_or("")];
            if (is_positive_exit(*j, contract)) ++positive;
        }
        std::uint32_t reached = 0;
        for (const auto& s : j->steps)
            if (s.date <= observed_until) reached |= 1u << static_cast<unsigned>(s.kind);
        for (std::size_t k = 0; k < step_kinds; ++k)
            if (reached & (1u << k)) ++reached_count[k];
    }
    std::map<std::string, std::int64_t> steps;
    for (std::size_t k = 0; k < step_kinds; ++k)
        steps[std::string(enum_names<StepKind>()[k])] = reached_count[k];
    r.journeys.stats = journey_stats(entry, exit, evaluated_on);
    const JourneyStats& st = r.journeys.stats;
    r.journeys.count = st.count;
    r.journeys.completed = st.completed;
    r.journeys.open = st.open;
    r.journeys.mean_days = rounded(st.mean_days, 1);
    r.journeys.median_days = st.median_days;
    r.journeys.km_median_days = st.km_median_days;
    r.journeys.km_restricted_mean_days = rounded(st.km_restricted_mean_days, 1);
    r.journeys.positive_exits = positive;

    // Financial.
    for (const auto& c : in.costs)
        if (c.contract_id == contract.id && c.action == action.number) {
            r.financial.total_cost = c.total_cost;
            r.financial.subsidy_p104 = c.subsidy_p104;
        }

    // Activities of the action in the period.
    std::int64_t workshops = 0, practice = 0, events = 0, co_animated = 0, participations = 0;
    std::map<std::string, std::int64_t> workshops_by_type, practice_by_type, events_by_type,
        co_by_type;
    std::set<std::string> structures;
    double training_hours = 0;
    double satisfaction_sum = 0;
    std::int64_t satisfaction_n = 0;
    std::unordered_map<std::uint32_t, Date> co_participants;  // first co-animated activity date
    for (const auto& a : in.activities) {
        if (a.contract_id != contract.id || a.action != action.number ||
            !in_range(a.date, from, to))
            continue;
        const auto pit = in.participations.find(a.id);
        const std::vector<const Participation*> none;
        const auto& parts = pit == in.participations.end() ? none : pit->second;
        switch (a.kind) {
        case ActivityKind::workshop: ++workshops; ++workshops_by_type[a.type]; break;
        case ActivityKind::individual_practice: ++practice; ++practice_by_type[a.type]; break;
        case ActivityKind::event: ++events; ++events_by_type[a.type]; break;
        case ActivityKind::actor_training:
            if (!a.structure.empty()) structures.insert(a.structure);
            training_hours += a.hours;  // once per session, whatever the participants
            break;
        }
        if (a.kind != ActivityKind::actor_training) {
            participations += static_cast<std::int64_t>(parts.size());
            for (const Participation* p : parts)
                if (p->satisfaction) {
                    satisfaction_sum += *p->satisfaction;
                    ++satisfaction_n;
                }
        }
        if (a.co_animated) {
            ++co_animated;
            ++co_by_type[a.type];
            for (const Participation* p : parts) {
                auto [it, inserted] = co_participants.emplace(look.index(p->person_id), a.date);
                if (!inserted && a.date < it->second) it->second = a.date;
            }
        }
    }
    PublicCounts co;
    for (const auto& [pid, d] : co_participants) {
        const Date ref = reference(d);
        count_person(co, look.person(pid), look.eligibility(pid, ref), ref, policy);
    }

    // Volunteering of the action's counted population.
    std::unordered_set<std::uint32_t> volunteers;
    std::int64_t engagements = 0, memberships = 0, one_off = 0;
    double engagement_days = 0;
    std::map<std::string, std::int64_t> by_association;
    for (const auto& v : in.volunteering) {
        const std::uint32_t vi = look.find_index(v.person_id);
        if (vi == Lookup::none || !first.contains(vi)) continue;
        switch (v.kind) {
        case VolunteeringKind::engagement:
            if (v.start <= to && (!v.end || *v.end >= from)) {
                volunteers.insert(vi);
                ++engagements;
                ++by_association[v.association_type.empty() ? "unknown" : v.association_type];
                // Open engagements (or ending after the period) are censored at its end.
                const Date end = (v.end && *v.end <= to) ? *v.end : to;
                engagement_days += end.days_since(v.start);
            }
            break;
        case VolunteeringKind::membership:
            if (in_range(v.start, from, to)) ++memberships;
            break;
        case VolunteeringKind::one_off:
            if (in_range(v.start, from, to)) ++one_off;
            break;
        }
    }

    // Households of eligible counted persons that moved into lasting housing in the period.
    std::set<HouseholdId> households;
    for (const auto& pid : eligible_persons)
        if (const auto& h = look.person(pid).household_id) households.insert(*h);
    std::set<HouseholdId> housed;
    for (const auto& m : in.housing)
        if (households.contains(m.household_id) && in_range(m.date, from, to) &&
            is_lasting_housing(m.housing_type, policy))
            housed.insert(m.household_id);

    std::map<std::string, std::int64_t> partnerships_by_theme;
    std::int64_t partnerships = 0;
    for (const auto& p : in.partnerships)
        if (p.contract_id == contract.id && p.action == action.number &&
            in_range(p.date, from, to)) {
            ++partnerships;
            ++partnerships_by_theme[p.theme];
        }

    auto d = [](std::int64_t v) { return std::optional<double>(static_cast<double>(v)); };
    auto& x = r.extra;
    x.push_back(scalar("entrants", d(entrants), true));
    x.push_back(breakdown("entrants_by_sex", entrants_sex, true));
    x.push_back(breakdown("entrants_by_age_band", entrants_age, true));
    x.push_back(breakdown("entrants_by_public", entrants_public, true));
    x.push_back(breakdown("entrants_by_referral_source", entrants_source, true));
    x.push_back(scalar("sex_unknown", d(pc.sex_unknown), true));
    x.push_back(scalar("age_unknown", d(pc.age_unknown), true));
    x.push_back(breakdown("steps_reached", steps, true));
    x.push_back(breakdown("exits_by_reason", exits_by_reason, true));
    x.push_back(scalar("workshops", d(workshops), false));
    x.push_back(breakdown("workshops_by_type", workshops_by_type, false));
    x.push_back(scalar("individual_practice_sessions", d(practice), false));
    x.push_back(breakdown("individual_practice_by_type", practice_by_type, false));
    x.push_back(scalar("events", d(events), false));
    x.push_back(breakdown("events_by_type", events_by_type, false));
    x.push_back(scalar("participations", d(participations), false));
    x.push_back(scalar("mean_satisfaction",
                       satisfaction_n > 0
                           ? std::optional<double>(round_to(
                                 satisfaction_sum / static_cast<double>(satisfaction_n), 2))
                           : std::nullopt,
                       false));
    x.push_back(scalar("satisfaction_responses", d(satisfaction_n), false));
    x.push_back(scalar("structures_trained", d(static_cast<std::int64_t>(structures.size())), false));
    x.push_back(scalar("training_hours", round_to(training_hours, 2), false));
    x.push_back(scalar("co_animated_activities", d(co_animated), false));
    x.push_back(breakdown("co_animated_by_type", co_by_type, false));
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
    x.push_back(scalar("volunteers", d(static_cast<std::int64_t>(volunteers.size())), true));
    x.push_back(scalar("volunteer_engagements", d(engagements), true));
    x.push_back(scalar("mean_volunteer_days",
                       engagements > 0 ? std::optional<double>(round_to(
                                             engagement_days / static_cast<double>(engagements), 1))
                                       : std::nullopt,
                       false));
    x.push_back(breakdown("engagements_by_association_type", by_association, true));
    x.push_back(scalar("memberships", d(memberships), true));
    x.push_back(scalar("one_off_participations", d(one_off), true));
    x.push_back(scalar("households_housed", d(static_cast<std::int64_t>(housed.size())), true));
    x.push_back(scalar("partnerships", d(partnerships), false));
    x.push_back(breakdown("partnerships_by_theme", partnerships_by_theme, false));

    // The contract's specific indicators, realised from the extras of the same key.
    for (const auto& ind : action.specific_indicators) {
        ReportCell c{ind.key, ind.label_fr, ind.target, std::nullopt, false};
        auto it = std::find_if(x.begin(), x.end(), [&](const ExtraIndicator& e) {
            return e.key == ind.key && !e.is_breakdown;
        });
        if (it != x.end()) c.realised = it->value;
        else
            notes.push_back("Fiche " + std::to_string(action.number) + " : indicateur « " +
                            ind.label_fr + " » (" + ind.key +
                            ") non calculé par la bibliothèque.");
        r.specific.push_back(std::move(c));
    }
    return r;
}

}  // namespace

const ReportCell& ActionReport::cell(std::string_view key) const {
    for (const auto& c : public_cells)
        if (c.key == key) return c;
    for (const auto& c : specific)
        if (c.key == key) return c;
    throw NotFoundError("no report cell '" + std::string(key) + "'", "report_cell",
                        std::string(key));
}

const ExtraIndicator& ActionReport::extra_indicator(std::string_view key) const {
    for (const auto& x : extra)
        if (x.key == key) return x;
    throw NotFoundError("no extra indicator '" + std::string(key) + "'", "extra_indicator",
                        std::string(key));
}

const ActionReport& Report::action(int number) const {
    for (const auto& a : actions)
        if (a.number == number) return a;
    throw NotFoundError("no action " + std::to_string(number) + " in the report", "action",
                        std::to_string(number));
}

Report build_report(const Store& store, const ContractId& contract_id,
                    const ReportOptions& options) {
    const Contract contract = store.contract(contract_id);
    Report rep;
    rep.contract_id = contract.id;
    rep.contract_title = contract.title;
    rep.from = options.from.value_or(contract.start);
    rep.to = options.to.value_or(contract.end);
    if (rep.from > rep.to)
        throw ValidationError("report period: from " + to_iso(rep.from) + " is after to " +
                                  to_iso(rep.to),
                              "from");
    rep.evaluated_on = options.evaluated_on.value_or(rep.to);
    if (rep.evaluated_on < rep.from)
        throw ValidationError("report evaluated_on " + to_iso(rep.evaluated_on) +
                                  " is before the period starts",
                              "evaluated_on");
    rep.policy = store.policy();
    rep.k = options.k.value_or(rep.policy.suppression_k);
    if (rep.k < 1) throw ValidationError("suppression k must be >= 1", "k");
    rep.policy.suppression_k = rep.k;
    rep.publish = options.publish;
    rep.fingerprint = store.fingerprint().sha256;
    rep.library_version = version;

    Inputs in;
    for (auto& j : store.all_journeys())
        if (j.contract_id == contract.id) in.journeys.push_back(std::move(j));
    in.activities = store.all_activities();
    in.all_participations = store.all_participations();
    for (const auto& p : in.all_participations) in.participations[p.activity_id].push_back(&p);
    in.volunteering = store.all_volunteering();
    in.housing = store.all_housing_moves();
    in.partnerships = store.all_partnerships();
    in.costs = store.all_costs();

    Lookup look(store);
    for (const auto& a : contract.actions)
        rep.actions.push_back(build_action(contract, a, in, look, rep.policy, rep.from, rep.to,
                                           rep.evaluated_on, rep.notes));
    if (rep.publish) suppress_small_cells(rep, rep.k);
    return rep;
}

}  // namespace ctai
