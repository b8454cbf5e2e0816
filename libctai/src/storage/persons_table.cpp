// The persons table and its case lists (permits, protections, situations): the row writes,
// the audit encoding of a person and of a case (DOM for the diff of an update, flat text for
// a bulk insert: the same JSON), put_person and put_case. Reads: store_read.cpp, store_cases.cpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ctai/journeys.hpp>
#include <ctai/referrals.hpp>

#include "domain/journey_rules.hpp"
#include "storage/bulk_load.hpp"
#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

// ---- rows: reading (the row codec of this table) ---------------------------------

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    if (s.empty()) return out;
    std::size_t start = 0;
    for (;;) {
        const auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos - start));
        if (pos == std::string::npos) break;
        start = pos + 1;
    }
    return out;
}

Person read_person(Query& q) {
    Person p;
    p.id = PersonId{q.text(0)};
    p.sex = q.enumv<Sex>(1);
    if (!q.null(2)) p.birth_date = PartialDate{q.date(2), q.enumv<DatePrecision>(3)};
    p.nationalities = split(q.text(4), '|');
    if (!q.null(5)) p.household_id = HouseholdId{q.text(5)};
    p.department = q.text(6);
    p.cir_status = q.enumv<CirStatus>(7);
    p.cir_date = q.opt_date(8);
    if (!q.null(9)) p.rejoining_family_of = PersonId{q.text(9)};
    p.last_contact = q.opt_date(10);
    return p;
}

Permit read_permit(Query& q, int o) {
    return Permit{q.enumv<PermitKind>(o), q.enumv<Motive>(o + 1), q.date(o + 2), q.opt_date(o + 3)};
}
Protection read_protection(Query& q, int o) {
    return Protection{q.enumv<ProtectionType>(o), q.enumv<Authority>(o + 1), q.date(o + 2),
                      q.opt_date(o + 3), q.opt_date(o + 4), q.opt_date(o + 5)};
}
Situation read_situation(Query& q, int o) {
    return Situation{q.enumv<SituationKind>(o), q.date(o + 1), q.opt_date(o + 2)};
}

}  // namespace

bool StoreImpl::person_exists(const PersonId& id) {
    auto q = query("SELECT 1 FROM persons WHERE person_id = ?");
    q.bind(id);
    return q.step();
}

#define CTAI_PERSON_COLUMNS                                                                    \
    "person_id, sex, birth_date, birth_precision, nationalities, household_id, department, "    \
    "cir_status, cir_date, rejoining_family_of, last_contact"

std::optional<Person> StoreImpl::load_person(const PersonId& id) {
    // A literal: the cached statement is found by address (no SQL string built per call).
    auto q = query("SELECT " CTAI_PERSON_COLUMNS " FROM persons WHERE person_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return read_person(q);
}

std::optional<PersonCase> StoreImpl::load_case(const PersonId& id) {
    auto person = load_person(id);
    if (!person) return std::nullopt;
    PersonCase c;
    c.person = std::move(*person);
    {
        auto q = query("SELECT kind, motive, valid_from, valid_to FROM permits WHERE person_id = ? "
                       "ORDER BY position");
        q.bind(id);
        while (q.step()) c.permits.push_back(read_permit(q, 0));
    }
    {
        auto q = query("SELECT type, authority, decision_date, notification_date, displaced_on, "
                       "end_date FROM protections WHERE person_id = ? ORDER BY position");
        q.bind(id);
        while (q.step()) c.protections.push_back(read_protection(q, 0));
    }
    {
        auto q = query("SELECT situation, start, \"end\" FROM situations WHERE person_id = ? "
                       "ORDER BY position");
        q.bind(id);
        while (q.step()) c.situations.push_back(read_situation(q, 0));
    }
    c.nationalities = load_nationalities(id);
    return c;
}

Json to_json(const Person& p) {
    return Json{{"person_id", p.id.str()},
                {"sex", to_string(p.sex)},
                {"birth_date", p.birth_date ? Json(to_string(*p.birth_date)) : Json()},
                {"nationalities", join(p.nationalities, '|')},
                {"household_id", p.household_id ? Json(p.household_id->str()) : Json()},
                {"department", p.department},
                {"cir_status", to_string(p.cir_status)},
                {"cir_date", date_json(p.cir_date)},
                {"rejoining_family_of",
                 p.rejoining_family_of ? Json(p.rejoining_family_of->str()) : Json()},
                {"last_contact", date_json(p.last_contact)}};
}

Json to_json(const PersonCase& c) {
    Json j = to_json(c.person);
    Json permits = Json::array();
    for (const auto& p : c.permits)
        permits.push_back({{"kind", to_string(p.kind)},
                           {"motive", to_string(p.motive)},
                           {"valid_from", date_json(p.valid_from)},
                           {"valid_to", date_json(p.valid_to)}});
    Json protections = Json::array();
    for (const auto& p : c.protections)
        protections.push_back({{"type", to_string(p.type)},
                               {"authority", to_string(p.authority)},
                               {"decision_date", date_json(p.decision_date)},
                               {"notification_date", date_json(p.notification_date)},
                               {"displaced_on", date_json(p.displaced_on)},
                               {"end_date", date_json(p.end_date)}});
    Json situations = Json::array();
    for (const auto& s : c.situations)
        situations.push_back({{"situation", to_string(s.kind)},
                              {"start", date_json(s.start)},
                              {"end", date_json(s.end)}});
    j["permits"] = std::move(permits);
    j["protections"] = std::move(protections);
    j["situations"] = std::move(situations);
    add_nationalities_json(j, c);
    return j;
}

void StoreImpl::write_person(const Person& p) {
    std::optional<Date> birth;
    std::optional<DatePrecision> precision;
    if (p.birth_date) {
        birth = p.birth_date->first;
        precision = p.birth_date->precision;
    }
    std::optional<std::string> household;
    if (p.household_id) household = p.household_id->str();
    std::optional<std::string> family;
    if (p.rejoining_family_of) family = p.rejoining_family_of->str();
    query("INSERT INTO persons (person_id, sex, birth_date, birth_precision, nationalities, "
          "household_id, department, cir_status, cir_date, rejoining_family_of, last_contact) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET "
          "sex = excluded.sex, birth_date = excluded.birth_date, "
          "birth_precision = excluded.birth_precision, nationalities = excluded.nationalities, "
          "household_id = excluded.household_id, department = excluded.department, "
          "cir_status = excluded.cir_status, cir_date = excluded.cir_date, "
          "rejoining_family_of = excluded.rejoining_family_of, "
          "last_contact = excluded.last_contact")
        .bind(p.id, p.sex, birth, precision, join(p.nationalities, '|'), household,
              p.department, p.cir_status, p.cir_date, family, p.last_contact)
        .exec();
}

void StoreImpl::write_case_lists(const PersonCase& c, bool person_is_new) {
    const auto& id = c.person.id;
    // A person just inserted has no rows in these tables (foreign keys are enforced).
    if (!person_is_new) {
        query("DELETE FROM permits WHERE person_id = ?").bind(id).exec();
        query("DELETE FROM protections WHERE person_id = ?").bind(id).exec();
        query("DELETE FROM situations WHERE person_id = ?").bind(id).exec();
    }
    int i = 0;
    for (const auto& p : c.permits)
        query("INSERT INTO permits (person_id, position, kind, motive, valid_from, valid_to) "
              "VALUES (?, ?, ?, ?, ?, ?)")
            .bind(id, i++, p.kind, p.motive, p.valid_from, p.valid_to)
            .exec();
    i = 0;
    for (const auto& p : c.protections)
        query("INSERT INTO protections (person_id, position, type, authority, decision_date, "
              "notification_date, displaced_on, end_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(id, i++, p.type, p.authority, p.decision_date, p.notification_date,
                  p.displaced_on, p.end_date)
            .exec();
    i = 0;
    for (const auto& s : c.situations)
        query("INSERT INTO situations (person_id, position, situation, start, \"end\") "
              "VALUES (?, ?, ?, ?, ?)")
            .bind(id, i++, s.kind, s.start, s.end)
            .exec();
    write_nationalities(c, person_is_new);
}

namespace {

std::string case_json_text(const PersonCase& c) {
    const auto& p = c.person;
    FlatJson w;
    w.begin_object();
    w.key("person_id").str(p.id.str());
    w.key("sex").enumv(p.sex);
    w.key("birth_date");
    p.birth_date ? w.str(to_string(*p.birth_date)) : w.null();
    w.key("nationalities").str(join(p.nationalities, '|'));
    w.key("household_id");
    p.household_id ? w.str(p.household_id->str()) : w.null();
    w.key("department").str(p.department);
    w.key("cir_status").enumv(p.cir_status);
    w.key("cir_date").date(p.cir_date);
    w.key("rejoining_family_of");
    p.rejoining_family_of ? w.str(p.rejoining_family_of->str()) : w.null();
    w.key("last_contact").date(p.last_contact);
    w.key("permits").begin_array();
    for (const auto& x : c.permits) {
        w.begin_object();
        w.key("kind").enumv(x.kind);
        w.key("motive").enumv(x.motive);
        w.key("valid_from").date(x.valid_from);
        w.key("valid_to").date(x.valid_to);
        w.end_object();
    }
    w.end_array();
    w.key("protections").begin_array();
    for (const auto& x : c.protections) {
        w.begin_object();
        w.key("type").enumv(x.type);
        w.key("authority").enumv(x.authority);
        w.key("decision_date").date(x.decision_date);
        w.key("notification_date").date(x.notification_date);
        w.key("displaced_on").date(x.displaced_on);
        w.key("end_date").date(x.end_date);
        w.end_object();
    }
    w.end_array();
    w.key("situations").begin_array();
    for (const auto& x : c.situations) {
        w.begin_object();
        w.key("situation").enumv(x.kind);
        w.key("start").date(x.start);
        w.key("end").date(x.end);
        w.end_object();
    }
    w.end_array();
    add_nationalities_flat(w, c);
    w.end_object();
    return std::move(w.out);
}

}  // namespace

}  // namespace detail

bool Store::put_person(const Person& p) {
    return detail::guard([&] {
        rules::enforce(rules::check_person(p));
        impl_->end_bulk();
        auto tx = transaction();
        const auto old = impl_->load_person(p.id);
        if (old && *old == p) return false;
        // R1: a person with dated nationalities keeps undated codes that agree with them.
        if (const auto dated = old ? impl_->load_nationalities(p.id)
                                   : std::vector<DatedNationality>{};
            !dated.empty() && !rules::same_codes(p.nationalities, dated))
            rules::enforce(rules::RuleVerdict::invalid(
                "person '" + p.id.str() +
                    "': nationalities do not agree with the dated nationalities (the same codes "
                    "expected; see put_nationalities)",
                "nationalities"));
        impl_->write_person(p);
        const auto after = detail::to_json(p);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("person", p.id.str(), p.id, &before, after);
        } else {
            impl_->audit_upsert("person", p.id.str(), p.id, nullptr, after);
        }
        tx.commit();
        return true;
    });
}

bool Store::put_case(const PersonCase& c) {
    return detail::guard([&] {
        rules::enforce(rules::check_case(c));
        auto* bulk = impl_->bulk.get();
        if (bulk && !bulk->cases.count(c.person.id.str())) {
            // Several rows but no savepoint: a failure deletes the new person row, and with
            // it (ON DELETE CASCADE) the rows of the lists already written.
            detail::undo_on_failure(*impl_, "DELETE FROM persons WHERE person_id = ?",
                                    c.person.id.str(), [&] {
                                        impl_->write_person(c.person);
                                        impl_->write_case_lists(c, true);
                                    });
            detail::audit_text(*impl_, "case", c.person.id.str(), c.person.id,
                               detail::case_json_text(c));
            bulk->cases.emplace(c.person.id.str(), c);
            return true;
        }
        auto tx = transaction();
        const auto old = impl_->load_case(c.person.id);
        if (old && *old == c) return false;
        if (!old || old->person != c.person) impl_->write_person(c.person);
        if (!old || old->permits != c.permits || old->protections != c.protections ||
            old->situations != c.situations || old->nationalities != c.nationalities)
            impl_->write_case_lists(c, !old);
        const auto after = detail::to_json(c);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("case", c.person.id.str(), c.person.id, &before, after);
        } else {
            impl_->audit_upsert("case", c.person.id.str(), c.person.id, nullptr, after);
        }
        tx.commit();
        if (bulk) bulk->cases.insert_or_assign(c.person.id.str(), c);
        return true;
    });
}

// ---- reads -----------------------------------------------------------------------------

std::optional<Person> Store::find_person(const PersonId& id) const {
    return detail::guard([&] { return impl_->load_person(id); });
}

Person Store::person(const PersonId& id) const {
    auto p = find_person(id);
    if (!p) throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
    return std::move(*p);
}

PersonCase Store::person_case(const PersonId& id) const {
    auto c = detail::guard([&] { return impl_->load_case(id); });
    if (!c) throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
    return std::move(*c);
}

std::vector<PersonId> Store::person_ids() const {
    return detail::guard([&] {
        std::vector<PersonId> out;
        auto q = impl_->query("SELECT person_id FROM persons ORDER BY person_id");
        while (q.step()) out.emplace_back(q.text(0));
        return out;
    });
}

std::int64_t Store::person_count() const {
    return detail::guard([&] {
        auto q = impl_->query("SELECT count(*) FROM persons");
        q.step();
        return q.i64(0);
    });
}

void Store::for_each_case(const std::function<void(const PersonCase&)>& f) const {
    detail::guard([&] { detail::for_each_case_impl(*impl_, [&](PersonCase& c) { f(c); }); });
}

std::vector<PersonCase> Store::all_cases() const {
    return detail::guard([&] { return detail::read_all_cases(*impl_); });
}

}  // namespace ctai
