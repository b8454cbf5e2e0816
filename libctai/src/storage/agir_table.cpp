// The agir_supports table (R6): the audit encoding and put_agir_support.

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

}  // namespace

std::vector<AgirSupport> read_all_agir(StoreImpl& impl) {
    std::vector<AgirSupport> out;
    auto q = impl.query(std::string("SELECT ") + agir_columns +
                        " FROM agir_supports ORDER BY person_id, orientation_date");
    while (q.step()) out.push_back(read_agir(q));
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

Json to_json(const AgirSupport& s) {
    return Json{{"orientation_date", date_json(s.orientation_date)},
                {"entry_date", date_json(s.entry_date)},
                {"exit_date", date_json(s.exit_date)},
                {"exit_housing", enum_json(s.exit_housing)},
                {"exit_activity", enum_json(s.exit_activity)},
                {"cdd_months", opt_json(s.cdd_months)}};
}

namespace {

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

}  // namespace

}  // namespace detail

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

// ---- reads -----------------------------------------------------------------------------

std::vector<AgirSupport> Store::agir_supports_of(const PersonId& person) const {
    return detail::guard([&] { return impl_->load_agir_of(person); });
}

std::vector<AgirSupport> Store::all_agir_supports() const {
    return detail::guard([&] { return detail::read_all_agir(*impl_); });
}

}  // namespace ctai
