// The stable spellings of the reason codes (docs/rules.md, "Reason codes"). Never translated,
// never renamed: a spelling is a contract with every table and script that counts by code.
#include <ctai/eligibility.hpp>

#include <array>

namespace ctai {
namespace {

constexpr auto names = std::to_array<std::string_view>({
    "R1.undetermined",
    "R3.primo_arrivant",
    "R3.not_third_country",
    "R3.no_anchor",
    "R3.window_ended",
    "R3.asylum_seeker",
    "R3.unaccompanied_minor",
    "R3.irregular",
    "R3.no_regular_stay",
    "R3.no_cir",
    "R4.bpi",
    "R4.no_protection",
    "R4.not_foreigner",
    "R4.window_ended",
    "R4.protection_ended",
    "R5.bpt",
    "R5.no_temporary_protection",
    "R5.displaced_before",
    "R5.not_foreigner",
    "R5.outside_period",
    "R6.own_right",
    "R6.family",
    "R6.not_bpi",
    "R6.bpt",
    "R6.not_deployed",
    "R6.stateless_excluded",
    "R6.recency_ended",
    "R6.family_not_eligible",
    "R3.follows_household",
});
static_assert(names.size() == static_cast<std::size_t>(Reason::primo_follows_household) + 1);

}  // namespace

std::span<const std::string_view> reason_code_names() noexcept { return names; }

std::string_view to_string(Reason r) noexcept {
    const auto i = static_cast<std::size_t>(r);
    return i < names.size() ? names[i] : std::string_view("?");
}

ReasonDimension dimension(Reason r) noexcept {
    if (r == Reason::nationality_undetermined) return ReasonDimension::nationality;
    if (r == Reason::primo_follows_household) return ReasonDimension::primo_arrivant;
    if (r < Reason::bpi) return ReasonDimension::primo_arrivant;
    if (r < Reason::bpt) return ReasonDimension::bpi;
    if (r < Reason::agir_own_right) return ReasonDimension::bpt;
    return ReasonDimension::agir;
}

}  // namespace ctai
