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
            detail::require_action(bulk->contract(*impl_, a.contract_id), a.action, label);
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
        detail::require_action(impl_->require_contract(a.contract_id), a.action, label);
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

}  // namespace ctai
