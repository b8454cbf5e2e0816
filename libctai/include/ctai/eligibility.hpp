#pragma once
/// \file eligibility.hpp
/// R2 to R6: who is a primo-arrivant, a BPI, a BPT or AGIR-eligible at a date, and why.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai {

/// A stable reason code (docs/rules.md, "Reason codes"): the rule and the branch that
/// decided one dimension of an answer. The spellings (reason_code_names()) never change
/// and are never translated; the sentences of Eligibility::reasons may be.
enum class Reason : std::uint8_t {
    nationality_undetermined,  // R1.undetermined
    primo_arrivant,            // R3.primo_arrivant, date: T1
    primo_not_third_country,   // R3.not_third_country
    primo_no_anchor,           // R3.no_anchor
    primo_window_ended,        // R3.window_ended, date: first day outside the window
    primo_asylum_seeker,       // R3.asylum_seeker, date: start of the situation
    primo_unaccompanied_minor, // R3.unaccompanied_minor, date: start of the situation
    primo_irregular,           // R3.irregular, date: start of the situation
    primo_no_regular_stay,     // R3.no_regular_stay, date: first day without a permit
    primo_no_cir,              // R3.no_cir
    bpi,                       // R4.bpi, date: protection date
    bpi_no_protection,         // R4.no_protection
    bpi_not_foreigner,         // R4.not_foreigner, date: nationality acquired (dated)
    bpi_window_ended,          // R4.window_ended, date: end of bpi_window_years
    bpi_protection_ended,      // R4.protection_ended, date: end of the protection
    bpt,                       // R5.bpt, date: decision of the temporary protection
    bpt_no_temporary_protection,  // R5.no_temporary_protection
    bpt_displaced_before,      // R5.displaced_before, date: displacement date
    bpt_not_foreigner,         // R5.not_foreigner, date: nationality acquired (dated)
    bpt_outside_period,        // R5.outside_period, date: the bound crossed
    agir_own_right,            // R6.own_right, date: protection date for AGIR
    agir_family,               // R6.family
    agir_not_bpi,              // R6.not_bpi
    agir_bpt,                  // R6.bpt
    agir_not_deployed,         // R6.not_deployed, date: deployment date, if any
    agir_stateless_excluded,   // R6.stateless_excluded
    agir_recency_ended,        // R6.recency_ended, date: first day outside the window
    agir_family_not_eligible,  // R6.family_not_eligible
    primo_follows_household,   // R3.follows_household, date: first day outside the window
                               // (minors_follow_household; appended: codes never move)
};

/// The dimension of an answer a reason code decides (one code per dimension in every
/// explained Eligibility, plus R1.undetermined when the nationality is undetermined).
enum class ReasonDimension : std::uint8_t { nationality, primo_arrivant, bpi, bpt, agir };

/// The stable spelling of every Reason, in declaration order ("R3.window_ended", ...).
std::span<const std::string_view> reason_code_names() noexcept;
std::string_view to_string(Reason r) noexcept;
ReasonDimension dimension(Reason r) noexcept;

/// One reason code of an answer, with the date that decided it (see Reason; nullopt when
/// the branch has no date).
struct ReasonCode {
    Reason code{};
    std::optional<Date> date;
    friend bool operator==(const ReasonCode&, const ReasonCode&) = default;
};

/// The outcome of evaluating one person at one date. `reasons` are human-readable
/// sentences built from codes and dates only (never personal fields).
struct Eligibility {
    PersonId person_id;
    Date on;
    NationalityClass nationality_class = NationalityClass::undetermined;
    bool primo_arrivant = false;
    bool bpi = false;
    bool bpt = false;
    /// R6: AGIR-eligible if `on` were the orientation date.
    bool agir = false;
    /// In the public of the CTAI actions: primo_arrivant || bpi || bpt.
    bool ctai_public = false;
    /// Exclusive category bpi > bpt > primo_arrivant (`public` in Python and JSON).
    std::optional<PublicCategory> public_category;
    /// R2: T1, the anchor of the five-year window, if known at `on` (R0.5).
    std::optional<Date> primo_anchor;
    /// R3: first day outside the five-year window (null without T1 known at `on`).
    std::optional<Date> primo_window_end;
    /// R4: protection date (decision date of the first qualifying decision), if decided on
    /// or before `on` (R0.5).
    std::optional<Date> protection_date;
    /// R6: first day outside the AGIR recency window (null until the protection that opens
    /// it is decided, R0.5).
    std::optional<Date> agir_window_end;
    std::vector<std::string> reasons;
    /// The stable codes of the answer (written with the reasons, by explain()): one per
    /// dimension primo_arrivant, bpi, bpt, agir, in that order, after R1.undetermined when
    /// it applies.
    std::vector<ReasonCode> reason_codes;
};

/// R2: T1 under the policy's anchor, or nullopt. For a BPI without a qualifying permit the
/// anchor falls back to the protection date (R3, last paragraph).
std::optional<Date> primo_anchor(const PersonCase& c, const Policy& p);

/// R4: the protection date: decision date of the first refugee/subsidiary (and stateless
/// when the policy says so) decision, or nullopt.
std::optional<Date> protection_date(const PersonCase& c, const Policy& p);

/// R4: BPI at `on`.
bool is_bpi(const PersonCase& c, Date on, const Policy& p);

/// R5: BPT at `on`.
bool is_bpt(const PersonCase& c, Date on, const Policy& p);

/// R3: primo-arrivant at `on`.
bool is_primo_arrivant(const PersonCase& c, Date on, const Policy& p);

/// R4: whether a protection of type `t` makes its holder a BPI while in force (refugee,
/// subsidiary; stateless when the policy says so).
bool counts_as_bpi(ProtectionType t, const Policy& p);

/// R5: whether a protection makes its holder a BPT while in force and inside
/// [bpt_first_day, p.bpt_end()]: temporary, and displaced from Ukraine on or after
/// 2022-02-24 when the displacement date is known (the APS proves the status: a missing
/// date does not exclude).
bool counts_as_bpt(const Protection& pr);
/// R5: the first day of BPT status (the temporary protection decision of 2022-03-04).
inline constexpr Date bpt_first_day = Date::from_days(19055);  // 2022-03-04

/// R3.4: when the CIR condition of the primo-arrivant rule holds: always, never, or from a
/// date on (the signature, or the dated proposal accepted for Algerian nationals).
struct CirCondition {
    enum class Kind : std::uint8_t { always, never, from } kind = Kind::always;
    Date from;  // meaningful for Kind::from
    bool holds_on(Date on) const noexcept {
        return kind == Kind::always || (kind == Kind::from && from <= on);
    }
};
CirCondition cir_condition(const Person& person, const Policy& p);

/// R6: first day outside the AGIR recency window for a protection date.
Date agir_window_end(Date protection, const Policy& p);

/// R6: AGIR eligibility at orientation date `on`. `family_bpi` is the case of the BPI the
/// person joins when person.rejoining_family_of is set (nullptr when unknown).
bool is_agir_eligible(const PersonCase& c, Date on, const Policy& p,
                      const PersonCase* family_bpi = nullptr);

/// Whether evaluate() writes the human-readable Eligibility::reasons (`none`: every other
/// field is the same, the sentences are not built; for bulk evaluation).
enum class Explain : std::uint8_t { reasons, none };

/// R1 to R6: the full evaluation, with reasons unless `explain` is Explain::none.
Eligibility evaluate(const PersonCase& c, Date on, const Policy& p,
                     const PersonCase* family_bpi = nullptr, Explain explain = Explain::reasons);

/// The facts of a case that do not depend on the date of evaluation, under a policy: what
/// evaluate() needs first (R3, R4, R6). Compute them once to evaluate a case at many dates.
/// The dates here are those known once every fact of the case is known; what is known at a
/// date D (R0.5) is known_on(facts, D).
struct CaseFacts {
    /// R4: decision date of the first decision counting as BPI for the CTAI.
    std::optional<Date> protection_date;
    /// R3: T1 and the first day outside its window, every fact known.
    std::optional<Date> primo_anchor;
    std::optional<Date> primo_window_end;
    /// R6: first day outside the AGIR recency window of agir_protection_date.
    std::optional<Date> agir_window_end;
    /// R1: the nationality class on dates up to 2020-12-31 and after it (the only date it
    /// depends on for undated nationalities: the end of the Brexit transition period).
    NationalityClass nationality_to_2020 = NationalityClass::undetermined;
    NationalityClass nationality_from_2021 = NationalityClass::undetermined;
    /// R6: the date AGIR starts in the person's département under the policy (none when
    /// not deployed there).
    std::optional<Date> agir_deployed_on;
    /// R2: the anchor from the case's own documents (permit or CIR, no protection fallback)
    /// and the end of its five-year window.
    std::optional<Date> own_anchor;
    std::optional<Date> own_window_end;
    /// R3: the end of the five-year window from the protection date (the fallback anchor).
    std::optional<Date> fallback_window_end;
    /// R4/R6: decision date of the first decision counting as BPI for AGIR
    /// (agir_includes_stateless).
    std::optional<Date> agir_protection_date;
    /// R4 bpi_window_years: first day the BPI status no longer counts for the CTAI.
    std::optional<Date> bpi_window_end;
    /// R1: the person has dated nationalities (the class is then computed at each date).
    bool dated_nationality = false;
    friend bool operator==(const CaseFacts&, const CaseFacts&) = default;
};

/// R0.5: the dates of a case as known at `on` (facts dated after `on` do not exist yet): the
/// protection date when decided on or before `on`, the anchor T1 (a permit or CIR dated on or
/// before `on`, else that protection date) and its window end, the AGIR window end when the
/// protection that opens it is decided on or before `on`.
struct KnownDates {
    std::optional<Date> protection_date;
    std::optional<Date> primo_anchor;
    std::optional<Date> primo_window_end;
    std::optional<Date> agir_window_end;
};
KnownDates known_on(const CaseFacts& f, Date on);

/// R1: the nationality class of a person at `on`, from their dated nationalities when they
/// have some, else from their undated ones.
NationalityClass nationality_class_on(const PersonCase& c, Date on);

/// R6: whether the person holds at `on` an AGIR right of their own (BPI for AGIR, foreign,
/// protection recent under agir_recency); not the département nor the BPT condition.
bool has_own_agir_right(const PersonCase& c, Date on, const Policy& p);

CaseFacts case_facts(const PersonCase& c, const Policy& p);

/// evaluate() with `facts` = case_facts(c, p) (the same result, without recomputing them).
Eligibility evaluate(const PersonCase& c, const CaseFacts& facts, Date on, const Policy& p,
                     const PersonCase* family_bpi = nullptr, Explain explain = Explain::reasons);

/// Appends to e.reasons the sentences, and to e.reason_codes the codes, evaluate() writes for its answer `e` about case `c`
/// (every other field of `e` filled as evaluate() fills them).
void explain(Eligibility& e, const PersonCase& c, const Policy& p);

/// The JSON object of `ctai check --format json` (interfaces.md section 2): person_id,
/// nationality_class, public, primo_arrivant, bpi, bpt, agir, ctai_public,
/// primo_window_end, agir_window_end (ISO or null), reasons, and reason_codes
/// ([{"code", "date" (ISO or null)}], after every key of the contract). One definition for the
/// command and the Python `Eligibility.to_dict()`. `indent` < 0 gives one line.
std::string to_json(const Eligibility& e, int indent = -1);

/// R6: support window: active on `d` iff entry <= d < add_months(entry, 24) (boundary
/// policy applies to the end).
bool agir_support_active(Date entry, Date d, const Policy& p);

/// R6: AGIR positive exit: lasting housing AND (CDI, CDD of at least 6 months, or
/// qualifying training).
bool agir_positive_exit(const AgirSupport& s, const Policy& p);

}  // namespace ctai
