// R2 to R6: eligibility rules. Reasons name rules, codes and policy dates, never the
// person's own fields (R9).
#include <ctai/eligibility.hpp>

#include <algorithm>

#include <ctai/nationality.hpp>

namespace ctai {
namespace {

const Date bpt_displacement_from{2022, 2, 24};

bool is_residence_permit(PermitKind k) { return k == PermitKind::card || k == PermitKind::vls_ts; }

bool qualifies(const Permit& pm, const Policy& p) {
    return is_residence_permit(pm.kind) && !p.excluded_motives.contains(pm.motive);
}

bool in_force(const Protection& pr, Date on) {
    return pr.decision_date <= on && (!pr.end_date || on < *pr.end_date);
}

bool situation_active(const Situation& s, Date on) {
    return s.start <= on && (!s.end || on < *s.end);
}

// R4/R5: an *étranger* at the date (R1): not French, not EU/EEA/CH. An undetermined class
// does not end a protection (it is flagged for completion, never assumed).
bool is_foreigner(NationalityClass nc) {
    return nc == NationalityClass::third_country || nc == NationalityClass::undetermined;
}

// R3.5: a permit or a receipt in force at the date (valid_to is the last valid day).
bool permit_in_force(const Permit& pm, Date on) {
    return pm.kind != PermitKind::asylum_certificate && pm.valid_from <= on &&
           (!pm.valid_to || on <= *pm.valid_to);
}

bool regular_stay(const PersonCase& c, Date on) {
    return std::any_of(c.permits.begin(), c.permits.end(),
                       [&](const Permit& pm) { return permit_in_force(pm, on); });
}

// R4/R6: whether a protection of type `t` makes its holder a BPI for AGIR.
bool counts_for_agir(ProtectionType t, const Policy& p) {
    return t == ProtectionType::refugee || t == ProtectionType::subsidiary ||
           (t == ProtectionType::stateless && p.agir_includes_stateless);
}

std::optional<Date> first_decision(const PersonCase& c, auto&& pred) {
    std::optional<Date> best;
    for (const auto& pr : c.protections)
        if (pred(pr.type) && (!best || pr.decision_date < *best)) best = pr.decision_date;
    return best;
}

std::optional<Date> earliest_permit(const PersonCase& c, auto&& pred) {
    std::optional<Date> best;
    for (const auto& pm : c.permits)
        if (pred(pm) && (!best || pm.valid_from < *best)) best = pm.valid_from;
    return best;
}

bool agir_recent(Date protection, Date on, const Policy& p) {
    return protection <= on && on < agir_window_end(protection, p);
}

bool agir_deployed(const PersonCase& c, Date on, const Policy& p) {
    auto it = p.agir_start.find(c.person.department);
    return it != p.agir_start.end() && it->second <= on;
}

// Whether the person holds AGIR eligibility in their own right (BPI, recent protection).
bool agir_own_right(const PersonCase& c, Date on, const Policy& p) {
    return has_own_agir_right(c, on, p);
}

bool cir_ok(const PersonCase& c, Date on, const Policy& p) {
    return cir_condition(c.person, p).holds_on(on);
}

}  // namespace

bool counts_as_bpi(ProtectionType t, const Policy& p) {
    return t == ProtectionType::refugee || t == ProtectionType::subsidiary ||
           (t == ProtectionType::stateless && p.bpi_includes_stateless);
}

bool counts_as_bpt(const Protection& pr) {
    return pr.type == ProtectionType::temporary &&
           (!pr.displaced_on || bpt_displacement_from <= *pr.displaced_on);
}

NationalityClass nationality_class_on(const PersonCase& c, Date on) {
    if (c.nationalities.empty()) return nationality_class(c.person.nationalities, on);
    std::vector<std::string> held;
    for (const auto& n : c.nationalities)
        if (n.held_on(on)) held.push_back(n.code);
    return nationality_class(held, on);
}

KnownDates known_on(const CaseFacts& f, Date on) {
    KnownDates k;
    if (f.protection_date && *f.protection_date <= on) k.protection_date = f.protection_date;
    if (f.own_anchor && *f.own_anchor <= on) {
        k.primo_anchor = f.own_anchor;
        k.primo_window_end = f.own_window_end;
    } else if (k.protection_date) {
        // R3: a BPI without a card yet (at `on`) is anchored on the protection decision.
        k.primo_anchor = k.protection_date;
        k.primo_window_end = f.fallback_window_end;
    }
    if (f.agir_protection_date && *f.agir_protection_date <= on) k.agir_window_end = f.agir_window_end;
    return k;
}

bool has_own_agir_right(const PersonCase& c, Date on, const Policy& p) {
    if (!is_foreigner(nationality_class_on(c, on))) return false;
    const bool bpi = std::any_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
        return counts_for_agir(pr.type, p) && in_force(pr, on);
    });
    const auto prot = first_decision(c, [&](ProtectionType t) { return counts_for_agir(t, p); });
    return bpi && prot && agir_recent(*prot, on, p);
}

CirCondition cir_condition(const Person& per, const Policy& p) {
    using K = CirCondition::Kind;
    if (!p.require_cir) return {K::always, {}};
    // Signed: from the signature date (a signature without a date never counts).
    if (per.cir_status == CirStatus::signed_)
        return per.cir_date ? CirCondition{K::from, *per.cir_date} : CirCondition{K::never, {}};
    // Proposed: accepted for Algerian nationals when the policy says so, from the proposal
    // date when known.
    const bool algerian = std::find(per.nationalities.begin(), per.nationalities.end(), "DZ") !=
                          per.nationalities.end();
    if (per.cir_status == CirStatus::proposed && p.accept_cir_proposed && algerian)
        return per.cir_date ? CirCondition{K::from, *per.cir_date} : CirCondition{K::always, {}};
    return {K::never, {}};
}

std::optional<Date> protection_date(const PersonCase& c, const Policy& p) {
    return first_decision(c, [&](ProtectionType t) { return counts_as_bpi(t, p); });
}

namespace {
// The rules below take the facts evaluate() computes once (nationality class, protection
// date, anchor, BPI) instead of recomputing them per rule.

// R2: the anchor from the case's own documents (no protection fallback).
std::optional<Date> own_anchor(const PersonCase& c, const Policy& p) {
    std::optional<Date> anchor;
    switch (p.primo_anchor) {
        case PrimoAnchor::first_qualifying_permit:
            anchor = earliest_permit(c, [&](const Permit& pm) { return qualifies(pm, p); });
            break;
        case PrimoAnchor::first_any_permit:
            anchor = earliest_permit(c, [](const Permit& pm) { return is_residence_permit(pm.kind); });
            break;
        case PrimoAnchor::cir_signature:
            if (c.person.cir_status == CirStatus::signed_) anchor = c.person.cir_date;
            break;
    }
    return anchor;
}

std::optional<Date> anchor_given(const PersonCase& c, const Policy& p,
                                 const std::optional<Date>& protection) {
    // R3: a BPI without a card yet is anchored on the protection decision.
    auto anchor = own_anchor(c, p);
    if (!anchor) anchor = protection;
    return anchor;
}

// `window_end`: period_end_years(*t1, 5) under the policy (R3).
bool primo_given(const PersonCase& c, Date on, const Policy& p, NationalityClass nc,
                 const std::optional<Date>& t1, const std::optional<Date>& window_end, bool bpi) {
    if (nc != NationalityClass::third_country) return false;
    if (!t1 || !window_end || on < *t1 || !(on < *window_end)) return false;
    for (const auto& s : c.situations)
        if (situation_active(s, on) && !(s.kind == SituationKind::asylum_seeker && bpi))
            return false;
    if (p.require_regular_stay && !regular_stay(c, on)) return false;
    return cir_ok(c, on, p);
}

// R4 at `on` for the CTAI, given the nationality class and the facts.
bool bpi_given(const PersonCase& c, Date on, const Policy& p, NationalityClass nc,
               const CaseFacts& f) {
    if (!is_foreigner(nc)) return false;
    if (f.bpi_window_end && !(on < *f.bpi_window_end)) return false;
    return std::any_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
        return counts_as_bpi(pr.type, p) && in_force(pr, on);
    });
}

// R5 at `on`, given the nationality class.
bool bpt_given(const PersonCase& c, Date on, const Policy& p, NationalityClass nc) {
    if (on < bpt_first_day || p.bpt_end() < on || !is_foreigner(nc)) return false;  // both ends inclusive
    return std::any_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
        return counts_as_bpt(pr) && in_force(pr, on);
    });
}

// R6 own right at `on`, given the nationality class and the facts.
bool own_right_given(const PersonCase& c, Date on, const Policy& p, NationalityClass nc,
                     const CaseFacts& f) {
    if (!is_foreigner(nc) || !f.agir_protection_date || !f.agir_window_end) return false;
    if (!(*f.agir_protection_date <= on && on < *f.agir_window_end)) return false;
    return std::any_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
        return counts_for_agir(pr.type, p) && in_force(pr, on);
    });
}

// R6: AGIR eligibility through the BPI the person rejoins.
bool family_right(const PersonCase& c, Date on, const Policy& p, const PersonCase* family_bpi) {
    return c.person.rejoining_family_of && family_bpi &&
           family_bpi->person.id == *c.person.rejoining_family_of &&
           agir_own_right(*family_bpi, on, p);
}


}  // namespace

std::optional<Date> primo_anchor(const PersonCase& c, const Policy& p) {
    return anchor_given(c, p, protection_date(c, p));
}

bool is_bpi(const PersonCase& c, Date on, const Policy& p) {
    return evaluate(c, on, p, nullptr, Explain::none).bpi;
}

bool is_bpt(const PersonCase& c, Date on, const Policy& p) {
    return bpt_given(c, on, p, nationality_class_on(c, on));
}

bool is_primo_arrivant(const PersonCase& c, Date on, const Policy& p) {
    return evaluate(c, on, p, nullptr, Explain::none).primo_arrivant;
}

Date agir_window_end(Date protection, const Policy& p) {
    switch (p.agir_recency) {
        case AgirRecency::calendar_n_minus_1:
            return Date(protection.year() + 2, 1, 1);
        case AgirRecency::rolling_2_years:
            break;
    }
    return period_end_years(protection, 2, p.boundary, p.feb29);
}

bool is_agir_eligible(const PersonCase& c, Date on, const Policy& p, const PersonCase* family_bpi) {
    return evaluate(c, on, p, family_bpi, Explain::none).agir;
}

bool agir_support_active(Date entry, Date d, const Policy& p) {
    return entry <= d && d < period_end_months(entry, 24, p.boundary, p.feb29);
}

bool agir_positive_exit(const AgirSupport& s, const Policy& p) {
    if (!s.exit_housing || !is_lasting_housing(*s.exit_housing, p) || !s.exit_activity)
        return false;
    switch (*s.exit_activity) {
        case ExitActivity::cdi:
        case ExitActivity::training:
            return true;
        case ExitActivity::cdd:
            return s.cdd_months && *s.cdd_months >= 6;
        case ExitActivity::none:
            return false;
    }
    return false;
}

CaseFacts case_facts(const PersonCase& c, const Policy& p) {
    CaseFacts f;
    const auto five = [&](Date s) { return period_end_years(s, 5, p.boundary, p.feb29); };
    f.protection_date = protection_date(c, p);
    f.own_anchor = own_anchor(c, p);
    if (f.own_anchor) f.own_window_end = five(*f.own_anchor);
    if (f.protection_date) {
        f.fallback_window_end = five(*f.protection_date);
        if (p.bpi_window_years)
            f.bpi_window_end = period_end_years(*f.protection_date, *p.bpi_window_years,
                                                p.boundary, p.feb29);
    }
    f.primo_anchor = f.own_anchor ? f.own_anchor : f.protection_date;
    f.primo_window_end = f.own_anchor ? f.own_window_end : f.fallback_window_end;
    f.agir_protection_date = first_decision(c, [&](ProtectionType t) { return counts_for_agir(t, p); });
    if (f.agir_protection_date) f.agir_window_end = agir_window_end(*f.agir_protection_date, p);
    f.dated_nationality = !c.nationalities.empty();
    f.nationality_to_2020 = nationality_class_on(c, brexit_transition_end);
    f.nationality_from_2021 = nationality_class_on(c, brexit_transition_end.plus_days(1));
    if (auto it = p.agir_start.find(c.person.department); it != p.agir_start.end())
        f.agir_deployed_on = it->second;
    return f;
}

Eligibility evaluate(const PersonCase& c, Date on, const Policy& p, const PersonCase* family_bpi,
                     Explain explain) {
    return evaluate(c, case_facts(c, p), on, p, family_bpi, explain);
}

Eligibility evaluate(const PersonCase& c, const CaseFacts& facts, Date on, const Policy& p,
                     const PersonCase* family_bpi, Explain explain) {
    Eligibility e;
    e.person_id = c.person.id;
    e.on = on;
    // Each fact once (the public rule functions recompute what they need).
    e.nationality_class = facts.dated_nationality ? nationality_class_on(c, on)
                          : on <= brexit_transition_end ? facts.nationality_to_2020
                                                        : facts.nationality_from_2021;
    // R0.5: only the facts dated on or before `on`.
    const KnownDates known = known_on(facts, on);
    e.protection_date = known.protection_date;
    e.primo_anchor = known.primo_anchor;
    e.primo_window_end = known.primo_window_end;
    e.agir_window_end = known.agir_window_end;
    e.bpi = bpi_given(c, on, p, e.nationality_class, facts);
    e.bpt = bpt_given(c, on, p, e.nationality_class);
    e.primo_arrivant =
        primo_given(c, on, p, e.nationality_class, e.primo_anchor, e.primo_window_end, e.bpi);
    e.agir = !e.bpt && facts.agir_deployed_on && *facts.agir_deployed_on <= on &&
             (own_right_given(c, on, p, e.nationality_class, facts) ||
              family_right(c, on, p, family_bpi));
    e.ctai_public = e.primo_arrivant || e.bpi || e.bpt;
    if (e.bpi)
        e.public_category = PublicCategory::bpi;
    else if (e.bpt)
        e.public_category = PublicCategory::bpt;
    else if (e.primo_arrivant)
        e.public_category = PublicCategory::primo_arrivant;
    if (explain == Explain::reasons) ctai::explain(e, c, p);
    return e;
}

namespace {
// The dates of the reason codes (docs/rules.md, "Reason codes"): facts dated on or before
// `on` only (R0.5).

// R1: the latest acquisition, on or before `on`, of a dated nationality that makes the
// person no longer an étranger (nullopt for undated nationalities).
std::optional<Date> acquired_non_foreign(const PersonCase& c, Date on) {
    std::optional<Date> best;
    for (const auto& n : c.nationalities)
        if (n.acquired_on && n.held_on(on) && !is_foreigner(nationality_class(std::span<const std::string>(&n.code, 1), on)) &&
            (!best || *best < *n.acquired_on))
            best = n.acquired_on;
    return best;
}

// The latest end on or before `on` of a protection matching `pred` decided by then.
std::optional<Date> latest_end(const PersonCase& c, Date on, auto&& pred) {
    std::optional<Date> best;
    for (const auto& pr : c.protections)
        if (pred(pr) && pr.decision_date <= on && pr.end_date && *pr.end_date <= on &&
            (!best || *best < *pr.end_date))
            best = pr.end_date;
    return best;
}

// R3.5: the first day without a permit or receipt (the day after the last one that ended on
// or before `on`), nullopt when none was ever in force.
std::optional<Date> first_day_uncovered(const PersonCase& c, Date on) {
    std::optional<Date> best;
    for (const auto& pm : c.permits)
        if (pm.kind != PermitKind::asylum_certificate && pm.valid_from <= on && pm.valid_to &&
            *pm.valid_to < on && (!best || *best < pm.valid_to->plus_days(1)))
            best = pm.valid_to->plus_days(1);
    return best;
}

Reason situation_reason(SituationKind k) {
    switch (k) {
        case SituationKind::asylum_seeker: return Reason::primo_asylum_seeker;
        case SituationKind::unaccompanied_minor: return Reason::primo_unaccompanied_minor;
        case SituationKind::irregular: break;
    }
    return Reason::primo_irregular;
}
}  // namespace

void explain(Eligibility& e, const PersonCase& c, const Policy& p) {
    const Date on = e.on;
    auto& r = e.reasons;
    const auto code = [&](Reason reason, std::optional<Date> date = std::nullopt) {
        e.reason_codes.push_back({reason, date});
    };
    const bool foreigner = is_foreigner(e.nationality_class);
    r.push_back("R1: nationality class " + std::string(to_string(e.nationality_class)));
    if (e.nationality_class == NationalityClass::undetermined) {
        r.push_back("R1: nationality undetermined, to be completed in the file");
        code(Reason::nationality_undetermined);
    }
    // R3 primo-arrivant.
    if (e.nationality_class != NationalityClass::third_country) {
        r.push_back("R3: not primo-arrivant (not a third-country national)");
        code(Reason::primo_not_third_country);
    } else if (!e.primo_anchor) {
        // R0.5: an anchor dated after `on` is not known yet at `on` (nothing said about it).
        r.push_back("R3: not primo-arrivant (no anchor T1 under primo_anchor=" +
                    std::string(to_string(p.primo_anchor)) + ")");
        code(Reason::primo_no_anchor);
    } else if (!e.primo_arrivant && *e.primo_window_end <= on) {
        r.push_back("R3: not primo-arrivant (the five-year window from T1 has ended)");
        code(Reason::primo_window_ended, e.primo_window_end);
    } else if (!e.primo_arrivant) {
        bool excluded = false;
        for (const auto& s : c.situations)
            if (situation_active(s, on) && !(s.kind == SituationKind::asylum_seeker && e.bpi)) {
                r.push_back("R3.3: not primo-arrivant (situation " + std::string(to_string(s.kind)) +
                            " in force)");
                if (!excluded) code(situation_reason(s.kind), s.start);
                excluded = true;
            }
        if (!excluded && p.require_regular_stay && !regular_stay(c, on)) {
            r.push_back("R3.5: not primo-arrivant (no permit or receipt in force on this date, "
                        "require_regular_stay)");
            code(Reason::primo_no_regular_stay, first_day_uncovered(c, on));
            excluded = true;
        }
        if (!excluded) {
            r.push_back("R3.4: not primo-arrivant (CIR required and not signed)");
            code(Reason::primo_no_cir);
        }
    } else {
        r.push_back("R3: primo-arrivant (inside the five-year window from T1)");
        code(Reason::primo_arrivant, e.primo_anchor);
    }
    // R4 BPI.
    const auto bpi_type = [&](const Protection& pr) { return counts_as_bpi(pr.type, p); };
    const bool protected_now = std::any_of(c.protections.begin(), c.protections.end(),
                                           [&](const Protection& pr) {
                                               return bpi_type(pr) && in_force(pr, on);
                                           });
    if (e.bpi) {
        r.push_back("R4: BPI (a protection decision is in force)");
        code(Reason::bpi, e.protection_date);
    } else if (protected_now && !foreigner) {
        r.push_back("R4: not BPI on this date (nationality class " +
                    std::string(to_string(e.nationality_class)) + ": no longer an étranger, R1)");
        code(Reason::bpi_not_foreigner, acquired_non_foreign(c, on));
    } else if (protected_now && p.bpi_window_years) {
        r.push_back("R4: not BPI for the CTAI on this date (protection older than bpi_window_years=" +
                    std::to_string(*p.bpi_window_years) + ")");
        code(Reason::bpi_window_ended,
             period_end_years(*e.protection_date, *p.bpi_window_years, p.boundary, p.feb29));
    } else if (e.protection_date) {
        r.push_back("R4: not BPI on this date (protection not yet decided or ended)");
        code(Reason::bpi_protection_ended, latest_end(c, on, bpi_type));
    } else {
        code(Reason::bpi_no_protection);
    }
    // R5 BPT.
    // R0.5: only the decisions taken on or before `on`.
    const auto temporary = [&](const Protection& pr) {
        return pr.type == ProtectionType::temporary && pr.decision_date <= on;
    };
    if (e.bpt) {
        r.push_back("R5: BPT (temporary protection in force until " + to_iso(p.bpt_end()) + ")");
        std::optional<Date> from;
        for (const auto& pr : c.protections)
            if (counts_as_bpt(pr) && in_force(pr, on) && (!from || pr.decision_date < *from))
                from = pr.decision_date;
        code(Reason::bpt, from);
    } else if (std::any_of(c.protections.begin(), c.protections.end(), temporary)) {
        std::optional<Date> displaced;
        for (const auto& pr : c.protections)
            if (temporary(pr) && pr.displaced_on && *pr.displaced_on < bpt_displacement_from &&
                in_force(pr, on))
                displaced = pr.displaced_on;
        if (displaced) {
            r.push_back("R5: not BPT (displaced before 2022-02-24, the start of the EU temporary "
                        "protection)");
            code(Reason::bpt_displaced_before, displaced);
        } else if (!foreigner) {
            r.push_back("R5: not BPT on this date (nationality class " +
                        std::string(to_string(e.nationality_class)) + ": no longer an étranger, R1)");
            code(Reason::bpt_not_foreigner, acquired_non_foreign(c, on));
        } else {
            r.push_back("R5: not BPT on this date (outside the temporary protection or its conditions)");
            code(Reason::bpt_outside_period,
                 p.bpt_end() < on   ? std::optional<Date>(p.bpt_end().plus_days(1))
                 : on < bpt_first_day ? std::optional<Date>(bpt_first_day)
                                      : latest_end(c, on, temporary));
        }
    } else {
        code(Reason::bpt_no_temporary_protection);
    }
    // R6 AGIR.
    if (e.agir) {
        const bool own = agir_own_right(c, on, p);
        r.push_back(own ? "R6: AGIR-eligible (BPI protected less than two years ago, agir_recency=" +
                              std::string(to_string(p.agir_recency)) + ")"
                        : "R6: AGIR-eligible (family member joining an eligible BPI)");
        if (own)
            code(Reason::agir_own_right,
                 first_decision(c, [&](ProtectionType t) { return counts_for_agir(t, p); }));
        else
            code(Reason::agir_family);
    } else if (e.bpi || c.person.rejoining_family_of) {
        if (e.bpt) {
            r.push_back("R6: not AGIR-eligible (BPT are never AGIR-eligible)");
            code(Reason::agir_bpt);
        } else if (!agir_deployed(c, on, p)) {
            r.push_back("R6: not AGIR-eligible (AGIR not deployed in the person's département on this date)");
            const auto it = p.agir_start.find(c.person.department);
            code(Reason::agir_not_deployed,
                 it != p.agir_start.end() ? std::optional<Date>(it->second) : std::nullopt);
        } else if (e.bpi && !p.agir_includes_stateless &&
                   std::none_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
                       return counts_for_agir(pr.type, p) && in_force(pr, on);
                   })) {
            r.push_back("R6: not AGIR-eligible (stateless persons are not BPI for AGIR, "
                        "agir_includes_stateless=false)");
            code(Reason::agir_stateless_excluded);
        } else if (e.bpi) {
            r.push_back("R6: not AGIR-eligible (protection older than the recency rule " +
                        std::string(to_string(p.agir_recency)) + ")");
            code(Reason::agir_recency_ended, e.agir_window_end);
        } else {
            r.push_back("R6: not AGIR-eligible (the BPI joined is not AGIR-eligible or unknown)");
            code(Reason::agir_family_not_eligible);
        }
    } else {
        code(Reason::agir_not_bpi);
    }
    r.push_back(e.ctai_public ? "CTAI public: yes" : "CTAI public: no");
}

}  // namespace ctai
