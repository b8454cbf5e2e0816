// The case snapshot and the rule across persons of R3 minors_follow_household: each case of
// a household of several members (policy option set) is evaluated from the case objects,
// with the household's cases (household_rule.hpp), in verdict(), evaluate() and append()
// alike, so that the snapshot answers as Store::eligibility's point path does.
#include <ctai/case_snapshot.hpp>
#include <ctai/household_rule.hpp>

#include <string>
#include <unordered_map>

namespace ctai {

void CaseSnapshot::build_households() {
    households_.clear();
    household_of_.clear();
    if (!policy_.minors_follow_household) return;
    const auto n = static_cast<std::uint32_t>(cases_.size());
    household_of_.assign(n, npos);
    std::unordered_map<std::string, std::uint32_t> group;
    for (std::uint32_t i = 0; i < n; ++i) {
        const auto& h = cases_[i].person.household_id;
        if (!h) continue;
        const auto [it, fresh] = group.emplace(h->str(), static_cast<std::uint32_t>(households_.size()));
        if (fresh) households_.emplace_back();
        households_[it->second].push_back(&cases_[i]);
        household_of_[i] = it->second;
    }
    // A person alone in their household follows no one: the fast path.
    for (std::uint32_t i = 0; i < n; ++i)
        if (household_of_[i] != npos && households_[household_of_[i]].size() < 2)
            household_of_[i] = npos;
}

std::span<const PersonCase* const> CaseSnapshot::household(std::uint32_t i) const noexcept {
    if (!in_household(i)) return {};
    const auto& h = households_[household_of_[i]];
    return {h.data(), h.size()};
}

Eligibility CaseSnapshot::household_evaluate(std::uint32_t i, Date on, Explain explain) const {
    const PersonCase* family = family_[i] != npos ? &cases_[family_[i]] : nullptr;
    Eligibility e = ctai::evaluate(cases_[i], facts_[i], on, policy_, family, explain);
    follow_household(e, cases_[i], policy_, household(i), explain);
    return e;
}

void CaseSnapshot::append_evaluated(EligibilityColumns& out, std::uint32_t i,
                                    const Eligibility& e) const {
    const auto days = [](const std::optional<Date>& d) { return d ? d->days() : no_date; };
    const Traits& t = traits_[i];
    out.person_id.emplace_back(e.person_id.str());
    out.nationality_class.push_back(static_cast<std::uint8_t>(e.nationality_class));
    out.primo_arrivant.push_back(e.primo_arrivant ? 1 : 0);
    out.bpi.push_back(e.bpi ? 1 : 0);
    out.bpt.push_back(e.bpt ? 1 : 0);
    out.agir.push_back(e.agir ? 1 : 0);
    out.ctai_public.push_back(e.ctai_public ? 1 : 0);
    out.public_category.push_back(e.public_category ? static_cast<std::uint8_t>(*e.public_category)
                                                    : no_code);
    out.primo_anchor.push_back(days(e.primo_anchor));
    out.primo_window_end.push_back(days(e.primo_window_end));
    out.protection_date.push_back(days(e.protection_date));
    out.agir_window_end.push_back(days(e.agir_window_end));
    out.sex.push_back(static_cast<std::uint8_t>(t.sex));
    out.birth_year.push_back(t.birth_first == no_date ? 0 : Date::from_days(t.birth_first).year());
    out.in_agir_support.push_back(in_agir_support(i, e.on) ? 1 : 0);
}

}  // namespace ctai
