// R8: counting the fiches of a contract's actions, one pass per table of the contract's
// data for all the actions (count_slots, counts.hpp).
#include "report/counts.hpp"

namespace ctai::detail::counting {

void count_slots(std::uint32_t g0, std::uint32_t gn, const Slots& slots, const ContractData& data,
                 const std::vector<std::uint8_t>& positive_reason, const Policy& policy,
                 Date from, Date to, Date evaluated_on, std::vector<ActionCounts>& counts,
                 std::uint8_t publics) {
    const CaseSnapshot& cases = *data.cases;
    // R8: the public is the contract's: statuses it does not serve are dropped.
    auto verdict = [&](std::uint32_t p, Date on) {
        Verdict v = cases.verdict(p, on);
        v.flags &= publics;
        return v;
    };
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
            const Verdict e = verdict(p, ref);
            count_person(c.pc, t, e, ref, policy, ages);
            if (e.ctai_public())
                if (const std::uint32_t h = data.person_household[p]; h != no_index)
                    household_eligible[h] |= bit(ls);
            if (in_range(entry, from, to)) {
                ++c.entrants;
                ++c.sex_count[static_cast<std::size_t>(t.sex)];
                ++c.age_count[age_band(ages, t, entry, policy)];
                const auto at_entry = ref == entry ? e.public_category()
                                                   : verdict(p, entry).public_category();
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
            count_person(counts[g0 + ls].co, t, verdict(p, ref), ref, policy, ages);
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
                    c.engagement_start.push_back(start);
                    c.engagement_end.push_back(end);
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

}  // namespace ctai::detail::counting
