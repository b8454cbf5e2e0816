#pragma once
/// \file household_rule.hpp
/// R3, policy minors_follow_household: an accompanied minor follows the primo-arrivant
/// window of an adult of their household. A rule across persons: the caller (the store, the
/// case snapshot) hands in the cases of the household; no storage here.

#include <optional>
#include <span>

#include <ctai/date.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai {

/// The window a minor follows: the anchor T1 and the first day outside the window of the
/// primo-arrivant adult of the household.
struct FollowedWindow {
    Date anchor;
    Date window_end;
    friend bool operator==(const FollowedWindow&, const FollowedWindow&) = default;
};

/// R3 minors_follow_household at `own.on`, for the case `c` whose own evaluation is `own`
/// (evaluate() under `p`): the window followed, or nullopt. It holds iff the option is set,
/// `c` is not primo-arrivant in their own right, is a third-country national at D, under 18
/// at D (R0.3; a partial birth date decides only when every compatible day agrees, an
/// unknown one never makes a minor, R0.4), holds no qualifying permit started on or before
/// D, is in no situation of R3.3 at D (an unaccompanied minor is not accompanied), and a
/// member of the same household is 18 or over at D and primo-arrivant at D (evaluate(), so
/// on the facts known at D, R0.5). Several such adults: the window that ends last.
/// `members`: cases of the household in any order (`c` itself, persons of another
/// household and null pointers are ignored).
std::optional<FollowedWindow> household_window(const PersonCase& c, const Eligibility& own,
                                               const Policy& p,
                                               std::span<const PersonCase* const> members);

/// Applies household_window() to `e` (evaluate()'s answer for `c`): primo_arrivant, the
/// anchor and window end followed, ctai_public, the public category and, with
/// Explain::reasons, the R3 sentence (naming the rule and the household id, never a field
/// of the adult) and the last "CTAI public" one. Returns whether the rule applied.
bool follow_household(Eligibility& e, const PersonCase& c, const Policy& p,
                      std::span<const PersonCase* const> members,
                      Explain explain = Explain::reasons);

}  // namespace ctai
