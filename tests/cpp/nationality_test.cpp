// R1: nationality codes and classes.
#include <ctai/error.hpp>
#include <ctai/nationality.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using ctai::NationalityClass;

NationalityClass cls(std::vector<std::string> codes, const char* on = "2024-06-01") {
    for (auto& c : codes) c = ctai::normalize_nationality(c);
    return ctai::nationality_class(codes, ctai::parse_date(on));
}

TEST(Nationality, WorkedCasesOfTheDomainSpec) {
    EXPECT_EQ(cls({"DE"}), NationalityClass::eu_eea_ch);
    EXPECT_EQ(cls({"NO"}), NationalityClass::eu_eea_ch);
    EXPECT_EQ(cls({"CH"}), NationalityClass::eu_eea_ch);
    EXPECT_EQ(cls({"DZ", "FR"}), NationalityClass::french);
    EXPECT_EQ(cls({"GB"}, "2020-12-31"), NationalityClass::eu_eea_ch);
    EXPECT_EQ(cls({"GB"}, "2021-01-01"), NationalityClass::third_country);
}

TEST(Nationality, AliasesAndAlpha3AreNormalisedToAlpha2) {
    EXPECT_EQ(ctai::normalize_nationality("EL"), "GR");
    EXPECT_EQ(ctai::normalize_nationality("UK"), "GB");
    EXPECT_EQ(ctai::normalize_nationality("mar"), "MA");
    EXPECT_EQ(ctai::normalize_nationality("AFG"), "AF");
    EXPECT_EQ(ctai::normalize_nationality("stateless"), "STATELESS");
    EXPECT_EQ(ctai::normalize_nationality("Unknown"), "UNKNOWN");
    EXPECT_EQ(ctai::normalize_nationality("XK"), "XK");
}

TEST(Nationality, AnUnknownCodeIsAnInputErrorNotUndetermined) {
    EXPECT_THROW(ctai::normalize_nationality("ZZ"), ctai::ValidationError);
    EXPECT_THROW(ctai::normalize_nationality(""), ctai::ValidationError);
    EXPECT_THROW(ctai::normalize_nationality("FRANCE"), ctai::ValidationError);
}

TEST(Nationality, StatelessIsThirdCountryAndUnknownAloneIsUndetermined) {
    EXPECT_EQ(cls({"STATELESS"}), NationalityClass::third_country);
    EXPECT_EQ(cls({"UNKNOWN"}), NationalityClass::undetermined);
    EXPECT_EQ(cls({}), NationalityClass::undetermined);
    EXPECT_EQ(cls({"UNKNOWN", "SY"}), NationalityClass::third_country);
}

TEST(Nationality, AnyEuNationalityWinsOverAThirdCountryOne) {
    EXPECT_EQ(cls({"MA", "ES"}), NationalityClass::eu_eea_ch);
    EXPECT_EQ(cls({"IS", "AF"}), NationalityClass::eu_eea_ch);
    EXPECT_EQ(cls({"MA", "TN"}), NationalityClass::third_country);
}

TEST(Nationality, EveryEu27MemberIsEuAndNoOtherCountryIs) {
    const char* eu27[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
                          "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
                          "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
    const auto on = ctai::parse_date("2024-01-01");
    for (auto c : eu27) EXPECT_TRUE(ctai::is_eu_member(c, on)) << c;
    for (auto c : {"GB", "NO", "CH", "TR", "MA", "UA"}) EXPECT_FALSE(ctai::is_eu_member(c, on)) << c;
}

}  // namespace
