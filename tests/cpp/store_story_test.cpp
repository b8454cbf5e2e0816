// The whole story of one (synthetic) beneficiary written through the service API, read back
// after reopening the file; the columnar queries; retention and anonymisation (R9).
#include <ctai/journeys.hpp>
#include <ctai/store.hpp>

#include <cmath>

#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::contract_2024;
using ctai::test::d;
using ctai::test::TempDir;

struct Story {
    JourneyId action1;
    JourneyId action4;
    ReferralId to_agir;
    ReferralId back_from_agir;
};

// Amina (synthetic): refugee protected on 2023-03-10, enrolled in action 1 in October 2023,
// oriented to AGIR, AGIR support from January 2024 ended in March 2024 with a lasting
// lease, then AGIR refers her to action 4 (housing).
Story write_story(Store& store) {
    Story s;
    const PersonId p{"P-AMINA"};
    const ContractId c{contract_2024};
    auto tx = store.transaction("story");
    auto person_case = ctai::test::refugee("P-AMINA");
    person_case.situations.push_back(
        Situation{SituationKind::asylum_seeker, d("2022-05-01"), d("2023-03-10")});
    person_case.permits.insert(person_case.permits.begin(),
                               Permit{PermitKind::receipt, Motive::protection, d("2023-03-20"),
                                      d("2023-04-30")});
    store.put_case(person_case);
    s.action1 = store.enroll(p, c, 1, d("2023-10-20"), ReferralSource::social_worker,
                             EnrollOptions{JourneyId{"J-A1"}, std::nullopt, std::nullopt});
    store.add_step(s.action1, StepKind::diagnosis, d("2023-10-27"));
    s.to_agir = store.propose_referral(p, "dijon-2023-2024:1", "agir", Need::rights,
                                       d("2023-12-01"), ReferralId{"R-TO-AGIR"});
    store.accept_referral(s.to_agir, d("2023-12-15"));
    store.complete_referral(s.to_agir, d("2024-01-08"));
    store.add_step(s.action1, StepKind::end_of_support, d("2024-01-08"));
    store.exit_journey(s.action1, d("2024-01-08"), "common_law");
    store.put_agir_support(AgirSupport{p, d("2023-12-15"), d("2024-01-08"), d("2024-03-29"),
                                       HousingType::social_rental, ExitActivity::cdd, 6});
    s.back_from_agir = store.propose_referral(p, "agir", "dijon-2023-2024:4", Need::housing,
                                              d("2024-03-25"), ReferralId{"R-FROM-AGIR"});
    store.accept_referral(s.back_from_agir, d("2024-03-28"));
    s.action4 = store.enroll(p, c, 4, d("2024-04-02"), ReferralSource::agir,
                             EnrollOptions{JourneyId{"J-A4"}, std::nullopt, std::nullopt});
    store.add_step(s.action4, StepKind::support, d("2024-05-15"));
    store.exit_journey(s.action4, d("2024-07-31"), "lasting_housing");
    store.complete_referral(s.back_from_agir, d("2024-07-31"));
    store.put_housing_move(HousingMove{HouseholdId{"H-P-AMINA"}, d("2024-07-15"),
                                       HousingType::social_rental});
    tx.commit();
    return s;
}

TEST(StoreStory, ReopenedFileTellsTheWholeStoryOfABeneficiary) {
    TempDir dir;
    const auto file = dir.file("story.db");
    PersonCase written;
    {
        auto store = Store::open(file);
        write_story(store);
        written = store.person_case(PersonId{"P-AMINA"});
    }
    auto store = Store::open(file, StoreOptions{.must_exist = true});
    const PersonId p{"P-AMINA"};
    const auto c = store.person_case(p);
    EXPECT_EQ(c, written);
    ASSERT_EQ(c.permits.size(), 2u);
    EXPECT_EQ(c.permits[0].kind, PermitKind::receipt);
    EXPECT_EQ(c.permits[1].valid_from, d("2023-05-01"));
    ASSERT_EQ(c.protections.size(), 1u);
    EXPECT_EQ(c.protections[0].decision_date, d("2023-03-10"));
    ASSERT_EQ(c.situations.size(), 1u);
    EXPECT_EQ(c.person.birth_date, (PartialDate{d("1995-06-01"), DatePrecision::day}));

    const auto agir = store.agir_supports_of(p);
    ASSERT_EQ(agir.size(), 1u);
    EXPECT_EQ(agir[0].exit_housing, HousingType::social_rental);
    EXPECT_TRUE(agir_positive_exit(agir[0], store.policy()));

    const auto journeys = store.journeys_of(p);
    ASSERT_EQ(journeys.size(), 2u);
    EXPECT_EQ(journeys[0].id.str(), "J-A1");
    EXPECT_EQ(journeys[0].action, 1);
    EXPECT_EQ(journeys[0].exit_date, d("2024-01-08"));
    EXPECT_EQ(journeys[0].exit_reason, "common_law");
    ASSERT_EQ(journeys[0].steps.size(), 3u);
    EXPECT_EQ(journeys[0].steps[2].kind, StepKind::end_of_support);
    EXPECT_EQ(journeys[1].id.str(), "J-A4");
    EXPECT_EQ(journeys[1].referral_source, ReferralSource::agir);
    EXPECT_EQ(journeys[1].exit_reason, "lasting_housing");
    EXPECT_EQ(store.journey(JourneyId{"J-A4"}), journeys[1]);

    const auto referrals = store.referrals_of(p);
    ASSERT_EQ(referrals.size(), 2u);
    EXPECT_EQ(referrals[0].status, ReferralStatus::completed);
    EXPECT_EQ(referrals[0].to, "agir");
    EXPECT_EQ(referrals[1].status, ReferralStatus::completed);
    EXPECT_EQ(referrals[1].completed_on, d("2024-07-31"));

    const auto e = store.eligibility(p, d("2024-06-01"));
    EXPECT_TRUE(e.bpi);
    EXPECT_TRUE(e.ctai_public);

    // The audit log tells who did what, in order, for this person.
    AuditQuery q;
    q.person_id = p;
    const auto history = store.audit_log(q);
    ASSERT_GE(history.size(), 14u);
    EXPECT_EQ(history.front().entity, "case");
    EXPECT_EQ(history.front().reason, "story");
    EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(StoreStory, ExportReadsEveryTableBackAndImportingItIsANoOp) {
    auto store = Store::open(":memory:");
    write_story(store);
    store.put_case(ctai::test::primo("P-OTHER"));
    auto copy = Store::open(":memory:");
    {
        auto tx = copy.transaction();
        for (const auto& c : store.all_cases()) copy.put_case(c);
        for (const auto& s : store.all_agir_supports()) copy.put_agir_support(s);
        auto journeys = store.all_journeys();
        std::sort(journeys.begin(), journeys.end(),
                  [](const Journey& a, const Journey& b) { return a.entry_date < b.entry_date; });
        for (const auto& j : journeys) copy.put_journey(j);
        for (const auto& r : store.all_referrals()) copy.put_referral(r);
        for (const auto& m : store.all_housing_moves()) copy.put_housing_move(m);
        tx.commit();
    }
    EXPECT_EQ(copy.fingerprint().sha256, store.fingerprint().sha256);
    EXPECT_EQ(copy.all_journeys(), store.all_journeys());
    const auto rows = store.audit_log().size();
    for (const auto& c : copy.all_cases()) EXPECT_FALSE(store.put_case(c));
    for (const auto& j : copy.all_journeys()) EXPECT_FALSE(store.put_journey(j));
    EXPECT_EQ(store.audit_log().size(), rows);
}

TEST(StoreStory, JourneyColumnsAreContiguousAndCensorOpenJourneys) {
    auto store = Store::open(":memory:");
    write_story(store);
    store.put_case(ctai::test::primo("P-OPEN"));
    store.enroll(PersonId{"P-OPEN"}, ContractId{contract_2024}, 1, d("2024-09-01"),
                 ReferralSource::self, EnrollOptions{JourneyId{"J-OPEN"}, {}, {}});
    const auto all = store.journeys(std::nullopt, std::nullopt, d("2024-10-15"));
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all.entry.size(), 3u);
    EXPECT_EQ(all.length.size(), 3u);
    // Ordered by contract, action, entry.
    EXPECT_EQ(all.journey_id[0], "J-A1");
    EXPECT_EQ(all.journey_id[1], "J-OPEN");
    EXPECT_EQ(all.journey_id[2], "J-A4");
    EXPECT_EQ(all.length[0], d("2024-01-08").days_since(d("2023-10-20")));
    EXPECT_EQ(all.open[1], 1);
    EXPECT_EQ(all.exit[1], no_date);
    EXPECT_EQ(all.length[1], 44);
    EXPECT_EQ(all.positive[0], 1);  // common_law
    EXPECT_EQ(all.positive[2], 1);  // lasting_housing
    EXPECT_EQ(all.referral_source[2], static_cast<std::uint8_t>(ReferralSource::agir));
    EXPECT_EQ(all.end_step_date[0], d("2024-01-08").days());
    EXPECT_EQ(all.steps[0], 3);
    const auto action4 = store.journeys(ContractId{contract_2024}, 4);
    ASSERT_EQ(action4.size(), 1u);
    EXPECT_EQ(action4.person_id[0], "P-AMINA");
    const auto uncensored = store.journeys(std::nullopt, 1);
    EXPECT_EQ(uncensored.length[1], -1);

    const auto refs = store.referrals();
    ASSERT_EQ(refs.size(), 2u);
    EXPECT_EQ(refs.need[0], static_cast<std::uint8_t>(Need::housing));  // R-FROM-AGIR first
    EXPECT_EQ(refs.completed_on[1], d("2024-01-08").days());
}

TEST(StoreStory, EligibilityTableEvaluatesEveryPerson) {
    auto store = Store::open(":memory:");
    store.put_case(ctai::test::refugee("P1"));
    store.put_case(ctai::test::primo("P2"));
    store.put_case(ctai::test::french("P3"));
    const auto t = store.eligibility_table(d("2024-06-01"));
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t.person_id, (std::vector<std::string>{"P1", "P2", "P3"}));
    EXPECT_EQ(t.bpi, (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_EQ(t.primo_arrivant[1], 1);
    EXPECT_EQ(t.ctai_public, (std::vector<std::uint8_t>{1, 1, 0}));
    EXPECT_EQ(t.public_category[0], static_cast<std::uint8_t>(PublicCategory::bpi));
    EXPECT_EQ(t.public_category[2], no_code);
    EXPECT_EQ(t.primo_window_end[1], d("2027-03-15").days());
    EXPECT_EQ(t.primo_window_end[2], no_date);
    EXPECT_EQ(t.agir[0], 1);  // protected 2023-03-10, AGIR in Côte-d'Or from 2024
    EXPECT_EQ(t.birth_year[1], 1990);
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto e = store.eligibility(PersonId{t.person_id[i]}, d("2024-06-01"));
        EXPECT_EQ(t.primo_arrivant[i], e.primo_arrivant ? 1 : 0);
        EXPECT_EQ(t.agir[i], e.agir ? 1 : 0);
    }
}

TEST(StoreStory, ActivityColumnsCountParticipations) {
    auto store = Store::open(":memory:");
    store.put_case(ctai::test::refugee("P1"));
    store.put_case(ctai::test::primo("P2"));
    const ContractId c{contract_2024};
    store.put_activity({ActivityId{"A1"}, c, 2, ActivityKind::workshop, "cuisine", d("2024-03-05"),
                        2.5, true, ""});
    store.put_activity({ActivityId{"A2"}, c, 2, ActivityKind::actor_training, "", d("2024-03-06"),
                        3, false, "CCAS"});
    store.put_participation({ActivityId{"A1"}, PersonId{"P1"}, 4});
    store.put_participation({ActivityId{"A1"}, PersonId{"P2"}, 5});
    const auto a = store.activities(c);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a.participants, (std::vector<std::int32_t>{2, 0}));
    EXPECT_DOUBLE_EQ(a.mean_satisfaction[0], 4.5);
    EXPECT_TRUE(std::isnan(a.mean_satisfaction[1]));
    EXPECT_EQ(a.kind[1], static_cast<std::uint8_t>(ActivityKind::actor_training));
    EXPECT_EQ(a.co_animated[0], 1);
}

TEST(StoreStory, RetentionAnonymisesExpiredCasesAndKeepsTheStatistics) {
    auto store = Store::open(":memory:");
    write_story(store);  // last contact 2024-09-30
    auto recent = ctai::test::primo("P-RECENT");
    recent.person.last_contact = d("2025-06-01");
    store.put_case(recent);
    store.put_case(ctai::test::primo("P-NO-CONTACT"));

    EXPECT_TRUE(store.retention_candidates(d("2026-09-29")).empty());
    EXPECT_EQ(store.retention_candidates(d("2026-09-30")),
              std::vector<PersonId>{PersonId{"P-AMINA"}});

    const auto journeys_before = store.journeys(std::nullopt, std::nullopt, std::nullopt);
    const auto report = store.anonymize_expired(d("2026-10-01"));
    EXPECT_EQ(report.persons, 1);
    EXPECT_EQ(report.journeys, 2);
    EXPECT_EQ(report.referrals, 2);
    EXPECT_EQ(report.agir_supports, 1);
    EXPECT_EQ(report.households, 1);
    EXPECT_GT(report.audit_rows, 0);

    EXPECT_FALSE(store.find_person(PersonId{"P-AMINA"}).has_value());
    const auto ids = store.person_ids();
    ASSERT_EQ(ids.size(), 3u);
    const auto anon = std::find_if(ids.begin(), ids.end(), [](const PersonId& id) {
        return id.str().rfind("ANON-", 0) == 0;
    });
    ASSERT_NE(anon, ids.end());
    const auto c = store.person_case(*anon);
    EXPECT_EQ(c.person.sex, Sex::female);
    EXPECT_EQ(c.person.birth_date, (PartialDate{d("1995-01-01"), DatePrecision::year}));
    EXPECT_EQ(c.person.nationalities, std::vector<std::string>{"AF"});
    EXPECT_EQ(c.person.department, "21");
    EXPECT_FALSE(c.person.last_contact.has_value());
    ASSERT_TRUE(c.person.household_id.has_value());
    EXPECT_EQ(c.person.household_id->str().rfind("ANON-H-", 0), 0u);
    EXPECT_EQ(c.protections.size(), 1u);
    EXPECT_TRUE(store.eligibility(*anon, d("2024-06-01")).bpi);

    // Journeys and their statistics are unchanged, under the new id.
    const auto after = store.journeys(std::nullopt, std::nullopt, std::nullopt);
    EXPECT_EQ(after.length, journeys_before.length);
    EXPECT_EQ(after.positive, journeys_before.positive);
    EXPECT_EQ(store.journeys_of(*anon).size(), 2u);
    EXPECT_EQ(store.referrals_of(*anon).size(), 2u);
    EXPECT_EQ(store.all_housing_moves()[0].household_id, *c.person.household_id);

    // Nothing in the audit log still names the person; the anonymisation itself is audited.
    for (const auto& row : store.audit_log()) {
        EXPECT_EQ(row.entity_id.find("P-AMINA"), std::string::npos);
        EXPECT_EQ(row.change.find("P-AMINA"), std::string::npos);
        EXPECT_EQ(row.change.find("1995-06-01"), std::string::npos);
    }
    EXPECT_EQ(store.audit_log().back().operation, "anonymise");
    // Idempotent: nothing left to do.
    EXPECT_EQ(store.anonymize_expired(d("2026-10-01")).persons, 0);
    EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(StoreStory, FingerprintDependsOnContentNotOnInsertionOrder) {
    auto a = Store::open(":memory:");
    auto b = Store::open(":memory:");
    a.put_case(ctai::test::primo("P1"));
    a.put_case(ctai::test::refugee("P2"));
    b.put_case(ctai::test::refugee("P2"));
    b.put_case(ctai::test::primo("P1"));
    EXPECT_EQ(a.fingerprint().sha256, b.fingerprint().sha256);
    EXPECT_EQ(a.fingerprint().sha256.size(), 64u);
    const auto before = a.fingerprint();
    auto changed = ctai::test::primo("P1");
    changed.person.sex = Sex::female;
    a.put_case(changed);
    EXPECT_NE(a.fingerprint().sha256, before.sha256);
    EXPECT_GT(a.fingerprint().change_counter, before.change_counter);
}

}  // namespace
