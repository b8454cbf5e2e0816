#pragma once
// Internal to the report builder (R8): the counts of one action's fiche, the counting
// helpers shared by count.cpp (count_slots: the passes over the contract's tables) and
// fiche.cpp (action_report: the fiche from the counts); build.cpp assembles the Report.

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

namespace ctai::detail::counting {

inline double round_to(double v, int decimals) {
    const double f = std::pow(10.0, decimals);
    return std::round(v * f) / f;
}

inline std::optional<double> rounded(std::optional<double> v, int decimals) {
    if (!v) return v;
    return round_to(*v, decimals);
}

inline bool in_range(Date d, Date from, Date to) { return from <= d && d <= to; }

/// R8 december_31: the last 31 December inside the period, else the one of the period's
/// last year (docs/reports.md).
inline Date december_31_of(Date from, Date to) {
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

inline const Ages& ages_of(Ages& a, const CaseSnapshot::Traits& p, const Policy& policy) {
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

inline Tri under_25(Ages& ages, const CaseSnapshot::Traits& p, Date ref, const Policy& policy) {
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

inline void count_person(PublicCounts& c, const CaseSnapshot::Traits& p, const Verdict& e, Date ref,
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
inline constexpr std::array<std::string_view, 6> age_bands{"0-17", "18-24", "25-34", "35-49", "50+",
                                                    "unknown"};

inline std::size_t age_band(Ages& ages, const CaseSnapshot::Traits& p, Date on, const Policy& policy) {
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
inline constexpr std::array<std::string_view, 6> household_size_bands{"1", "2", "3", "4", "5+",
                                                               "unknown"};

inline std::size_t household_size_band(const ContractData& data, std::uint32_t household) {
    if (household == no_index) return household_size_bands.size() - 1;
    return std::clamp<std::size_t>(data.household_size[household], 1, 5) - 1;
}

inline constexpr std::size_t housing_types = enum_names<HousingType>().size();

/// The code of a household's housing just before `day` (domain R8, situation at entry): the
/// type of its latest move dated before that day (a move dated on the entry day is what
/// happened at entry, not the situation the person came from); housing_types when unknown
/// (no household, or no move before then).
inline std::size_t housing_before(const ContractData& data, std::uint32_t household, std::int32_t day) {
    std::size_t type = housing_types;
    if (household == no_index) return type;
    const auto& ho = data.housing;
    for (std::uint32_t m = ho.begin[household]; m < ho.end[household] && ho.date[m] < day; ++m)
        type = ho.housing_type[m];
    return type;
}

inline ExtraIndicator scalar(std::string key, std::optional<double> v, bool people) {
    ExtraIndicator x;
    x.label_fr = std::string(detail::extra_label(key));
    x.key = std::move(key);
    x.value = v;
    x.counts_people = people;
    return x;
}

inline ExtraIndicator breakdown(std::string key, const std::map<std::string, std::int64_t>& m,
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
inline std::map<std::string, std::int64_t> met(std::span<const std::int64_t> counts,
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

inline constexpr std::size_t step_kinds = enum_names<StepKind>().size();
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
    // R8 action 3: start and end (no_date: open) of each engagement overlapping the period,
    // measured from its own start (volunteer_length()).
    std::vector<std::int32_t> engagement_start, engagement_end;
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
inline constexpr std::uint32_t group_size = 8;

/// Counts slots [g0, g0 + gn) (gn <= group_size) into counts[g0 ..].
///
/// Why it is organised this way (measured, bench/analysis.md W3): one pass per table for
/// all the actions, each table in its stored order, instead of one pass per action; and the
/// persons visited once, in snapshot order, for every action they are counted in (their
/// rule row, traits and ages are fetched once and stay in cache), the co-animated
/// participants included, instead of once per action and in participation order.
///
/// `publics`: the Verdict bits of the publics the contract serves (publics_mask()); a person
/// in none of them at the reference date is not_eligible for this contract (R8).
void count_slots(std::uint32_t g0, std::uint32_t gn, const Slots& slots, const ContractData& data,
                 const std::vector<std::uint8_t>& positive_reason, const Policy& policy,
                 Date from, Date to, Date evaluated_on, std::vector<ActionCounts>& counts,
                 std::uint8_t publics = 0xFF);

/// R8: the Verdict bits of the publics `c` serves, and the AGIR bit.
inline std::uint8_t publics_mask(const Contract& c) {
    std::uint8_t m = Verdict::agir;
    if (c.serves(PublicCategory::primo_arrivant)) m |= Verdict::primo_arrivant;
    if (c.serves(PublicCategory::bpi)) m |= Verdict::bpi;
    if (c.serves(PublicCategory::bpt)) m |= Verdict::bpt;
    return m;
}

/// The fiche of `action` from the counts of its slot.
ActionReport action_report(const Action& action, const ActionCounts& c, const ContractData& data,
                           Date from, Date to, Date evaluated_on,
                           std::vector<std::string>& notes);

}  // namespace ctai::detail::counting
