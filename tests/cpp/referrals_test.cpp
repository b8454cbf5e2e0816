// R6: the referral lifecycle as pure rules.
#include <ctai/referrals.hpp>

#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::d;
using S = ReferralStatus;

Referral proposed() {
    Referral r;
    r.id = ReferralId{"R1"};
    r.person_id = PersonId{"P1"};
    r.from = "agir";
    r.to = "dijon-2023-2024:4";
    r.need = Need::housing;
    r.proposed_on = d("2024-03-01");
    return r;
}

TEST(Referrals, EndpointsAreAgirOrContractColonAction) {
    EXPECT_TRUE(parse_referral_endpoint("agir").is_agir());
    const auto e = parse_referral_endpoint("dijon-2023-2024:4");
    EXPECT_EQ(e.contract_id.str(), "dijon-2023-2024");
    EXPECT_EQ(e.action, 4);
    EXPECT_EQ(to_string(e), "dijon-2023-2024:4");
    for (const char* bad : {"", "AGIR", "dijon", "dijon:", ":4", "dijon:0", "dijon:4x"})
        EXPECT_THROW(parse_referral_endpoint(bad), ValidationError) << bad;
}

TEST(Referrals, LifecycleAllowsOnlyTheDocumentedTransitions) {
    const S all[] = {S::proposed, S::accepted, S::declined, S::completed, S::cancelled};
    for (auto from : all)
        for (auto to : all) {
            const bool expected = (from == S::proposed && (to == S::accepted || to == S::declined)) ||
                                  (from == S::accepted && (to == S::completed || to == S::cancelled));
            EXPECT_EQ(referral_transition_allowed(from, to), expected)
                << to_string(from) << " -> " << to_string(to);
        }
}

TEST(Referrals, AcceptThenCompleteSetsTheDates) {
    const auto accepted = apply_referral_transition(proposed(), S::accepted, d("2024-03-05"));
    EXPECT_EQ(accepted.status, S::accepted);
    EXPECT_EQ(accepted.decided_on, d("2024-03-05"));
    const auto done = apply_referral_transition(accepted, S::completed, d("2024-03-05"));
    EXPECT_EQ(done.status, S::completed);
    EXPECT_EQ(done.completed_on, d("2024-03-05"));
    EXPECT_NO_THROW(check_referral(done));
}

TEST(Referrals, OutOfOrderTransitionsAreConflicts) {
    try {
        apply_referral_transition(proposed(), S::completed, d("2024-03-05"));
        FAIL() << "completed a proposed referral";
    } catch (const ConflictError& e) {
        EXPECT_EQ(e.rule(), "R6.referral_transition");
    }
    const auto declined =
        apply_referral_transition(proposed(), S::declined, d("2024-03-02"), "hors critères");
    EXPECT_THROW(apply_referral_transition(declined, S::accepted, d("2024-03-03")), ConflictError);
    // Dates never go back.
    EXPECT_THROW(apply_referral_transition(proposed(), S::accepted, d("2024-02-29")),
                 ConflictError);
}

TEST(Referrals, DeclineAndCancelNeedAReason) {
    EXPECT_THROW(apply_referral_transition(proposed(), S::declined, d("2024-03-02")),
                 ValidationError);
    const auto accepted = apply_referral_transition(proposed(), S::accepted, d("2024-03-05"));
    EXPECT_THROW(apply_referral_transition(accepted, S::cancelled, d("2024-03-06"), " "),
                 ValidationError);
    const auto cancelled =
        apply_referral_transition(accepted, S::cancelled, d("2024-03-06"), "déménagement");
    EXPECT_EQ(cancelled.completed_on, d("2024-03-06"));
    EXPECT_EQ(cancelled.reason, "déménagement");
}

TEST(Referrals, RecordedReferralMustBeConsistent) {
    auto r = proposed();
    EXPECT_NO_THROW(check_referral(r));
    r.decided_on = d("2024-03-02");  // proposed with a decision date
    EXPECT_THROW(check_referral(r), ValidationError);
    r.status = S::accepted;
    EXPECT_NO_THROW(check_referral(r));
    r.decided_on = d("2024-02-01");  // before the proposal
    EXPECT_THROW(check_referral(r), ConflictError);
    r = proposed();
    r.to = "agir";  // same endpoint at both ends
    EXPECT_THROW(check_referral(r), ValidationError);
}

}  // namespace
