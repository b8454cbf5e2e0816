// R2 to R6: eligibility. Every worked case of domain.md, and the boundary days of every
// window under both boundary policies.
#include <ctai/eligibility.hpp>
#include <ctai/nationality.hpp>

#include <gtest/gtest.h>

namespace {

using namespace ctai;

Date d(const char* iso) { return parse_date(iso); }

PersonCase person(std::vector<std::string> nats, const char* dept = "21") {
    PersonCase c;
    c.person.id = PersonId{"P-TEST"};
    c.person.nationalities = std::move(nats);
    c.person.department = dept;
    return c;
}

Permit card(Motive m, const char* from, PermitKind k = PermitKind::card) {
    return Permit{k, m, d(from), std::nullopt};
}

Protection protection(ProtectionType t, const char* decided) {
    Protection p;
    p.type = t;
    p.authority = Authority::ofpra;
    p.decision_date = d(decided);
    return p;
}

PersonCase bpi_protected_on(const char* decided) {
    auto c = person({"AF"});
    c.protections.push_back(protection(ProtectionType::refugee, decided));
    return c;
}

Policy inclusive() {
    Policy p;
    p.boundary = Boundary::inclusive;
    return p;
}

TEST(Eligibility, MoroccanWithAFamilyCardIsPrimoArrivantForFiveYears) {
    auto c = person({"MA"});
    c.permits.push_back(card(Motive::family, "2020-03-15"));
    EXPECT_TRUE(is_primo_arrivant(c, d("2025-03-14"), Policy{}));
    EXPECT_FALSE(is_primo_arrivant(c, d("2025-03-15"), Policy{}));
    EXPECT_TRUE(is_primo_arrivant(c, d("2025-03-14"), inclusive()));
    EXPECT_TRUE(is_primo_arrivant(c, d("2025-03-15"), inclusive()));
    EXPECT_FALSE(is_primo_arrivant(c, d("2025-03-16"), inclusive()));
    EXPECT_FALSE(is_primo_arrivant(c, d("2020-03-14"), Policy{}));
    EXPECT_TRUE(is_primo_arrivant(c, d("2020-03-15"), Policy{}));
    const auto e = evaluate(c, d("2025-03-14"), Policy{});
    EXPECT_EQ(e.primo_window_end, d("2025-03-15"));
    EXPECT_EQ(evaluate(c, d("2025-03-14"), inclusive()).primo_window_end, d("2025-03-16"));
    EXPECT_EQ(e.public_category, PublicCategory::primo_arrivant);
    EXPECT_TRUE(e.ctai_public);
}

TEST(Eligibility, EuEeaAndSwissNationalsAreNeverPrimoArrivants) {
    for (const char* nat : {"DE", "NO", "CH"}) {
        auto c = person({nat});
        c.permits.push_back(card(Motive::family, "2023-01-01"));
        EXPECT_FALSE(is_primo_arrivant(c, d("2024-01-01"), Policy{})) << nat;
    }
}

TEST(Eligibility, AStudentFirstPermitDoesNotMakeAPrimoArrivant) {
    auto c = person({"SN"});
    c.permits.push_back(card(Motive::student, "2023-09-01"));
    EXPECT_FALSE(is_primo_arrivant(c, d("2024-01-01"), Policy{}));
    // The excluded set is a policy option; first_any_permit anchors on it too.
    Policy any;
    any.primo_anchor = PrimoAnchor::first_any_permit;
    EXPECT_TRUE(is_primo_arrivant(c, d("2024-01-01"), any));
    Policy no_exclusion;
    no_exclusion.excluded_motives.clear();
    EXPECT_TRUE(is_primo_arrivant(c, d("2024-01-01"), no_exclusion));
}

TEST(Eligibility, AReceiptNeverAnchorsTheWindowButTheCardDoes) {
    auto c = person({"TN"});
    c.permits.push_back(card(Motive::family, "2024-01-10", PermitKind::receipt));
    c.permits.push_back(card(Motive::family, "2024-04-01"));
    EXPECT_FALSE(is_primo_arrivant(c, d("2024-03-01"), Policy{}));
    EXPECT_TRUE(is_primo_arrivant(c, d("2024-04-01"), Policy{}));
}

TEST(Eligibility, CirSignatureAnchorAndTheCirRequirement) {
    auto c = person({"DZ"});
    c.permits.push_back(card(Motive::family, "2020-01-01"));
    c.person.cir_status = CirStatus::signed_;
    c.person.cir_date = d("2020-06-01");
    Policy anchor_cir;
    anchor_cir.primo_anchor = PrimoAnchor::cir_signature;
    EXPECT_EQ(primo_anchor(c, anchor_cir), d("2020-06-01"));
    EXPECT_TRUE(is_primo_arrivant(c, d("2025-05-31"), anchor_cir));
    EXPECT_FALSE(is_primo_arrivant(c, d("2025-05-31"), Policy{}));

    Policy require;
    require.require_cir = true;
    EXPECT_FALSE(is_primo_arrivant(c, d("2020-05-31"), require));
    EXPECT_TRUE(is_primo_arrivant(c, d("2020-06-01"), require));
    c.person.cir_status = CirStatus::proposed;
    EXPECT_TRUE(is_primo_arrivant(c, d("2020-06-01"), require));  // Algerian: proposed passes
    require.accept_cir_proposed = false;
    EXPECT_FALSE(is_primo_arrivant(c, d("2020-06-01"), require));
    auto m = c;
    m.person.nationalities = {"MA"};
    require.accept_cir_proposed = true;
    EXPECT_FALSE(is_primo_arrivant(m, d("2020-06-01"), require));  // only Algerians
}

TEST(Eligibility, SituationsExcludeWhileTheyLast) {
    auto c = person({"CD"});
    c.permits.push_back(card(Motive::family, "2022-01-01"));
    c.situations.push_back({SituationKind::irregular, d("2023-01-01"), d("2023-06-01")});
    EXPECT_TRUE(is_primo_arrivant(c, d("2022-12-31"), Policy{}));
    EXPECT_FALSE(is_primo_arrivant(c, d("2023-01-01"), Policy{}));
    EXPECT_FALSE(is_primo_arrivant(c, d("2023-05-31"), Policy{}));
    EXPECT_TRUE(is_primo_arrivant(c, d("2023-06-01"), Policy{}));
    const auto e = evaluate(c, d("2023-02-01"), Policy{});
    EXPECT_FALSE(e.primo_arrivant);
    bool named = false;
    for (const auto& r : e.reasons) named |= r.find("irregular") != std::string::npos;
    EXPECT_TRUE(named);
}

TEST(Eligibility, BpiFromTheDecisionDateAndPrimoAnchorFallsBackToIt) {
    auto c = bpi_protected_on("2023-03-10");
    EXPECT_FALSE(is_bpi(c, d("2023-03-09"), Policy{}));
    EXPECT_TRUE(is_bpi(c, d("2023-03-10"), Policy{}));
    EXPECT_EQ(protection_date(c, Policy{}), d("2023-03-10"));
    EXPECT_EQ(primo_anchor(c, Policy{}), d("2023-03-10"));
    EXPECT_TRUE(is_primo_arrivant(c, d("2024-01-01"), Policy{}));
    const auto e = evaluate(c, d("2024-01-01"), Policy{});
    EXPECT_EQ(e.public_category, PublicCategory::bpi);
    // A withdrawn protection ends BPI status.
    c.protections[0].end_date = d("2024-02-01");
    EXPECT_TRUE(is_bpi(c, d("2024-01-31"), Policy{}));
    EXPECT_FALSE(is_bpi(c, d("2024-02-01"), Policy{}));
}

TEST(Eligibility, StatelessCountAsBpiUnlessThePolicySaysOtherwise) {
    auto c = person({"STATELESS"});
    c.protections.push_back(protection(ProtectionType::stateless, "2023-01-01"));
    EXPECT_TRUE(is_bpi(c, d("2023-06-01"), Policy{}));
    Policy p;
    p.bpi_includes_stateless = false;
    EXPECT_FALSE(is_bpi(c, d("2023-06-01"), p));
}

TEST(Eligibility, AsylumSeekerSituationDoesNotExcludeOnceProtected) {
    auto c = bpi_protected_on("2023-03-10");
    c.situations.push_back({SituationKind::asylum_seeker, d("2022-01-01"), std::nullopt});
    EXPECT_TRUE(is_primo_arrivant(c, d("2023-04-01"), Policy{}));
}

TEST(Eligibility, AgirRecencyWorkedCases) {
    Policy rolling;
    Policy calendar;
    calendar.agir_recency = AgirRecency::calendar_n_minus_1;
    const auto a = bpi_protected_on("2023-03-10");
    EXPECT_TRUE(is_agir_eligible(a, d("2024-12-31"), rolling));
    EXPECT_TRUE(is_agir_eligible(a, d("2024-12-31"), calendar));
    const auto b = bpi_protected_on("2023-01-15");
    EXPECT_TRUE(is_agir_eligible(b, d("2025-01-05"), rolling));
    EXPECT_FALSE(is_agir_eligible(b, d("2025-01-05"), calendar));
}

TEST(Eligibility, AgirWindowBoundaryDaysUnderBothBoundaryPolicies) {
    const auto c = bpi_protected_on("2022-06-01");
    Policy strict;
    EXPECT_EQ(evaluate(c, d("2024-01-10"), strict).agir_window_end, d("2024-06-01"));
    EXPECT_TRUE(is_agir_eligible(c, d("2024-05-31"), strict));
    EXPECT_FALSE(is_agir_eligible(c, d("2024-06-01"), strict));
    EXPECT_TRUE(is_agir_eligible(c, d("2024-06-01"), inclusive()));
    EXPECT_FALSE(is_agir_eligible(c, d("2024-06-02"), inclusive()));
    Policy calendar;
    calendar.agir_recency = AgirRecency::calendar_n_minus_1;
    EXPECT_EQ(agir_window_end(d("2022-06-01"), calendar), d("2024-01-01"));
    EXPECT_TRUE(is_agir_eligible(bpi_protected_on("2023-12-31"), d("2024-12-31"), calendar));
    EXPECT_FALSE(is_agir_eligible(bpi_protected_on("2022-12-31"), d("2024-01-01"), calendar));
}

TEST(Eligibility, AgirRequiresDeploymentInTheDepartement) {
    auto c = bpi_protected_on("2023-06-01");
    EXPECT_FALSE(is_agir_eligible(c, d("2023-12-31"), Policy{}));  // Côte-d'Or from 2024
    EXPECT_TRUE(is_agir_eligible(c, d("2024-01-01"), Policy{}));
    c.person.department = "75";
    EXPECT_FALSE(is_agir_eligible(c, d("2024-01-01"), Policy{}));
    Policy p;
    p.agir_start["75"] = d("2022-01-01");
    EXPECT_TRUE(is_agir_eligible(c, d("2024-01-01"), p));
}

TEST(Eligibility, FamilyJoiningAnEligibleBpiIsAgirEligible) {
    const auto bpi = bpi_protected_on("2023-06-01");
    auto family = person({"AF"});
    family.person.id = PersonId{"P-FAMILY"};
    family.person.rejoining_family_of = bpi.person.id;
    EXPECT_FALSE(is_agir_eligible(family, d("2024-06-01"), Policy{}));
    EXPECT_TRUE(is_agir_eligible(family, d("2024-06-01"), Policy{}, &bpi));
    EXPECT_FALSE(is_agir_eligible(family, d("2025-06-01"), Policy{}, &bpi));
    auto other = bpi;
    other.person.id = PersonId{"P-OTHER"};
    EXPECT_FALSE(is_agir_eligible(family, d("2024-06-01"), Policy{}, &other));
}

PersonCase ukrainian_bpt() {
    auto c = person({"UA"});
    Protection tp = protection(ProtectionType::temporary, "2022-03-20");
    tp.authority = Authority::prefecture;
    tp.displaced_on = d("2022-03-01");
    c.protections.push_back(tp);
    c.permits.push_back(card(Motive::temporary_protection, "2022-03-20", PermitKind::aps));
    return c;
}

TEST(Eligibility, BptIsNeverAgirEligibleAndNeverBpi) {
    const auto c = ukrainian_bpt();
    const auto e = evaluate(c, d("2024-05-01"), Policy{});
    EXPECT_TRUE(e.bpt);
    EXPECT_FALSE(e.bpi);
    EXPECT_FALSE(e.agir);
    EXPECT_FALSE(e.primo_arrivant);  // an APS never anchors the five-year window
    EXPECT_EQ(e.public_category, PublicCategory::bpt);
    EXPECT_TRUE(e.ctai_public);
}

TEST(Eligibility, TemporaryProtectionWindowIsInclusiveAtBothEnds) {
    auto c = ukrainian_bpt();
    c.protections[0].decision_date = d("2022-03-01");
    EXPECT_FALSE(is_bpt(c, d("2022-03-03"), Policy{}));
    EXPECT_TRUE(is_bpt(c, d("2022-03-04"), Policy{}));
    EXPECT_TRUE(is_bpt(c, d("2027-03-04"), Policy{}));
    EXPECT_FALSE(is_bpt(c, d("2027-03-05"), Policy{}));
    Policy until_2025;
    until_2025.bpt_end_dates = {d("2023-03-04"), d("2024-03-04"), d("2025-03-04")};
    EXPECT_TRUE(is_bpt(c, d("2025-03-04"), until_2025));
    EXPECT_FALSE(is_bpt(c, d("2025-03-05"), until_2025));
}

TEST(Eligibility, BptRequiresDisplacementOnOrAfterTheInvasion) {
    auto c = ukrainian_bpt();
    c.protections[0].displaced_on = d("2022-02-23");
    EXPECT_FALSE(is_bpt(c, d("2023-01-01"), Policy{}));
    c.protections[0].displaced_on = d("2022-02-24");
    EXPECT_TRUE(is_bpt(c, d("2023-01-01"), Policy{}));
    // R5 (round 2): the APS proves the status, a missing displacement date does not exclude.
    c.protections[0].displaced_on.reset();
    EXPECT_TRUE(is_bpt(c, d("2023-01-01"), Policy{}));
}

TEST(Eligibility, AgirSupportWindowIsTwentyFourMonths) {
    EXPECT_TRUE(agir_support_active(d("2023-03-15"), d("2025-03-14"), Policy{}));
    EXPECT_FALSE(agir_support_active(d("2023-03-15"), d("2025-03-15"), Policy{}));
    EXPECT_TRUE(agir_support_active(d("2023-03-15"), d("2025-03-15"), inclusive()));
    EXPECT_FALSE(agir_support_active(d("2023-03-15"), d("2023-03-14"), Policy{}));
}

TEST(Eligibility, AgirPositiveExitNeedsLastingHousingAndLastingActivity) {
    AgirSupport s;
    s.exit_housing = HousingType::social_rental;
    s.exit_activity = ExitActivity::cdd;
    s.cdd_months = 6;
    EXPECT_TRUE(agir_positive_exit(s, Policy{}));
    s.cdd_months = 5;
    EXPECT_FALSE(agir_positive_exit(s, Policy{}));
    s.exit_activity = ExitActivity::cdi;
    EXPECT_TRUE(agir_positive_exit(s, Policy{}));
    s.exit_housing = HousingType::hotel;
    EXPECT_FALSE(agir_positive_exit(s, Policy{}));
    s.exit_housing = HousingType::intermediated_rental;
    EXPECT_FALSE(agir_positive_exit(s, Policy{}));
    Policy p;
    p.intermediated_rental_is_lasting = true;
    EXPECT_TRUE(agir_positive_exit(s, p));
    s.exit_housing = HousingType::social_rental;
    s.exit_activity = ExitActivity::none;
    EXPECT_FALSE(agir_positive_exit(s, Policy{}));
    for (auto h : {HousingType::emergency, HousingType::hotel, HousingType::asylum_accommodation,
                   HousingType::chrs})
        EXPECT_FALSE(is_lasting_housing(h, p));
}

TEST(Eligibility, Feb29AnchorsFollowTheFeb29Policy) {
    auto c = person({"MA"});
    c.permits.push_back(card(Motive::work, "2020-02-29"));
    EXPECT_TRUE(is_primo_arrivant(c, d("2025-02-27"), Policy{}));
    EXPECT_FALSE(is_primo_arrivant(c, d("2025-02-28"), Policy{}));
    Policy march;
    march.feb29 = Feb29::march_first;
    EXPECT_TRUE(is_primo_arrivant(c, d("2025-02-28"), march));
    EXPECT_FALSE(is_primo_arrivant(c, d("2025-03-01"), march));
}

TEST(Eligibility, ReasonsNeverContainThePersonsOwnDates) {
    auto c = person({"MA"});
    c.person.id = PersonId{"P-REASONS"};
    c.permits.push_back(card(Motive::family, "2020-03-15"));
    c.protections.push_back(protection(ProtectionType::subsidiary, "2021-07-09"));
    for (const char* on : {"2019-01-01", "2022-01-01", "2026-01-01"}) {
        const auto e = evaluate(c, d(on), Policy{});
        ASSERT_FALSE(e.reasons.empty());
        for (const auto& r : e.reasons) {
            EXPECT_EQ(r.find("2020-03-15"), std::string::npos) << r;
            EXPECT_EQ(r.find("2021-07-09"), std::string::npos) << r;
        }
    }
}

TEST(Eligibility, JsonIsTheDocumentedCheckShape) {
    auto c = person({"MA"});
    c.person.id = PersonId{"P-JSON"};
    c.permits.push_back(card(Motive::family, "2020-03-15"));
    const auto text = to_json(evaluate(c, d("2025-03-14"), Policy{}));
    EXPECT_EQ(text.rfind("{\"person_id\":\"P-JSON\",\"nationality_class\":\"third_country\","
                         "\"public\":\"primo_arrivant\",\"primo_arrivant\":true,\"bpi\":false,"
                         "\"bpt\":false,\"agir\":false,\"ctai_public\":true,"
                         "\"primo_window_end\":\"2025-03-15\",\"agir_window_end\":null,\"reasons\":[",
                         0),
              0u)
        << text;
}

TEST(Eligibility, UndeterminedNationalityIsNeverPrimoArrivant) {
    auto c = person({"UNKNOWN"});
    c.permits.push_back(card(Motive::family, "2023-01-01"));
    const auto e = evaluate(c, d("2024-01-01"), Policy{});
    EXPECT_EQ(e.nationality_class, NationalityClass::undetermined);
    EXPECT_FALSE(e.primo_arrivant);
    EXPECT_FALSE(e.public_category.has_value());
}

}  // namespace

// evaluate(case, case_facts(case, policy), ...) is evaluate(case, ...) on every date: the
// facts computed once (nationality class on each side of the Brexit transition, AGIR
// deployment date of the département) change nothing, including on the boundary days.
TEST(Eligibility, PrecomputedFactsGiveTheSameAnswerOnTheBoundaryDays) {
    Policy p;
    p.agir_start["21"] = d("2020-12-15");
    std::vector<PersonCase> cases;
    for (const char* nat : {"GB", "FR", "MA", "DE", "STATELESS", "UNKNOWN"})
        for (const char* dept : {"21", "75"}) {
            auto c = person({nat}, dept);
            c.permits.push_back(card(Motive::family, "2019-06-01"));
            c.protections.push_back(protection(ProtectionType::refugee, "2020-11-30"));
            cases.push_back(c);
            c.protections.clear();
            cases.push_back(c);
        }
    auto two = person({"GB", "MA"});
    two.permits.push_back(card(Motive::work, "2020-02-29"));
    cases.push_back(two);
    cases.push_back(person({}));
    for (const auto& c : cases) {
        const CaseFacts facts = case_facts(c, p);
        for (Date on = d("2020-12-01"); on <= d("2021-01-31"); on = on.plus_days(1)) {
            const Eligibility a = evaluate(c, on, p);
            const Eligibility b = evaluate(c, facts, on, p);
            EXPECT_EQ(a.nationality_class, b.nationality_class) << to_iso(on);
            EXPECT_EQ(a.public_category, b.public_category) << to_iso(on);
            EXPECT_EQ(a.agir, b.agir) << to_iso(on);
            EXPECT_EQ(a.primo_arrivant, b.primo_arrivant) << to_iso(on);
            EXPECT_EQ(nationality_class(c.person.nationalities, on), b.nationality_class);
            EXPECT_EQ(is_agir_eligible(c, on, p), b.agir) << to_iso(on);
        }
    }
    EXPECT_EQ(brexit_transition_end, d("2020-12-31"));
    EXPECT_EQ(bpt_first_day, d("2022-03-04"));  // a day number in the header: checked here
    EXPECT_EQ(case_facts(two, p).nationality_to_2020, NationalityClass::eu_eea_ch);
    EXPECT_EQ(case_facts(two, p).nationality_from_2021, NationalityClass::third_country);
}
