// Internal to ctai_synthetic: the vocabulary of the synthetic population (weighted tables
// of codes) and what the generator plans per action and knows per person.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/contract.hpp>
#include <ctai/model.hpp>

#include "random.hpp"

namespace ctai::synth {

// ---------------------------------------------------------------------------------------
// Vocabulary of the synthetic population.

enum class Profile {
    bpi,            // refugee or subsidiary protection (OFPRA / CNDA)
    stateless,      // stateless status (OFPRA / CNDA)
    primo,          // non-EU national with a family / work first permit
    reunification,  // family member joining a BPI (rejoining_family_of)
    bpt,            // temporary protection (displaced from Ukraine)
    asylum_seeker,  // asylum request pending: not in the public
    non_eligible,   // student permits only, or a first permit older than five years
    european,       // French or EU/EEA national: never in the public
    unknown,        // nationality UNKNOWN: undetermined, never in the public
};

inline constexpr auto profile_weights = std::to_array<Weighted<Profile>>({
    {Profile::bpi, 400},
    {Profile::stateless, 20},
    {Profile::primo, 280},
    {Profile::bpt, 95},
    {Profile::asylum_seeker, 45},
    {Profile::non_eligible, 70},
    {Profile::european, 80},
    {Profile::unknown, 18},
});

using Code = std::string_view;

inline constexpr auto bpi_nationalities = std::to_array<Weighted<Code>>({
    {"AF", 22}, {"SY", 14}, {"SD", 14}, {"ER", 10}, {"GN", 8}, {"CI", 6},
    {"CD", 8},  {"TR", 5},  {"RU", 5},  {"GE", 3},  {"AL", 3},
});
inline constexpr auto primo_nationalities = std::to_array<Weighted<Code>>({
    {"MA", 20}, {"DZ", 22}, {"TN", 14}, {"CI", 7}, {"GN", 5}, {"CD", 5},
    {"TR", 8},  {"GE", 4},  {"AL", 5},  {"RU", 4}, {"SD", 2}, {"SY", 2},
});
inline constexpr auto european_nationalities = std::to_array<Weighted<Code>>({
    {"FR", 35}, {"DE", 8}, {"IT", 12}, {"ES", 10}, {"PT", 12}, {"RO", 15}, {"BE", 5}, {"PL", 8},
});
inline constexpr auto dual_with_french = std::to_array<Code>({"DZ", "MA", "TN"});
inline constexpr auto other_departments = std::to_array<Code>({"71", "89", "58", "25", "39"});

inline constexpr auto sexes = std::to_array<Weighted<Sex>>({
    {Sex::female, 44}, {Sex::male, 53}, {Sex::unknown, 3}});

inline constexpr auto primo_motives = std::to_array<Weighted<Motive>>({
    {Motive::family, 65}, {Motive::work, 28}, {Motive::other, 7}});

inline constexpr auto household_sizes = std::to_array<Weighted<int>>({
    {1, 55}, {2, 15}, {3, 12}, {4, 10}, {5, 5}, {6, 3}});

inline constexpr auto association_types = std::to_array<Code>({
    "sport", "culture", "solidarité", "éducation populaire", "environnement",
    "aide alimentaire", "parents d'élèves", "santé"});

inline constexpr auto other_sources = std::to_array<Weighted<ReferralSource>>({
    {ReferralSource::social_worker, 30}, {ReferralSource::ccas, 15},
    {ReferralSource::siao, 10},          {ReferralSource::association, 20},
    {ReferralSource::self, 15},          {ReferralSource::other, 10}});
inline constexpr auto housing_sources = std::to_array<Weighted<ReferralSource>>({
    {ReferralSource::siao, 35}, {ReferralSource::social_worker, 30},
    {ReferralSource::ccas, 15}, {ReferralSource::association, 10}, {ReferralSource::self, 10}});

inline constexpr auto lasting_housing = std::to_array<Weighted<HousingType>>({
    {HousingType::social_rental, 50}, {HousingType::private_rental, 20},
    {HousingType::residence_sociale, 15}, {HousingType::fjt, 15}});

inline constexpr auto agir_exit_housing = std::to_array<Weighted<HousingType>>({
    {HousingType::social_rental, 30}, {HousingType::private_rental, 10},
    {HousingType::residence_sociale, 10}, {HousingType::fjt, 5},
    {HousingType::intermediated_rental, 15}, {HousingType::pension_de_famille, 5},
    {HousingType::hotel, 5}, {HousingType::emergency, 5}, {HousingType::chrs, 5},
    {HousingType::family_or_friends, 10}});

inline constexpr auto agir_exit_activity = std::to_array<Weighted<ExitActivity>>({
    {ExitActivity::cdi, 20}, {ExitActivity::cdd, 30}, {ExitActivity::training, 20},
    {ExitActivity::none, 30}});

inline constexpr auto satisfaction_scores = std::to_array<Weighted<int>>({
    {1, 3}, {2, 7}, {3, 20}, {4, 40}, {5, 30}});

// How an action is used, derived from the contract (any contract works).
enum class Flavor {
    core,          // accompaniment (Dijon 2023-2024 action 1)
    open,          // open to the general population: animation, events, actor training (2)
    volunteering,  // after a core journey: volunteering, co-animated actions (3)
    housing,       // after a core journey, AGIR partner on housing (4)
};

struct ActivityKindPlan {
    ActivityKind kind;
    std::size_t base;
    std::size_t per_persons;  // one more activity per this many persons
    double co_animated;       // share co-animated by a volunteer
    std::span<const Code> types;
    int half_hours_min;
    int half_hours_max;
};

inline constexpr auto core_workshops = std::to_array<Code>({
    "apprentissage du français", "accès aux droits", "santé", "emploi et formation",
    "citoyenneté et valeurs de la République", "numérique", "mobilité", "parentalité"});
inline constexpr auto core_practice = std::to_array<Code>({
    "entretien individuel", "accompagnement administratif", "accompagnement vers l'emploi",
    "accompagnement santé"});
inline constexpr auto open_workshops = std::to_array<Code>({
    "atelier interculturel", "café des langues", "découverte du territoire",
    "atelier cuisine du monde"});
inline constexpr auto open_events = std::to_array<Code>({
    "fête de quartier", "forum des associations", "visite culturelle",
    "journée mondiale des réfugiés", "rencontre sportive"});
inline constexpr auto training_types = std::to_array<Code>({
    "droit des étrangers", "accueil des publics primo-arrivants", "interculturalité",
    "protection internationale"});
inline constexpr auto volunteering_activities = std::to_array<Code>({
    "atelier co-animé", "sortie culturelle co-animée", "collecte solidaire",
    "chantier participatif"});
inline constexpr auto housing_workshops = std::to_array<Code>({
    "atelier budget", "droits et devoirs du locataire", "économies d'énergie",
    "entretien du logement"});
inline constexpr auto housing_practice = std::to_array<Code>({
    "visite de logement", "constitution du dossier de demande", "installation dans le logement",
    "accompagnement à l'ouverture des droits"});

inline constexpr auto core_themes = std::to_array<Code>({
    "accès aux droits", "santé", "apprentissage du français", "emploi", "mobilité",
    "numérique", "parentalité"});
inline constexpr auto open_themes = std::to_array<Code>({
    "culture", "sport", "sensibilisation", "formation des acteurs", "vie de quartier"});
inline constexpr auto volunteering_themes = std::to_array<Code>({
    "vie associative", "bénévolat", "citoyenneté"});
inline constexpr auto housing_themes = std::to_array<Code>({
    "logement", "bailleurs sociaux", "énergie", "mobilier"});

struct ActionPlan {
    const Action* action = nullptr;
    Flavor flavor = Flavor::core;
    bool first_core = false;
    // Activities of the action: a contiguous range of Dataset::activities sorted by date.
    std::size_t activity_begin = 0;
    std::vector<Date> activity_dates;
    // Exit reasons: indexes into Contract::exit_reasons with weights.
    std::vector<Weighted<std::size_t>> positive_exits;
    std::vector<Weighted<std::size_t>> negative_exits;
};

// What the generator knows about the person being generated.
struct PersonInfo {
    std::size_t index = 0;  // in Dataset::cases
    Profile profile = Profile::primo;
    Date arrival;
    // First day the person may be in the public (protection, T1, APS), if any.
    std::optional<Date> public_from;
    // Head of household joined (reunification), as an index in Dataset::cases.
    std::optional<std::size_t> family_of;
    std::optional<AgirSupport> agir;
};

// A journey of action 4-like (housing) of a household member, for the housing moves.
struct HousingJourney {
    Date entry;
    std::optional<Date> exit;
    bool housed = false;  // exit reason lasting housing
};

}  // namespace ctai::synth
