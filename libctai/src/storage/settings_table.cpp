// The store_settings table (schema version 6, domain R10): the territory and the policy in
// force, dated (one row per effective day, the rows of other days kept as the history) and
// audited (entity "settings", entity_id the effective day).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <ctai/settings.hpp>

#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

namespace ctai {

Date settings_today() {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    return Date::from_days(static_cast<std::int32_t>(days.time_since_epoch().count()));
}

namespace detail {
namespace {

// The row codec: the policy column holds policy_to_json's text.
StoreSettings read_row(Query& q) {
    StoreSettings s;
    s.effective = q.date(0);
    s.territory = q.opt_text(1);
    s.policy = policy_from_json(q.text(2), "store settings of " + to_iso(s.effective));
    return s;
}

std::optional<StoreSettings> settings_on(StoreImpl& impl, Date on) {
    auto q = impl.query(
        "SELECT effective, territory, policy FROM store_settings WHERE effective <= ? "
        "ORDER BY effective DESC LIMIT 1");
    q.bind(on);
    if (!q.step()) return std::nullopt;
    return read_row(q);
}

// The audit encoding: the whole entry (the policy as its JSON object).
Json audit_json(const StoreSettings& s) {
    return Json{{"effective", to_iso(s.effective)},
                {"territory", s.territory ? Json(*s.territory) : Json(nullptr)},
                {"policy", Json::parse(policy_to_json(s.policy))}};
}

}  // namespace

void StoreImpl::load_settings_policy() {
    const auto s = settings_on(*this, settings_today());
    policy = s ? s->policy : Policy{};
    policy_from_settings = true;
}

void refresh_settings_policy(Store& store) {
    auto& impl = *store.impl_;
    if (!impl.policy_from_settings || impl.depth > 0) return;
    const Policy before = impl.policy;
    impl.load_settings_policy();
    if (!(impl.policy == before)) {
        impl.case_snapshot.reset();  // built under the old policy
        impl.contract_data.reset();
    }
}

}  // namespace detail

std::optional<StoreSettings> Store::settings(std::optional<Date> on) const {
    return detail::guard([&] { return detail::settings_on(*impl_, on.value_or(settings_today())); });
}

std::vector<StoreSettings> Store::settings_history() const {
    return detail::guard([&] {
        std::vector<StoreSettings> out;
        auto q = impl_->query("SELECT effective, territory, policy FROM store_settings ORDER BY effective");
        while (q.step()) out.push_back(detail::read_row(q));
        return out;
    });
}

bool Store::put_settings(const StoreSettings& s) {
    return detail::guard([&] {
        if (s.territory && !is_departement_code(*s.territory))
            throw ValidationError("territory '" + *s.territory +
                                      "' is not a département code (e.g. 21, 2A, 971)",
                                  "territory");
        impl_->end_bulk();
        auto tx = transaction();
        std::optional<StoreSettings> old;
        {
            auto q = impl_->query("SELECT effective, territory, policy FROM store_settings WHERE effective = ?");
            q.bind(s.effective);
            if (q.step()) old = detail::read_row(q);
        }
        if (old && *old == s) return false;
        impl_->query("INSERT INTO store_settings (effective, territory, policy) VALUES (?, ?, ?) ON CONFLICT "
                     "(effective) DO UPDATE SET territory = excluded.territory, policy = excluded.policy")
            .bind(s.effective, s.territory, policy_to_json(s.policy))
            .exec();
        const auto after = detail::audit_json(s);
        if (old) {
            const auto before = detail::audit_json(*old);
            impl_->audit_upsert("settings", to_iso(s.effective), std::nullopt, &before, after);
        } else {
            impl_->audit_upsert("settings", to_iso(s.effective), std::nullopt, nullptr, after);
        }
        tx.commit();
        detail::refresh_settings_policy(*this);
        return true;
    });
}

}  // namespace ctai
