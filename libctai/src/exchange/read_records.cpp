// Reading the AGIR supports, the referrals, and the records of the contract's activity:
// activities, participations, volunteering, housing moves, partnerships and costs.
//
// R9: no message built here quotes a cell, except the ids of duplicate keys and unknown
// references (ids are opaque keys chosen by the operator, not personal fields).

#include "exchange/folder_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <ctai/date.hpp>
#include <ctai/error.hpp>
#include <ctai/nationality.hpp>
#include <ctai/referrals.hpp>
#include <ctai/vocab.hpp>

namespace ctai::detail {

void FolderReader::read_agir() {
    KeySet keys;
    for_rows(Table::agir, [&](RowReader& r) {
        AgirSupport s;
        const auto person = r.text("person_id");
        s.person_id = PersonId{person};
        const bool known = check_person(r, "person_id");
        const auto orientation = r.date("orientation_date");
        s.orientation_date = orientation.value_or(Date{});
        s.entry_date = r.date("entry_date");
        s.exit_date = r.date("exit_date");
        s.exit_housing = r.vocab<HousingType>("exit_housing");
        s.exit_activity = r.vocab<ExitActivity>("exit_activity");
        s.cdd_months = r.integer("cdd_months", 0, 1200);
        r.not_before(s.entry_date, "entry_date", orientation, "orientation_date");
        r.not_before(s.exit_date, "exit_date", s.entry_date, "entry_date");
        if (s.exit_date && !s.entry_date && r.ok())
            r.error("exit_date", "an exit needs an entry_date");
        if (orientation) {
            if (const auto first = keys.insert(composite({person, to_iso(*orientation)}), r.line()))
                duplicate(r, "orientation_date", "AGIR support (same person_id and orientation_date)",
                          *first);
        }
        // A journey may depend on the AGIR supports (R6): no journey of this person is
        // written when one of their supports is refused.
        if (!r.ok() && known) journey_blocked_.insert(person);
        agir_.add(std::move(s), r.line(), r.ok());
    });
}

void FolderReader::endpoint(RowReader& r, std::string_view column, std::string& out) {
    const auto c = r.cell(column);
    if (c.empty()) return;
    const auto text = lower_ascii(c) == "agir" ? std::string("agir") : std::string(c);
    try {
        out = to_string(parse_referral_endpoint(text, column));
    } catch (const ValidationError&) {
        r.error(column, "expected agir or <contract_id>:<action> (e.g. dijon-2023-2024:4)");
    }
}

void FolderReader::read_referrals() {
    KeySet keys;
    for_rows(Table::referrals, [&](RowReader& r) {
        Referral f;
        const auto id = r.text("referral_id");
        f.id = ReferralId{id};
        f.person_id = PersonId{r.text("person_id")};
        check_person(r, "person_id");
        endpoint(r, "from", f.from);
        endpoint(r, "to", f.to);
        f.need = r.vocab<Need>("need").value_or(Need::rights);
        f.status = r.vocab<ReferralStatus>("status").value_or(ReferralStatus::proposed);
        f.proposed_on = r.date("proposed_on").value_or(Date{});
        f.decided_on = r.date("decided_on");
        f.completed_on = r.date("completed_on");
        f.reason = r.opt_text("reason");
        if (!id.empty()) {
            if (const auto first = keys.insert(id, r.line())) {
                duplicate(r, "referral_id", "referral_id " + quoted_id(id), *first);
                rejected_referrals_.insert(id);
            }
        }
        referrals_.add(std::move(f), r.line(), r.ok());
    });
}

void FolderReader::read_activities() {
    KeySet keys;
    for_rows(Table::activities, [&](RowReader& r) {
        Activity a;
        const auto id = r.text("activity_id");
        a.id = ActivityId{id};
        a.contract_id = ContractId{r.text("contract_id")};
        a.action = r.integer("action", 1, 999).value_or(0);
        a.kind = r.vocab<ActivityKind>("kind").value_or(ActivityKind::workshop);
        a.type = r.text("type");
        a.date = r.date("date").value_or(Date{});
        a.hours = r.number("hours").value_or(0.0);
        a.co_animated = r.flag("co_animated").value_or(false);
        a.structure = r.text("structure");
        if (!id.empty()) {
            activity_ids_.insert(id);
            if (const auto first = keys.insert(id, r.line())) {
                duplicate(r, "activity_id", "activity_id " + quoted_id(id), *first);
                rejected_activities_.insert(id);
            }
        }
        if (!r.ok()) rejected_activities_.insert(id);
        activities_.add(std::move(a), r.line(), r.ok());
    });
}

void FolderReader::read_participations() {
    KeySet keys;
    const bool activities_known = checkable(Table::activities);
    for_rows(Table::participations, [&](RowReader& r) {
        Participation p;
        const auto activity = r.text("activity_id");
        const auto person = r.text("person_id");
        p.activity_id = ActivityId{activity};
        p.person_id = PersonId{person};
        if (!activity.empty() && activities_known && !activity_ids_.count(activity))
            r.error("activity_id", "unknown activity_id " + quoted_id(activity) + " (not in " +
                                       table(Table::activities).file + ")");
        check_person(r, "person_id");
        p.satisfaction = r.integer("satisfaction", 1, 5);
        if (!activity.empty() && !person.empty()) {
            if (const auto first = keys.insert(composite({activity, person}), r.line()))
                duplicate(r, "person_id", "participation (same activity_id and person_id)", *first);
        }
        participations_.add(std::move(p), r.line(), r.ok());
    });
}

void FolderReader::read_volunteering() {
    KeySet keys;
    for_rows(Table::volunteering, [&](RowReader& r) {
        Volunteering v;
        const auto person = r.text("person_id");
        v.person_id = PersonId{person};
        check_person(r, "person_id");
        const auto kind = r.vocab<VolunteeringKind>("kind");
        v.kind = kind.value_or(VolunteeringKind::engagement);
        const auto start = r.date("start");
        v.start = start.value_or(Date{});
        v.end = r.date("end");
        r.not_before(v.end, "end", start, "start");
        v.association_type = r.text("association_type");
        if (kind && start) {
            if (const auto first = keys.insert(
                    composite({person, to_string(*kind), to_iso(*start)}), r.line()))
                duplicate(r, "start", "volunteering (same person_id, kind and start)", *first);
        }
        volunteering_.add(std::move(v), r.line(), r.ok());
    });
}

void FolderReader::read_housing() {
    KeySet keys;
    for_rows(Table::housing, [&](RowReader& r) {
        HousingMove m;
        const auto household = r.text("household_id");
        m.household_id = HouseholdId{household};
        if (!household.empty() && persons_known() && !households_.count(household))
            r.error("household_id", "unknown household_id " + quoted_id(household) +
                                        " (no person of " + table(Table::persons).file +
                                        " has it)");
        const auto d = r.date("date");
        m.date = d.value_or(Date{});
        m.housing_type = r.vocab<HousingType>("housing_type").value_or(HousingType::other);
        if (d) {
            if (const auto first = keys.insert(composite({household, to_iso(*d)}), r.line()))
                duplicate(r, "date", "housing move (same household_id and date)", *first);
        }
        housing_.add(std::move(m), r.line(), r.ok());
    });
}

void FolderReader::read_partnerships() {
    KeySet keys;
    for_rows(Table::partnerships, [&](RowReader& r) {
        Partnership p;
        p.contract_id = ContractId{r.text("contract_id")};
        p.action = r.integer("action", 1, 999).value_or(0);
        p.partner = r.text("partner");
        p.theme = r.text("theme");
        const auto d = r.date("date");
        p.date = d.value_or(Date{});
        if (r.ok()) {
            if (const auto first = keys.insert(
                    composite({p.contract_id.str(), std::to_string(p.action), p.partner,
                               p.theme, to_iso(p.date)}),
                    r.line()))
                duplicate(r, "partner", "partnership (same row)", *first);
        }
        partnerships_.add(std::move(p), r.line(), r.ok());
    });
}

void FolderReader::read_costs() {
    KeySet keys;
    for_rows(Table::costs, [&](RowReader& r) {
        Cost c;
        c.contract_id = ContractId{r.text("contract_id")};
        const auto action = r.integer("action", 1, 999);
        c.action = action.value_or(0);
        const auto total = r.number("total_cost");
        const auto subsidy = r.number("subsidy_p104");
        c.total_cost = total.value_or(0.0);
        c.subsidy_p104 = subsidy.value_or(0.0);
        if (total && subsidy && *subsidy > *total)
            r.error("subsidy_p104", "is greater than total_cost");
        if (action) {
            if (const auto first = keys.insert(
                    composite({c.contract_id.str(), std::to_string(*action)}), r.line()))
                duplicate(r, "action", "cost (same contract_id and action)", *first);
        }
        costs_.add(std::move(c), r.line(), r.ok());
    });
}

}  // namespace ctai::detail
