// R8: building the evaluation report from the public Store API (no SQL here).
#include <ctai/report.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <ctai/contract.hpp>
#include <ctai/contract_data.hpp>
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

bool in_range(Date d, Date from, Date to) { return from <= d && d <= to; }

/// R8 december_31: the last 31 December inside the period, else the one of the period's
/// last year (docs/reports.md).
Date december_31_of(Date from, Date to) {
    Date d(to.year(), 12, 31);
    if (d > to) d = Date(to.year() - 1, 12, 31);
    if (d < from) d = Date(to.year(), 12, 31);
    return d;
}

/// The public breakdown of a set of persons, each described at its own reference date.
struct PublicCounts {
    std::int64_t total = 0, men = 0, women = 0, under_25 = 0, bpi = 0, bpi_men = 0,
                 bpi_women = 0, bpi_under_25 = 0, primo = 0, bpt = 0, not_eligible = 0,
                 sex_unknown = 0, age_unknown = 0;
};

/// What the report needs of a person's birth date, computed once per person and report:
/// the days they stop being under 25 (R8 under_25) for the earliest and the latest birth
/// date compatible with a partial birth date (under_age(birth, 25, d) is yes when d is
/// before both, no when after both, unknown in between), and the year and month-day of both
/// for the age bands (age_on() without a calendar conversion of the birth date per call).
struct Ages {
    std::int32_t under_25_end_first = no_date, under_25_end_last = no_date;
    std::array<int, 2> year{}, month_day{};  // month * 32 + day
    bool february_29 = false;  // a 29 February among the two: age_on() itself
    bool known = false;
};

const Ages& ages_of(Ages& a, const CaseSnapshot::Traits& p, const Policy& policy) {
    if (!a.known) {
        std::size_t k = 0;
        for (const std::int32_t b : {p.birth_first, p.birth_last}) {
            const auto ymd = Date::from_days(b).ymd();
            const auto m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
            a.year[k] = static_cast<int>(ymd.year());
            a.month_day[k] = static_cast<int>(m * 32 + d);
            const bool feb29 = m == 2 && d == 29;
            a.february_29 = a.february_29 || feb29;
            // add_years(b, 25): the same month and day, except from a 29 February (policy).
            const std::int32_t end =
                feb29 ? add_years(Date::from_days(b), 25, policy.feb29).days()
                      : Date(date::sys_days{ymd + date::years{25}}).days();
            (k == 0 ? a.under_25_end_first : a.under_25_end_last) = end;
            ++k;
        }
        a.known = true;
    }
    return a;
}

Tri under_25(Ages& ages, const CaseSnapshot::Traits& p, Date ref, const Policy& policy) {
    if (p.birth_first == no_date) return Tri::unknown;
    const Ages& u = ages_of(ages, p, policy);
    const bool earliest = ref.days() < u.under_25_end_first;
    const bool latest = ref.days() < u.under_25_end_last;
    if (earliest == latest) return earliest ? Tri::yes : Tri::no;
    return Tri::unknown;
}

void count_person(PublicCounts& c, const CaseSnapshot::Traits& p, const Verdict& e, Date ref,
                  const Policy& policy, Ages& ages) {
    const auto category = e.public_category();
    if (!category) {
        ++c.not_eligible;
        return;
    }
    ++c.total;
    const bool bpi = *category == PublicCategory::bpi;
    if (bpi) ++c.bpi;
    else if (*category == PublicCategory::bpt) ++c.bpt;
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
    const Tri under = under_25(ages, p, ref, policy);
    if (under == Tri::yes) {
        ++c.under_25;
        if (bpi) ++c.bpi_under_25;
    } else if (under == Tri::unknown) {
        ++c.age_unknown;
    }
}

/// The age bands of entrants_by_age_band, by index (age_band()).
constexpr std::array<std::string_view, 6> age_bands{"0-17", "18-24", "25-34", "35-49", "50+",
                                                    "unknown"};

std::size_t age_band(Ages& ages, const CaseSnapshot::Traits& p, Date on, const Policy& policy) {
    if (p.birth_first == no_date) return 5;
    // age_on(PartialDate): known when the earliest and the latest birth days agree.
    const Ages& a = ages_of(ages, p, policy);
    int age = 0;
    if (a.february_29) {
        age = age_on(Date::from_days(p.birth_first), on, policy.feb29);
        if (age != age_on(Date::from_days(p.birth_last), on, policy.feb29)) return 5;
    } else {
        // age_on() off 29 February: the calendar difference, minus one before the birthday.
        const auto o = on.ymd();
        const int year = static_cast<int>(o.year());
        const int md = static_cast<int>(static_cast<unsigned>(o.month()) * 32 +
                                        static_cast<unsigned>(o.day()));
        const auto at = [&](std::size_t k) {
            if (on.days() < (k == 0 ? p.birth_first : p.birth_last)) return 0;
            return year - a.year[k] - (md < a.month_day[k] ? 1 : 0);
        };
        age = at(0);
        if (age != at(1)) return 5;
    }
    if (age < 18) return 0;
    if (age < 25) return 1;
    if (age < 35) return 2;
    if (age < 50) return 3;
    return 4;
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

/// Counts by code, turned into a breakdown of the codes met (count > 0) by name.
std::map<std::string, std::int64_t> met(const std::vector<std::int64_t>& counts,
                                        const std::vector<std::string>& names) {
    std::map<std::string, std::int64_t> m;
    for (std::size_t c = 0; c < counts.size(); ++c)
        if (counts[c] > 0) m[names[c]] += counts[c];
    return m;
}

template <class E>
std::vector<std::string> names_of() {
    std::vector<std::string> v;
    for (auto n : enum_names<E>()) v.emplace_back(n);
    return v;
}

/// Everything build_action reads: the contract's data and what is shared by its actions.
struct Inputs {
    const ContractData& data;
    const CaseSnapshot& cases;
    /// Contract::is_positive_exit of each exit reason code of `data`.
    std::vector<std::uint8_t> positive_reason;
    /// The journeys of each action of the contract (by action number), in journey order.
    std::vector<std::vector<std::uint32_t>> journeys_by_action;
    /// Per person (size: cases), kept across actions.
    std::vector<Ages> ages;
    /// Per-person scratch arrays (size: cases), reset by each action after use.
    std::vector<std::uint32_t> first;
    std::vector<std::int32_t> co_first;
    std::vector<std::uint8_t> household_eligible;
};

ActionReport build_action(const Action& action, Inputs& in,
                          const Policy& policy, Date from, Date to, Date evaluated_on,
                          std::vector<std::string>& notes) {
    const ContractData& data = in.data;
    const CaseSnapshot& cases = in.cases;
    const auto& jn = data.journeys;
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
    auto eligibility = [&](std::uint32_t person, Date on) { return cases.verdict(person, on); };
    const std::int32_t from_d = from.days(), to_d = to.days();

    // Journeys of the action overlapping the period (in journey id order: the statistics
    // below do not depend on the order), and each person's first journey: the earliest
    // entry, the smallest journey id among equal entries.
    std::vector<std::uint32_t> js;
    std::vector<std::uint32_t>& first = in.first;  // person -> first journey, or no_index
    static const std::vector<std::uint32_t> no_journeys;
    const auto& of_action = action.number >= 0 ? in.journeys_by_action[static_cast<std::size_t>(action.number)]
                                               : no_journeys;  // numbers are >= 1 in a valid contract
    for (const std::uint32_t j : of_action)
        if (jn.entry[j] <= to_d && (jn.exit[j] == no_date || jn.exit[j] >= from_d)) {
            js.push_back(j);
            std::uint32_t& f = first[jn.person[j]];
            if (f == no_index || jn.entry[j] < jn.entry[f]) f = j;
        }
    // Counted population: each person described at the entry of their first journey. Only
    // counts are derived from it: visited in snapshot order (the cases' memory in the order
    // it was allocated, friendlier to the caches).
    std::vector<std::uint32_t> counted;
    for (std::uint32_t p = 0; p < first.size(); ++p)
        if (first[p] != no_index) counted.push_back(p);

    PublicCounts pc;
    std::vector<std::uint32_t> eligible_persons;
    // Entrants by sex code, age band, public category code (then not eligible).
    std::array<std::int64_t, enum_names<Sex>().size()> sex_count{};
    std::array<std::int64_t, age_bands.size()> age_count{};
    std::array<std::int64_t, enum_names<PublicCategory>().size() + 1> public_count{};
    std::vector<std::int64_t> source_count(enum_names<ReferralSource>().size(), 0);
    std::int64_t entrants = 0;
    for (const std::uint32_t pid : counted) {
        const std::uint32_t j = first[pid];
        const CaseSnapshot::Traits& p = cases.traits(pid);
        const Date entry = Date::from_days(jn.entry[j]);
        const Date ref = reference(entry);
        const Verdict e = eligibility(pid, ref);
        count_person(pc, p, e, ref, policy, in.ages[pid]);
        if (e.ctai_public()) eligible_persons.push_back(pid);
        if (in_range(entry, from, to)) {
            ++entrants;
            ++sex_count[static_cast<std::size_t>(p.sex)];
            ++age_count[age_band(in.ages[pid], p, entry, policy)];
            const auto at_entry = ref == entry ? e.public_category()
                                               : eligibility(pid, entry).public_category();
            ++public_count[at_entry ? static_cast<std::size_t>(*at_entry) : public_count.size() - 1];
            ++source_count[jn.referral_source[j]];
        }
    }
    std::map<std::string, std::int64_t> entrants_sex, entrants_age, entrants_public;
    for (const Sex x : {Sex::female, Sex::male, Sex::unknown})
        entrants_sex[std::string(to_string(x))] = sex_count[static_cast<std::size_t>(x)];
    for (std::size_t b = 0; b < age_bands.size(); ++b)
        entrants_age[std::string(age_bands[b])] = age_count[b];
    for (const PublicCategory x : {PublicCategory::bpi, PublicCategory::bpt, PublicCategory::primo_arrivant})
        entrants_public[std::string(to_string(x))] = public_count[static_cast<std::size_t>(x)];
    entrants_public["not_eligible"] = public_count.back();
    const auto entrants_source = met(source_count, names_of<ReferralSource>());
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
    std::vector<std::int64_t> reason_count(data.exit_reasons.size(), 0);
    // Step kinds reached per journey as a bit set, counted per kind (no set per journey).
    constexpr std::size_t step_kinds = enum_names<StepKind>().size();
    static_assert(step_kinds <= 32);
    std::array<std::int64_t, step_kinds> reached_count{};
    entry.reserve(js.size());
    exit.reserve(js.size());
    const std::int32_t observed_d = observed_until.days();
    for (const std::uint32_t j : js) {
        entry.push_back(jn.entry[j]);
        exit.push_back(jn.exit[j]);
        if (jn.exit[j] != no_date && from_d <= jn.exit[j] && jn.exit[j] <= observed_d) {
            ++reason_count[jn.exit_reason[j]];
            if (in.positive_reason[jn.exit_reason[j]]) ++positive;
        }
        std::uint32_t reached = 0;
        for (std::uint32_t s = jn.step_begin[j]; s < jn.step_begin[j + 1]; ++s)
            if (data.steps.date[s] <= observed_d) reached |= 1u << data.steps.kind[s];
        for (std::size_t k = 0; k < step_kinds; ++k)
            if (reached & (1u << k)) ++reached_count[k];
    }
    const auto exits_by_reason = met(reason_count, data.exit_reasons);
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
    for (const auto& c : data.costs)
        if (c.action == action.number) {
            r.financial.total_cost = c.total_cost;
            r.financial.subsidy_p104 = c.subsidy_p104;
        }

    // Activities of the action in the period.
    const auto& ac = data.activities;
    const auto& pa = data.participations;
    std::int64_t workshops = 0, practice = 0, events = 0, co_animated = 0, participations = 0;
    const std::size_t types = data.activity_types.size();
    std::vector<std::int64_t> workshops_by_type(types, 0), practice_by_type(types, 0),
        events_by_type(types, 0), co_by_type(types, 0);
    std::vector<std::uint8_t> structure_trained(data.structures.size(), 0);
    double training_hours = 0;
    double satisfaction_sum = 0;
    std::int64_t satisfaction_n = 0;
    std::vector<std::int32_t>& co_first = in.co_first;  // first co-animated activity date
    std::vector<std::uint32_t> co_participants;
    for (std::size_t a = 0; a < ac.size(); ++a) {
        if (ac.action[a] != action.number || ac.date[a] < from_d || ac.date[a] > to_d) continue;
        const std::uint32_t p0 = ac.participation_begin[a], p1 = ac.participation_begin[a + 1];
        switch (static_cast<ActivityKind>(ac.kind[a])) {
        case ActivityKind::workshop: ++workshops; ++workshops_by_type[ac.type[a]]; break;
        case ActivityKind::individual_practice: ++practice; ++practice_by_type[ac.type[a]]; break;
        case ActivityKind::event: ++events; ++events_by_type[ac.type[a]]; break;
        case ActivityKind::actor_training:
            structure_trained[ac.structure[a]] = 1;
            training_hours += ac.hours[a];  // once per session, whatever the participants
            break;
        }
        if (static_cast<ActivityKind>(ac.kind[a]) != ActivityKind::actor_training) {
            participations += p1 - p0;
            for (std::uint32_t p = p0; p < p1; ++p) {  // 0: no answer (adds nothing)
                satisfaction_sum += pa.satisfaction[p];
                satisfaction_n += pa.satisfaction[p] != 0 ? 1 : 0;
            }
        }
        if (ac.co_animated[a]) {
            ++co_animated;
            ++co_by_type[ac.type[a]];
            for (std::uint32_t p = p0; p < p1; ++p) {
                std::int32_t& d = co_first[pa.person[p]];
                if (d == no_date) co_participants.push_back(pa.person[p]);
                if (d == no_date || ac.date[a] < d) d = ac.date[a];
            }
        }
    }
    std::int64_t structures = 0;
    for (std::size_t s = 0; s < structure_trained.size(); ++s)
        if (structure_trained[s] && !data.structures[s].empty()) ++structures;
    PublicCounts co;
    for (const std::uint32_t pid : co_participants) {
        const Date ref = reference(Date::from_days(co_first[pid]));
        count_person(co, cases.traits(pid), eligibility(pid, ref), ref, policy, in.ages[pid]);
        co_first[pid] = no_date;
    }

    // Volunteering of the action's counted population.
    const auto& vo = data.volunteering;
    std::int64_t volunteers = 0, engagements = 0, memberships = 0, one_off = 0;
    double engagement_days = 0;
    std::vector<std::int64_t> association_count(data.association_types.size(), 0);
    std::uint32_t last_volunteer = no_index;
    for (std::size_t v = 0; v < vo.size(); ++v) {
        if (first[vo.person[v]] == no_index) continue;
        const std::int32_t start = vo.start[v], end = vo.end[v];
        switch (static_cast<VolunteeringKind>(vo.kind[v])) {
        case VolunteeringKind::engagement:
            if (start <= to_d && (end == no_date || end >= from_d)) {
                // Rows are in person order: a volunteer is counted once.
                if (vo.person[v] != last_volunteer) ++volunteers;
                last_volunteer = vo.person[v];
                ++engagements;
                ++association_count[vo.association_type[v]];
                // Open engagements (or ending after the period) are censored at its end.
                engagement_days += ((end != no_date && end <= to_d) ? end : to_d) - start;
            }
            break;
        case VolunteeringKind::membership:
            if (from_d <= start && start <= to_d) ++memberships;
            break;
        case VolunteeringKind::one_off:
            if (from_d <= start && start <= to_d) ++one_off;
            break;
        }
    }
    std::map<std::string, std::int64_t> by_association;
    for (std::size_t c = 0; c < association_count.size(); ++c)
        if (association_count[c] > 0)
            by_association[data.association_types[c].empty() ? "unknown"
                                                             : data.association_types[c]] +=
                association_count[c];

    // Households of eligible counted persons that moved into lasting housing in the period.
    std::vector<std::uint8_t>& household = in.household_eligible;  // 1 eligible, 2 housed
    for (const std::uint32_t pid : eligible_persons)
        if (const std::uint32_t h = data.person_household[pid]; h != no_index) household[h] = 1;
    std::int64_t housed = 0;
    const auto& ho = data.housing;
    for (std::size_t m = 0; m < ho.size(); ++m)
        if (household[ho.household[m]] == 1 && from_d <= ho.date[m] && ho.date[m] <= to_d &&
            is_lasting_housing(static_cast<HousingType>(ho.housing_type[m]), policy)) {
            household[ho.household[m]] = 2;
            ++housed;
        }
    std::fill(household.begin(), household.end(), 0);
    for (const std::uint32_t pid : counted) first[pid] = no_index;

    std::map<std::string, std::int64_t> partnerships_by_theme;
    std::int64_t partnerships = 0;
    for (const auto& p : data.partnerships)
        if (p.action == action.number && in_range(p.date, from, to)) {
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
    x.push_back(breakdown("workshops_by_type", met(workshops_by_type, data.activity_types), false));
    x.push_back(scalar("individual_practice_sessions", d(practice), false));
    x.push_back(breakdown("individual_practice_by_type", met(practice_by_type, data.activity_types), false));
    x.push_back(scalar("events", d(events), false));
    x.push_back(breakdown("events_by_type", met(events_by_type, data.activity_types), false));
    x.push_back(scalar("participations", d(participations), false));
    x.push_back(scalar("mean_satisfaction",
                       satisfaction_n > 0
                           ? std::optional<double>(round_to(
                                 satisfaction_sum / static_cast<double>(satisfaction_n), 2))
                           : std::nullopt,
                       false));
    x.push_back(scalar("satisfaction_responses", d(satisfaction_n), false));
    x.push_back(scalar("structures_trained", d(structures), false));
    x.push_back(scalar("training_hours", round_to(training_hours, 2), false));
    x.push_back(scalar("co_animated_activities", d(co_animated), false));
    x.push_back(breakdown("co_animated_by_type", met(co_by_type, data.activity_types), false));
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
    x.push_back(scalar("volunteers", d(volunteers), true));
    x.push_back(scalar("volunteer_engagements", d(engagements), true));
    x.push_back(scalar("mean_volunteer_days",
                       engagements > 0 ? std::optional<double>(round_to(
                                             engagement_days / static_cast<double>(engagements), 1))
                                       : std::nullopt,
                       false));
    x.push_back(breakdown("engagements_by_association_type", by_association, true));
    x.push_back(scalar("memberships", d(memberships), true));
    x.push_back(scalar("one_off_participations", d(one_off), true));
    x.push_back(scalar("households_housed", d(housed), true));
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

    const auto data = store.contract_data(contract.id);
    Inputs in{*data, *data->cases, {}, {}, {}, {}, {}, {}};
    int last_action = 0;
    for (const auto& a : contract.actions) last_action = std::max(last_action, a.number);
    in.journeys_by_action.resize(static_cast<std::size_t>(last_action) + 1);
    for (std::uint32_t j = 0; j < data->journeys.size(); ++j)
        if (const int a = data->journeys.action[j]; a >= 0 && a <= last_action)
            in.journeys_by_action[static_cast<std::size_t>(a)].push_back(j);
    for (const auto& code : data->exit_reasons)
        in.positive_reason.push_back(contract.is_positive_exit(code) ? 1 : 0);
    in.ages.assign(in.cases.size(), Ages{});
    in.first.assign(in.cases.size(), no_index);
    in.co_first.assign(in.cases.size(), no_date);
    in.household_eligible.assign(data->household_count, 0);
    for (const auto& a : contract.actions)
        rep.actions.push_back(build_action(a, in, rep.policy, rep.from, rep.to,
                                           rep.evaluated_on, rep.notes));
    if (rep.publish) suppress_small_cells(rep, rep.k);
    return rep;
}

}  // namespace ctai
