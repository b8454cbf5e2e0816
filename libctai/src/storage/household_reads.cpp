// The reads of the rule across persons R3 minors_follow_household (household_rule.hpp) on
// the point path of Store::eligibility: the cases of the person's household, by the
// persons_household index. The case snapshot holds them itself (case_snapshot_household.cpp).
#include <ctai/household_rule.hpp>

#include "storage/store_impl.hpp"

namespace ctai::detail {

std::vector<PersonId> household_member_ids(StoreImpl& impl, const HouseholdId& h) {
    std::vector<PersonId> out;
    auto q = impl.query("SELECT person_id FROM persons WHERE household_id = ? ORDER BY person_id");
    q.bind(h.str());
    while (q.step()) out.emplace_back(q.text(0));
    return out;
}

void apply_household_rule(StoreImpl& impl, Eligibility& e, const PersonCase& c) {
    const Policy& p = impl.policy;
    if (!p.minors_follow_household || !c.person.household_id) return;
    std::vector<PersonCase> members;
    for (const auto& id : household_member_ids(impl, *c.person.household_id))
        if (id != c.person.id)
            if (auto m = impl.load_case(id)) members.push_back(std::move(*m));
    std::vector<const PersonCase*> pointers;
    for (const auto& m : members) pointers.push_back(&m);
    follow_household(e, c, p, pointers);
}

}  // namespace ctai::detail
