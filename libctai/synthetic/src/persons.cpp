// The generator: persons and their statuses (permits, protections, CIR), by profile.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>

#include "generator.hpp"

namespace ctai::synth {

// -- persons ------------------------------------------------------------------------
Profile Generator::member_profile(Profile head) {
    switch (head) {
        case Profile::bpi:
        case Profile::stateless: {
            const int x = rng_.range(0, 99);
            if (x < 55) return head;
            if (x < 85) return Profile::reunification;
            break;
        }
        case Profile::primo:
        case Profile::reunification:
            if (rng_.chance(0.8)) return Profile::primo;
            break;
        case Profile::bpt:
            if (rng_.chance(0.9)) return Profile::bpt;
            break;
        case Profile::european:
            if (rng_.chance(0.85)) return Profile::european;
            break;
        case Profile::asylum_seeker:
        case Profile::non_eligible:
        case Profile::unknown:
            if (rng_.chance(0.7)) return head;
            break;
    }
    return pick(rng_, profile_weights);
}

std::vector<std::string> Generator::nationalities_for(Profile profile) {
    switch (profile) {
        case Profile::bpi:
        case Profile::asylum_seeker:
            return {std::string(pick(rng_, bpi_nationalities))};
        case Profile::stateless:
            return {"STATELESS"};
        case Profile::primo:
        case Profile::reunification:
        case Profile::non_eligible:
            if (rng_.chance(0.01)) return {"DZ", "MA"};
            return {std::string(pick(rng_, primo_nationalities))};
        case Profile::bpt:
            if (rng_.chance(0.95)) return {"UA"};
            return {std::string(pick(rng_, primo_nationalities))};
        case Profile::european:
            if (rng_.chance(0.15))
                return {std::string(pick_uniform(rng_, dual_with_french)), "FR"};
            return {std::string(pick(rng_, european_nationalities))};
        case Profile::unknown:
            return {"UNKNOWN"};
    }
    return {"UNKNOWN"};
}

std::optional<PartialDate> Generator::birth_date(int year_lo, int year_hi) {
    if (rng_.chance(0.01)) return std::nullopt;
    const Date d = rand_date(rng_, Date(year_lo, 1, 1), Date(year_hi, 12, 31));
    const int x = rng_.range(0, 99);
    if (x < 85) return PartialDate{d, DatePrecision::day};
    if (x < 90) return PartialDate{Date(d.year(), d.month(), 1), DatePrecision::month};
    return PartialDate{Date(d.year(), 1, 1), DatePrecision::year};
}

// A leap day (29 February 2020 or 2024) in [lo, hi], if any, for the R0.1 edge cases.
std::optional<Date> Generator::leap_day_in(Rng& rng, Date lo, Date hi) {
    static const std::array<Date, 2> leap_days{Date(2020, 2, 29), Date(2024, 2, 29)};
    std::array<Date, 2> candidates{};
    std::size_t n = 0;
    for (const auto d : leap_days)
        if (lo <= d && d <= hi) candidates[n++] = d;
    if (n == 0) return std::nullopt;
    return candidates[rng.index(n)];
}

void Generator::add_permit(PersonCase& c, PermitKind kind, Motive motive, Date from,
                std::optional<Date> to) const {
    if (from > eval_) return;
    c.permits.push_back(Permit{kind, motive, from, to});
}

void Generator::sign_cir(PersonCase& c, Date from, double p_signed) {
    if (!rng_.chance(p_signed)) return;
    const Date d = from.plus_days(rng_.range(10, 150));
    if (d > eval_) return;
    c.person.cir_status = CirStatus::signed_;
    c.person.cir_date = d;
}

// Protection (refugee, subsidiary or stateless) decided on `decided`.
void Generator::make_protected(PersonCase& c, PersonInfo& info, Date decided, bool stateless) {
    const bool cnda = rng_.chance(stateless ? 0.2 : 0.3);
    const Date request =
        decided.plus_days(-(cnda ? rng_.range(360, 1000) : rng_.range(90, 540)));
    info.arrival = request;
    Protection pr;
    pr.type = stateless ? ProtectionType::stateless
                        : (rng_.chance(0.65) ? ProtectionType::refugee
                                             : ProtectionType::subsidiary);
    pr.authority = cnda ? Authority::cnda : Authority::ofpra;
    pr.decision_date = decided;
    if (rng_.chance(0.85)) {
        const Date notified = decided.plus_days(rng_.range(5, 45));
        if (notified <= eval_) pr.notification_date = notified;
    }
    if (rng_.chance(0.01)) {
        const Date withdrawn = decided.plus_days(rng_.range(200, 900));
        if (withdrawn <= eval_) pr.end_date = withdrawn;
    }
    if (!stateless) {
        c.situations.push_back(Situation{SituationKind::asylum_seeker, request, decided});
        // Attestation de demande d'asile: ten months, then renewed every six months.
        Date from = request.plus_days(rng_.range(3, 30));
        Date to = add_months(from, 10);
        for (int i = 0; i < 4 && from < decided; ++i) {
            add_permit(c, PermitKind::asylum_certificate, Motive::other, from, to);
            from = to;
            to = add_months(from, 6);
        }
    } else {
        add_permit(c, PermitKind::receipt, Motive::other, request.plus_days(rng_.range(10, 60)),
                   request.plus_days(rng_.range(200, 400)));
    }
    Date card = decided.plus_days(rng_.range(60, 400));
    if (rng_.chance(0.03))
        if (auto leap = leap_day_in(rng_, decided.plus_days(30), eval_)) card = *leap;
    // Récépissés (six months each) until the card is issued.
    for (Date receipt = decided.plus_days(rng_.range(10, 45)); receipt < card;
         receipt = receipt.plus_days(180))
        add_permit(c, PermitKind::receipt, Motive::protection, receipt,
                   std::min(card, receipt.plus_days(180)));
    add_permit(c, PermitKind::card, Motive::protection, card,
               add_years(card, pr.type == ProtectionType::subsidiary ? 4 : 10));
    c.protections.push_back(pr);
    info.public_from = decided;
    sign_cir(c, decided, 0.85);
}

Date Generator::protection_decision() {
    if (rng_.chance(0.004))
        if (auto leap = leap_day_in(rng_, Date(2018, 6, 1), eval_)) return *leap;
    if (rng_.chance(0.55))
        return rand_date(rng_, Date(2022, 6, 1), eval_.plus_days(-15));
    return clamp_eval(rand_date(rng_, Date(2018, 6, 1), Date(2022, 5, 31)));
}

void Generator::make_primo(PersonCase& c, PersonInfo& info) {
    Date t1;
    const auto leap = rng_.chance(0.012) ? leap_day_in(rng_, Date(2018, 1, 1), eval_)
                                         : std::nullopt;
    if (leap)
        t1 = *leap;
    else if (rng_.chance(0.8))
        t1 = rand_date(rng_, Date(2019, 6, 1), eval_.plus_days(-20));
    else
        t1 = clamp_eval(rand_date(rng_, Date(2018, 1, 1), Date(2019, 5, 31)));
    const Motive motive = pick(rng_, primo_motives);
    const bool visa = rng_.chance(0.45);
    info.arrival = t1;
    if (rng_.chance(0.15)) {  // studied in France first: excluded motive, no anchor
        const Date study = t1.plus_days(-rng_.range(365, 1400));
        add_permit(c, PermitKind::card,
                   rng_.chance(0.2) ? Motive::student_mobility : Motive::student, study,
                   add_years(study, 1));
        info.arrival = study;
    } else if (rng_.chance(0.06)) {  // irregular stay before regularisation
        const Date from = t1.plus_days(-rng_.range(400, 900));
        c.situations.push_back(
            Situation{SituationKind::irregular, from, t1.plus_days(-rng_.range(30, 120))});
        info.arrival = from;
    }
    if (!visa && rng_.chance(0.55))
        add_permit(c, PermitKind::receipt, motive, t1.plus_days(-rng_.range(30, 150)), t1);
    add_permit(c, visa ? PermitKind::vls_ts : PermitKind::card, motive, t1, add_years(t1, 1));
    // Renewals: a receipt while the prefecture decides, then a multi-year card.
    Date renewal = add_years(t1, 1);
    for (int i = 0; i < 3 && renewal <= eval_; ++i) {
        if (rng_.chance(0.8))
            add_permit(c, PermitKind::receipt, motive, renewal.plus_days(-rng_.range(10, 60)),
                       renewal.plus_days(90));
        const Date next = add_years(renewal, rng_.range(1, 2));
        add_permit(c, PermitKind::card, motive, renewal, next);
        renewal = next;
    }
    info.public_from = t1;
    if (c.person.nationalities.front() == "DZ" && rng_.chance(0.4)) {
        const Date proposed = t1.plus_days(rng_.range(10, 90));
        if (proposed <= eval_) {
            c.person.cir_status = CirStatus::proposed;
            c.person.cir_date = proposed;
        }
    } else {
        sign_cir(c, t1, 0.85);
    }
}

void Generator::make_reunification(PersonCase& c, PersonInfo& info, const PersonCase& head) {
    c.person.rejoining_family_of = head.person.id;
    const auto prot = protection_date(head, policy_);
    const Date base = prot ? *prot : eval_.plus_days(-400);
    Date visa = base.plus_days(rng_.range(120, 720));
    if (visa > eval_) visa = rand_date(rng_, std::min(base, eval_), eval_);
    info.arrival = visa;
    add_permit(c, PermitKind::vls_ts, Motive::family, visa, add_years(visa, 1));
    add_permit(c, PermitKind::card, Motive::family, add_years(visa, 1),
               add_years(visa, rng_.range(3, 5)));
    info.public_from = visa;
    sign_cir(c, visa, 0.7);
}

void Generator::make_bpt(PersonCase& c, PersonInfo& info) {
    const Date invasion(2022, 2, 24);
    const Date tp_start(2022, 3, 4);
    Date displaced;
    if (rng_.chance(0.03)) {  // left Ukraine before 24 February 2022: not BPT (R5)
        displaced = clamp_eval(rand_date(rng_, Date(2021, 6, 1), Date(2022, 2, 23)));
    } else {
        const Date hi = std::max(invasion, std::min(Date(2023, 12, 31), eval_.plus_days(-100)));
        const Date a = rand_date(rng_, invasion, hi);
        const Date b = rand_date(rng_, invasion, hi);
        displaced = std::min(a, b);  // most arrived in 2022
    }
    Date decided = std::max(displaced.plus_days(rng_.range(5, 90)), tp_start);
    decided = clamp_eval(decided);
    info.arrival = displaced;
    Protection pr;
    pr.type = ProtectionType::temporary;
    pr.authority = Authority::prefecture;
    pr.decision_date = decided;
    pr.displaced_on = displaced;
    c.protections.push_back(pr);
    Date from = decided;
    for (int i = 0; i < 5 && from <= eval_; ++i) {
        const Date to = add_months(from, 6);
        add_permit(c, PermitKind::aps, Motive::temporary_protection, from, to);
        from = to;
    }
    info.public_from = std::max(decided, tp_start);
}

void Generator::make_asylum_seeker(PersonCase& c, PersonInfo& info) {
    const Date request = clamp_eval(rand_date(rng_, Date(2022, 1, 1), eval_.plus_days(-30)));
    info.arrival = request;
    c.situations.push_back(Situation{SituationKind::asylum_seeker, request, std::nullopt});
    Date from = request.plus_days(rng_.range(3, 30));
    const int n = rng_.range(1, 2);
    for (int i = 0; i < n; ++i) {
        const Date to = from.plus_days(rng_.range(180, 300));
        add_permit(c, PermitKind::asylum_certificate, Motive::other, from, to);
        from = to;
    }
}

void Generator::make_non_eligible(PersonCase& c, PersonInfo& info) {
    if (rng_.chance(0.5)) {  // student: CIR-exempt motive, never an anchor
        const Date start = clamp_eval(rand_date(rng_, Date(2019, 9, 1), eval_.plus_days(-30)));
        info.arrival = start;
        add_permit(c, PermitKind::vls_ts, Motive::student, start, add_years(start, 1));
        add_permit(c, PermitKind::card, Motive::student, add_years(start, 1),
                   add_years(start, 2));
        if (rng_.chance(0.3))
            add_permit(c, PermitKind::card, Motive::talent, add_years(start, 2),
                       add_years(start, 6));
    } else {  // first permit more than five years ago
        const Date t1 = rand_date(rng_, Date(2012, 1, 1), Date(2018, 6, 30));
        info.arrival = t1;
        const Motive m = pick(rng_, primo_motives);
        add_permit(c, PermitKind::card, m, t1, add_years(t1, 1));
        add_permit(c, PermitKind::card, m, add_years(t1, 1), add_years(t1, 5));
        add_permit(c, PermitKind::card, m, add_years(t1, 5), add_years(t1, 15));
        sign_cir(c, t1, 0.8);
    }
}

PersonCase Generator::make_person(PersonInfo& info, const std::optional<HouseholdId>& household,
                       const PersonCase* head) {
    PersonCase c;
    Person& p = c.person;
    p.id = PersonId{make_id('P', info.index + 1, person_width_)};
    p.sex = pick(rng_, sexes);
    p.household_id = household;
    p.department = rng_.chance(0.93) ? "21" : std::string(pick_uniform(rng_, other_departments));
    const bool share_nationality =
        head != nullptr && info.profile != Profile::european &&
        info.profile != Profile::stateless && info.profile != Profile::unknown &&
        info.profile != Profile::bpt && rng_.chance(0.85);
    if (share_nationality) {
        p.nationalities = head->person.nationalities;
        if (p.nationalities.front() == "STATELESS" || p.nationalities.front() == "UNKNOWN" ||
            p.nationalities.back() == "FR")
            p.nationalities = nationalities_for(info.profile);
        else if (p.nationalities.size() == 1 && p.nationalities.front() == "UA" &&
                 info.profile != Profile::bpt)
            p.nationalities = nationalities_for(info.profile);
    } else {
        p.nationalities = nationalities_for(info.profile);
    }
    if (head) p.department = head->person.department;
    p.birth_date = birth_date(1958, 2005);
    info.arrival = eval_.plus_days(-rng_.range(200, 3000));
    switch (info.profile) {
        case Profile::bpi: {
            Date decided = protection_decision();
            // Family members are protected with the head (unité de famille).
            if (head && !head->protections.empty() &&
                head->protections.front().type != ProtectionType::temporary)
                decided = clamp_eval(
                    head->protections.front().decision_date.plus_days(rng_.range(0, 20)));
            if (rng_.chance(0.03)) {  // arrived as an unaccompanied minor
                const Date request = decided.plus_days(-rng_.range(120, 400));
                const Date born = request.plus_days(-rng_.range(15 * 365 + 10, 17 * 365 - 10));
                p.birth_date = PartialDate{born, DatePrecision::day};
                c.situations.push_back(Situation{SituationKind::unaccompanied_minor, request,
                                                 add_years(born, 18)});
            }
            make_protected(c, info, decided, false);
            break;
        }
        case Profile::stateless:
            make_protected(c, info, protection_decision(), true);
            break;
        case Profile::primo:
            make_primo(c, info);
            break;
        case Profile::reunification:
            make_reunification(c, info, *head);
            break;
        case Profile::bpt:
            make_bpt(c, info);
            break;
        case Profile::asylum_seeker:
            make_asylum_seeker(c, info);
            break;
        case Profile::non_eligible:
            make_non_eligible(c, info);
            break;
        case Profile::european:
            break;
        case Profile::unknown:
            if (rng_.chance(0.5)) {
                const Date from = rand_date(rng_, Date(2021, 1, 1), eval_);
                add_permit(c, PermitKind::receipt, Motive::other, from, from.plus_days(120));
                info.arrival = from;
            }
            break;
    }
    info.arrival = clamp_eval(info.arrival);
    return c;
}

}  // namespace ctai::synth
