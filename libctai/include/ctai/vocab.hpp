#pragma once
/// \file vocab.hpp
/// Every closed vocabulary of the domain as an enum, with ONE spelling table per enum
/// (STYLE principle 12). The same spellings are the exchange-format values, the SQL CHECK
/// constraints, the JSON values and the Python enum values.

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <ctai/date.hpp>
#include <ctai/error.hpp>

namespace ctai {

/// Sex as recorded (exchange format: `F`, `M`, empty = unknown).
enum class Sex { female, male, unknown };
/// CIR (contrat d'intégration républicaine) status.
enum class CirStatus { none, proposed, signed_ };  // `signed` is a C++ keyword: spelled "signed"
/// R2: kind of residence document.
enum class PermitKind { card, vls_ts, receipt, aps, asylum_certificate };
/// R2: motive of a residence permit.
enum class Motive {
    family, work, protection, student, student_mobility, temporary_worker, seasonal, talent,
    visitor, trainee, sick_foreigner, temporary_protection, other
};
/// R4/R5: type of protection decision (`temporary` = EU temporary protection, R5).
enum class ProtectionType { refugee, subsidiary, stateless, temporary };
/// R4: authority that granted the protection.
enum class Authority { ofpra, cnda, prefecture };
/// R3.3: situations that exclude a person from the primo-arrivant public while they last.
enum class SituationKind { asylum_seeker, unaccompanied_minor, irregular };
/// R1: nationality class at a date.
enum class NationalityClass { french, eu_eea_ch, third_country, undetermined };
/// The exclusive public category of a person at a date: bpi > bpt > primo_arrivant.
enum class PublicCategory { bpi, bpt, primo_arrivant };
/// R2: which date anchors the 5-year primo-arrivant window.
enum class PrimoAnchor { first_qualifying_permit, cir_signature, first_any_permit };
/// R6: AGIR recency rule.
enum class AgirRecency { rolling_2_years, calendar_n_minus_1 };
/// R8: the date at which age and BPI status are taken in indicators.
enum class AgeReference { entry, period_end, december_31 };
/// R6: how a contract action articulates with AGIR.
enum class AgirPolicy { excluded, partner, open };
/// R6: the need a referral answers / a partner action declares.
enum class Need { housing, health, childcare, language, mobility, employment, rights };
/// R7: who sent the person to the action.
enum class ReferralSource { agir, siao, ccas, social_worker, association, self, other };
/// R7: dated steps of a journey.
enum class StepKind { intake, diagnosis, support, follow_on, end_of_support };
/// R6: referral (orientation) lifecycle status.
enum class ReferralStatus { proposed, accepted, declined, completed, cancelled };
/// R6: which way a referral goes (its endpoints: AGIR or a CTAI action).
enum class ReferralDirection { agir_to_action, action_to_agir, action_to_action };
/// R6: the step an open referral waits on: the decision (proposed) or the entry into the
/// target (accepted, not yet completed).
enum class ReferralStep { decision, entry };
/// Activities recorded for the indicators.
enum class ActivityKind { workshop, individual_practice, event, actor_training };
/// Volunteering records (action 3 and action 2 indicators).
enum class VolunteeringKind { engagement, membership, one_off };
/// Housing types (R6 lasting housing, R8 action 4).
enum class HousingType {
    social_rental, private_rental, residence_sociale, fjt, intermediated_rental,
    pension_de_famille, emergency, hotel, asylum_accommodation, chrs, family_or_friends,
    street, other
};
/// Activity at AGIR exit (R6 positive exit).
enum class ExitActivity { cdi, cdd, training, none };
/// What ends on a date (`ctai windows`, windows.hpp): the five-year primo window (R3), the
/// AGIR recency window (R6), an AGIR support (R6, 24 months), a card or VLS-TS, a receipt,
/// an APS (R2).
enum class WindowKind { primo_window, agir_window, agir_support, permit, receipt, aps };

/// Spelling table of an enum: specialised for every enum above.
template <class E>
struct EnumTraits;

#define CTAI_ENUM_TRAITS(E, NAME, ...)                                              \
    template <>                                                                     \
    struct EnumTraits<E> {                                                          \
        static constexpr std::string_view name = NAME;                              \
        static constexpr auto names = std::to_array<std::string_view>({__VA_ARGS__}); \
    }

CTAI_ENUM_TRAITS(Feb29, "feb29", "last_day_of_february", "march_first");
CTAI_ENUM_TRAITS(Boundary, "boundary", "strict", "inclusive");
CTAI_ENUM_TRAITS(DatePrecision, "date_precision", "day", "month", "year");
CTAI_ENUM_TRAITS(Tri, "tri", "no", "yes", "unknown");
CTAI_ENUM_TRAITS(Sex, "sex", "female", "male", "unknown");
CTAI_ENUM_TRAITS(CirStatus, "cir_status", "none", "proposed", "signed");
CTAI_ENUM_TRAITS(PermitKind, "permit_kind", "card", "vls_ts", "receipt", "aps",
                 "asylum_certificate");
CTAI_ENUM_TRAITS(Motive, "motive", "family", "work", "protection", "student",
                 "student_mobility", "temporary_worker", "seasonal", "talent", "visitor",
                 "trainee", "sick_foreigner", "temporary_protection", "other");
CTAI_ENUM_TRAITS(ProtectionType, "protection_type", "refugee", "subsidiary", "stateless",
                 "temporary");
CTAI_ENUM_TRAITS(Authority, "authority", "ofpra", "cnda", "prefecture");
CTAI_ENUM_TRAITS(SituationKind, "situation", "asylum_seeker", "unaccompanied_minor",
                 "irregular");
CTAI_ENUM_TRAITS(NationalityClass, "nationality_class", "french", "eu_eea_ch",
                 "third_country", "undetermined");
CTAI_ENUM_TRAITS(PublicCategory, "public", "bpi", "bpt", "primo_arrivant");
CTAI_ENUM_TRAITS(PrimoAnchor, "primo_anchor", "first_qualifying_permit", "cir_signature",
                 "first_any_permit");
CTAI_ENUM_TRAITS(AgirRecency, "agir_recency", "rolling_2_years", "calendar_n_minus_1");
CTAI_ENUM_TRAITS(AgeReference, "age_reference", "entry", "period_end", "december_31");
CTAI_ENUM_TRAITS(AgirPolicy, "agir_policy", "excluded", "partner", "open");
CTAI_ENUM_TRAITS(Need, "need", "housing", "health", "childcare", "language", "mobility",
                 "employment", "rights");
CTAI_ENUM_TRAITS(ReferralSource, "referral_source", "agir", "siao", "ccas", "social_worker",
                 "association", "self", "other");
CTAI_ENUM_TRAITS(StepKind, "step", "intake", "diagnosis", "support", "follow_on",
                 "end_of_support");
CTAI_ENUM_TRAITS(ReferralStatus, "referral_status", "proposed", "accepted", "declined",
                 "completed", "cancelled");
CTAI_ENUM_TRAITS(ReferralDirection, "referral_direction", "agir_to_action", "action_to_agir",
                 "action_to_action");
CTAI_ENUM_TRAITS(ReferralStep, "referral_step", "decision", "entry");
CTAI_ENUM_TRAITS(ActivityKind, "activity_kind", "workshop", "individual_practice", "event",
                 "actor_training");
CTAI_ENUM_TRAITS(VolunteeringKind, "volunteering_kind", "engagement", "membership",
                 "one_off");
CTAI_ENUM_TRAITS(HousingType, "housing_type", "social_rental", "private_rental",
                 "residence_sociale", "fjt", "intermediated_rental", "pension_de_famille",
                 "emergency", "hotel", "asylum_accommodation", "chrs", "family_or_friends",
                 "street", "other");
CTAI_ENUM_TRAITS(ExitActivity, "exit_activity", "cdi", "cdd", "training", "none");
CTAI_ENUM_TRAITS(WindowKind, "window_kind", "primo_window", "agir_window", "agir_support",
                 "permit", "receipt", "aps");

#undef CTAI_ENUM_TRAITS

/// The spelling of an enum value ("?" for a value outside the enum, which only a cast
/// from a bad integer can make).
template <class E>
constexpr std::string_view to_string(E value) noexcept {
    const auto i = static_cast<std::size_t>(value);
    const auto& names = EnumTraits<E>::names;
    return i < names.size() ? names[i] : std::string_view("?");
}

/// All spellings of an enum, in declaration order.
template <class E>
constexpr std::span<const std::string_view> enum_names() noexcept {
    return EnumTraits<E>::names;
}

/// The value spelled `text`, or nullopt.
template <class E>
constexpr std::optional<E> try_from_string(std::string_view text) noexcept {
    const auto& names = EnumTraits<E>::names;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == text) return static_cast<E>(i);
    return std::nullopt;
}

/// The value spelled `text`. Throws ValidationError naming the vocabulary and the allowed
/// values; the text itself is not echoed (a shifted spreadsheet column can put a personal
/// field where a code was expected, R9).
template <class E>
E from_string(std::string_view text) {
    if (auto v = try_from_string<E>(text)) return *v;
    std::string allowed;
    for (auto n : EnumTraits<E>::names) {
        if (!allowed.empty()) allowed += ", ";
        allowed += n;
    }
    throw ValidationError(std::string(text.empty() ? "missing " : "invalid ") +
                              std::string(EnumTraits<E>::name) + " (expected one of: " + allowed + ")",
                          std::string(EnumTraits<E>::name));
}

}  // namespace ctai
