// Reading persons.csv and the person's lists (permits, protections, situations), then the
// journeys and their steps.
//
// R9: no message built here quotes a cell, except the ids of duplicate keys and unknown
// references (ids are opaque keys chosen by the operator, not personal fields).

#include "codec/text.hpp"
#include "exchange/folder_reader.hpp"
#include "exchange/guards.hpp"

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

void FolderReader::read_persons() {
    KeySet keys;
    for_rows(Table::persons, [&](RowReader& r) {
        PersonCase c;
        Person& p = c.person;
        const auto id = r.text("person_id");
        p.id = PersonId{id};
        if (!id.empty()) {
            if (const auto first = keys.insert(id, r.line())) {
                duplicate(r, "person_id", "person_id " + quoted_id(id), *first);
                reject_person(id);
            }
        }
        const auto sex = lower_ascii(r.cell("sex"));
        if (sex.empty() || sex == "unknown")
            p.sex = Sex::unknown;
        else if (sex == "f" || sex == "female")
            p.sex = Sex::female;
        else if (sex == "m" || sex == "male")
            p.sex = Sex::male;
        else
            r.error("sex", "unknown value (expected F, M or empty)");
        p.birth_date = r.partial_date("birth_date");
        read_nationalities(r, p);
        if (auto h = r.opt_text("household_id")) {
            households_.insert(*h);
            p.household_id = HouseholdId{*h};
        }
        p.department = r.text("department");
        // Excel drops the leading zero of départements 01 to 09.
        if (p.department.size() == 1 && all_digits(p.department)) p.department.insert(0, "0");
        if (!p.department.empty() && !valid_department(p.department))
            r.error("department", "not a département code (01 to 95, 2A, 2B, 971 to 978, 984, 986 to 989)");
        p.cir_status = r.vocab<CirStatus>("cir_status").value_or(CirStatus::none);
        p.cir_date = r.date("cir_date");
        if (auto f = r.opt_text("rejoining_family_of")) p.rejoining_family_of = PersonId{*f};
        p.last_contact = r.date("last_contact");
        if (!r.ok()) reject_person(id);
        if (!id.empty() && !person_index_.count(id))
            person_index_.emplace(id, cases_.add(std::move(c), r.line(), r.ok()));
        else
            cases_.add(std::move(c), r.line(), false);
    });
    // rejoining_family_of must name a person of the file.
    if (!persons_known()) return;
    for (std::size_t i = 0; i < cases_.items.size(); ++i) {
        const auto& p = cases_.items[i].person;
        if (!p.rejoining_family_of) continue;
        const auto& target = p.rejoining_family_of->str();
        std::string problem;
        if (target == p.id.str())
            problem = "a person cannot rejoin themselves";
        else if (!person_index_.count(target))
            problem = "unknown person_id " + quoted_id(target) + " (not in " +
                      table(Table::persons).file + ")";
        if (problem.empty()) continue;
        sink_.add(table(Table::persons).file, cases_.lines[i], "rejoining_family_of", problem);
        cases_.keep[i] = false;
        reject_person(p.id.str());
    }
}

void FolderReader::read_nationalities(RowReader& r, Person& p) {
    const auto cellv = r.cell("nationalities");
    if (cellv.empty()) return;
    const auto codes = detail::split(cellv, '|');
    const std::size_t count = codes.size();
    for (std::size_t item = 1; item <= count; ++item) {
        const auto code = detail::trim(codes[item - 1], " \t");
        const std::string where =
            count > 1 ? " (code " + std::to_string(item) + " of " + std::to_string(count) + ")" : "";
        if (code.empty()) {
            r.error("nationalities", "empty nationality code" + where +
                                         " (separate codes with |, e.g. DZ|FR)");
        } else {
            try {
                auto n = normalize_nationality(code);
                if (std::find(p.nationalities.begin(), p.nationalities.end(), n) ==
                    p.nationalities.end())
                    p.nationalities.push_back(std::move(n));
            } catch (const ValidationError&) {
                r.error("nationalities",
                        "unknown nationality code" + where +
                            " (expected ISO 3166-1 codes such as DZ or DZA, STATELESS or "
                            "UNKNOWN, separated by |)");
            }
        }
    }
}

void FolderReader::read_permits() {
    for_rows(Table::permits, [&](RowReader& r) {
        Permit p;
        p.kind = r.vocab<PermitKind>("kind").value_or(PermitKind::card);
        p.motive = r.vocab<Motive>("motive").value_or(Motive::other);
        const auto from = r.date("valid_from");
        p.valid_from = from.value_or(Date{});
        p.valid_to = r.date("valid_to");
        r.not_before(p.valid_to, "valid_to", from, "valid_from");
        attach_to_person(r, std::move(p), &PersonCase::permits);
    });
}

void FolderReader::read_protections() {
    for_rows(Table::protections, [&](RowReader& r) {
        Protection p;
        p.type = r.vocab<ProtectionType>("type").value_or(ProtectionType::refugee);
        p.authority = r.vocab<Authority>("authority").value_or(Authority::ofpra);
        const auto decision = r.date("decision_date");
        p.decision_date = decision.value_or(Date{});
        p.notification_date = r.date("notification_date");
        p.displaced_on = r.date("displaced_on");
        p.end_date = r.date("end_date");
        r.not_before(p.notification_date, "notification_date", decision, "decision_date");
        r.not_before(p.end_date, "end_date", decision, "decision_date");
        if (p.displaced_on && p.type != ProtectionType::temporary && r.ok())
            r.error("displaced_on", "only for type temporary (temporary protection)");
        // R5: the APS proves the status; a missing displacement date is said, not fatal.
        if (p.type == ProtectionType::temporary && !p.displaced_on && r.ok())
            warnings_.push_back({table(Table::protections).file, r.line(), "displaced_on",
                                 "temporary protection without a displacement date: counted as "
                                 "BPT (the APS proves the status, domain R5); fill in the date "
                                 "when known",
                                 {}});
        attach_to_person(r, std::move(p), &PersonCase::protections);
    });
}

void FolderReader::read_situations() {
    for_rows(Table::situations, [&](RowReader& r) {
        Situation s;
        s.kind = r.vocab<SituationKind>("situation").value_or(SituationKind::asylum_seeker);
        const auto start = r.date("start");
        s.start = start.value_or(Date{});
        s.end = r.date("end");
        r.not_before(s.end, "end", start, "start");
        attach_to_person(r, std::move(s), &PersonCase::situations);
    });
}

void FolderReader::read_journeys() {
    KeySet keys;
    for_rows(Table::journeys, [&](RowReader& r) {
        Journey j;
        const auto id = r.text("journey_id");
        j.id = JourneyId{id};
        const auto person = r.text("person_id");
        j.person_id = PersonId{person};
        const bool known = check_person(r, "person_id");
        j.contract_id = ContractId{r.text("contract_id")};
        j.action = r.integer("action", 1, 999).value_or(0);
        j.entry_date = r.date("entry_date").value_or(Date{});
        j.referral_source = r.vocab<ReferralSource>("referral_source").value_or(ReferralSource::other);
        j.exit_date = r.date("exit_date");
        if (auto reason = r.opt_text("exit_reason")) j.exit_reason = lower_ascii(*reason);
        j.override_reason = r.opt_text("override_reason");
        bool fresh = true;
        if (!id.empty()) {
            if (const auto first = keys.insert(id, r.line())) {
                duplicate(r, "journey_id", "journey_id " + quoted_id(id), *first);
                fresh = false;
                rejected_journeys_.insert(id);
            }
        }
        if (!r.ok() && known) journey_blocked_.insert(person);
        if (!r.ok()) rejected_journeys_.insert(id);
        const auto index = journeys_.add(std::move(j), r.line(), r.ok());
        if (fresh && !id.empty()) journey_index_.emplace(id, index);
        step_lines_.emplace_back();
    });
}

void FolderReader::read_steps() {
    const bool journeys_known = checkable(Table::journeys);
    for_rows(Table::steps, [&](RowReader& r) {
        Step s;
        const auto id = r.text("journey_id");
        s.kind = r.vocab<StepKind>("step").value_or(StepKind::intake);
        s.date = r.date("date").value_or(Date{});
        const auto it = journey_index_.find(id);
        if (!id.empty() && journeys_known && it == journey_index_.end()) {
            r.error("journey_id", "unknown journey_id " + quoted_id(id) + " (not in " +
                                      table(Table::journeys).file + ")");
            return;
        }
        if (it == journey_index_.end()) return;
        if (!r.ok()) {
            rejected_journeys_.insert(id);
            journey_blocked_.insert(journeys_.items[it->second].person_id.str());
            return;
        }
        journeys_.items[it->second].steps.push_back(s);
        step_lines_[it->second].push_back(r.line());
    });
}

}  // namespace ctai::detail
