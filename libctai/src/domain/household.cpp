// R3, policy minors_follow_household (domain R3, last paragraphs): an accompanied minor
// holds no permit of their own; with the option, they are primo-arrivant with the window of
// a primo-arrivant adult of their household. Reasons name the rule and the household id,
// never a field of the adult (R9).
#include <ctai/household_rule.hpp>

#include <algorithm>
#include <string>

namespace ctai {
namespace {

constexpr int adult_age = 18;

bool qualifying_permit_known(const PersonCase& c, Date on, const Policy& p) {
    return std::any_of(c.permits.begin(), c.permits.end(), [&](const Permit& pm) {
        return (pm.kind == PermitKind::card || pm.kind == PermitKind::vls_ts) &&
               !p.excluded_motives.contains(pm.motive) && pm.valid_from <= on;
    });
}

bool excluded_by_situation(const PersonCase& c, Date on, bool bpi) {
    return std::any_of(c.situations.begin(), c.situations.end(), [&](const Situation& s) {
        const bool active = s.start <= on && (!s.end || on < *s.end);
        return active && !(s.kind == SituationKind::asylum_seeker && bpi);
    });
}

Tri minor_on(const PersonCase& c, Date on, const Policy& p) {
    if (!c.person.birth_date) return Tri::unknown;
    return under_age(*c.person.birth_date, adult_age, on, p.feb29);
}

}  // namespace

std::optional<FollowedWindow> household_window(const PersonCase& c, const Eligibility& own,
                                               const Policy& p,
                                               std::span<const PersonCase* const> members) {
    const Date on = own.on;
    if (!p.minors_follow_household || own.primo_arrivant || !c.person.household_id ||
        own.nationality_class != NationalityClass::third_country ||
        minor_on(c, on, p) != Tri::yes || qualifying_permit_known(c, on, p) ||
        excluded_by_situation(c, on, own.bpi))
        return std::nullopt;
    std::optional<FollowedWindow> best;
    for (const PersonCase* m : members) {
        if (!m || m->person.id == c.person.id || m->person.household_id != c.person.household_id ||
            minor_on(*m, on, p) != Tri::no)
            continue;
        const Eligibility adult = evaluate(*m, on, p, nullptr, Explain::none);
        if (!adult.primo_arrivant || !adult.primo_anchor || !adult.primo_window_end) continue;
        const FollowedWindow w{*adult.primo_anchor, *adult.primo_window_end};
        if (!best || std::tie(best->window_end, best->anchor) < std::tie(w.window_end, w.anchor))
            best = w;
    }
    return best;
}

bool follow_household(Eligibility& e, const PersonCase& c, const Policy& p,
                      std::span<const PersonCase* const> members, Explain explain) {
    const auto w = household_window(c, e, p, members);
    if (!w) return false;
    e.primo_arrivant = true;
    e.primo_anchor = w->anchor;
    e.primo_window_end = w->window_end;
    e.ctai_public = true;
    if (!e.bpi && !e.bpt) e.public_category = PublicCategory::primo_arrivant;
    if (explain == Explain::reasons) {
        auto& r = e.reasons;
        const std::string sentence =
            "R3: primo-arrivant as an accompanied minor of household " +
            c.person.household_id->str() +
            " (minors_follow_household: the window of a primo-arrivant adult of the household)";
        const auto first = std::find_if(r.begin(), r.end(), [](const std::string& s) {
            return s.starts_with("R3");
        });
        const auto at = first - r.begin();
        r.erase(std::remove_if(r.begin(), r.end(),
                               [](const std::string& s) { return s.starts_with("R3"); }),
                r.end());
        r.insert(r.begin() + std::min<std::ptrdiff_t>(at, static_cast<std::ptrdiff_t>(r.size())),
                 sentence);
        for (auto& s : r)
            if (s == "CTAI public: no") s = "CTAI public: yes";
        for (ReasonCode& rc : e.reason_codes)
            if (dimension(rc.code) == ReasonDimension::primo_arrivant)
                rc = ReasonCode{Reason::primo_follows_household, w->window_end};
    }
    return true;
}

}  // namespace ctai
