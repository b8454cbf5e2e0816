// The in-memory case image behind the eligibility queries and the report (no SQL here).
#include <ctai/case_snapshot.hpp>

#include <algorithm>
#include <numeric>

#include <ctai/error.hpp>
#include <ctai/journeys.hpp>

namespace ctai {

namespace {
template <class E>
std::uint8_t code(E e) {
    return static_cast<std::uint8_t>(e);
}
std::int32_t days_or_none(const std::optional<Date>& d) { return d ? d->days() : no_date; }
}  // namespace

CaseSnapshot::CaseSnapshot(std::vector<PersonCase> cases, std::vector<AgirSupport> supports,
                           Policy policy)
    : policy_(std::move(policy)), cases_(std::move(cases)) {
    const auto n = static_cast<std::uint32_t>(cases_.size());
    facts_.reserve(n);
    for (const auto& c : cases_) facts_.push_back(case_facts(c, policy_));
    index_.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i)
        if (!index_.emplace(cases_[i].person.id.str(), i).second)
            throw ValidationError("case snapshot: person id '" + cases_[i].person.id.str() +
                                      "' appears twice",
                                  "person_id");
    family_.assign(n, npos);
    for (std::uint32_t i = 0; i < n; ++i)
        if (const auto& f = cases_[i].person.rejoining_family_of) family_[i] = find(f->str());

    // Supports grouped by person (counting sort by dense index), by orientation date.
    std::vector<std::uint32_t> owner(supports.size(), npos);
    support_begin_.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::size_t k = 0; k < supports.size(); ++k) {
        owner[k] = find(supports[k].person_id.str());
        if (owner[k] != npos) ++support_begin_[owner[k] + 1];
    }
    std::partial_sum(support_begin_.begin(), support_begin_.end(), support_begin_.begin());
    supports_.resize(support_begin_[n]);
    std::vector<std::uint32_t> next(support_begin_.begin(), support_begin_.end() - 1);
    for (std::size_t k = 0; k < supports.size(); ++k)
        if (owner[k] != npos) supports_[next[owner[k]]++] = std::move(supports[k]);
    for (std::uint32_t i = 0; i < n; ++i)
        std::sort(supports_.begin() + support_begin_[i], supports_.begin() + support_begin_[i + 1],
                  [](const AgirSupport& a, const AgirSupport& b) {
                      return a.orientation_date < b.orientation_date;
                  });
}

std::uint32_t CaseSnapshot::find(std::string_view person_id) const noexcept {
    const auto it = index_.find(person_id);
    return it == index_.end() ? npos : it->second;
}

std::span<const AgirSupport> CaseSnapshot::agir_supports(std::uint32_t i) const noexcept {
    return {supports_.data() + support_begin_[i], supports_.data() + support_begin_[i + 1]};
}

Eligibility CaseSnapshot::evaluate(std::uint32_t i, Date on, Explain explain) const {
    const PersonCase* family = family_[i] == npos ? nullptr : &cases_[family_[i]];
    return ctai::evaluate(cases_[i], facts_[i], on, policy_, family, explain);
}

bool CaseSnapshot::in_agir_support(std::uint32_t i, Date on) const {
    const auto s = agir_supports(i);
    return !s.empty() && ctai::in_agir_support(s, on, policy_);
}

void CaseSnapshot::append(EligibilityColumns& out, std::uint32_t i, Date on) const {
    const PersonCase& c = cases_[i];
    const Eligibility e = evaluate(i, on, Explain::none);
    out.person_id.push_back(c.person.id.str());
    out.nationality_class.push_back(code(e.nationality_class));
    out.primo_arrivant.push_back(e.primo_arrivant ? 1 : 0);
    out.bpi.push_back(e.bpi ? 1 : 0);
    out.bpt.push_back(e.bpt ? 1 : 0);
    out.agir.push_back(e.agir ? 1 : 0);
    out.ctai_public.push_back(e.ctai_public ? 1 : 0);
    out.public_category.push_back(e.public_category ? code(*e.public_category) : no_code);
    out.primo_anchor.push_back(days_or_none(e.primo_anchor));
    out.primo_window_end.push_back(days_or_none(e.primo_window_end));
    out.protection_date.push_back(days_or_none(e.protection_date));
    out.agir_window_end.push_back(days_or_none(e.agir_window_end));
    out.sex.push_back(code(c.person.sex));
    out.birth_year.push_back(c.person.birth_date ? c.person.birth_date->first.year() : 0);
    out.in_agir_support.push_back(in_agir_support(i, on) ? 1 : 0);
}

}  // namespace ctai
