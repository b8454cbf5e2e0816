// R3, policy minors_follow_household (#17): an accompanied minor follows the window of a
// primo-arrivant adult of their household. The rule's cases, its reason (the rule and the
// household, never the adult's fields), R0.5 (an adult's permit dated after D does not
// count), and the agreement of every path: evaluate() with the household, the case
// snapshot (evaluate, verdict, append), Store::eligibility (point reads and snapshot),
// eligibility_for and eligibility_table. Synthetic data only.
#include <gtest/gtest.h>

#include <ctai/case_snapshot.hpp>
#include <ctai/household_rule.hpp>
#include <ctai/store.hpp>

#include "store_fixtures.hpp"

namespace ctai {
namespace {

using test::d;

// A Moroccan adult with a first family card from 2022-03-15, in household H1.
PersonCase adult(const std::string& id = "A1", const char* card = "2022-03-15") {
    PersonCase c = test::primo(id);
    c.person.household_id = HouseholdId{"H1"};
    c.person.birth_date = PartialDate{d("1988-07-01"), DatePrecision::day};
    c.permits = {Permit{PermitKind::card, Motive::family, d(card), std::nullopt}};
    return c;
}

// A Moroccan child born 2015-02-10 in household H1, without any permit.
PersonCase child(const std::string& id = "C1") {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.birth_date = PartialDate{d("2015-02-10"), DatePrecision::day};
    c.person.nationalities = {"MA"};
    c.person.household_id = HouseholdId{"H1"};
    c.person.department = "21";
    return c;
}

Policy following() {
    Policy p;
    p.minors_follow_household = true;
    return p;
}

Eligibility with_household(const PersonCase& c, Date on, const Policy& p,
                           const std::vector<PersonCase>& household) {
    Eligibility e = evaluate(c, on, p);
    std::vector<const PersonCase*> members;
    for (const auto& m : household) members.push_back(&m);
    follow_household(e, c, p, members);
    return e;
}

TEST(MinorsFollowHousehold, AChildOfAPrimoAdultIsPrimoWithTheAdultsWindow) {
    const auto a = adult();
    const auto c = child();
    const Date on = d("2024-06-01");
    const auto e = with_household(c, on, following(), {a, c});
    EXPECT_TRUE(e.primo_arrivant);
    EXPECT_TRUE(e.ctai_public);
    EXPECT_EQ(e.public_category, PublicCategory::primo_arrivant);
    EXPECT_EQ(e.primo_anchor, d("2022-03-15"));
    EXPECT_EQ(e.primo_window_end, d("2027-03-15"));
    // The reason names the rule and the household, never the adult.
    const auto said = std::find_if(e.reasons.begin(), e.reasons.end(), [](const std::string& r) {
        return r.find("minors_follow_household") != std::string::npos;
    });
    ASSERT_NE(said, e.reasons.end());
    EXPECT_NE(said->find("H1"), std::string::npos);
    for (const auto& r : e.reasons) {
        EXPECT_EQ(r.find("A1"), std::string::npos) << r;
        EXPECT_EQ(r.find("2022-03-15"), std::string::npos) << r;
        EXPECT_EQ(r.find("1988"), std::string::npos) << r;
        EXPECT_EQ(r.find("not primo-arrivant"), std::string::npos) << r;
    }
    EXPECT_EQ(e.reasons.back(), "CTAI public: yes");
    // Its stable code: R3.follows_household, dated by the end of the followed window (what
    // the answer already shows), never by the adult's own permit date.
    std::vector<ReasonCode> primo;
    for (const ReasonCode& rc : e.reason_codes)
        if (dimension(rc.code) == ReasonDimension::primo_arrivant) primo.push_back(rc);
    ASSERT_EQ(primo.size(), 1u);
    EXPECT_EQ(primo[0], (ReasonCode{Reason::primo_follows_household, d("2027-03-15")}));
}

TEST(MinorsFollowHousehold, PolicyOffChangesNothing) {
    const auto a = adult();
    const auto c = child();
    const Date on = d("2024-06-01");
    const Policy off;
    const auto plain = evaluate(c, on, off);
    const auto e = with_household(c, on, off, {a, c});
    EXPECT_FALSE(e.primo_arrivant);
    EXPECT_EQ(e.reasons, plain.reasons);
    EXPECT_EQ(e.primo_window_end, plain.primo_window_end);
}

TEST(MinorsFollowHousehold, NoWindowWhenTheAdultsWindowHasEndedOrTheChildIsNotAMinor) {
    const auto a = adult("A1", "2018-01-10");  // window ends 2023-01-10
    const auto c = child();
    EXPECT_TRUE(with_household(c, d("2023-01-09"), following(), {a, c}).primo_arrivant);
    EXPECT_FALSE(with_household(c, d("2023-01-10"), following(), {a, c}).primo_arrivant);
    // 18 on 2033-02-10: no longer a minor.
    const auto late = adult("A1", "2030-01-01");
    EXPECT_TRUE(with_household(c, d("2033-02-09"), following(), {late, c}).primo_arrivant);
    EXPECT_FALSE(with_household(c, d("2033-02-10"), following(), {late, c}).primo_arrivant);
    // An unknown birth date never makes a minor (R0.4).
    auto unknown = child();
    unknown.person.birth_date.reset();
    EXPECT_FALSE(with_household(unknown, d("2024-06-01"), following(), {a, unknown}).primo_arrivant);
    // A child of another household follows no one.
    auto elsewhere = adult();
    elsewhere.person.household_id = HouseholdId{"H2"};
    EXPECT_FALSE(with_household(c, d("2024-06-01"), following(), {elsewhere, c}).primo_arrivant);
    // A child with a qualifying permit of their own follows their own window.
    auto own = child();
    own.permits = {Permit{PermitKind::card, Motive::family, d("2016-01-01"), std::nullopt}};
    EXPECT_FALSE(with_household(own, d("2024-06-01"), following(), {adult(), own}).primo_arrivant);
}

TEST(MinorsFollowHousehold, AnAdultsPermitDecidedAfterTheDateDoesNotCount) {
    const auto a = adult("A1", "2024-09-01");
    const auto c = child();
    EXPECT_FALSE(with_household(c, d("2024-06-01"), following(), {a, c}).primo_arrivant);
    const auto e = with_household(c, d("2024-06-01"), following(), {a, c});
    EXPECT_FALSE(e.primo_window_end);
    EXPECT_TRUE(with_household(c, d("2024-09-01"), following(), {a, c}).primo_arrivant);
}

TEST(MinorsFollowHousehold, EveryPathOfTheStoreAndTheSnapshotAgreesWithEvaluate) {
    const Policy p = following();
    std::vector<PersonCase> cases{adult("A1", "2021-04-01"), child("C1"), adult("B1", "2016-02-01"),
                                  child("C2")};
    cases[2].person.household_id = HouseholdId{"H2"};
    cases[3].person.household_id = HouseholdId{"H2"};
    StoreOptions o;
    o.policy = p;
    auto store = Store::open(":memory:", o);
    for (const auto& c : cases) ASSERT_TRUE(store.put_case(c));
    std::vector<PersonId> ids;
    for (const auto& c : cases) ids.push_back(c.person.id);
    const CaseSnapshot snap(cases, {}, p);
    std::size_t followed = 0;
    for (const char* iso : {"2020-01-01", "2021-04-01", "2021-03-31", "2024-06-01", "2026-03-31",
                            "2026-04-01"}) {
        const Date on = d(iso);
        store.drop_case_snapshot();
        const std::vector<Date> dates(ids.size(), on);
        const auto batch = store.eligibility_for(ids, dates);  // small batch: point reads
        const auto table = store.eligibility_table(on);
        for (std::uint32_t i = 0; i < cases.size(); ++i) {
            const std::string where = std::string(iso) + " " + cases[i].person.id.str();
            const auto want = with_household(cases[i], on, p, cases);
            followed += want.primo_arrivant && !evaluate(cases[i], on, p).primo_arrivant;
            store.drop_case_snapshot();
            const auto point = store.eligibility(cases[i].person.id, on);
            EXPECT_EQ(point.primo_arrivant, want.primo_arrivant) << where;
            EXPECT_EQ(point.primo_window_end, want.primo_window_end) << where;
            EXPECT_EQ(point.reasons, want.reasons) << where;
            const auto s = snap.evaluate(i, on);
            EXPECT_EQ(s.primo_arrivant, want.primo_arrivant) << where;
            EXPECT_EQ(s.primo_anchor, want.primo_anchor) << where;
            EXPECT_EQ(s.primo_window_end, want.primo_window_end) << where;
            EXPECT_EQ(s.public_category, want.public_category) << where;
            EXPECT_EQ(s.reasons, want.reasons) << where;
            EXPECT_EQ(snap.verdict(i, on).is(Verdict::primo_arrivant), want.primo_arrivant) << where;
            std::size_t row = 0;
            while (row < table.person_id.size() && table.person_id[row] != cases[i].person.id.str())
                ++row;
            ASSERT_LT(row, table.person_id.size()) << where;
            EXPECT_EQ(table.primo_arrivant.at(row), want.primo_arrivant ? 1 : 0) << where;
            EXPECT_EQ(batch.primo_arrivant.at(i), want.primo_arrivant ? 1 : 0) << where;
            EXPECT_EQ(batch.primo_window_end.at(i),
                      want.primo_window_end ? want.primo_window_end->days() : no_date)
                << where;
        }
    }
    EXPECT_GT(followed, 0u);  // the rule really applied
}

}  // namespace
}  // namespace ctai
