// The journeys and steps tables: the row write, the audit encoding, put_journey (bulk and
// upsert paths) and the service API (enroll, add_step, exit_journey). The rules are asked of
// the domain (domain/journey_rules.hpp): this file loads the values they need and persists.
// Columnar reads: store_journeys.cpp.

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

namespace {

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

// A new journey in a bulk load: the rules of store_journey, checked against memory.
void bulk_insert_journey(StoreImpl& impl, BulkSession& b, const Journey& j) {
    const auto cit = b.cases.find(j.person_id.str());
    if (cit == b.cases.end())
        throw NotFoundError("journey '" + j.id.str() + "': unknown person '" + j.person_id.str() +
                                "'",
                            "person", j.person_id.str());
    const Contract& contract = impl.contract_at(j.contract_id, j.entry_date);  // R10
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
                                                   impl.policy, need, family,
                                                   impl.lineage_of(j.contract_id));
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
    const Contract contract = contract_at(j.contract_id, j.entry_date);  // R10
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
        verdict = rules::check_journey_enrollment(contract, j, *c, others, agir, policy,
                                                  need, family ? &*family : nullptr,
                                                  lineage_of(j.contract_id));
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

// ---- reads -----------------------------------------------------------------------------

Journey Store::journey(const JourneyId& id) const {
    auto j = detail::guard([&] { return impl_->load_journey(id); });
    if (!j) throw NotFoundError("unknown journey '" + id.str() + "'", "journey", id.str());
    return std::move(*j);
}

std::vector<Journey> Store::journeys_of(const PersonId& person) const {
    return detail::guard([&] { return impl_->load_journeys_of(person); });
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

}  // namespace ctai
