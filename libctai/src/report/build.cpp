// R8: building the evaluation report from the public Store API (no SQL here).
#include <ctai/report.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <memory>
#include <span>
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

/// What the report needs of a person's birth date near an anniversary or when partial
/// (detail::years_passed_by_days() decides the others), computed at most once per person and report
/// (per group of actions, count_slots()):
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
            if (k == 1 && b == p.birth_first) {  // a full birth date: the same twice
                a.year[1] = a.year[0];
                a.month_day[1] = a.month_day[0];
                a.under_25_end_last = a.under_25_end_first;
                break;
            }
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
    // ref < add_years(birth, 25), for the earliest and the latest birth day.
    const auto under = [&](std::size_t k) {
        const std::int32_t birth = k == 0 ? p.birth_first : p.birth_last;
        const Tri passed = detail::years_passed_by_days(birth, ref.days(), 25);
        if (passed != Tri::unknown) return passed == Tri::no;
        const Ages& u = ages_of(ages, p, policy);
        return ref.days() < (k == 0 ? u.under_25_end_first : u.under_25_end_last);
    };
    const bool earliest = under(0);
    const bool latest = under(1);
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
    constexpr std::array<int, 4> band_starts{18, 25, 35, 50};
    if (p.birth_first == p.birth_last) {
        // A full birth date away from the bands' anniversaries: the band from the day count.
        std::size_t band = 0;
        for (const int start : band_starts) {
            const Tri passed = detail::years_passed_by_days(p.birth_first, on.days(), start);
            if (passed == Tri::unknown) break;
            if (passed == Tri::no) return band;
            ++band;
        }
        if (band == band_starts.size()) return band;
    }
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

/// The bands of entrants_by_household_size: the members of the entrant's household recorded
/// in the store (the entrant included), or no household.
constexpr std::array<std::string_view, 6> household_size_bands{"1", "2", "3", "4", "5+",
                                                               "unknown"};

std::size_t household_size_band(const ContractData& data, std::uint32_t household) {
    if (household == no_index) return household_size_bands.size() - 1;
    return std::clamp<std::size_t>(data.household_size[household], 1, 5) - 1;
}

constexpr std::size_t housing_types = enum_names<HousingType>().size();

/// The code of a household's housing just before `day` (domain R8, situation at entry): the
/// type of its latest move dated before that day (a move dated on the entry day is what
/// happened at entry, not the situation the person came from); housing_types when unknown
/// (no household, or no move before then).
std::size_t housing_before(const ContractData& data, std::uint32_t household, std::int32_t day) {
    std::size_t type = housing_types;
    if (household == no_index) return type;
    const auto& ho = data.housing;
    for (std::uint32_t m = ho.begin[household]; m < ho.end[household] && ho.date[m] < day; ++m)
        type = ho.housing_type[m];
    return type;
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
std::map<std::string, std::int64_t> met(std::span<const std::int64_t> counts,
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

/// The contract's actions as slots: one per distinct action number, in the contract's order
/// (the figures of an action are those of its number).
struct Slots {
    /// Action numbers below this are looked up in a table; others (a contract may number
    /// its actions freely) by a search over the few slots.
    static constexpr int direct = 256;
    std::vector<int> number;               // slot -> action number
    std::vector<std::uint32_t> by_number;  // number in [0, direct) -> slot, or no_index
    std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(number.size()); }
    std::uint32_t of(std::int32_t n) const noexcept {
        if (n >= 0 && n < direct)
            return static_cast<std::size_t>(n) < by_number.size() ? by_number[static_cast<std::size_t>(n)]
                                                                   : no_index;
        for (std::uint32_t s = 0; s < size(); ++s)
            if (number[s] == n) return s;
        return no_index;
    }
};

constexpr std::size_t step_kinds = enum_names<StepKind>().size();
/// The journeys are counted by set of step kinds reached (one increment per journey, no
/// loop over the kinds), summed per kind at the end.
static_assert(step_kinds <= 8);

/// Everything the fiche of one slot counts, filled by the passes of count_slots() over the
/// contract's tables and turned into its ActionReport by action_report().
struct ActionCounts {
    explicit ActionCounts(const ContractData& data)
        : reason_count(data.exit_reasons.size(), 0),
          workshops_by_type(data.activity_types.size(), 0),
          practice_by_type(data.activity_types.size(), 0),
          events_by_type(data.activity_types.size(), 0),
          co_by_type(data.activity_types.size(), 0),
          structure_trained(data.structures.size(), 0),
          association_count(data.association_types.size(), 0) {}

    // Counted population (each person at the entry of their first journey) and entrants by
    // sex code, age band, public category code (then not eligible), referral source code.
    PublicCounts pc;
    std::int64_t entrants = 0;
    std::array<std::int64_t, enum_names<Sex>().size()> sex_count{};
    std::array<std::int64_t, age_bands.size()> age_count{};
    std::array<std::int64_t, enum_names<PublicCategory>().size() + 1> public_count{};
    std::array<std::int64_t, enum_names<ReferralSource>().size()> source_count{};
    // Entrants by household size band, and by housing type code just before entry (then
    // unknown).
    std::array<std::int64_t, household_size_bands.size()> household_size_count{};
    std::array<std::int64_t, housing_types + 1> housing_count{};
    // R7: the journeys overlapping the period, in journey id order; the journeys by set of
    // step kinds reached (bit k: kind k) by the end of the observed period.
    std::vector<std::int32_t> entry, exit;
    std::int64_t positive = 0;
    std::vector<std::int64_t> reason_count;
    std::array<std::int64_t, std::size_t{1} << step_kinds> reached_sets{};
    // Activities in the period, in activity id order (training hours summed in that order).
    std::int64_t workshops = 0, practice = 0, events = 0, co_animated = 0, participations = 0;
    std::vector<std::int64_t> workshops_by_type, practice_by_type, events_by_type, co_by_type;
    std::vector<std::uint8_t> structure_trained;
    double training_hours = 0;
    // Sums of integers kept as integers (the same values as summing them as doubles, which
    // is exact below 2^53, without a chain of floating-point additions).
    std::int64_t satisfaction_sum = 0, satisfaction_n = 0;
    PublicCounts co;
    // Volunteering of the counted persons (rows in person order: last_volunteer counts a
    // volunteer once).
    std::int64_t volunteers = 0, engagements = 0, memberships = 0, one_off = 0;
    std::int64_t engagement_days = 0;
    std::vector<std::int64_t> association_count;
    std::uint32_t last_volunteer = no_index;
    // Households of eligible counted persons housed in the period; by size band and by the
    // housing type code of their first lasting move in the period.
    std::int64_t housed = 0;
    std::array<std::int64_t, household_size_bands.size()> housed_size_count{};
    std::array<std::int64_t, housing_types> housed_type_count{};
};

/// Slots are counted a group at a time: a person's (or a household's) membership in the
/// slots of a group is one byte, a bit per slot. A contract has a handful of actions: one
/// group, so one pass over each table for all the actions.
constexpr std::uint32_t group_size = 8;

/// Counts slots [g0, g0 + gn) (gn <= group_size) into counts[g0 ..].
///
/// Why it is organised this way (measured, bench/analysis.md W3): one pass per table for
/// all the actions, each table in its stored order, instead of one pass per action; and the
/// persons visited once, in snapshot order, for every action they are counted in (their
/// rule row, traits and ages are fetched once and stay in cache), the co-animated
/// participants included, instead of once per action and in participation order.
void count_slots(std::uint32_t g0, std::uint32_t gn, const Slots& slots, const ContractData& data,
                 const std::vector<std::uint8_t>& positive_reason, const Policy& policy,
                 Date from, Date to, Date evaluated_on, std::vector<ActionCounts>& counts) {
    const CaseSnapshot& cases = *data.cases;
    const std::size_t n = cases.size();
    const auto& jn = data.journeys;
    const std::int32_t from_d = from.days(), to_d = to.days();
    const std::int32_t observed_d = std::min(to, evaluated_on).days();
    const Date dec31 = december_31_of(from, to);
    auto reference = [&](Date entry) {
        switch (policy.age_reference) {
        case AgeReference::entry: return entry;
        case AgeReference::period_end: return to;
        case AgeReference::december_31: return dec31;
        }
        return entry;
    };
    // The slot of an action number within the group (0 .. gn - 1), or group_size.
    auto local = [&](std::int32_t number) -> std::uint32_t {
        const std::uint32_t s = slots.of(number);
        return s != no_index && s >= g0 && s - g0 < gn ? s - g0 : group_size;
    };
    auto bit = [](std::uint32_t ls) { return static_cast<std::uint8_t>(1u << ls); };

    // Journeys overlapping the period: each person's first journey per action (the earliest
    // entry, the smallest journey id among equal entries) and the R7 block. `first` is
    // valid only where the person's bit is set in `counted` (never initialised otherwise:
    // no pass over persons x actions to clear it).
    std::vector<std::uint8_t> counted(n, 0);
    const auto first = std::make_unique_for_overwrite<std::uint32_t[]>(n * gn);
    const auto& steps = data.steps;
    {  // Room for each action's journeys first (at most all of them), appended below without
       // reallocating and copying (millions of journeys at 10^6 persons).
        std::array<std::size_t, group_size> of_action{};
        for (std::uint32_t j = 0; j < jn.size(); ++j)
            if (const std::uint32_t ls = local(jn.action[j]); ls != group_size) ++of_action[ls];
        for (std::uint32_t ls = 0; ls < gn; ++ls) {
            counts[g0 + ls].entry.reserve(of_action[ls]);
            counts[g0 + ls].exit.reserve(of_action[ls]);
        }
    }
    for (std::uint32_t j = 0; j < jn.size(); ++j) {
        const std::int32_t number = jn.action[j];
        if (number < 0) continue;  // no journeys for an action numbered below 0
        const std::uint32_t ls = local(number);
        if (ls == group_size) continue;
        const std::int32_t entry = jn.entry[j], exit = jn.exit[j];
        if (entry > to_d || (exit != no_date && exit < from_d)) continue;
        const std::uint32_t p = jn.person[j];
        std::uint32_t& f = first[std::size_t{p} * gn + ls];
        if ((counted[p] & bit(ls)) == 0) {
            counted[p] |= bit(ls);
            f = j;
        } else if (entry < jn.entry[f]) {
            f = j;
        }
        ActionCounts& c = counts[g0 + ls];
        c.entry.push_back(entry);
        c.exit.push_back(exit);
        if (exit != no_date && from_d <= exit && exit <= observed_d) {
            ++c.reason_count[jn.exit_reason[j]];
            if (positive_reason[jn.exit_reason[j]]) ++c.positive;
        }
        std::uint32_t reached = 0;  // without a branch: step dates are unpredictable
        for (std::uint32_t s = jn.step_begin[j]; s < jn.step_begin[j + 1]; ++s)
            reached |= static_cast<std::uint32_t>(steps.date[s] <= observed_d) << steps.kind[s];
        ++c.reached_sets[reached & (c.reached_sets.size() - 1)];
    }

    // Activities in the period; the co-animated participants' first co-animated activity per
    // action (in `co_first`, valid where the bit is set in `co`).
    const auto& ac = data.activities;
    const auto& pa = data.participations;
    std::vector<std::uint8_t> co(n, 0);
    const auto co_first = std::make_unique_for_overwrite<std::int32_t[]>(n * gn);
    for (std::size_t a = 0; a < ac.size(); ++a) {
        const std::int32_t date = ac.date[a];
        if (date < from_d || date > to_d) continue;
        const std::uint32_t ls = local(ac.action[a]);
        if (ls == group_size) continue;
        ActionCounts& c = counts[g0 + ls];
        const std::uint32_t p0 = ac.participation_begin[a], p1 = ac.participation_begin[a + 1];
        switch (static_cast<ActivityKind>(ac.kind[a])) {
        case ActivityKind::workshop: ++c.workshops; ++c.workshops_by_type[ac.type[a]]; break;
        case ActivityKind::individual_practice: ++c.practice; ++c.practice_by_type[ac.type[a]]; break;
        case ActivityKind::event: ++c.events; ++c.events_by_type[ac.type[a]]; break;
        case ActivityKind::actor_training:
            c.structure_trained[ac.structure[a]] = 1;
            c.training_hours += ac.hours[a];  // once per session, whatever the participants
            break;
        }
        if (static_cast<ActivityKind>(ac.kind[a]) != ActivityKind::actor_training) {
            c.participations += p1 - p0;
            for (std::uint32_t p = p0; p < p1; ++p) {  // 0: no answer (adds nothing)
                c.satisfaction_sum += pa.satisfaction[p];
                c.satisfaction_n += pa.satisfaction[p] != 0 ? 1 : 0;
            }
        }
        if (ac.co_animated[a]) {
            ++c.co_animated;
            ++c.co_by_type[ac.type[a]];
            for (std::uint32_t p = p0; p < p1; ++p) {
                const std::uint32_t person = pa.person[p];
                std::int32_t& d = co_first[std::size_t{person} * gn + ls];
                if ((co[person] & bit(ls)) == 0) {
                    co[person] |= bit(ls);
                    d = date;
                } else if (date < d) {
                    d = date;
                }
            }
        }
    }

    // Every person counted or co-animated in some action of the group, once, in snapshot
    // order: the public tables (each at its own reference date), the entrants, and the
    // households of the eligible ones (a bit per action).
    std::vector<std::uint8_t> household_eligible(data.household_count, 0);
    for (std::uint32_t p = 0; p < n; ++p) {
        const unsigned in_counted = counted[p], in_co = co[p];
        if ((in_counted | in_co) == 0) continue;
        const CaseSnapshot::Traits& t = cases.traits(p);
        Ages ages;  // computed at first use, shared by the person's actions
        for (unsigned m = in_counted; m != 0; m &= m - 1) {
            const auto ls = static_cast<std::uint32_t>(std::countr_zero(m));
            ActionCounts& c = counts[g0 + ls];
            const std::uint32_t j = first[std::size_t{p} * gn + ls];
            const Date entry = Date::from_days(jn.entry[j]);
            const Date ref = reference(entry);
            const Verdict e = cases.verdict(p, ref);
            count_person(c.pc, t, e, ref, policy, ages);
            if (e.ctai_public())
                if (const std::uint32_t h = data.person_household[p]; h != no_index)
                    household_eligible[h] |= bit(ls);
            if (in_range(entry, from, to)) {
                ++c.entrants;
                ++c.sex_count[static_cast<std::size_t>(t.sex)];
                ++c.age_count[age_band(ages, t, entry, policy)];
                const auto at_entry = ref == entry ? e.public_category()
                                                   : cases.verdict(p, entry).public_category();
                ++c.public_count[at_entry ? static_cast<std::size_t>(*at_entry)
                                          : c.public_count.size() - 1];
                ++c.source_count[jn.referral_source[j]];
                const std::uint32_t h = data.person_household[p];
                ++c.household_size_count[household_size_band(data, h)];
                ++c.housing_count[housing_before(data, h, jn.entry[j])];
            }
        }
        for (unsigned m = in_co; m != 0; m &= m - 1) {
            const auto ls = static_cast<std::uint32_t>(std::countr_zero(m));
            const Date ref = reference(Date::from_days(co_first[std::size_t{p} * gn + ls]));
            count_person(counts[g0 + ls].co, t, cases.verdict(p, ref), ref, policy, ages);
        }
    }

    // Volunteering of the counted persons.
    const auto& vo = data.volunteering;
    for (std::size_t v = 0; v < vo.size(); ++v) {
        const std::uint32_t person = vo.person[v];
        const unsigned in_counted = counted[person];
        if (in_counted == 0) continue;
        const std::int32_t start = vo.start[v], end = vo.end[v];
        switch (static_cast<VolunteeringKind>(vo.kind[v])) {
        case VolunteeringKind::engagement:
            if (start <= to_d && (end == no_date || end >= from_d))
                for (unsigned m = in_counted; m != 0; m &= m - 1) {
                    ActionCounts& c = counts[g0 + static_cast<std::uint32_t>(std::countr_zero(m))];
                    // Rows are in person order: a volunteer is counted once.
                    if (person != c.last_volunteer) ++c.volunteers;
                    c.last_volunteer = person;
                    ++c.engagements;
                    ++c.association_count[vo.association_type[v]];
                    // Open engagements (or ending after the period) are censored at its end.
                    c.engagement_days += ((end != no_date && end <= to_d) ? end : to_d) - start;
                }
            break;
        case VolunteeringKind::membership:
            if (from_d <= start && start <= to_d)
                for (unsigned m = in_counted; m != 0; m &= m - 1)
                    ++counts[g0 + static_cast<std::uint32_t>(std::countr_zero(m))].memberships;
            break;
        case VolunteeringKind::one_off:
            if (from_d <= start && start <= to_d)
                for (unsigned m = in_counted; m != 0; m &= m - 1)
                    ++counts[g0 + static_cast<std::uint32_t>(std::countr_zero(m))].one_off;
            break;
        }
    }

    // Households of eligible counted persons that moved into lasting housing in the period,
    // each counted once per action.
    std::vector<std::uint8_t> household_housed(data.household_count, 0);
    const auto& ho = data.housing;
    for (std::size_t mv = 0; mv < ho.size(); ++mv) {
        const std::uint32_t h = ho.household[mv];
        const unsigned pending = household_eligible[h] & ~unsigned{household_housed[h]};
        if (pending == 0 || ho.date[mv] < from_d || ho.date[mv] > to_d ||
            !is_lasting_housing(static_cast<HousingType>(ho.housing_type[mv]), policy))
            continue;
        household_housed[h] = static_cast<std::uint8_t>(household_housed[h] | pending);
        const std::size_t band = household_size_band(data, h);
        for (unsigned m = pending; m != 0; m &= m - 1) {
            ActionCounts& c = counts[g0 + static_cast<std::uint32_t>(std::countr_zero(m))];
            ++c.housed;
            ++c.housed_size_count[band];
            ++c.housed_type_count[ho.housing_type[mv]];
        }
    }
}

/// The fiche of `action` from the counts of its slot.
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
    x.push_back(scalar("mean_volunteer_days",
                       c.engagements > 0 ? std::optional<double>(round_to(
                                               static_cast<double>(c.engagement_days) /
                                                   static_cast<double>(c.engagements),
                                               1))
                                         : std::nullopt,
                       false));
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
    // Slots: one per distinct action number, in the contract's order.
    Slots slots;
    for (const auto& a : contract.actions) {
        if (slots.of(a.number) != no_index) continue;
        if (a.number >= 0 && a.number < Slots::direct) {
            const auto k = static_cast<std::size_t>(a.number);
            if (k >= slots.by_number.size()) slots.by_number.resize(k + 1, no_index);
            slots.by_number[k] = slots.size();
        }
        slots.number.push_back(a.number);
    }
    std::vector<std::uint8_t> positive_reason;  // Contract::is_positive_exit of each code
    for (const auto& code : data->exit_reasons)
        positive_reason.push_back(contract.is_positive_exit(code) ? 1 : 0);
    std::vector<ActionCounts> counts(slots.size(), ActionCounts(*data));
    for (std::uint32_t g0 = 0; g0 < slots.size(); g0 += group_size)
        count_slots(g0, std::min(group_size, slots.size() - g0), slots, *data, positive_reason,
                    rep.policy, rep.from, rep.to, rep.evaluated_on, counts);
    for (const auto& a : contract.actions)
        rep.actions.push_back(action_report(a, counts[slots.of(a.number)], *data, rep.from,
                                            rep.to, rep.evaluated_on, rep.notes));
    if (rep.publish) suppress_small_cells(rep, rep.k);
    return rep;
}

}  // namespace ctai
