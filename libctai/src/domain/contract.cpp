// Contracts as data: the model's lookups, the default exit reasons (R7) and the fiches'
// standard public table. Reading and writing the JSON contract file: codec/contract_json.cpp.
#include <ctai/contract.hpp>

#include <algorithm>

#include <ctai/error.hpp>

namespace ctai {
namespace {

struct StandardRow {
    std::string_view key;
    std::string_view label_fr;
};
// The rows of the fiches' public table (seed 002, annex 1), in the fiches' order.
constexpr StandardRow standard_rows[] = {
    {"total", "Nombre total d'étrangers éligibles bénéficiaires de l'action"},
    {"men", "dont hommes"},
    {"women", "dont femmes"},
    {"under_25", "dont moins de 25 ans"},
    {"bpi", "dont BPI"},
    {"bpi_men", "dont BPI hommes"},
    {"bpi_women", "dont BPI femmes"},
    {"bpi_under_25", "dont BPI moins de 25 ans"},
};

}  // namespace

const Action& Contract::action(int number) const {
    for (const auto& a : actions)
        if (a.number == number) return a;
    throw NotFoundError("contract '" + id.str() + "' has no action " + std::to_string(number),
                        "action", std::to_string(number));
}

bool Contract::has_action(int number) const noexcept {
    return std::any_of(actions.begin(), actions.end(),
                       [number](const Action& a) { return a.number == number; });
}

const ExitReason& Contract::exit_reason(std::string_view code) const {
    for (const auto& r : exit_reasons)
        if (r.code == code) return r;
    throw NotFoundError("contract '" + id.str() + "' has no exit reason '" + std::string(code) +
                            "'",
                        "exit_reason", std::string(code));
}

bool Contract::is_positive_exit(std::string_view code) const {
    return exit_reason(code).positive;
}

std::vector<ExitReason> default_exit_reasons() {
    return {
        {"lasting_housing", "Accès à un logement pérenne", true},
        {"lasting_job", "Accès à un emploi durable", true},
        {"qualifying_training", "Entrée en formation qualifiante", true},
        {"autonomy", "Autonomie atteinte", true},
        {"common_law", "Relais vers les dispositifs de droit commun", true},
        {"dropped_out", "Abandon du parcours", false},
        {"lost_contact", "Perte de contact", false},
        {"moved_away", "Départ du territoire", false},
        {"other", "Autre motif", false},
    };
}

std::vector<Indicator> standard_public_table() {
    std::vector<Indicator> out;
    for (const auto& r : standard_rows)
        out.push_back({std::string(r.key), std::string(r.label_fr), std::nullopt});
    return out;
}

}  // namespace ctai
