// Reads: single entities, every row of every table (export), columnar queries, the audit log.

#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <sqlite3.h>

#include <ctai/journeys.hpp>

#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {
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

constexpr const char* journey_columns =
    "journey_id, person_id, contract_id, action, entry_date, referral_source, exit_date, "
    "exit_reason, override_reason";

Journey read_journey(Query& q) {
    Journey j;
    j.id = JourneyId{q.text(0)};
    j.person_id = PersonId{q.text(1)};
    j.contract_id = ContractId{q.text(2)};
    j.action = q.i32(3);
    j.entry_date = q.date(4);
    j.referral_source = q.enumv<ReferralSource>(5);
    j.exit_date = q.opt_date(6);
    j.exit_reason = q.opt_text(7);
    j.override_reason = q.opt_text(8);
    return j;
}

constexpr const char* agir_columns =
    "person_id, orientation_date, entry_date, exit_date, exit_housing, exit_activity, cdd_months";

AgirSupport read_agir(Query& q) {
    AgirSupport s;
    s.person_id = PersonId{q.text(0)};
    s.orientation_date = q.date(1);
    s.entry_date = q.opt_date(2);
    s.exit_date = q.opt_date(3);
    s.exit_housing = q.opt_enum<HousingType>(4);
    s.exit_activity = q.opt_enum<ExitActivity>(5);
    if (!q.null(6)) s.cdd_months = q.i32(6);
    return s;
}

constexpr const char* referral_columns_sql =
    "referral_id, person_id, \"from\", \"to\", need, status, proposed_on, decided_on, "
    "completed_on, reason";

Referral read_referral(Query& q) {
    Referral r;
    r.id = ReferralId{q.text(0)};
    r.person_id = PersonId{q.text(1)};
    r.from = q.text(2);
    r.to = q.text(3);
    r.need = q.enumv<Need>(4);
    r.status = q.enumv<ReferralStatus>(5);
    r.proposed_on = q.date(6);
    r.decided_on = q.opt_date(7);
    r.completed_on = q.opt_date(8);
    r.reason = q.opt_text(9);
    return r;
}

constexpr const char* activity_columns_sql =
    "activity_id, contract_id, action, kind, type, date, hours, co_animated, structure";

Activity read_activity(Query& q) {
    Activity a;
    a.id = ActivityId{q.text(0)};
    a.contract_id = ContractId{q.text(1)};
    a.action = q.i32(2);
    a.kind = q.enumv<ActivityKind>(3);
    a.type = q.text(4);
    a.date = q.date(5);
    a.hours = q.real(6);
    a.co_animated = q.i32(7) != 0;
    a.structure = q.text(8);
    return a;
}

template <class E>
std::uint8_t code(E e) {
    return static_cast<std::uint8_t>(e);
}
std::int32_t days_or_none(const std::optional<Date>& d) { return d ? d->days() : no_date; }

void reserve(EligibilityColumns& out, std::size_t n) {
    out.person_id.reserve(n);
    for (auto* v : {&out.nationality_class, &out.primo_arrivant, &out.bpi, &out.bpt, &out.agir,
                    &out.ctai_public, &out.public_category, &out.sex, &out.in_agir_support})
        v->reserve(n);
    for (auto* v : {&out.primo_anchor, &out.primo_window_end, &out.protection_date,
                    &out.agir_window_end, &out.birth_year})
        v->reserve(n);
}

// Attaches every step to `journeys`, which holds every journey ordered by journey_id: one
// merge pass over both orders, no lookup per step.
void attach_all_steps(StoreImpl& impl, std::vector<Journey>& journeys) {
    auto q = impl.query("SELECT journey_id, step, date FROM steps ORDER BY journey_id, position");
    std::size_t i = 0;
    std::string id;
    while (q.step()) {
        const char* text = q.statement().getColumn(0).getText();
        if (i < journeys.size() && journeys[i].id.str() == text) {
            // same journey as the previous step
        } else {
            id = text;
            while (i < journeys.size() && journeys[i].id.str() < id) ++i;
            if (i == journeys.size() || journeys[i].id.str() != id) continue;
        }
        journeys[i].steps.push_back(Step{q.enumv<StepKind>(1), q.date(2)});
    }
}

// Attaches steps (ordered by journey_id, position) to journeys ordered by journey_id.
void attach_steps(StoreImpl& impl, std::vector<Journey>& journeys, const std::string& where,
                  const std::optional<std::string>& arg) {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < journeys.size(); ++i) index.emplace(journeys[i].id.str(), i);
    auto q = impl.query("SELECT s.journey_id, s.step, s.date FROM steps s JOIN journeys j ON "
                        "j.journey_id = s.journey_id " +
                        where + " ORDER BY s.journey_id, s.position");
    if (arg) q.bind(*arg);
    while (q.step()) {
        const auto it = index.find(q.text(0));
        if (it != index.end())
            journeys[it->second].steps.push_back(Step{q.enumv<StepKind>(1), q.date(2)});
    }
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
    return c;
}

std::optional<Journey> StoreImpl::load_journey(const JourneyId& id) {
    std::vector<Journey> out;
    {
        auto q = query(std::string("SELECT ") + journey_columns +
                       " FROM journeys WHERE journey_id = ?");
        q.bind(id);
        if (!q.step()) return std::nullopt;
        out.push_back(read_journey(q));
    }
    auto q = query("SELECT step, date FROM steps WHERE journey_id = ? ORDER BY position");
    q.bind(id);
    while (q.step()) out.front().steps.push_back(Step{q.enumv<StepKind>(0), q.date(1)});
    return std::move(out.front());
}

std::vector<Journey> StoreImpl::load_journeys_of(const PersonId& id) {
    std::vector<Journey> out;
    {
        auto q = query(std::string("SELECT ") + journey_columns +
                       " FROM journeys WHERE person_id = ? ORDER BY entry_date, journey_id");
        q.bind(id);
        while (q.step()) out.push_back(read_journey(q));
    }
    if (!out.empty()) attach_steps(*this, out, "WHERE j.person_id = ?", id.str());
    return out;
}

std::vector<AgirSupport> StoreImpl::load_agir_of(const PersonId& id) {
    std::vector<AgirSupport> out;
    auto q = query(std::string("SELECT ") + agir_columns +
                   " FROM agir_supports WHERE person_id = ? ORDER BY orientation_date");
    q.bind(id);
    while (q.step()) out.push_back(read_agir(q));
    return out;
}

std::optional<Referral> StoreImpl::load_referral(const ReferralId& id) {
    auto q = query(std::string("SELECT ") + referral_columns_sql +
                   " FROM referrals WHERE referral_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return read_referral(q);
}

std::optional<Activity> StoreImpl::load_activity(const ActivityId& id) {
    auto q = query(std::string("SELECT ") + activity_columns_sql +
                   " FROM activities WHERE activity_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return read_activity(q);
}

std::vector<Referral> StoreImpl::load_referrals_of(const PersonId& id) {
    std::vector<Referral> out;
    auto q = query(std::string("SELECT ") + referral_columns_sql +
                   " FROM referrals WHERE person_id = ? ORDER BY proposed_on, referral_id");
    q.bind(id);
    while (q.step()) out.push_back(read_referral(q));
    return out;
}

std::optional<Contract> StoreImpl::find_contract(const ContractId& id) {
    for (const auto& c : builtin_contracts())
        if (c.id == id) return c;
    if (const auto it = contract_cache.find(id.str()); it != contract_cache.end()) return it->second;
    auto q = query("SELECT json FROM contracts WHERE contract_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    auto c = parse_contract(q.text(0), "store contract '" + id.str() + "'");
    contract_cache.emplace(id.str(), c);
    return c;
}

Contract StoreImpl::require_contract(const ContractId& id) {
    auto c = find_contract(id);
    if (!c) throw NotFoundError("unknown contract '" + id.str() + "'", "contract", id.str());
    return std::move(*c);
}

}  // namespace detail

// ---- contracts --------------------------------------------------------------------------

Contract Store::contract(const ContractId& id) const {
    return detail::guard([&] { return impl_->require_contract(id); });
}

std::vector<Contract> Store::loaded_contracts() const {
    return detail::guard([&] {
        std::vector<Contract> out;
        auto q = impl_->query("SELECT contract_id, json FROM contracts ORDER BY contract_id");
        while (q.step()) out.push_back(parse_contract(q.text(1), "store contract '" + q.text(0) + "'"));
        return out;
    });
}

std::vector<Contract> Store::contracts() const {
    std::vector<Contract> out(builtin_contracts().begin(), builtin_contracts().end());
    for (auto& c : loaded_contracts()) out.push_back(std::move(c));
    return out;
}

// ---- single reads -----------------------------------------------------------------------

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

Journey Store::journey(const JourneyId& id) const {
    auto j = detail::guard([&] { return impl_->load_journey(id); });
    if (!j) throw NotFoundError("unknown journey '" + id.str() + "'", "journey", id.str());
    return std::move(*j);
}

std::vector<Journey> Store::journeys_of(const PersonId& person) const {
    return detail::guard([&] { return impl_->load_journeys_of(person); });
}

std::vector<AgirSupport> Store::agir_supports_of(const PersonId& person) const {
    return detail::guard([&] { return impl_->load_agir_of(person); });
}

Referral Store::referral(const ReferralId& id) const {
    auto r = detail::guard([&] { return impl_->load_referral(id); });
    if (!r) throw NotFoundError("unknown referral '" + id.str() + "'", "referral", id.str());
    return std::move(*r);
}

std::vector<Referral> Store::referrals_of(const PersonId& person) const {
    return detail::guard([&] { return impl_->load_referrals_of(person); });
}

namespace detail {

std::int64_t StoreImpl::data_version() {
    auto q = query("PRAGMA data_version");
    q.step();
    return q.i64(0);
}

std::shared_ptr<const CaseSnapshot> StoreImpl::current_case_snapshot() {
    if (!case_snapshot || depth > 0) return nullptr;
    if (db->getTotalChanges() != case_snapshot_changes ||
        data_version() != case_snapshot_data_version) {
        case_snapshot.reset();
        return nullptr;
    }
    return case_snapshot;
}

std::shared_ptr<const CaseSnapshot> StoreImpl::build_case_snapshot() {
    const ReadSnapshot snapshot(*this);
    const std::int64_t version = data_version();
    const std::int64_t changes = db->getTotalChanges();
    auto built = read_case_snapshot();
    if (depth == 0) {
        case_snapshot = built;
        case_snapshot_data_version = version;
        case_snapshot_changes = changes;
    }
    return built;
}

void StoreImpl::release_page_cache() noexcept { sqlite3_db_release_memory(db->getHandle()); }

std::shared_ptr<const CaseSnapshot> StoreImpl::read_case_snapshot() {
    std::vector<PersonCase> cases = read_all_cases(*this);
    std::vector<AgirSupport> supports;
    {
        auto q = query(std::string("SELECT ") + agir_columns +
                       " FROM agir_supports ORDER BY person_id, orientation_date");
        while (q.step()) supports.push_back(read_agir(q));
    }
    release_page_cache();  // before the snapshot's own arrays are allocated
    return std::make_shared<const CaseSnapshot>(std::move(cases), std::move(supports),
                                                options.policy);
}

}  // namespace detail

std::shared_ptr<const CaseSnapshot> Store::case_snapshot() const {
    return detail::guard([&] {
        if (auto s = impl_->current_case_snapshot()) return s;
        return impl_->build_case_snapshot();
    });
}

void Store::drop_case_snapshot() const noexcept {
    impl_->case_snapshot.reset();
    impl_->contract_data.reset();
    impl_->point_reads = 0;  // dropped on purpose: point reads start counting again
}

Eligibility Store::eligibility(const PersonId& id, Date on) const {
    return detail::guard([&] {
        auto& impl = *impl_;
        auto snap = impl.current_case_snapshot();
        if (!snap && impl.depth == 0) {
            // Ski rental: point reads until they have cost about one full read (a third
            // of the persons at this data version), then the snapshot.
            const std::int64_t version = impl.data_version();
            const std::int64_t changes = impl.db->getTotalChanges();
            if (version != impl.point_reads_data_version || changes != impl.point_reads_changes) {
                impl.point_reads = 0;
                impl.point_reads_data_version = version;
                impl.point_reads_changes = changes;
                impl.point_reads_persons = -1;
            }
            if (++impl.point_reads % 256 == 0) {
                if (impl.point_reads_persons < 0) impl.point_reads_persons = person_count();
                if (impl.point_reads * 3 >= impl.point_reads_persons)
                    snap = impl.build_case_snapshot();
            }
        }
        if (snap) {
            const auto i = snap->find_to_evaluate(id.str());
            if (i == CaseSnapshot::npos)
                throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
            return snap->evaluate(i, on);
        }
        // One read snapshot for the person and the family member (one lock, not one per
        // statement), cached prepared statements, one query per table.
        const detail::ReadSnapshot snapshot(impl);
        auto c = impl.load_case(id);
        if (!c) throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
        std::optional<PersonCase> family;
        if (c->person.rejoining_family_of) family = impl.load_case(*c->person.rejoining_family_of);
        return evaluate(*c, on, impl.options.policy, family ? &*family : nullptr);
    });
}

// ---- every row --------------------------------------------------------------------------

void Store::for_each_case(const std::function<void(const PersonCase&)>& f) const {
    detail::guard([&] { detail::for_each_case_impl(*impl_, [&](PersonCase& c) { f(c); }); });
}

std::vector<PersonCase> Store::all_cases() const {
    return detail::guard([&] { return detail::read_all_cases(*impl_); });
}

std::vector<Journey> Store::all_journeys() const {
    return detail::guard([&] {
        std::vector<Journey> out;
        {
            auto q = impl_->query(std::string("SELECT ") + detail::journey_columns +
                                  " FROM journeys ORDER BY journey_id");
            while (q.step()) out.push_back(detail::read_journey(q));
        }
        detail::attach_all_steps(*impl_, out);
        return out;
    });
}

std::vector<AgirSupport> Store::all_agir_supports() const {
    return detail::guard([&] {
        std::vector<AgirSupport> out;
        auto q = impl_->query(std::string("SELECT ") + detail::agir_columns +
                              " FROM agir_supports ORDER BY person_id, orientation_date");
        while (q.step()) out.push_back(detail::read_agir(q));
        return out;
    });
}

std::vector<Referral> Store::all_referrals() const {
    return detail::guard([&] {
        std::vector<Referral> out;
        auto q = impl_->query(std::string("SELECT ") + detail::referral_columns_sql +
                              " FROM referrals ORDER BY referral_id");
        while (q.step()) out.push_back(detail::read_referral(q));
        return out;
    });
}

std::vector<Activity> Store::all_activities() const {
    return detail::guard([&] {
        std::vector<Activity> out;
        auto q = impl_->query(std::string("SELECT ") + detail::activity_columns_sql +
                              " FROM activities ORDER BY activity_id");
        while (q.step()) out.push_back(detail::read_activity(q));
        return out;
    });
}

std::vector<Participation> Store::all_participations() const {
    return detail::guard([&] {
        std::vector<Participation> out;
        auto q = impl_->query("SELECT activity_id, person_id, satisfaction FROM participations "
                              "ORDER BY activity_id, person_id");
        while (q.step()) {
            Participation p{ActivityId{q.text(0)}, PersonId{q.text(1)}, std::nullopt};
            if (!q.null(2)) p.satisfaction = q.i32(2);
            out.push_back(std::move(p));
        }
        return out;
    });
}

std::vector<Volunteering> Store::all_volunteering() const {
    return detail::guard([&] {
        std::vector<Volunteering> out;
        auto q = impl_->query("SELECT person_id, kind, start, \"end\", association_type FROM "
                              "volunteering ORDER BY person_id, kind, start");
        while (q.step())
            out.push_back(Volunteering{PersonId{q.text(0)}, q.enumv<VolunteeringKind>(1),
                                       q.date(2), q.opt_date(3), q.text(4)});
        return out;
    });
}

std::vector<HousingMove> Store::all_housing_moves() const {
    return detail::guard([&] {
        std::vector<HousingMove> out;
        auto q = impl_->query("SELECT household_id, date, housing_type FROM housing_moves ORDER "
                              "BY household_id, date");
        while (q.step())
            out.push_back(HousingMove{HouseholdId{q.text(0)}, q.date(1), q.enumv<HousingType>(2)});
        return out;
    });
}

std::vector<Partnership> Store::all_partnerships() const {
    return detail::guard([&] {
        std::vector<Partnership> out;
        auto q = impl_->query("SELECT contract_id, action, partner, theme, date FROM partnerships "
                              "ORDER BY contract_id, action, partner, theme, date");
        while (q.step())
            out.push_back(Partnership{ContractId{q.text(0)}, q.i32(1), q.text(2), q.text(3),
                                      q.date(4)});
        return out;
    });
}

std::vector<Cost> Store::all_costs() const {
    return detail::guard([&] {
        std::vector<Cost> out;
        auto q = impl_->query("SELECT contract_id, action, total_cost, subsidy_p104 FROM costs "
                              "ORDER BY contract_id, action");
        while (q.step()) out.push_back(Cost{ContractId{q.text(0)}, q.i32(1), q.real(2), q.real(3)});
        return out;
    });
}

// ---- columns ----------------------------------------------------------------------------

JourneyColumns Store::journeys(std::optional<ContractId> contract, std::optional<int> action,
                               std::optional<Date> censor_on) const {
    // Every column; the read itself is in store_journeys.cpp.
    return journeys(std::move(contract), action, censor_on, JourneyFields::all);
}

EligibilityColumns Store::eligibility_for(std::span<const PersonId> persons,
                                          std::span<const Date> dates) const {
    if (persons.size() != dates.size())
        throw ValidationError("eligibility_for: " + std::to_string(persons.size()) +
                                  " persons but " + std::to_string(dates.size()) + " dates",
                              "dates");
    return detail::guard([&] {
        const Policy& p = impl_->options.policy;
        EligibilityColumns out;
        out.on = dates.empty() ? no_date : dates.front().days();
        for (const Date d : dates)
            if (d.days() != out.on) out.on = no_date;
        // Many rows, or a current snapshot: every case in memory. Few: point reads.
        auto snap = impl_->current_case_snapshot();
        if (!snap && persons.size() >= 64) snap = impl_->build_case_snapshot();
        if (!snap) {
            const detail::ReadSnapshot snapshot(*impl_);
            std::vector<PersonCase> cases;
            std::vector<AgirSupport> supports;
            std::unordered_set<std::string> seen;
            auto load = [&](const PersonId& id) {
                if (!seen.insert(id.str()).second) return;
                auto c = impl_->load_case(id);
                if (!c) return;
                for (auto& s : impl_->load_agir_of(id)) supports.push_back(std::move(s));
                cases.push_back(std::move(*c));
            };
            for (const auto& id : persons) load(id);
            for (std::size_t k = 0, n = cases.size(); k < n; ++k)
                if (const auto f = cases[k].person.rejoining_family_of) load(*f);
            snap = std::make_shared<const CaseSnapshot>(std::move(cases), std::move(supports), p);
        }
        // Every id resolved first: an unknown person leaves nothing half-built.
        std::vector<std::uint32_t> rows(persons.size());
        for (std::size_t i = 0; i < persons.size(); ++i) {
            rows[i] = snap->find(persons[i].str());
            if (rows[i] == CaseSnapshot::npos)
                throw NotFoundError("unknown person '" + persons[i].str() + "'", "person",
                                    persons[i].str());
        }
        detail::reserve(out, persons.size());
        for (std::size_t i = 0; i < persons.size(); ++i) snap->append(out, rows[i], dates[i]);
        return out;
    });
}

EligibilityColumns Store::eligibility_table(Date on) const {
    return detail::guard([&] {
        auto snap = impl_->current_case_snapshot();
        if (!snap) snap = impl_->build_case_snapshot();
        EligibilityColumns out;
        out.on = on.days();
        // By person id (the snapshot keeps the store's order, which is by id).
        detail::reserve(out, snap->size());
        for (std::uint32_t i = 0; i < snap->size(); ++i) snap->append(out, i, on);
        return out;
    });
}

ReferralColumns Store::referrals() const {
    return detail::guard([&] {
        ReferralColumns out;
        auto q = impl_->query(std::string("SELECT ") + detail::referral_columns_sql +
                              " FROM referrals ORDER BY referral_id");
        while (q.step()) {
            out.referral_id.push_back(q.text(0));
            out.person_id.push_back(q.text(1));
            out.from.push_back(q.text(2));
            out.to.push_back(q.text(3));
            out.need.push_back(detail::code(q.enumv<Need>(4)));
            out.status.push_back(detail::code(q.enumv<ReferralStatus>(5)));
            out.proposed_on.push_back(q.date(6).days());
            out.decided_on.push_back(detail::days_or_none(q.opt_date(7)));
            out.completed_on.push_back(detail::days_or_none(q.opt_date(8)));
        }
        return out;
    });
}

ActivityColumns Store::activities(std::optional<ContractId> contract) const {
    return detail::guard([&] {
        ActivityColumns out;
        auto q = impl_->query(
            "SELECT a.activity_id, a.contract_id, a.action, a.kind, a.type, a.date, a.hours, "
            "a.co_animated, a.structure, (SELECT count(*) FROM participations p WHERE "
            "p.activity_id = a.activity_id), (SELECT avg(p.satisfaction) FROM participations p "
            "WHERE p.activity_id = a.activity_id) FROM activities a WHERE ?1 IS NULL OR "
            "a.contract_id = ?1 ORDER BY a.contract_id, a.action, a.date, a.activity_id");
        std::optional<std::string> c;
        if (contract) c = contract->str();
        q.bind(c);
        while (q.step()) {
            out.activity_id.push_back(q.text(0));
            out.contract_id.push_back(q.text(1));
            out.action.push_back(q.i32(2));
            out.kind.push_back(detail::code(q.enumv<ActivityKind>(3)));
            out.type.push_back(q.text(4));
            out.date.push_back(q.date(5).days());
            out.hours.push_back(q.real(6));
            out.co_animated.push_back(q.i32(7) != 0 ? 1 : 0);
            out.structure.push_back(q.text(8));
            out.participants.push_back(q.i32(9));
            out.mean_satisfaction.push_back(q.null(10) ? std::numeric_limits<double>::quiet_NaN()
                                                       : q.real(10));
        }
        return out;
    });
}

// ---- audit ------------------------------------------------------------------------------

std::vector<AuditEntry> Store::audit_log(const AuditQuery& filter) const {
    return detail::guard([&] {
        std::vector<AuditEntry> out;
        std::optional<std::string> person;
        if (filter.person_id) person = filter.person_id->str();
        auto q = impl_->query(
            "SELECT seq, at, actor, entity, entity_id, person_id, operation, change, reason FROM "
            "audit_log WHERE seq > ?1 AND (?2 IS NULL OR entity = ?2) AND (?3 IS NULL OR "
            "entity_id = ?3) AND (?4 IS NULL OR person_id = ?4) ORDER BY seq");
        q.bind(filter.after_seq, filter.entity, filter.entity_id, person);
        while (q.step()) {
            AuditEntry e;
            e.seq = q.i64(0);
            e.at = q.text(1);
            e.actor = q.text(2);
            e.entity = q.text(3);
            e.entity_id = q.text(4);
            if (!q.null(5)) e.person_id = PersonId{q.text(5)};
            e.operation = q.text(6);
            e.change = q.text(7);
            e.reason = q.opt_text(8);
            out.push_back(std::move(e));
        }
        return out;
    });
}

}  // namespace ctai
