// R10: the territory code of a store's settings (a pure check of a value).
#include <ctai/settings.hpp>

namespace ctai {

bool is_departement_code(std::string_view code) noexcept {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (code == "2A" || code == "2B") return true;  // Corse-du-Sud, Haute-Corse (not "20")
    if (code.size() == 2 && digit(code[0]) && digit(code[1]))
        return code != "00" && code != "20" && code <= "95";
    // Overseas départements: Guadeloupe, Martinique, Guyane, La Réunion, Mayotte (975 is
    // Saint-Pierre-et-Miquelon, a collectivité, not a département).
    return code == "971" || code == "972" || code == "973" || code == "974" || code == "976";
}

}  // namespace ctai
