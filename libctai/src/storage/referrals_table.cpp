// The referrals table (R6): the row write, the audit encoding, put_referral and the
// service API (propose, accept, decline, complete, cancel). The lifecycle is asked of the
// domain (domain/journey_rules.hpp, ctai/referrals.hpp).

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

}  // namespace

std::optional<Referral> StoreImpl::load_referral(const ReferralId& id) {
    auto q = query(std::string("SELECT ") + referral_columns_sql +
                   " FROM referrals WHERE referral_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return read_referral(q);
}

std::vector<Referral> StoreImpl::load_referrals_of(const PersonId& id) {
    std::vector<Referral> out;
    auto q = query(std::string("SELECT ") + referral_columns_sql +
                   " FROM referrals WHERE person_id = ? ORDER BY proposed_on, referral_id");
    q.bind(id);
    while (q.step()) out.push_back(read_referral(q));
    return out;
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

namespace {

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

}  // namespace

}  // namespace detail

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
                    detail::require_action(impl_->contract_with_every_action(e.contract_id), e.action,
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
                detail::require_action(impl_->contract_with_every_action(e.contract_id), e.action,
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

// ---- reads -----------------------------------------------------------------------------

Referral Store::referral(const ReferralId& id) const {
    auto r = detail::guard([&] { return impl_->load_referral(id); });
    if (!r) throw NotFoundError("unknown referral '" + id.str() + "'", "referral", id.str());
    return std::move(*r);
}

std::vector<Referral> Store::referrals_of(const PersonId& person) const {
    return detail::guard([&] { return impl_->load_referrals_of(person); });
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

}  // namespace ctai
