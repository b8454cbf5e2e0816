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
    const auto prot = protection_date(c, p);
    return is_bpi(c, on, p) && prot && agir_recent(*prot, on, p);
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
    return pr.type == ProtectionType::temporary && pr.displaced_on &&
           bpt_displacement_from <= *pr.displaced_on;
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
    std::optional<Date> best;
    for (const auto& pr : c.protections)
        if (counts_as_bpi(pr.type, p) && (!best || pr.decision_date < *best))
            best = pr.decision_date;
    return best;
}

namespace {
// The rules below take the facts evaluate() computes once (nationality class, protection
// date, anchor, BPI) instead of recomputing them per rule.

std::optional<Date> anchor_given(const PersonCase& c, const Policy& p,
                                 const std::optional<Date>& protection) {
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
    // R3: a BPI without a card yet is anchored on the protection decision.
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
    return cir_ok(c, on, p);
}

// `window_end`: agir_window_end(*protection) (R6).
bool own_right_given(Date on, bool bpi, const std::optional<Date>& protection,
                     const std::optional<Date>& window_end) {
    return bpi && protection && window_end && *protection <= on && on < *window_end;
}

// R6: AGIR eligibility through the BPI the person rejoins.
bool family_right(const PersonCase& c, Date on, const Policy& p, const PersonCase* family_bpi) {
    return c.person.rejoining_family_of && family_bpi &&
           family_bpi->person.id == *c.person.rejoining_family_of &&
           agir_own_right(*family_bpi, on, p);
}

bool agir_given(const PersonCase& c, Date on, const Policy& p, const PersonCase* family_bpi,
                bool bpt, bool own_right) {
    if (bpt || !agir_deployed(c, on, p)) return false;
    return own_right || family_right(c, on, p, family_bpi);
}

}  // namespace

std::optional<Date> primo_anchor(const PersonCase& c, const Policy& p) {
    return anchor_given(c, p, protection_date(c, p));
}

bool is_bpi(const PersonCase& c, Date on, const Policy& p) {
    return std::any_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
        return counts_as_bpi(pr.type, p) && in_force(pr, on);
    });
}

bool is_bpt(const PersonCase& c, Date on, const Policy& p) {
    if (on < bpt_first_day || p.bpt_end() < on) return false;  // both ends inclusive
    return std::any_of(c.protections.begin(), c.protections.end(), [&](const Protection& pr) {
        return counts_as_bpt(pr) && in_force(pr, on);
    });
}

bool is_primo_arrivant(const PersonCase& c, Date on, const Policy& p) {
    const NationalityClass nc = nationality_class(c.person.nationalities, on);
    if (nc != NationalityClass::third_country) return false;
    const auto t1 = primo_anchor(c, p);
    const auto end = t1 ? std::optional<Date>(period_end_years(*t1, 5, p.boundary, p.feb29))
                        : std::nullopt;
    return primo_given(c, on, p, nc, t1, end, is_bpi(c, on, p));
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
    return agir_given(c, on, p, family_bpi, is_bpt(c, on, p), agir_own_right(c, on, p));
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
    f.protection_date = protection_date(c, p);
    f.primo_anchor = anchor_given(c, p, f.protection_date);
    if (f.primo_anchor) f.primo_window_end = period_end_years(*f.primo_anchor, 5, p.boundary, p.feb29);
    if (f.protection_date) f.agir_window_end = agir_window_end(*f.protection_date, p);
    f.nationality_to_2020 = nationality_class(c.person.nationalities, brexit_transition_end);
    f.nationality_from_2021 =
        nationality_class(c.person.nationalities, brexit_transition_end.plus_days(1));
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
    e.nationality_class = on <= brexit_transition_end ? facts.nationality_to_2020
                                                : facts.nationality_from_2021;
    e.protection_date = facts.protection_date;
    e.primo_anchor = facts.primo_anchor;
    e.primo_window_end = facts.primo_window_end;
    e.agir_window_end = facts.agir_window_end;
    e.bpi = is_bpi(c, on, p);
    e.bpt = is_bpt(c, on, p);
    e.primo_arrivant =
        primo_given(c, on, p, e.nationality_class, e.primo_anchor, e.primo_window_end, e.bpi);
    e.agir = !e.bpt && facts.agir_deployed_on && *facts.agir_deployed_on <= on &&
             (own_right_given(on, e.bpi, e.protection_date, e.agir_window_end) ||
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

void explain(Eligibility& e, const PersonCase& c, const Policy& p) {
    const Date on = e.on;
    auto& r = e.reasons;
    r.push_back("R1: nationality class " + std::string(to_string(e.nationality_class)));
    if (e.nationality_class == NationalityClass::undetermined)
        r.push_back("R1: nationality undetermined, to be completed in the file");
    // R3 primo-arrivant.
    if (e.nationality_class != NationalityClass::third_country) {
        r.push_back("R3: not primo-arrivant (not a third-country national)");
    } else if (!e.primo_anchor) {
        r.push_back("R3: not primo-arrivant (no anchor T1 under primo_anchor=" +
                    std::string(to_string(p.primo_anchor)) + ")");
    } else if (on < *e.primo_anchor) {
        r.push_back("R3: not primo-arrivant (T1 is after this date)");
    } else if (!e.primo_arrivant && *e.primo_window_end <= on) {
        r.push_back("R3: not primo-arrivant (the five-year window from T1 has ended)");
    } else if (!e.primo_arrivant) {
        bool excluded_by_situation = false;
        for (const auto& s : c.situations)
            if (situation_active(s, on) && !(s.kind == SituationKind::asylum_seeker && e.bpi)) {
                r.push_back("R3.3: not primo-arrivant (situation " + std::string(to_string(s.kind)) +
                            " in force)");
                excluded_by_situation = true;
            }
        if (!excluded_by_situation) r.push_back("R3.4: not primo-arrivant (CIR required and not signed)");
    } else {
        r.push_back("R3: primo-arrivant (inside the five-year window from T1)");
    }
    // R4 BPI.
    if (e.bpi)
        r.push_back("R4: BPI (a protection decision is in force)");
    else if (e.protection_date)
        r.push_back("R4: not BPI on this date (protection not yet decided or ended)");
    // R5 BPT.
    if (e.bpt)
        r.push_back("R5: BPT (temporary protection in force until " + to_iso(p.bpt_end()) + ")");
    else if (std::any_of(c.protections.begin(), c.protections.end(),
                         [](const Protection& pr) { return pr.type == ProtectionType::temporary; }))
        r.push_back("R5: not BPT on this date (outside the temporary protection or its conditions)");
    // R6 AGIR.
    if (e.agir) {
        r.push_back(agir_own_right(c, on, p)
                        ? "R6: AGIR-eligible (BPI protected less than two years ago, agir_recency=" +
                              std::string(to_string(p.agir_recency)) + ")"
                        : "R6: AGIR-eligible (family member joining an eligible BPI)");
    } else if (e.bpi || c.person.rejoining_family_of) {
        if (e.bpt)
            r.push_back("R6: not AGIR-eligible (BPT are never AGIR-eligible)");
        else if (!agir_deployed(c, on, p))
            r.push_back("R6: not AGIR-eligible (AGIR not deployed in the person's département on this date)");
        else if (e.bpi)
            r.push_back("R6: not AGIR-eligible (protection older than the recency rule " +
                        std::string(to_string(p.agir_recency)) + ")");
        else
            r.push_back("R6: not AGIR-eligible (the BPI joined is not AGIR-eligible or unknown)");
    }
    r.push_back(e.ctai_public ? "CTAI public: yes" : "CTAI public: no");
}

}  // namespace ctai
