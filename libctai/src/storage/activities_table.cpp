// The activities and participations tables: audit encodings, put_activity and
// put_participation.

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

}  // namespace

std::optional<Activity> StoreImpl::load_activity(const ActivityId& id) {
    auto q = query(std::string("SELECT ") + activity_columns_sql +
                   " FROM activities WHERE activity_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return read_activity(q);
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

namespace {

std::string participation_json_text(const Participation& p) {
    FlatJson w;
    w.begin_object();
    w.key("activity_id").str(p.activity_id.str());
    w.key("satisfaction");
    p.satisfaction ? w.integer(*p.satisfaction) : w.null();
    w.end_object();
    return std::move(w.out);
}

}  // namespace

}  // namespace detail

bool Store::put_activity(const Activity& a) {
    return detail::guard([&] {
        rules::enforce(rules::check_activity(a));
        const std::string label = "activity '" + a.id.str() + "'";
        auto* bulk = impl_->bulk.get();
        if (bulk && !bulk->activity_ids.count(a.id.str())) {
            detail::require_action(impl_->contract_with_every_action(a.contract_id), a.action, label);
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
        detail::require_action(impl_->contract_with_every_action(a.contract_id), a.action, label);
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

// ---- reads -----------------------------------------------------------------------------

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

}  // namespace ctai
