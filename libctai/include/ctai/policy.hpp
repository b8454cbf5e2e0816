#pragma once
/// \file policy.hpp
/// Every option the domain spec leaves to the territory, with its documented default, in
/// one value that travels with every evaluation and is recorded in every report.
/// The defaults live here and only here (STYLE principle 12). See docs/rules.md.

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/vocab.hpp>

namespace ctai {

struct Policy {
    /// R0.1: 29 February start landing in a common year.
    Feb29 feb29 = Feb29::last_day_of_february;
    /// R0.2: whether the anniversary day is still inside a period.
    Boundary boundary = Boundary::strict;
    /// R2: anchor T1 of the five-year primo-arrivant window.
    PrimoAnchor primo_anchor = PrimoAnchor::first_qualifying_permit;
    /// R2: permit motives that never qualify (CIR-exempt, CESEDA L. 413-5).
    std::set<Motive> excluded_motives = default_excluded_motives();
    /// R3.4: require a signed CIR on or before the date.
    bool require_cir = false;
    /// R3.4: with require_cir, Algerian nationals whose CIR was only proposed pass.
    bool accept_cir_proposed = true;
    /// R4: stateless persons count as BPI (the 2023-2024 contract lists them).
    bool bpi_includes_stateless = true;
    /// R4/R6: stateless persons count as BPI for AGIR (contract 2023-2024 art. 3 defines BPI
    /// with the apatrides and annex 2 gives AGIR to "BPI"; false: the AGIR national
    /// instruction's reading, refugees and subsidiary protection only).
    bool agir_includes_stateless = true;
    /// R4: BPI status counted for the CTAI only within this many years of the protection
    /// date (none: no limit, the contract art. 3 wording; 5: the DGEF flyer's reading).
    std::optional<int> bpi_window_years;
    /// R3.5: a primo-arrivant must hold at the date a permit or a receipt in force (the
    /// DIAIR leaflet's « séjournant régulièrement »).
    bool require_regular_stay = false;
    /// R3: an accompanied minor (under 18, third-country national, no qualifying permit)
    /// whose household includes a primo-arrivant adult is primo-arrivant with that adult's
    /// window (domain R3, last paragraphs; docs/rules.md).
    bool minors_follow_household = false;
    /// R5: successive end dates of the EU temporary protection; the last one is in force.
    std::vector<Date> bpt_end_dates = default_bpt_end_dates();
    /// R6: département -> first day AGIR is deployed there.
    std::map<std::string, Date> agir_start = default_agir_start();
    /// R6: AGIR recency rule.
    AgirRecency agir_recency = AgirRecency::rolling_2_years;
    /// R6: intermediated rental counts as lasting housing.
    bool intermediated_rental_is_lasting = false;
    /// R6: pension de famille counts as lasting housing.
    bool pension_de_famille_is_lasting = false;
    /// R8: date at which age and BPI status are taken in indicators.
    AgeReference age_reference = AgeReference::entry;
    /// R8: small-cell threshold for published tables.
    int suppression_k = 11;
    /// R9: years after the last contact before a case file leaves the active base.
    int retention_years = 2;

    static std::set<Motive> default_excluded_motives();
    static std::vector<Date> default_bpt_end_dates();
    static std::map<std::string, Date> default_agir_start();

    /// The end of the EU temporary protection in force (last of bpt_end_dates).
    Date bpt_end() const;
    friend bool operator==(const Policy&, const Policy&) = default;
};

/// The policy as a JSON object, every option with its value (keys = field names, values =
/// enum spellings, dates ISO, sets as sorted arrays). Stable key order: reports embed it.
std::string policy_to_json(const Policy& p);

/// A policy from a JSON object: absent keys keep their defaults, unknown keys and bad
/// values throw ValidationError naming the key. `source` names the file in messages.
Policy policy_from_json(std::string_view json_text, std::string_view source = "<policy>");

/// Sets one option from its text form, e.g. ("boundary", "inclusive"), ("require_cir",
/// "true"), ("agir_start", "75=2023-01-01"), ("bpt_end_dates", "2023-03-04,2024-03-04"),
/// ("excluded_motives", "student,visitor"). Throws ValidationError naming the option.
void set_policy_option(Policy& p, std::string_view name, std::string_view value);

/// The names of every option, in declaration order (for --help and docs).
std::span<const std::string_view> policy_option_names() noexcept;

/// R0.2 shortcut: whether `on` is in the period of `years` years from `start` under `p`.
bool within_years(Date start, int years, Date on, const Policy& p);

/// R6: whether a housing type is lasting housing under the policy. Emergency and asylum
/// accommodation are never housing.
bool is_lasting_housing(HousingType type, const Policy& p);

}  // namespace ctai
