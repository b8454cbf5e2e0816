#pragma once
/// \file eligibility.hpp
/// R2 to R6: who is a primo-arrivant, a BPI, a BPT or AGIR-eligible at a date, and why.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai {

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

/// Appends to e.reasons the sentences evaluate() writes for its answer `e` about case `c`
/// (every other field of `e` filled as evaluate() fills them).
void explain(Eligibility& e, const PersonCase& c, const Policy& p);

/// The JSON object of `ctai check --format json` (interfaces.md section 2): person_id,
/// nationality_class, public, primo_arrivant, bpi, bpt, agir, ctai_public,
/// primo_window_end, agir_window_end (ISO or null), reasons. One definition for the
/// command and the Python `Eligibility.to_dict()`. `indent` < 0 gives one line.
std::string to_json(const Eligibility& e, int indent = -1);

/// R6: support window: active on `d` iff entry <= d < add_months(entry, 24) (boundary
/// policy applies to the end).
bool agir_support_active(Date entry, Date d, const Policy& p);

/// R6: AGIR positive exit: lasting housing AND (CDI, CDD of at least 6 months, or
/// qualifying training).
bool agir_positive_exit(const AgirSupport& s, const Policy& p);

}  // namespace ctai
