#include <ctai/referrals.hpp>

#include <algorithm>
#include <charconv>

#include <ctai/error.hpp>

namespace ctai {
namespace {

bool blank(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
    });
}

std::string label(const Referral& r) { return "referral '" + r.id.str() + "'"; }

bool needs_reason(ReferralStatus s) noexcept {
    return s == ReferralStatus::declined || s == ReferralStatus::cancelled;
}

}  // namespace

ReferralEndpoint parse_referral_endpoint(std::string_view text, std::string_view field) {
    if (text == "agir") return {};
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        throw ValidationError("invalid referral endpoint '" + std::string(text) +
                                  "' (expected 'agir' or '<contract_id>:<action>')",
                              std::string(field));
    int action = 0;
    const auto digits = text.substr(colon + 1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), action);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || action < 1)
        throw ValidationError("invalid action in referral endpoint '" + std::string(text) + "'",
                              std::string(field));
    return {ContractId{text.substr(0, colon)}, action};
}

std::string to_string(const ReferralEndpoint& e) {
    if (e.is_agir()) return "agir";
    return e.contract_id.str() + ":" + std::to_string(e.action);
}

bool referral_transition_allowed(ReferralStatus from, ReferralStatus to) noexcept {
    using S = ReferralStatus;
    switch (from) {
        case S::proposed: return to == S::accepted || to == S::declined;
        case S::accepted: return to == S::completed || to == S::cancelled;
        case S::declined:
        case S::completed:
        case S::cancelled: return false;
    }
    return false;
}

void check_referral(const Referral& r) {
    using S = ReferralStatus;
    if (r.id.empty()) throw ValidationError("referral without id", "referral_id");
    if (r.person_id.empty()) throw ValidationError(label(r) + ": no person", "person_id");
    const auto from = parse_referral_endpoint(r.from, "from");
    const auto to = parse_referral_endpoint(r.to, "to");
    if (from == to) throw ValidationError(label(r) + ": from and to are the same", "to");

    const bool decided = r.status != S::proposed;
    const bool closed = r.status == S::completed || r.status == S::cancelled;
    if (decided != r.decided_on.has_value())
        throw ValidationError(label(r) + (decided ? ": status " + std::string(to_string(r.status)) +
                                                        " without decided_on"
                                                  : ": proposed referral with decided_on"),
                              "decided_on");
    if (closed != r.completed_on.has_value())
        throw ValidationError(label(r) + (closed ? ": status " + std::string(to_string(r.status)) +
                                                       " without completed_on"
                                                 : ": completed_on set on an open referral"),
                              "completed_on");
    if (needs_reason(r.status) && (!r.reason || blank(*r.reason)))
        throw ValidationError(label(r) + ": status " + std::string(to_string(r.status)) +
                                  " needs a reason",
                              "reason");
    if ((r.decided_on && *r.decided_on < r.proposed_on) ||
        (r.completed_on && r.decided_on && *r.completed_on < *r.decided_on))
        throw ConflictError(label(r) + ": lifecycle dates out of order",
                            "R6.referral_transition");
}

Referral apply_referral_transition(const Referral& r, ReferralStatus to, Date on,
                                   std::optional<std::string> reason) {
    using S = ReferralStatus;
    if (!referral_transition_allowed(r.status, to))
        throw ConflictError(label(r) + ": cannot go from " + std::string(to_string(r.status)) +
                                " to " + std::string(to_string(to)),
                            "R6.referral_transition");
    const Date previous = r.decided_on.value_or(r.proposed_on);
    if (on < previous)
        throw ConflictError(label(r) + ": " + std::string(to_string(to)) +
                                " dated before the previous transition",
                            "R6.referral_transition");
    if (needs_reason(to) && (!reason || blank(*reason)))
        throw ValidationError(label(r) + ": " + std::string(to_string(to)) + " needs a reason",
                              "reason");
    Referral next = r;
    next.status = to;
    if (to == S::accepted || to == S::declined)
        next.decided_on = on;
    else
        next.completed_on = on;
    if (reason && !blank(*reason)) next.reason = std::move(reason);
    return next;
}

ReferralDirection referral_direction(const ReferralEndpoint& from,
                                     const ReferralEndpoint& to) noexcept {
    if (from.is_agir()) return ReferralDirection::agir_to_action;
    if (to.is_agir()) return ReferralDirection::action_to_agir;
    return ReferralDirection::action_to_action;
}

namespace {

std::optional<ReferralStep> step_of(ReferralStatus s) noexcept {
    if (s == ReferralStatus::proposed) return ReferralStep::decision;
    if (s == ReferralStatus::accepted) return ReferralStep::entry;
    return std::nullopt;
}

}  // namespace

std::optional<ReferralState> referral_state_on(const Referral& r, Date on) noexcept {
    using S = ReferralStatus;
    if (r.proposed_on > on) return std::nullopt;
    ReferralState st;
    st.age_days = on.days() - r.proposed_on.days();
    if (r.decided_on && *r.decided_on <= on) {
        st.decided_on = r.decided_on;
        if (r.status == S::declined) {
            st.status = S::declined;
        } else if (r.completed_on && *r.completed_on <= on) {
            st.status = r.status;  // completed or cancelled
            st.completed_on = r.completed_on;
        } else {
            st.status = S::accepted;
        }
    }
    st.waiting_on = step_of(st.status);
    if (st.waiting_on == ReferralStep::decision) st.waiting_days = st.age_days;
    else if (st.waiting_on == ReferralStep::entry)
        st.waiting_days = on.days() - st.decided_on->days();
    return st;
}

ReferralState referral_state_stored(const Referral& r) noexcept {
    ReferralState st;
    st.status = r.status;
    st.decided_on = r.decided_on;
    st.completed_on = r.completed_on;
    st.waiting_on = step_of(r.status);
    return st;
}

}  // namespace ctai
