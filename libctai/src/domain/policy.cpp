// The documented defaults of every policy option (docs/rules.md). One place only.
#include <ctai/policy.hpp>

#include <algorithm>

namespace ctai {

std::set<Motive> Policy::default_excluded_motives() {
    // CIR-exempt motives (CESEDA L. 413-5): these permits never anchor the 5-year window.
    return {Motive::student,  Motive::student_mobility, Motive::temporary_worker,
            Motive::seasonal, Motive::talent,           Motive::visitor,
            Motive::trainee,  Motive::sick_foreigner};
}

std::vector<Date> Policy::default_bpt_end_dates() {
    // Council Implementing Decision (EU) 2022/382 and its yearly extensions.
    return {Date(2023, 3, 4), Date(2024, 3, 4), Date(2025, 3, 4), Date(2026, 3, 4),
            Date(2027, 3, 4)};
}

std::map<std::string, Date> Policy::default_agir_start() {
    // Côte-d'Or: AGIR deployed in 2024 (operator chosen in December 2023); the first day of
    // 2024 is the documented default. Other départements are configured by the user.
    return {{"21", Date(2024, 1, 1)}};
}

Date Policy::bpt_end() const {
    if (bpt_end_dates.empty()) return Date(2022, 3, 4);
    return *std::max_element(bpt_end_dates.begin(), bpt_end_dates.end());
}

bool within_years(Date start, int years, Date on, const Policy& p) {
    return within_years(start, years, on, p.boundary, p.feb29);
}

bool is_lasting_housing(HousingType type, const Policy& p) {
    switch (type) {
        case HousingType::social_rental:
        case HousingType::private_rental:
        case HousingType::residence_sociale:
        case HousingType::fjt:
            return true;
        case HousingType::intermediated_rental:
            return p.intermediated_rental_is_lasting;
        case HousingType::pension_de_famille:
            return p.pension_de_famille_is_lasting;
        default:
            return false;
    }
}

}  // namespace ctai
