// The per-person and per-action records: volunteering, housing_moves, partnerships, costs
// (one small table each): audit encodings and their put_*.

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

namespace {

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

}  // namespace detail

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
            detail::require_action(impl_->contract_with_every_action(p.contract_id), p.action, "partnership");
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
        detail::require_action(impl_->contract_with_every_action(p.contract_id), p.action, "partnership");
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
        detail::require_action(impl_->contract_with_every_action(c.contract_id), c.action, label);
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

// ---- reads -----------------------------------------------------------------------------

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

}  // namespace ctai
