// Writes: idempotent upserts (import), the service-style API, contracts, anonymisation.
// Every write runs in a Transaction (joining the caller's) and writes one audit row per
// changed entity; a no-op writes nothing.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_set>
#include <utility>

#include <ctai/journeys.hpp>
#include <ctai/nationality.hpp>
#include <ctai/referrals.hpp>

#include "domain/journey_rules.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {
namespace {

Json date_json(const std::optional<Date>& d) { return d ? Json(to_iso(*d)) : Json(); }
Json date_json(Date d) { return Json(to_iso(d)); }
template <class E>
Json enum_json(const std::optional<E>& e) {
    return e ? Json(std::string(to_string(*e))) : Json();
}
template <class T>
Json opt_json(const std::optional<T>& v) {
    return v ? Json(*v) : Json();
}

std::string join(const std::vector<std::string>& v, char sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

}  // namespace

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
    return j;
}

// The person id is in the audit row's person_id column, not repeated in the change.
Json to_json(const Journey& j) {
    Json steps = Json::array();
    for (const auto& s : j.steps)
        steps.push_back(Json::array({to_string(s.kind), to_iso(s.date)}));
    return Json{{"contract_id", j.contract_id.str()},
                {"action", j.action},
                {"entry_date", date_json(j.entry_date)},
                {"referral_source", to_string(j.referral_source)},
                {"exit_date", date_json(j.exit_date)},
                {"exit_reason", opt_json(j.exit_reason)},
                {"override_reason", opt_json(j.override_reason)},
                {"steps", std::move(steps)}};
}

Json to_json(const AgirSupport& s) {
    return Json{{"orientation_date", date_json(s.orientation_date)},
                {"entry_date", date_json(s.entry_date)},
                {"exit_date", date_json(s.exit_date)},
                {"exit_housing", enum_json(s.exit_housing)},
                {"exit_activity", enum_json(s.exit_activity)},
                {"cdd_months", opt_json(s.cdd_months)}};
}

Json to_json(const Referral& r) {
    return Json{{"from", r.from},
                {"to", r.to},
                {"need", to_string(r.need)},
                {"status", to_string(r.status)},
                {"proposed_on", date_json(r.proposed_on)},
                {"decided_on", date_json(r.decided_on)},
                {"completed_on", date_json(r.completed_on)},
                {"reason", opt_json(r.reason)}};
}

Json to_json(const Activity& a) {
    return Json{{"contract_id", a.contract_id.str()}, {"action", a.action},
                {"kind", to_string(a.kind)},          {"type", a.type},
                {"date", date_json(a.date)},          {"hours", a.hours},
                {"co_animated", a.co_animated},       {"structure", a.structure}};
}

Json to_json(const Participation& p) {
    return Json{{"activity_id", p.activity_id.str()}, {"satisfaction", opt_json(p.satisfaction)}};
}

Json to_json(const Volunteering& v) {
    return Json{{"kind", to_string(v.kind)},
                {"start", date_json(v.start)},
                {"end", date_json(v.end)},
                {"association_type", v.association_type}};
}

Json to_json(const HousingMove& m) {
    return Json{{"date", date_json(m.date)}, {"housing_type", to_string(m.housing_type)}};
}

Json to_json(const Partnership& p) {
    return Json{{"contract_id", p.contract_id.str()},
                {"action", p.action},
                {"partner", p.partner},
                {"theme", p.theme},
                {"date", date_json(p.date)}};
}

Json to_json(const Cost& c) {
    return Json{{"contract_id", c.contract_id.str()},
                {"action", c.action},
                {"total_cost", c.total_cost},
                {"subsidy_p104", c.subsidy_p104}};
}

// ---- raw writes -------------------------------------------------------------------------

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
}

// The only writer of journeys and steps. The journey row carries the summary of its steps
// (schema v3, derived, read by Store::journeys): step_count and end_step_date, the earliest
// date of a follow_on or end_of_support step (NULL when none), written with the row.
void StoreImpl::write_journey(const Journey& j, bool journey_is_new) {
    std::optional<Date> end_step;
    for (const auto& s : j.steps)
        if ((s.kind == StepKind::follow_on || s.kind == StepKind::end_of_support) &&
            (!end_step || s.date < *end_step))
            end_step = s.date;
    query("INSERT INTO journeys (journey_id, person_id, contract_id, action, entry_date, "
          "referral_source, exit_date, exit_reason, override_reason, step_count, end_step_date) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (journey_id) DO UPDATE SET "
          "person_id = excluded.person_id, contract_id = excluded.contract_id, "
          "action = excluded.action, entry_date = excluded.entry_date, "
          "referral_source = excluded.referral_source, exit_date = excluded.exit_date, "
          "exit_reason = excluded.exit_reason, override_reason = excluded.override_reason, "
          "step_count = excluded.step_count, end_step_date = excluded.end_step_date")
        .bind(j.id, j.person_id, j.contract_id, j.action, j.entry_date, j.referral_source,
              j.exit_date, j.exit_reason, j.override_reason,
              static_cast<std::int64_t>(j.steps.size()), end_step)
        .exec();
    // A journey just inserted has no steps yet (foreign keys are enforced).
    if (!journey_is_new) query("DELETE FROM steps WHERE journey_id = ?").bind(j.id).exec();
    int i = 0;
    for (const auto& s : j.steps)
        query("INSERT INTO steps (journey_id, position, step, date) VALUES (?, ?, ?, ?)")
            .bind(j.id, i++, s.kind, s.date)
            .exec();
}

void StoreImpl::write_referral(const Referral& r) {
    query("INSERT INTO referrals (referral_id, person_id, \"from\", \"to\", need, status, "
          "proposed_on, decided_on, completed_on, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (referral_id) DO UPDATE SET person_id = excluded.person_id, "
          "\"from\" = excluded.\"from\", \"to\" = excluded.\"to\", need = excluded.need, "
          "status = excluded.status, proposed_on = excluded.proposed_on, "
          "decided_on = excluded.decided_on, completed_on = excluded.completed_on, "
          "reason = excluded.reason")
        .bind(r.id, r.person_id, r.from, r.to, r.need, r.status, r.proposed_on, r.decided_on,
              r.completed_on, r.reason)
        .exec();
}

// ---- bulk loading -----------------------------------------------------------------------

// The audit JSON of the bulk path, written by hand: the same text as nlohmann's dump() of
// to_json() (compact, same key order, same escapes), without building a DOM per row.
namespace {

class FlatJson {
public:
    std::string out;
    void begin_object() {
        comma();
        out += '{';
        first_ = true;
    }
    void end_object() { out += '}'; first_ = false; }
    void begin_array() {
        comma();
        out += '[';
        first_ = true;
    }
    void end_array() { out += ']'; first_ = false; }
    FlatJson& key(std::string_view k) {
        comma();
        out += '"';
        out += k;
        out += "\":";
        first_ = true;  // the value follows without a comma
        return *this;
    }
    void str(std::string_view v) {
        comma();
        for (const char c : v)
            if (static_cast<unsigned char>(c) >= 0x80) {  // UTF-8: nlohmann validates it (and throws on bad bytes)
                out += Json(std::string(v)).dump();
                return;
            }
        out += '"';
        for (const char ch : v) {
            switch (ch) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (const auto u = static_cast<unsigned char>(ch); u <= 0x1F) {
                        static constexpr char hex[] = "0123456789abcdef";
                        out += "\\u00";
                        out += hex[u >> 4];
                        out += hex[u & 0xF];
                    } else {
                        out += ch;
                    }
            }
        }
        out += '"';
    }
    void null() { comma(); out += "null"; }
    void integer(std::int64_t v) { comma(); out += std::to_string(v); }
    void date(Date d) {
        comma();
        out += '"';
        out += to_iso(d);
        out += '"';
    }
    void date(const std::optional<Date>& d) { d ? date(*d) : null(); }
    void opt_str(const std::optional<std::string>& v) { v ? str(*v) : null(); }
    template <class E>
    void enumv(E e) { str(to_string(e)); }
    template <class E>
    void opt_enum(const std::optional<E>& e) { e ? enumv(*e) : null(); }

private:
    void comma() {
        if (!first_) out += ',';
        first_ = false;
    }
    bool first_ = true;
};

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
    w.end_object();
    return std::move(w.out);
}

std::string journey_json_text(const Journey& j, const std::vector<std::string>& overridden) {
    FlatJson w;
    w.begin_object();
    w.key("contract_id").str(j.contract_id.str());
    w.key("action").integer(j.action);
    w.key("entry_date").date(j.entry_date);
    w.key("referral_source").enumv(j.referral_source);
    w.key("exit_date").date(j.exit_date);
    w.key("exit_reason").opt_str(j.exit_reason);
    w.key("override_reason").opt_str(j.override_reason);
    w.key("steps").begin_array();
    for (const auto& s : j.steps) {
        w.begin_array();
        w.enumv(s.kind);
        w.date(s.date);
        w.end_array();
    }
    w.end_array();
    if (!overridden.empty()) {
        w.key("overridden_rules").begin_array();
        for (const auto& r : overridden) w.str(r);
        w.end_array();
    }
    w.end_object();
    return std::move(w.out);
}

std::string agir_json_text(const AgirSupport& s) {
    FlatJson w;
    w.begin_object();
    w.key("orientation_date").date(s.orientation_date);
    w.key("entry_date").date(s.entry_date);
    w.key("exit_date").date(s.exit_date);
    w.key("exit_housing").opt_enum(s.exit_housing);
    w.key("exit_activity").opt_enum(s.exit_activity);
    w.key("cdd_months");
    s.cdd_months ? w.integer(*s.cdd_months) : w.null();
    w.end_object();
    return std::move(w.out);
}

std::string referral_json_text(const Referral& r) {
    FlatJson w;
    w.begin_object();
    w.key("from").str(r.from);
    w.key("to").str(r.to);
    w.key("need").enumv(r.need);
    w.key("status").enumv(r.status);
    w.key("proposed_on").date(r.proposed_on);
    w.key("decided_on").date(r.decided_on);
    w.key("completed_on").date(r.completed_on);
    w.key("reason").opt_str(r.reason);
    w.end_object();
    return std::move(w.out);
}

std::string participation_json_text(const Participation& p) {
    FlatJson w;
    w.begin_object();
    w.key("activity_id").str(p.activity_id.str());
    w.key("satisfaction");
    p.satisfaction ? w.integer(*p.satisfaction) : w.null();
    w.end_object();
    return std::move(w.out);
}

std::string volunteering_json_text(const Volunteering& v) {
    FlatJson w;
    w.begin_object();
    w.key("kind").enumv(v.kind);
    w.key("start").date(v.start);
    w.key("end").date(v.end);
    w.key("association_type").str(v.association_type);
    w.end_object();
    return std::move(w.out);
}

std::string housing_json_text(const HousingMove& m) {
    FlatJson w;
    w.begin_object();
    w.key("date").date(m.date);
    w.key("housing_type").enumv(m.housing_type);
    w.end_object();
    return std::move(w.out);
}

std::string partnership_json_text(const Partnership& p) {
    FlatJson w;
    w.begin_object();
    w.key("contract_id").str(p.contract_id.str());
    w.key("action").integer(p.action);
    w.key("partner").str(p.partner);
    w.key("theme").str(p.theme);
    w.key("date").date(p.date);
    w.end_object();
    return std::move(w.out);
}

}  // namespace

// Everything written since Store::begin_bulk_load into a store that had no data row: the
// file holds exactly these rows, so reads of the rules and no-op checks are answered here.
struct BulkSession {
    std::unordered_map<std::string, PersonCase> cases;
    /// By person, in load_journeys_of order (entry date, id).
    std::unordered_map<std::string, std::vector<Journey>> journeys_of;
    /// Journey id -> person id.
    std::unordered_map<std::string, std::string> journey_person;
    /// By person, in orientation date order.
    std::unordered_map<std::string, std::vector<AgirSupport>> agir_of;
    std::unordered_map<std::string, std::vector<Referral>> referrals_of;
    std::unordered_set<std::string> referral_ids, activity_ids;
    /// Keys of the other tables written ("table\\x1fkey...").
    std::unordered_set<std::string> keys;
    std::unordered_map<std::string, Contract> contracts;

    const Contract& contract(StoreImpl& impl, const ContractId& id) {
        auto it = contracts.find(id.str());
        if (it == contracts.end()) it = contracts.emplace(id.str(), impl.require_contract(id)).first;
        return it->second;
    }

    void remember(const Journey& j) {
        auto [it, inserted] = journey_person.try_emplace(j.id.str(), j.person_id.str());
        if (!inserted) {
            auto& old = journeys_of[it->second];
            std::erase_if(old, [&](const Journey& x) { return x.id == j.id; });
            it->second = j.person_id.str();
        }
        auto& v = journeys_of[j.person_id.str()];
        const auto pos = std::upper_bound(v.begin(), v.end(), j, [](const Journey& a, const Journey& b) {
            return std::tie(a.entry_date, a.id) < std::tie(b.entry_date, b.id);
        });
        v.insert(pos, j);
    }

    void remember(const AgirSupport& s) {
        auto& v = agir_of[s.person_id.str()];
        auto it = std::find_if(v.begin(), v.end(), [&](const AgirSupport& x) {
            return x.orientation_date == s.orientation_date;
        });
        if (it != v.end()) {
            *it = s;
            return;
        }
        const auto pos = std::upper_bound(v.begin(), v.end(), s, [](const AgirSupport& a, const AgirSupport& b) {
            return a.orientation_date < b.orientation_date;
        });
        v.insert(pos, s);
    }

    void remember(const Referral& r) {
        if (!referral_ids.insert(r.id.str()).second)
            for (auto& [person, v] : referrals_of)
                std::erase_if(v, [&](const Referral& x) { return x.id == r.id; });
        referrals_of[r.person_id.str()].push_back(r);
    }

    /// Whether `key` is new (and records it).
    bool add_key(std::string key) { return keys.insert(std::move(key)).second; }
    bool has_key(const std::string& key) const { return keys.count(key) != 0; }
};

namespace {

constexpr char sep = '\x1f';

template <class... Parts>
std::string make_key(std::string_view table, const Parts&... parts) {
    std::string k(table);
    ((k += sep, k += parts), ...);
    return k;
}

// Appends one audit row with an already serialised change (bulk path of StoreImpl::audit).
void audit_text(StoreImpl& impl, std::string_view entity, const std::string& entity_id,
                const std::optional<PersonId>& person, const std::string& change,
                std::optional<std::string> reason = std::nullopt) {
    if (!reason) reason = impl.tx_reason();
    impl.query("INSERT INTO audit_log (at, actor, entity, entity_id, person_id, operation, change, "
               "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(utc_now_iso(), impl.options.actor, entity, entity_id, person, "insert", change,
              reason)
        .exec();
}

// Runs `write`, which inserts a new row keyed `key` and rows that depend on it; when it
// throws, runs `undo` (a DELETE of that row whose foreign keys cascade to the others) so
// that nothing of it stays, as a savepoint would, then rethrows.
template <std::size_t N, class F>
void undo_on_failure(StoreImpl& impl, const char (&undo)[N], const std::string& key, F&& write) {
    try {
        write();
    } catch (...) {
        impl.query(undo).bind(key).exec();
        throw;
    }
}

// A new journey in a bulk load: the rules of store_journey, checked against memory.
void bulk_insert_journey(StoreImpl& impl, BulkSession& b, const Journey& j) {
    const auto cit = b.cases.find(j.person_id.str());
    if (cit == b.cases.end())
        throw NotFoundError("journey '" + j.id.str() + "': unknown person '" + j.person_id.str() +
                                "'",
                            "person", j.person_id.str());
    const Contract& contract = b.contract(impl, j.contract_id);
    static const std::vector<Journey> no_journeys;
    static const std::vector<AgirSupport> no_agir;
    const auto oit = b.journeys_of.find(j.person_id.str());
    const auto& others = oit == b.journeys_of.end() ? no_journeys : oit->second;
    const auto ait = b.agir_of.find(j.person_id.str());
    const auto& agir = ait == b.agir_of.end() ? no_agir : ait->second;
    const PersonCase& c = cit->second;
    const PersonCase* family = nullptr;
    if (c.person.rejoining_family_of) {
        const auto f = b.cases.find(c.person.rejoining_family_of->str());
        if (f != b.cases.end()) family = &f->second;
    }
    std::optional<Need> need;
    if (j.referral_source == ReferralSource::agir) {
        const auto rit = b.referrals_of.find(j.person_id.str());
        if (rit != b.referrals_of.end()) need = rules::inferred_need(j, rit->second);
    }
    auto verdict = rules::check_journey_enrollment(contract, j, c, others, agir,
                                                   impl.options.policy, need, family);
    rules::enforce(verdict.verdict);
    const auto& check = verdict.check;
    // No savepoint: a failure deletes the new journey row and (ON DELETE CASCADE) its steps.
    undo_on_failure(impl, "DELETE FROM journeys WHERE journey_id = ?", j.id.str(),
                    [&] { impl.write_journey(j, true); });
    std::optional<std::string> reason;
    if (!check.overridden_rules.empty()) reason = j.override_reason;
    audit_text(impl, "journey", j.id.str(), j.person_id,
               journey_json_text(j, check.overridden_rules), reason);
}

}  // namespace

bool StoreImpl::store_journey(const Journey& j, std::optional<Need> need,
                              std::string_view /*operation_hint*/) {
    if (j.id.empty()) throw ValidationError("journey without id", "journey_id");
    if (!person_exists(j.person_id))
        throw NotFoundError("journey '" + j.id.str() + "': unknown person '" +
                                j.person_id.str() + "'",
                            "person", j.person_id.str());
    const Contract contract = require_contract(j.contract_id);
    const auto old = load_journey(j.id);
    const auto kind = rules::classify_journey_write(old, j);
    if (kind == rules::JourneyWrite::unchanged) return false;

    const auto others = load_journeys_of(j.person_id);
    rules::JourneyVerdict verdict;
    if (kind == rules::JourneyWrite::continuation) {
        verdict = rules::check_journey_continuation(j, contract, others);
    } else {
        const auto c = load_case(j.person_id);
        std::optional<PersonCase> family;
        if (c->person.rejoining_family_of) family = load_case(*c->person.rejoining_family_of);
        const auto agir = load_agir_of(j.person_id);
        if (!need && j.referral_source == ReferralSource::agir)
            need = rules::inferred_need(j, load_referrals_of(j.person_id));
        verdict = rules::check_journey_enrollment(contract, j, *c, others, agir, options.policy,
                                                  need, family ? &*family : nullptr);
    }
    rules::enforce(verdict.verdict);
    const auto& check = verdict.check;
    write_journey(j, !old);
    Json after = to_json(j);
    std::optional<std::string> reason;
    if (!check.overridden_rules.empty()) {
        after["overridden_rules"] = check.overridden_rules;
        reason = j.override_reason;
    }
    if (old) {
        const Json before = to_json(*old);
        audit_upsert("journey", j.id.str(), j.person_id, &before, after, reason);
    } else {
        audit_upsert("journey", j.id.str(), j.person_id, nullptr, after, reason);
    }
    return true;
}

}  // namespace detail

// ---- validation helpers -----------------------------------------------------------------

namespace {

void require_action(const Contract& c, int action, const std::string& what) {
    rules::enforce(rules::check_action(c, action, what));
}

}  // namespace

// ---- contracts --------------------------------------------------------------------------

bool Store::put_contract(const Contract& c) {
    return detail::guard([&] {
        rules::enforce(rules::check_contract(c));
        const std::string text = contract_to_json(c);
        impl_->end_bulk();
        auto tx = transaction();
        std::optional<std::string> old;
        {
            auto q = impl_->query("SELECT json FROM contracts WHERE contract_id = ?");
            q.bind(c.id);
            if (q.step()) old = q.text(0);
        }
        if (old && parse_contract(*old, c.id.str()) == c) return false;
        impl_->query("INSERT INTO contracts (contract_id, json) VALUES (?, ?) ON CONFLICT "
                     "(contract_id) DO UPDATE SET json = excluded.json")
            .bind(c.id, text)
            .exec();
        const detail::Json after{{"json", detail::Json::parse(text)}};
        if (old) {
            const detail::Json before{{"json", detail::Json::parse(*old)}};
            impl_->audit_upsert("contract", c.id.str(), std::nullopt, &before, after);
        } else {
            impl_->audit_upsert("contract", c.id.str(), std::nullopt, nullptr, after);
        }
        impl_->contract_cache.erase(c.id.str());
        tx.commit();
        return true;
    });
}

// ---- upserts ----------------------------------------------------------------------------

bool Store::put_person(const Person& p) {
    return detail::guard([&] {
        rules::enforce(rules::check_person(p));
        impl_->end_bulk();
        auto tx = transaction();
        const auto old = impl_->load_person(p.id);
        if (old && *old == p) return false;
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
            old->situations != c.situations)
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

bool Store::put_journey(const Journey& j) {
    return detail::guard([&] {
        auto* bulk = impl_->bulk.get();
        if (bulk && !j.id.empty() && !bulk->journey_person.count(j.id.str())) {
            detail::bulk_insert_journey(*impl_, *bulk, j);
            bulk->remember(j);
            return true;
        }
        auto tx = transaction();
        const bool changed = impl_->store_journey(j, std::nullopt, "put");
        if (changed) {
            tx.commit();
            if (bulk) bulk->remember(j);
        }
        return changed;
    });
}

bool Store::put_agir_support(const AgirSupport& s) {
    return detail::guard([&] {
        const std::string label = "AGIR support of person '" + s.person_id.str() + "'";
        rules::enforce(rules::check_agir_support(s));
        auto* bulk = impl_->bulk.get();
        if (bulk) {
            if (!bulk->cases.count(s.person_id.str()))
                throw NotFoundError(label + ": unknown person", "person", s.person_id.str());
            const auto it = bulk->agir_of.find(s.person_id.str());
            const bool known = it != bulk->agir_of.end() &&
                               std::any_of(it->second.begin(), it->second.end(), [&](const AgirSupport& x) {
                                   return x.orientation_date == s.orientation_date;
                               });
            if (!known) {  // one row: no savepoint
                impl_->query("INSERT INTO agir_supports (person_id, orientation_date, entry_date, "
                             "exit_date, exit_housing, exit_activity, cdd_months) VALUES (?, ?, ?, "
                             "?, ?, ?, ?)")
                    .bind(s.person_id, s.orientation_date, s.entry_date, s.exit_date,
                          s.exit_housing, s.exit_activity, s.cdd_months)
                    .exec();
                detail::audit_text(*impl_, "agir_support", s.person_id.str(), s.person_id,
                                   detail::agir_json_text(s));
                bulk->remember(s);
                return true;
            }
        }
        auto tx = transaction();
        if (!impl_->person_exists(s.person_id))
            throw NotFoundError(label + ": unknown person", "person", s.person_id.str());
        std::optional<AgirSupport> old;
        for (auto& a : impl_->load_agir_of(s.person_id))
            if (a.orientation_date == s.orientation_date) old = a;
        if (old && *old == s) return false;
        impl_->query("INSERT INTO agir_supports (person_id, orientation_date, entry_date, "
                     "exit_date, exit_housing, exit_activity, cdd_months) VALUES (?, ?, ?, ?, ?, "
                     "?, ?) ON CONFLICT (person_id, orientation_date) DO UPDATE SET "
                     "entry_date = excluded.entry_date, exit_date = excluded.exit_date, "
                     "exit_housing = excluded.exit_housing, exit_activity = "
                     "excluded.exit_activity, cdd_months = excluded.cdd_months")
            .bind(s.person_id, s.orientation_date, s.entry_date, s.exit_date, s.exit_housing,
                  s.exit_activity, s.cdd_months)
            .exec();
        const auto after = detail::to_json(s);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("agir_support", s.person_id.str(), s.person_id, &before, after);
        } else {
            impl_->audit_upsert("agir_support", s.person_id.str(), s.person_id, nullptr, after);
        }
        tx.commit();
        if (bulk) bulk->remember(s);
        return true;
    });
}

bool Store::put_referral(const Referral& r) {
    return detail::guard([&] {
        rules::enforce(rules::check_referral_record(r));
        auto* bulk = impl_->bulk.get();
        if (bulk && !bulk->referral_ids.count(r.id.str())) {
            if (!bulk->cases.count(r.person_id.str()))
                throw NotFoundError("referral '" + r.id.str() + "': unknown person", "person",
                                    r.person_id.str());
            for (const auto* end : {&r.from, &r.to}) {
                const auto e = parse_referral_endpoint(*end);
                if (!e.is_agir())
                    require_action(bulk->contract(*impl_, e.contract_id), e.action,
                                   "referral '" + r.id.str() + "'");
            }
            impl_->write_referral(r);  // one row: no savepoint
            detail::audit_text(*impl_, "referral", r.id.str(), r.person_id,
                               detail::referral_json_text(r));
            bulk->remember(r);
            return true;
        }
        auto tx = transaction();
        if (!impl_->person_exists(r.person_id))
            throw NotFoundError("referral '" + r.id.str() + "': unknown person", "person",
                                r.person_id.str());
        for (const auto* end : {&r.from, &r.to}) {
            const auto e = parse_referral_endpoint(*end);
            if (!e.is_agir())
                require_action(impl_->require_contract(e.contract_id), e.action,
                               "referral '" + r.id.str() + "'");
        }
        const auto old = impl_->load_referral(r.id);
        if (old && *old == r) return false;
        rules::enforce(rules::check_referral_update(old, r));
        impl_->write_referral(r);
        const auto after = detail::to_json(r);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("referral", r.id.str(), r.person_id, &before, after);
        } else {
            impl_->audit_upsert("referral", r.id.str(), r.person_id, nullptr, after);
        }
        tx.commit();
        if (bulk) bulk->remember(r);
        return true;
    });
}

bool Store::put_activity(const Activity& a) {
    return detail::guard([&] {
        rules::enforce(rules::check_activity(a));
        const std::string label = "activity '" + a.id.str() + "'";
        auto* bulk = impl_->bulk.get();
        if (bulk && !bulk->activity_ids.count(a.id.str())) {
            require_action(bulk->contract(*impl_, a.contract_id), a.action, label);
            impl_->query("INSERT INTO activities (activity_id, contract_id, action, kind, type, "
                         "date, hours, co_animated, structure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(a.id, a.contract_id, a.action, a.kind, a.type, a.date, a.hours,
                      a.co_animated, a.structure)
                .exec();
            detail::audit_text(*impl_, "activity", a.id.str(), std::nullopt,
                               detail::to_json(a).dump());  // real numbers: nlohmann's format
            bulk->activity_ids.insert(a.id.str());
            return true;
        }
        auto tx = transaction();
        require_action(impl_->require_contract(a.contract_id), a.action, label);
        const auto old = impl_->load_activity(a.id);
        if (old && *old == a) return false;
        impl_->query("INSERT INTO activities (activity_id, contract_id, action, kind, type, date, "
                     "hours, co_animated, structure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON "
                     "CONFLICT (activity_id) DO UPDATE SET contract_id = excluded.contract_id, "
                     "action = excluded.action, kind = excluded.kind, type = excluded.type, "
                     "date = excluded.date, hours = excluded.hours, co_animated = "
                     "excluded.co_animated, structure = excluded.structure")
            .bind(a.id, a.contract_id, a.action, a.kind, a.type, a.date, a.hours, a.co_animated,
                  a.structure)
            .exec();
        const auto after = detail::to_json(a);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("activity", a.id.str(), std::nullopt, &before, after);
        } else {
            impl_->audit_upsert("activity", a.id.str(), std::nullopt, nullptr, after);
        }
        tx.commit();
        return true;
    });
}

bool Store::put_participation(const Participation& p) {
    return detail::guard([&] {
        const std::string label = "participation in activity '" + p.activity_id.str() + "'";
        rules::enforce(rules::check_participation(p));
        auto* bulk = impl_->bulk.get();
        if (bulk) {
            if (!bulk->cases.count(p.person_id.str()))
                throw NotFoundError(label + ": unknown person", "person", p.person_id.str());
            if (!bulk->activity_ids.count(p.activity_id.str()))
                throw NotFoundError(label + ": unknown activity", "activity", p.activity_id.str());
            auto key = detail::make_key("participations", p.activity_id.str(), p.person_id.str());
            if (!bulk->has_key(key)) {
                impl_->query("INSERT INTO participations (activity_id, person_id, satisfaction) "
                             "VALUES (?, ?, ?)")
                    .bind(p.activity_id, p.person_id, p.satisfaction)
                    .exec();
                detail::audit_text(*impl_, "participation", p.activity_id.str(), p.person_id,
                                   detail::participation_json_text(p));
                bulk->add_key(std::move(key));
                return true;
            }
        }
        auto tx = transaction();
        if (!impl_->person_exists(p.person_id))
            throw NotFoundError(label + ": unknown person", "person", p.person_id.str());
        std::optional<Participation> old;
        bool activity_known = false;
        {
            auto q = impl_->query(
                "SELECT a.activity_id, p.person_id, p.satisfaction FROM activities a LEFT JOIN "
                "participations p ON p.activity_id = a.activity_id AND p.person_id = ? "
                "WHERE a.activity_id = ?");
            q.bind(p.person_id, p.activity_id);
            if (q.step()) {
                activity_known = true;
                if (!q.null(1)) {
                    Participation x{p.activity_id, p.person_id, std::nullopt};
                    if (!q.null(2)) x.satisfaction = q.i32(2);
                    old = x;
                }
            }
        }
        if (!activity_known)
            throw NotFoundError(label + ": unknown activity", "activity", p.activity_id.str());
        if (old && *old == p) return false;
        impl_->query("INSERT INTO participations (activity_id, person_id, satisfaction) VALUES "
                     "(?, ?, ?) ON CONFLICT (activity_id, person_id) DO UPDATE SET "
                     "satisfaction = excluded.satisfaction")
            .bind(p.activity_id, p.person_id, p.satisfaction)
            .exec();
        const auto after = detail::to_json(p);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("participation", p.activity_id.str(), p.person_id, &before, after);
        } else {
            impl_->audit_upsert("participation", p.activity_id.str(), p.person_id, nullptr, after);
        }
        tx.commit();
        return true;
    });
}

bool Store::put_volunteering(const Volunteering& v) {
    return detail::guard([&] {
        const std::string label = "volunteering of person '" + v.person_id.str() + "'";
        rules::enforce(rules::check_volunteering(v));
        auto* bulk = impl_->bulk.get();
        if (bulk) {
            if (!bulk->cases.count(v.person_id.str()))
                throw NotFoundError(label + ": unknown person", "person", v.person_id.str());
            auto key = detail::make_key("volunteering", v.person_id.str(),
                                        std::string(to_string(v.kind)),
                                        std::to_string(v.start.days()));
            if (!bulk->has_key(key)) {
                impl_->query("INSERT INTO volunteering (person_id, kind, start, \"end\", "
                             "association_type) VALUES (?, ?, ?, ?, ?)")
                    .bind(v.person_id, v.kind, v.start, v.end, v.association_type)
                    .exec();
                detail::audit_text(*impl_, "volunteering", v.person_id.str(), v.person_id,
                                   detail::volunteering_json_text(v));
                bulk->add_key(std::move(key));
                return true;
            }
        }
        auto tx = transaction();
        if (!impl_->person_exists(v.person_id))
            throw NotFoundError(label + ": unknown person", "person", v.person_id.str());
        std::optional<Volunteering> old;
        {
            auto q = impl_->query("SELECT \"end\", association_type FROM volunteering WHERE "
                                  "person_id = ? AND kind = ? AND start = ?");
            q.bind(v.person_id, v.kind, v.start);
            if (q.step()) old = Volunteering{v.person_id, v.kind, v.start, q.opt_date(0), q.text(1)};
        }
        if (old && *old == v) return false;
        impl_->query("INSERT INTO volunteering (person_id, kind, start, \"end\", association_type) "
                     "VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, kind, start) DO UPDATE SET "
                     "\"end\" = excluded.\"end\", association_type = excluded.association_type")
            .bind(v.person_id, v.kind, v.start, v.end, v.association_type)
            .exec();
        const auto after = detail::to_json(v);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("volunteering", v.person_id.str(), v.person_id, &before, after);
        } else {
            impl_->audit_upsert("volunteering", v.person_id.str(), v.person_id, nullptr, after);
        }
        tx.commit();
        return true;
    });
}

bool Store::put_housing_move(const HousingMove& m) {
    return detail::guard([&] {
        rules::enforce(rules::check_housing_move(m));
        auto* bulk = impl_->bulk.get();
        if (bulk) {
            auto key = detail::make_key("housing_moves", m.household_id.str(),
                                        std::to_string(m.date.days()));
            if (!bulk->has_key(key)) {
                impl_->query("INSERT INTO housing_moves (household_id, date, housing_type) VALUES "
                             "(?, ?, ?)")
                    .bind(m.household_id, m.date, m.housing_type)
                    .exec();
                detail::audit_text(*impl_, "housing_move", m.household_id.str(), std::nullopt,
                                   detail::housing_json_text(m));
                bulk->add_key(std::move(key));
                return true;
            }
        }
        auto tx = transaction();
        std::optional<HousingMove> old;
        {
            auto q = impl_->query(
                "SELECT housing_type FROM housing_moves WHERE household_id = ? AND date = ?");
            q.bind(m.household_id, m.date);
            if (q.step()) old = HousingMove{m.household_id, m.date, q.enumv<HousingType>(0)};
        }
        if (old && *old == m) return false;
        impl_->query("INSERT INTO housing_moves (household_id, date, housing_type) VALUES (?, ?, "
                     "?) ON CONFLICT (household_id, date) DO UPDATE SET housing_type = "
                     "excluded.housing_type")
            .bind(m.household_id, m.date, m.housing_type)
            .exec();
        const auto after = detail::to_json(m);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("housing_move", m.household_id.str(), std::nullopt, &before, after);
        } else {
            impl_->audit_upsert("housing_move", m.household_id.str(), std::nullopt, nullptr, after);
        }
        tx.commit();
        return true;
    });
}

bool Store::put_partnership(const Partnership& p) {
    return detail::guard([&] {
        auto* bulk = impl_->bulk.get();
        if (bulk) {
            require_action(bulk->contract(*impl_, p.contract_id), p.action, "partnership");
            auto key = detail::make_key("partnerships", p.contract_id.str(),
                                        std::to_string(p.action), p.partner, p.theme,
                                        std::to_string(p.date.days()));
            if (bulk->has_key(key)) return false;  // the whole row is the key
            impl_->query("INSERT INTO partnerships (contract_id, action, partner, theme, date) "
                         "VALUES (?, ?, ?, ?, ?)")
                .bind(p.contract_id, p.action, p.partner, p.theme, p.date)
                .exec();
            detail::audit_text(*impl_, "partnership",
                               p.contract_id.str() + ":" + std::to_string(p.action), std::nullopt,
                               detail::partnership_json_text(p));
            bulk->add_key(std::move(key));
            return true;
        }
        auto tx = transaction();
        require_action(impl_->require_contract(p.contract_id), p.action, "partnership");
        {
            auto q = impl_->query("SELECT 1 FROM partnerships WHERE contract_id = ? AND action = ? "
                                  "AND partner = ? AND theme = ? AND date = ?");
            q.bind(p.contract_id, p.action, p.partner, p.theme, p.date);
            if (q.step()) return false;
        }
        impl_->query("INSERT INTO partnerships (contract_id, action, partner, theme, date) VALUES "
                     "(?, ?, ?, ?, ?)")
            .bind(p.contract_id, p.action, p.partner, p.theme, p.date)
            .exec();
        impl_->audit_upsert("partnership", p.contract_id.str() + ":" + std::to_string(p.action),
                            std::nullopt, nullptr, detail::to_json(p));
        tx.commit();
        return true;
    });
}

bool Store::put_cost(const Cost& c) {
    return detail::guard([&] {
        const std::string label = "cost of " + c.contract_id.str() + ":" + std::to_string(c.action);
        rules::enforce(rules::check_cost(c));
        auto tx = transaction();
        require_action(impl_->require_contract(c.contract_id), c.action, label);
        std::optional<Cost> old;
        {
            auto q = impl_->query(
                "SELECT total_cost, subsidy_p104 FROM costs WHERE contract_id = ? AND action = ?");
            q.bind(c.contract_id, c.action);
            if (q.step()) old = Cost{c.contract_id, c.action, q.real(0), q.real(1)};
        }
        if (old && *old == c) return false;
        impl_->query("INSERT INTO costs (contract_id, action, total_cost, subsidy_p104) VALUES (?, "
                     "?, ?, ?) ON CONFLICT (contract_id, action) DO UPDATE SET total_cost = "
                     "excluded.total_cost, subsidy_p104 = excluded.subsidy_p104")
            .bind(c.contract_id, c.action, c.total_cost, c.subsidy_p104)
            .exec();
        const auto id = c.contract_id.str() + ":" + std::to_string(c.action);
        const auto after = detail::to_json(c);
        if (old) {
            const auto before = detail::to_json(*old);
            impl_->audit_upsert("cost", id, std::nullopt, &before, after);
        } else {
            impl_->audit_upsert("cost", id, std::nullopt, nullptr, after);
        }
        tx.commit();
        return true;
    });
}

// ---- bulk loading -------------------------------------------------------------------------

bool Store::begin_bulk_load() {
    return detail::guard([&] {
        if (impl_->depth == 0) return false;
        impl_->end_bulk();  // a bulk session already on: ended (its indexes rebuilt) first
        // Tables every other row hangs on (foreign keys): empty means no data row at all.
        {
            auto q = impl_->query(
                "SELECT EXISTS (SELECT 1 FROM persons) OR EXISTS (SELECT 1 FROM activities) OR "
                "EXISTS (SELECT 1 FROM housing_moves) OR EXISTS (SELECT 1 FROM partnerships) OR "
                "EXISTS (SELECT 1 FROM costs)");
            q.step();
            if (q.i32(0) != 0) return false;
        }  // reset: no statement may be pending at DROP INDEX
        impl_->bulk = std::make_shared<detail::BulkSession>();
        impl_->bulk_depth = impl_->depth;
        // Secondary indexes that enforce nothing (not UNIQUE) are built once at the end.
        std::vector<std::pair<std::string, std::string>> indexes;
        {
            auto idx = impl_->query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name");
            while (idx.step()) indexes.emplace_back(idx.text(0), idx.text(1));
        }
        for (auto& index : indexes) {  // listed once dropped: end_bulk rebuilds exactly these
            impl_->exec("DROP INDEX \"" + index.first + "\"");
            impl_->bulk_dropped_indexes.push_back(std::move(index));
        }
        return true;
    });
}

namespace detail {
void StoreImpl::end_bulk() {
    bulk.reset();
    // Cleared first: a failure below leaves the transaction to be rolled back (which
    // restores the indexes dropped inside it), never a second attempt.
    const auto indexes = std::exchange(bulk_dropped_indexes, {});
    for (const auto& [name, sql] : indexes) exec(sql);
}
}  // namespace detail

// ---- service-style API ------------------------------------------------------------------

JourneyId Store::enroll(const PersonId& person, const ContractId& contract, int action, Date on,
                        ReferralSource source, const EnrollOptions& options) {
    return detail::guard([&] {
        impl_->end_bulk();
        auto tx = transaction();
        const JourneyId id = options.id ? *options.id : JourneyId{detail::random_id("J-")};
        rules::enforce(rules::check_new_journey_id(id, impl_->load_journey(id).has_value()));
        const Journey j = rules::enrollment(id, person, contract, action, on, source,
                                            options.override_reason);
        impl_->store_journey(j, options.need, "enroll");
        tx.commit();
        return j.id;
    });
}

void Store::add_step(const JourneyId& journey, StepKind step, Date on) {
    detail::guard([&] {
        impl_->end_bulk();
        auto tx = transaction();
        auto j = impl_->load_journey(journey);
        if (!j) throw NotFoundError("unknown journey '" + journey.str() + "'", "journey", journey.str());
        impl_->store_journey(rules::with_step(std::move(*j), step, on), std::nullopt, "add_step");
        tx.commit();
    });
}

void Store::exit_journey(const JourneyId& journey, Date on, std::string_view reason) {
    detail::guard([&] {
        impl_->end_bulk();
        auto tx = transaction();
        auto j = impl_->load_journey(journey);
        if (!j) throw NotFoundError("unknown journey '" + journey.str() + "'", "journey", journey.str());
        rules::enforce(rules::check_exit(*j));
        impl_->store_journey(rules::exited(std::move(*j), on, reason), std::nullopt, "exit");
        tx.commit();
    });
}

ReferralId Store::propose_referral(const PersonId& person, std::string_view from,
                                   std::string_view to, Need need, Date on,
                                   std::optional<ReferralId> id) {
    return detail::guard([&] {
        Referral r;
        r.id = id ? *id : ReferralId{detail::random_id("R-")};
        r.person_id = person;
        r.from = std::string(from);
        r.to = std::string(to);
        r.need = need;
        r.status = ReferralStatus::proposed;
        r.proposed_on = on;
        impl_->end_bulk();
        auto tx = transaction();
        rules::enforce(rules::check_new_referral_id(r.id, impl_->load_referral(r.id).has_value()));
        put_referral(r);
        tx.commit();
        return r.id;
    });
}

namespace {

void transition(detail::StoreImpl& impl, Store& store, const ReferralId& id, ReferralStatus to,
                Date on, std::optional<std::string> reason) {
    impl.end_bulk();
    auto tx = store.transaction();
    const auto r = impl.load_referral(id);
    if (!r) throw NotFoundError("unknown referral '" + id.str() + "'", "referral", id.str());
    auto t = rules::transition_referral(*r, to, on, reason);
    rules::enforce(t.verdict);
    const auto& next = t.next;
    impl.write_referral(next);
    const auto before = detail::to_json(*r);
    impl.audit_upsert("referral", id.str(), r->person_id, &before, detail::to_json(next),
                      reason);
    tx.commit();
}

}  // namespace

void Store::accept_referral(const ReferralId& id, Date on) {
    detail::guard([&] { transition(*impl_, *this, id, ReferralStatus::accepted, on, {}); });
}
void Store::decline_referral(const ReferralId& id, Date on, std::string_view reason) {
    detail::guard([&] {
        transition(*impl_, *this, id, ReferralStatus::declined, on, std::string(reason));
    });
}
void Store::complete_referral(const ReferralId& id, Date on) {
    detail::guard([&] { transition(*impl_, *this, id, ReferralStatus::completed, on, {}); });
}
void Store::cancel_referral(const ReferralId& id, Date on, std::string_view reason) {
    detail::guard([&] {
        transition(*impl_, *this, id, ReferralStatus::cancelled, on, std::string(reason));
    });
}

// ---- retention (R9) ---------------------------------------------------------------------

std::vector<PersonId> Store::retention_candidates(Date today) const {
    return detail::guard([&] {
        const auto& p = impl_->options.policy;
        std::vector<PersonId> out;
        auto q = impl_->query("SELECT person_id, last_contact FROM persons WHERE last_contact IS "
                              "NOT NULL AND anonymised_on IS NULL ORDER BY person_id");
        while (q.step())
            if (today >= period_end_years(q.date(1), p.retention_years, p.boundary, p.feb29))
                out.emplace_back(q.text(0));
        return out;
    });
}

AnonymisationReport Store::anonymise_expired(Date today) {
    return detail::guard([&] {
        AnonymisationReport report;
        report.today = today;
        impl_->end_bulk();
        auto tx = transaction("R9 retention: anonymisation");
        const auto candidates = retention_candidates(today);
        auto unused = [&](const std::string& table, const std::string& column,
                          const std::string& prefix) {
            for (;;) {
                auto id = detail::random_id(prefix);
                auto q = impl_->query("SELECT 1 FROM " + table + " WHERE " + column + " = ?");
                q.bind(id);
                if (!q.step()) return id;
            }
        };
        std::set<std::string> households;
        for (const auto& old_id : candidates) {
            const std::string old = old_id.str();
            const std::string fresh = unused("persons", "person_id", "ANON-");
            {
                auto q = impl_->query("SELECT household_id FROM persons WHERE person_id = ?");
                q.bind(old);
                if (q.step() && !q.null(0)) households.insert(q.text(0));
            }
            // ON UPDATE CASCADE re-keys permits, protections, situations, journeys,
            // AGIR supports, referrals, participations, volunteering and family links.
            impl_->query("UPDATE persons SET person_id = ? WHERE person_id = ?").bind(fresh, old).exec();
            impl_->query(
                     "UPDATE persons SET birth_date = CASE WHEN birth_date IS NULL THEN NULL ELSE "
                     "CAST(julianday(strftime('%Y-01-01', birth_date + 2440587.5)) - 2440587.5 "
                     "AS INTEGER) END, birth_precision = CASE WHEN birth_date IS NULL THEN NULL "
                     "ELSE 'year' END, last_contact = NULL, anonymised_on = ?, "
                     "rejoining_family_of = CASE WHEN rejoining_family_of IN (SELECT person_id "
                     "FROM persons WHERE anonymised_on IS NOT NULL) THEN rejoining_family_of "
                     "ELSE NULL END WHERE person_id = ?")
                .bind(today, fresh)
                .exec();
            impl_->query("UPDATE journeys SET override_reason = '[anonymised]' WHERE "
                         "person_id = ? AND override_reason IS NOT NULL")
                .bind(fresh)
                .exec();
            impl_->query("UPDATE referrals SET reason = '[anonymised]' WHERE person_id = ? AND "
                         "reason IS NOT NULL")
                .bind(fresh)
                .exec();
            auto count = [&](const char* table) {
                auto q = impl_->query(std::string("SELECT count(*) FROM ") + table +
                                      " WHERE person_id = ?");
                q.bind(fresh);
                q.step();
                return q.i64(0);
            };
            report.referrals += count("referrals");
            report.agir_supports += count("agir_supports");
            const auto journeys = count("journeys");
            report.journeys += journeys;
            report.audit_rows += impl_->query(
                    "UPDATE audit_log SET person_id = ?1, entity_id = CASE WHEN entity_id = ?2 "
                    "THEN ?1 ELSE entity_id END, change = '{\"redacted\":true}', reason = NULL "
                    "WHERE person_id = ?2")
                                     .bind(fresh, old)
                                     .exec();
            // Other rows mentioning the id (another person's family link).
            impl_->query("UPDATE audit_log SET change = replace(change, ?1, ?2) WHERE "
                         "instr(change, ?1) > 0")
                .bind("\"" + old + "\"", "\"" + fresh + "\"")
                .exec();
            impl_->audit("person", fresh, PersonId{fresh}, "anonymise",
                         detail::Json{{"anonymised_on", to_iso(today)}, {"journeys", journeys}});
            report.persons += 1;
        }
        // Households whose members are all anonymised get an opaque id too.
        for (const auto& h : households) {
            {
                auto q = impl_->query("SELECT count(*) FROM persons WHERE household_id = ? AND "
                                      "anonymised_on IS NULL");
                q.bind(h);
                q.step();
                if (q.i64(0) != 0) continue;
            }
            const std::string fresh = unused("persons", "household_id", "ANON-H-");
            impl_->query("UPDATE persons SET household_id = ? WHERE household_id = ?").bind(fresh, h).exec();
            impl_->query("UPDATE housing_moves SET household_id = ? WHERE household_id = ?")
                .bind(fresh, h)
                .exec();
            impl_->query("UPDATE audit_log SET entity_id = ? WHERE entity = 'housing_move' AND "
                         "entity_id = ?")
                .bind(fresh, h)
                .exec();
            report.households += 1;
        }
        tx.commit();
        return report;
    });
}

}  // namespace ctai
