// Policy: documented defaults, JSON round trip, text options with clear errors.
#include <ctai/error.hpp>
#include <ctai/policy.hpp>

#include <gtest/gtest.h>

namespace {

using namespace ctai;

TEST(Policy, DefaultsAreTheDocumentedOnes) {
    const Policy p;
    EXPECT_EQ(p.feb29, Feb29::last_day_of_february);
    EXPECT_EQ(p.boundary, Boundary::strict);
    EXPECT_EQ(p.primo_anchor, PrimoAnchor::first_qualifying_permit);
    EXPECT_FALSE(p.require_cir);
    EXPECT_TRUE(p.accept_cir_proposed);
    EXPECT_TRUE(p.bpi_includes_stateless);
    EXPECT_EQ(p.bpt_end(), parse_date("2027-03-04"));
    EXPECT_EQ(p.agir_recency, AgirRecency::rolling_2_years);
    EXPECT_EQ(p.age_reference, AgeReference::entry);
    EXPECT_EQ(p.suppression_k, 11);
    EXPECT_EQ(p.excluded_motives.size(), 8u);
    EXPECT_TRUE(p.excluded_motives.contains(Motive::student));
    EXPECT_FALSE(p.excluded_motives.contains(Motive::family));
    EXPECT_EQ(p.agir_start.at("21"), parse_date("2024-01-01"));
}

TEST(Policy, JsonRoundTripKeepsEveryOption) {
    Policy p;
    p.boundary = Boundary::inclusive;
    p.feb29 = Feb29::march_first;
    p.primo_anchor = PrimoAnchor::cir_signature;
    p.excluded_motives = {Motive::visitor};
    p.require_cir = true;
    p.accept_cir_proposed = false;
    p.bpi_includes_stateless = false;
    p.bpt_end_dates = {parse_date("2023-03-04")};
    p.agir_start = {{"75", parse_date("2022-05-01")}};
    p.agir_recency = AgirRecency::calendar_n_minus_1;
    p.intermediated_rental_is_lasting = true;
    p.pension_de_famille_is_lasting = true;
    p.age_reference = AgeReference::december_31;
    p.suppression_k = 5;
    p.retention_years = 3;
    p.agir_includes_stateless = false;
    p.bpi_window_years = 5;
    p.require_regular_stay = true;
    p.minors_follow_household = true;
    EXPECT_EQ(policy_from_json(policy_to_json(p)), p);
    EXPECT_EQ(policy_from_json(R"({"bpi_window_years": null})"), Policy{});
    EXPECT_THROW(policy_from_json(R"({"bpi_window_years": 0})"), ValidationError);
    EXPECT_EQ(policy_from_json(policy_to_json(Policy{})), Policy{});
    EXPECT_EQ(policy_option_names().size(), 19u);
}

TEST(Policy, AbsentKeysKeepTheirDefaults) {
    const auto p = policy_from_json(R"({"boundary": "inclusive"})");
    Policy want;
    want.boundary = Boundary::inclusive;
    EXPECT_EQ(p, want);
    EXPECT_TRUE(policy_from_json(R"({"excluded_motives": []})").excluded_motives.empty());
}

TEST(Policy, BadFilesAndValuesNameTheOption) {
    try {
        policy_from_json(R"({"boundery": "inclusive"})", "my.json");
        FAIL();
    } catch (const ValidationError& e) {
        EXPECT_EQ(e.field(), "boundery");
        EXPECT_NE(std::string(e.what()).find("my.json"), std::string::npos);
    }
    EXPECT_THROW(policy_from_json(R"({"boundary": "loose"})"), ValidationError);
    EXPECT_THROW(policy_from_json(R"({"suppression_k": 0})"), ValidationError);
    EXPECT_THROW(policy_from_json(R"({"require_cir": "maybe"})"), ValidationError);
    EXPECT_THROW(policy_from_json(R"({"bpt_end_dates": ["2023-02-30"]})"), ValidationError);
    EXPECT_THROW(policy_from_json("[1, 2]"), ValidationError);
    EXPECT_THROW(policy_from_json("{"), ValidationError);
}

TEST(Policy, FilesAreReadByTheStrictJsonReaderOfContracts) {
    // One JSON reader for contracts and policies: a key given twice is refused by name, a
    // syntax error names its line, a byte order mark is skipped.
    try {
        policy_from_json("{\"boundary\": \"strict\",\n \"boundary\": \"inclusive\"}", "p.json");
        FAIL();
    } catch (const ValidationError& e) {
        EXPECT_EQ(e.field(), "boundary");
        EXPECT_NE(std::string(e.what()).find("p.json: boundary: duplicate key 'boundary'"),
                  std::string::npos);
    }
    try {
        policy_from_json("{\n\"boundary\": \"strict\",\n}", "p.json");
        FAIL();
    } catch (const ValidationError& e) {
        EXPECT_NE(std::string(e.what()).find("p.json:3: invalid JSON"), std::string::npos);
    }
    EXPECT_EQ(policy_from_json("\xEF\xBB\xBF{\"boundary\": \"inclusive\"}").boundary,
              Boundary::inclusive);
}

TEST(Policy, TextOptionsAsTheCommandLineGivesThem) {
    Policy p;
    set_policy_option(p, "agir_recency", "calendar_n_minus_1");
    set_policy_option(p, "agir_start", "75=2023-01-01");
    set_policy_option(p, "excluded_motives", "student, visitor");
    set_policy_option(p, "require_cir", "yes");
    EXPECT_EQ(p.agir_recency, AgirRecency::calendar_n_minus_1);
    EXPECT_EQ(p.agir_start.size(), 2u);
    EXPECT_EQ(p.excluded_motives, (std::set<Motive>{Motive::student, Motive::visitor}));
    EXPECT_TRUE(p.require_cir);
    set_policy_option(p, "agir_start", "none");
    EXPECT_TRUE(p.agir_start.empty());
    EXPECT_THROW(set_policy_option(p, "agir_start", "75"), ValidationError);
    EXPECT_THROW(set_policy_option(p, "nope", "1"), ValidationError);
}

TEST(Policy, LastingHousingFollowsTheOptions) {
    Policy p;
    EXPECT_TRUE(is_lasting_housing(HousingType::social_rental, p));
    EXPECT_TRUE(is_lasting_housing(HousingType::fjt, p));
    EXPECT_FALSE(is_lasting_housing(HousingType::pension_de_famille, p));
    p.pension_de_famille_is_lasting = true;
    EXPECT_TRUE(is_lasting_housing(HousingType::pension_de_famille, p));
    EXPECT_FALSE(is_lasting_housing(HousingType::family_or_friends, p));
}

}  // namespace
