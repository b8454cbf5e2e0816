// R6 orientations: the referrals as known on a date (referral_state_on, referrals_as_of)
// and the report's orientation block, on a hand-built store; R8 action 3 volunteer
// engagement length. Every expected figure is derived by hand in the comments.
#include <ctai/orientations.hpp>
#include <ctai/referrals.hpp>
#include <ctai/report.hpp>
#include <ctai/store.hpp>

#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::d;
using S = ReferralStatus;

const ContractId contract{"dijon-2023-2024"};

Referral referral(const char* id, const char* person, const char* from, const char* to, Need need,
                  const char* proposed, std::optional<const char*> decided = std::nullopt,
                  S status = S::proposed, std::optional<const char*> closed = std::nullopt) {
    Referral r;
    r.id = ReferralId{id};
    r.person_id = PersonId{person};
    r.from = from;
    r.to = to;
    r.need = need;
    r.status = status;
    r.proposed_on = d(proposed);
    if (decided) r.decided_on = d(*decided);
    if (closed) r.completed_on = d(*closed);
    if (status == S::declined || status == S::cancelled) r.reason = "motif de test";
    return r;
}

// Report period 2024-01-01 .. 2024-06-30, evaluated on 2024-06-30 (E).
//        from -> to   need       proposed    decided     status     closed      in report
// R01  agir -> :4     housing    2024-01-10  2024-01-20  completed  2024-02-09  decision 10, entry 20
// R02  agir -> :4     housing    2024-06-15  2024-06-25  accepted   -           decision 10, entry censored 5
// R03  agir -> :1     rights     2024-02-01  2024-02-21  declined   -           decision 20
// R04  :1 -> agir     rights     2024-04-01  2024-04-05  completed  2024-04-15  decision 4, entry 10
// R05  agir -> :2     language   2024-05-01  2024-05-03  cancelled  2024-05-23  decision 2, entry censored 20
// R06  agir -> :2     language   2024-06-10  -           proposed   -           decision censored 20
// R07  agir -> :4     housing    2023-12-01  2023-12-10  completed  2024-01-05  no: proposed before the period
// R08  agir -> :3     employment 2024-06-20  2024-07-05  completed  2024-07-20  proposed on E (decided later): decision censored 10
// R09  agir -> dijon-2022:1 rights 2024-02-01 -         proposed   -           no: another contract
// R10  agir -> :4     housing    2024-07-10  -           proposed   -           no: after E (does not exist yet)
// R11  agir -> :4     housing    2024-06-01  2024-06-01  completed  2024-06-29  decision 0, entry 28
Store fixture() {
    Store s = Store::open(":memory:");
    auto tx = s.transaction("orientations fixture");
    for (const char* p : {"P1", "P2", "P3", "P4"}) s.put_case(test::refugee(p));
    const char* a1 = "dijon-2023-2024:1";
    const char* a2 = "dijon-2023-2024:2";
    const char* a3 = "dijon-2023-2024:3";
    const char* a4 = "dijon-2023-2024:4";
    s.put_referral(referral("R01", "P1", "agir", a4, Need::housing, "2024-01-10", "2024-01-20", S::completed, "2024-02-09"));
    s.put_referral(referral("R02", "P2", "agir", a4, Need::housing, "2024-06-15", "2024-06-25", S::accepted));
    s.put_referral(referral("R03", "P3", "agir", a1, Need::rights, "2024-02-01", "2024-02-21", S::declined));
    s.put_referral(referral("R04", "P4", a1, "agir", Need::rights, "2024-04-01", "2024-04-05", S::completed, "2024-04-15"));
    s.put_referral(referral("R05", "P1", "agir", a2, Need::language, "2024-05-01", "2024-05-03", S::cancelled, "2024-05-23"));
    s.put_referral(referral("R06", "P2", "agir", a2, Need::language, "2024-06-10"));
    s.put_referral(referral("R07", "P3", "agir", a4, Need::housing, "2023-12-01", "2023-12-10", S::completed, "2024-01-05"));
    s.put_referral(referral("R08", "P4", "agir", a3, Need::employment, "2024-06-20", "2024-07-05", S::completed, "2024-07-20"));
    s.put_referral(referral("R09", "P1", "agir", "dijon-2022:1", Need::rights, "2024-02-01"));
    s.put_referral(referral("R10", "P2", "agir", a4, Need::housing, "2024-07-10"));
    s.put_referral(referral("R11", "P3", "agir", a4, Need::housing, "2024-06-01", "2024-06-01", S::completed, "2024-06-29"));
    tx.commit();
    return s;
}

ReportOptions period() {
    ReportOptions o;
    o.from = d("2024-01-01");
    o.to = d("2024-06-30");
    return o;
}

std::map<std::string, double> breakdown(const ReportOrientations& o, const char* key) {
    std::map<std::string, double> m;
    for (const auto& [k, v] : o.indicator(key).breakdown) m[k] = v.value_or(-1);
    return m;
}

TEST(ReferralState, AReferralIsSeenOnADateWithOnlyTheTransitionsDatedByThen) {
    const Referral r = referral("R", "P", "agir", "dijon-2023-2024:4", Need::housing, "2024-06-20",
                                "2024-07-05", S::completed, "2024-07-20");
    EXPECT_FALSE(referral_state_on(r, d("2024-06-19")));  // not proposed yet
    const auto proposed = referral_state_on(r, d("2024-06-30"));
    ASSERT_TRUE(proposed);
    EXPECT_EQ(proposed->status, S::proposed);
    EXPECT_FALSE(proposed->decided_on);
    EXPECT_EQ(proposed->age_days, 10);
    EXPECT_EQ(proposed->waiting_on, ReferralStep::decision);
    EXPECT_EQ(proposed->waiting_days, 10);
    const auto accepted = referral_state_on(r, d("2024-07-19"));
    EXPECT_EQ(accepted->status, S::accepted);
    EXPECT_EQ(accepted->decided_on, d("2024-07-05"));
    EXPECT_FALSE(accepted->completed_on);
    EXPECT_EQ(accepted->waiting_on, ReferralStep::entry);
    EXPECT_EQ(accepted->waiting_days, 14);
    EXPECT_EQ(accepted->age_days, 29);
    const auto done = referral_state_on(r, d("2024-07-20"));
    EXPECT_EQ(done->status, S::completed);
    EXPECT_EQ(done->completed_on, d("2024-07-20"));
    EXPECT_FALSE(done->waiting_on);
    EXPECT_FALSE(done->waiting_days);
    // A decline is final from its date; a cancellation follows an acceptance.
    const Referral no = referral("N", "P", "agir", "dijon-2023-2024:1", Need::rights, "2024-01-01",
                                 "2024-01-11", S::declined);
    EXPECT_EQ(referral_state_on(no, d("2024-01-10"))->status, S::proposed);
    EXPECT_EQ(referral_state_on(no, d("2024-01-11"))->status, S::declined);
    const Referral off = referral("C", "P", "agir", "dijon-2023-2024:1", Need::rights, "2024-01-01",
                                  "2024-01-11", S::cancelled, "2024-02-01");
    EXPECT_EQ(referral_state_on(off, d("2024-01-31"))->status, S::accepted);
    EXPECT_EQ(referral_state_on(off, d("2024-02-01"))->status, S::cancelled);
}

TEST(ReferralState, DirectionFollowsTheEndpoints) {
    const auto e = [](const char* s) { return parse_referral_endpoint(s); };
    EXPECT_EQ(referral_direction(e("agir"), e("c:1")), ReferralDirection::agir_to_action);
    EXPECT_EQ(referral_direction(e("c:1"), e("agir")), ReferralDirection::action_to_agir);
    EXPECT_EQ(referral_direction(e("c:1"), e("c:2")), ReferralDirection::action_to_action);
}

TEST(ReferralsAsOf, ListsWhatIsKnownOnTheDateWithAgeAndWaitingStep) {
    const Store s = fixture();
    const auto t = referrals_as_of(s, d("2024-06-30"));
    std::map<std::string, std::size_t> row;
    for (std::size_t r = 0; r < t.size(); ++r) row[t.columns.referral_id[r]] = r;
    EXPECT_EQ(t.size(), 10u);  // R10 is proposed after the date
    EXPECT_FALSE(row.contains("R10"));
    const std::size_t r8 = row.at("R08");
    EXPECT_EQ(t.columns.status[r8], static_cast<std::uint8_t>(S::proposed));
    EXPECT_EQ(t.columns.decided_on[r8], no_date);
    EXPECT_EQ(t.columns.completed_on[r8], no_date);
    EXPECT_EQ(t.age_days[r8], 10);
    EXPECT_EQ(t.waiting_on[r8], static_cast<std::uint8_t>(ReferralStep::decision));
    const std::size_t r2 = row.at("R02");
    EXPECT_EQ(t.age_days[r2], 15);
    EXPECT_EQ(t.waiting_on[r2], static_cast<std::uint8_t>(ReferralStep::entry));
    EXPECT_EQ(t.waiting_days[r2], 5);
    EXPECT_EQ(t.age_days[row.at("R09")], 150);  // 2024-02-01 -> 2024-06-30 (29 February)
    const std::size_t r4 = row.at("R04");
    EXPECT_EQ(t.direction[r4], static_cast<std::uint8_t>(ReferralDirection::action_to_agir));
    EXPECT_EQ(t.waiting_on[r4], no_code);
    EXPECT_EQ(t.waiting_days[r4], -1);
    // Filters: the status on the date, the need.
    ReferralFilter waiting;
    waiting.status = S::proposed;
    const auto w = referrals_as_of(s, d("2024-06-30"), waiting);
    EXPECT_EQ(w.columns.referral_id, (std::vector<std::string>{"R06", "R08", "R09"}));
    ReferralFilter housing;
    housing.need = Need::housing;
    EXPECT_EQ(referrals_as_of(s, d("2024-06-30"), housing).columns.referral_id,
              (std::vector<std::string>{"R01", "R02", "R07", "R11"}));
    // Without a date: as stored, no age.
    const auto stored = referrals_as_of(s, std::nullopt);
    EXPECT_EQ(stored.size(), 11u);
    EXPECT_EQ(stored.columns.status[7], static_cast<std::uint8_t>(S::completed));  // R08
    EXPECT_EQ(stored.age_days[7], -1);
}

// In the report: R01 R02 R03 R04 R05 R06 R08 R11 (8).
TEST(ReportOrientations, CountsAndRatesAreThoseComputedByHand) {
    const Report r = build_report(fixture(), contract, period());
    const ReportOrientations& o = r.orientations;
    EXPECT_EQ(o.indicator("total").value, 8);
    EXPECT_EQ(breakdown(o, "by_direction"),
              (std::map<std::string, double>{{"agir_to_action", 7}, {"action_to_agir", 1}, {"action_to_action", 0}}));
    EXPECT_EQ(breakdown(o, "by_status"),
              (std::map<std::string, double>{{"proposed", 2}, {"accepted", 1}, {"declined", 1},
                                             {"completed", 3}, {"cancelled", 1}}));
    EXPECT_EQ(breakdown(o, "by_need"),
              (std::map<std::string, double>{{"housing", 3}, {"rights", 2}, {"language", 2},
                                             {"employment", 1}, {"health", 0}, {"childcare", 0},
                                             {"mobility", 0}}));
    EXPECT_EQ(breakdown(o, "by_action"),
              (std::map<std::string, double>{{"1", 2}, {"2", 2}, {"3", 1}, {"4", 3}}));
    EXPECT_EQ(o.indicator("decided").value, 6);   // all but R06 and R08
    EXPECT_EQ(o.indicator("accepted").value, 5);  // R01 R02 R04 R05 R11
    EXPECT_EQ(o.indicator("acceptance_rate").value, 0.833);  // 5 / 6
    EXPECT_EQ(o.indicator("entered").value, 3);
    EXPECT_EQ(o.indicator("without_entry").value, 2);  // R03 declined, R05 cancelled
}

TEST(ReportOrientations, DelaysAreKaplanMeierWithTheOpenOnesCensored) {
    const Report r = build_report(fixture(), contract, period());
    // Proposal -> decision: decided 0 2 4 10 10 20; censored 10 (R08) and 20 (R06) at E.
    // S(0) = 7/8, S(2) = 6/8, S(4) = 5/8, S(10) = 5/8 * 3/5 = 3/8 <= 0.5: median 10;
    // S(20) = 3/8 * 1/2 = 3/16 > 0.1: no 90th percentile yet. Decided only: median (4+10)/2.
    const ReferralDelay& dd = r.orientations.decision_delay;
    EXPECT_EQ(dd.count, 8);
    EXPECT_EQ(dd.observed, 6);
    EXPECT_EQ(dd.open, 2);
    EXPECT_EQ(dd.median_days, 7.0);
    EXPECT_EQ(dd.km_median_days, 10.0);
    EXPECT_FALSE(dd.km_p90_days);
    EXPECT_EQ(dd.stats.open_days, (std::vector<std::int32_t>{10, 20}));
    // Acceptance -> entry: entered 10 (R04) 20 (R01) 28 (R11); censored 5 (R02, still
    // waiting at E) and 20 (R05, at its cancellation). S(10) = 3/4 (4 at risk after R02),
    // S(20) = 3/4 * 2/3 = 1/2: median 20; S(28) = 0: 90th percentile 28.
    const ReferralDelay& ed = r.orientations.entry_delay;
    EXPECT_EQ(ed.count, 5);
    EXPECT_EQ(ed.observed, 3);
    EXPECT_EQ(ed.open, 2);
    EXPECT_EQ(ed.median_days, 20.0);
    EXPECT_EQ(ed.km_median_days, 20.0);
    EXPECT_EQ(ed.km_p90_days, 28.0);
    EXPECT_EQ(ed.stats.open_days, (std::vector<std::int32_t>{5, 20}));
}

TEST(ReportOrientations, RenderedInJsonMarkdownCsvAndHtml) {
    const Report r = build_report(fixture(), contract, period());
    const auto j = nlohmann::json::parse(to_json(r));
    const auto& o = j.at("orientations");
    EXPECT_EQ(o.at("total"), 8);
    EXPECT_EQ(o.at("by_status").at("completed"), 3);
    EXPECT_EQ(o.at("acceptance_rate"), 0.833);
    EXPECT_EQ(o.at("entry_delay").at("km_p90_days"), 28);
    EXPECT_TRUE(o.at("decision_delay").at("km_p90_days").is_null());
    const std::string md = to_markdown(r);
    EXPECT_NE(md.find("## Orientations entre AGIR et les actions du contrat"), std::string::npos);
    EXPECT_NE(md.find("| Taux d'acceptation (acceptées / ayant reçu une réponse) | 0,83 |"), std::string::npos);
    EXPECT_NE(md.find("| d'une action vers AGIR | 1 |"), std::string::npos);
    const std::string csv = to_csv(r);
    EXPECT_NE(csv.find("0,orientations.entry_delay.km_median_days,"), std::string::npos);
    EXPECT_NE(csv.find("0,orientations.by_need.housing,Orientations par besoin : logement,,3\n"), std::string::npos);
    const std::string html = to_html(r);
    EXPECT_NE(html.find("id=\"orientations\""), std::string::npos);
    EXPECT_NE(html.find("data-key=\"entry_delay.km_p90_days\""), std::string::npos);
}

TEST(ReportOrientations, PublishedSmallCountsAreHiddenWithTheirDelays) {
    ReportOptions o = period();
    o.publish = true;
    o.k = 3;  // every count below 3 is hidden
    const Report r = build_report(fixture(), contract, o);
    const ReportOrientations& ro = r.orientations;
    EXPECT_EQ(ro.indicator("total").value, 8);
    EXPECT_FALSE(ro.indicator("without_entry").value);  // 2
    // by_status: accepted 1, declined 1, cancelled 1, proposed 2 hidden; completed 3 shown.
    const auto st = breakdown(ro, "by_status");
    EXPECT_EQ(st.at("completed"), 3);
    EXPECT_EQ(st.at("proposed"), -1);
    // Entry delay: open 2 hidden, then observed 3 (secondary: count = observed + open): no KM.
    EXPECT_FALSE(ro.entry_delay.open);
    EXPECT_FALSE(ro.entry_delay.observed);
    EXPECT_EQ(ro.entry_delay.count, 5);
    // decided = accepted + declined: declined hidden, so accepted too, and the rate.
    EXPECT_FALSE(ro.indicator("accepted").value);
    EXPECT_FALSE(ro.indicator("acceptance_rate").value);
    EXPECT_FALSE(ro.entry_delay.km_median_days);
    EXPECT_FALSE(ro.entry_delay.km_p90_days);
    EXPECT_TRUE(ro.entry_delay.stats.km_curve.empty());
    bool listed = false;
    for (const auto& c : r.suppressed) listed = listed || c.path == "orientations.entry_delay.open";
    EXPECT_TRUE(listed);
    // Zero is shown.
    EXPECT_EQ(breakdown(ro, "by_direction").at("action_to_action"), 0);
}

// R8 action 3, period 2024-01-01 .. 2024-06-30, evaluated on its end (E):
// V1 engagement 2023-11-01 .. 2024-02-29: completed, 120 days from its own start (not
//    clipped to the period); an earlier one in 2023 does not overlap the period;
// V2 2024-03-01 .. 2024-04-30: completed, 60 days;
// V3 2024-05-01, open: censored at E, 60 days;
// V4 2024-04-01 .. 2024-08-31: ends after E, open on E (R0.5): censored, 90 days.
// Completed-only mean (120 + 60) / 2 = 90. Kaplan-Meier: S = 1 to 60, 3/4 from 60 (one end,
// one censoring; 2 at risk left), censored at 90, S = 0 at 120: area 60 + 60 * 3/4 = 105.
TEST(ReportVolunteers, EngagementLengthIsCompletedOnlyMeanAndKaplanMeierRestrictedMean) {
    Store s = Store::open(":memory:");
    {
        auto tx = s.transaction("volunteers fixture");
        for (const char* p : {"V1", "V2", "V3", "V4"}) {
            s.put_case(test::refugee(p));
            Journey j1;
            j1.id = JourneyId{std::string("J1-") + p};
            j1.person_id = PersonId{p};
            j1.contract_id = contract;
            j1.action = 1;
            j1.entry_date = d("2023-10-20");
            j1.exit_date = d("2023-11-20");
            j1.exit_reason = "common_law";
            j1.steps = {{StepKind::follow_on, d("2023-11-10")}};
            s.put_journey(j1);
            Journey j3 = j1;
            j3.id = JourneyId{std::string("J3-") + p};
            j3.action = 3;
            j3.entry_date = d("2023-12-01");
            j3.exit_date.reset();
            j3.exit_reason.reset();
            j3.steps.clear();
            s.put_journey(j3);
        }
        auto engagement = [&](const char* p, const char* start, std::optional<const char*> end) {
            s.put_volunteering(Volunteering{PersonId{p}, VolunteeringKind::engagement, d(start),
                                            end ? std::optional<Date>(d(*end)) : std::nullopt, "sport"});
        };
        engagement("V1", "2023-01-01", "2023-06-30");
        engagement("V1", "2023-11-01", "2024-02-29");
        engagement("V2", "2024-03-01", "2024-04-30");
        engagement("V3", "2024-05-01", std::nullopt);
        engagement("V4", "2024-04-01", "2024-08-31");
        tx.commit();
    }
    const Report r = build_report(s, contract, period());
    const ActionReport& a3 = r.action(3);
    EXPECT_EQ(a3.extra_indicator("volunteer_engagements").value, 4);
    EXPECT_EQ(a3.extra_indicator("volunteer_engagements_open").value, 2);
    EXPECT_EQ(a3.extra_indicator("mean_volunteer_days").value, 90.0);
    EXPECT_EQ(a3.extra_indicator("km_restricted_mean_volunteer_days").value, 105.0);
    const auto j = nlohmann::json::parse(to_json(r));
    EXPECT_EQ(j["actions"][2]["extra"]["km_restricted_mean_volunteer_days"], 105);
}

}  // namespace
