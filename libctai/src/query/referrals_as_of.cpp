// R6, R0.5: the referrals of a store as known on a date (orientations.hpp). Above storage:
// reads Store::referrals() and asks the domain (referral_state_on) row by row.
#include <ctai/orientations.hpp>

#include <utility>

#include <ctai/model.hpp>
#include <ctai/referrals.hpp>
#include <ctai/store.hpp>

namespace ctai {
namespace {

std::optional<Date> date_of(std::int32_t d) {
    if (d == no_date) return std::nullopt;
    return Date::from_days(d);
}

std::int32_t days_of(const std::optional<Date>& d) { return d ? d->days() : no_date; }

}  // namespace

ReferralTable referrals_as_of(ReferralColumns in, std::optional<Date> on,
                              const ReferralFilter& filter) {
    ReferralTable t;
    t.on = on;
    ReferralColumns& out = t.columns;
    for (std::size_t r = 0; r < in.size(); ++r) {
        Referral ref;
        ref.status = static_cast<ReferralStatus>(in.status[r]);
        ref.proposed_on = Date::from_days(in.proposed_on[r]);
        ref.decided_on = date_of(in.decided_on[r]);
        ref.completed_on = date_of(in.completed_on[r]);
        std::optional<ReferralState> st;
        if (on) st = referral_state_on(ref, *on);
        else st = referral_state_stored(ref);
        if (!st) continue;  // proposed after `on`: not known yet
        if (filter.status && st->status != *filter.status) continue;
        if (filter.need && in.need[r] != static_cast<std::uint8_t>(*filter.need)) continue;
        const auto direction = referral_direction(parse_referral_endpoint(in.from[r], "from"),
                                                  parse_referral_endpoint(in.to[r], "to"));
        out.referral_id.push_back(std::move(in.referral_id[r]));
        out.person_id.push_back(std::move(in.person_id[r]));
        out.from.push_back(std::move(in.from[r]));
        out.to.push_back(std::move(in.to[r]));
        out.need.push_back(in.need[r]);
        out.status.push_back(static_cast<std::uint8_t>(st->status));
        out.proposed_on.push_back(in.proposed_on[r]);
        out.decided_on.push_back(days_of(st->decided_on));
        out.completed_on.push_back(days_of(st->completed_on));
        t.direction.push_back(static_cast<std::uint8_t>(direction));
        t.age_days.push_back(on ? st->age_days : -1);
        t.waiting_on.push_back(st->waiting_on ? static_cast<std::uint8_t>(*st->waiting_on)
                                              : no_code);
        t.waiting_days.push_back(st->waiting_days.value_or(-1));
    }
    return t;
}

ReferralTable referrals_as_of(const Store& store, std::optional<Date> on,
                              const ReferralFilter& filter) {
    return referrals_as_of(store.referrals(), on, filter);
}

}  // namespace ctai
