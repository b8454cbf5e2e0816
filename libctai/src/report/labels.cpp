// French labels of the report keys that the contract files do not carry.
#include "report/report_detail.hpp"

#include <ctai/contract.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

namespace ctai::detail {

std::string_view extra_label(std::string_view key) {
    // The eight rows of the fiches' public table come from the one table of domain/contract.cpp.
    static const std::vector<Indicator> standard = standard_public_table();
    for (const auto& row : standard)
        if (row.key == key) return row.label_fr;
    static const std::map<std::string_view, std::string_view> labels{
        {"primo_arrivants", "dont primo-arrivants (hors BPI et BPT)"},
        {"bpt", "dont BPT"},
        {"not_eligible", "Participants hors public éligible (comptés à part)"},
        {"count", "Nombre de parcours (période)"},
        {"completed", "dont parcours terminés"},
        {"open", "dont parcours en cours à la date d'évaluation"},
        {"mean_days", "Durée moyenne d'accompagnement, parcours terminés (jours)"},
        {"median_days", "Durée médiane, parcours terminés (jours)"},
        {"km_median_days", "Durée médiane estimée, parcours en cours inclus (Kaplan-Meier, jours)"},
        {"km_restricted_mean_days", "Durée moyenne restreinte (Kaplan-Meier, jours)"},
        {"positive_exits", "Nombre de sorties positives du dispositif"},
        {"total_cost", "Coût total de l'action"},
        {"subsidy_p104", "Dont montant de la subvention sur les crédits du programme 104"},
        {"entrants", "Bénéficiaires entrés dans le dispositif pendant la période"},
        {"entrants_by_sex", "Entrés par sexe"},
        {"entrants_by_age_band", "Entrés par âge à l'entrée"},
        {"entrants_by_public", "Entrés par public à l'entrée"},
        {"entrants_by_referral_source", "Entrés par origine de l'orientation"},
        {"entrants_by_household_size", "Entrés par taille du ménage (membres enregistrés, composition familiale)"},
        {"entrants_by_housing_at_entry", "Entrés par situation de logement à l'entrée"},
        {"sex_unknown", "Bénéficiaires de sexe non renseigné (dans le total seulement)"},
        {"age_unknown", "Bénéficiaires dont l'âge ne peut être déterminé (date de naissance partielle ou absente)"},
        {"steps_reached", "Étapes de parcours atteintes (nombre de parcours)"},
        {"exits_by_reason", "Sorties par motif"},
        {"workshops", "Nombre d'ateliers collectifs mis en œuvre"},
        {"workshops_by_type", "Ateliers collectifs par type"},
        {"individual_practice_sessions", "Nombre de mises en pratique individuelles"},
        {"individual_practice_by_type", "Mises en pratique individuelles par type"},
        {"events", "Nombre d'événements organisés ou co-organisés"},
        {"events_by_type", "Événements par type"},
        {"participations", "Nombre de participations aux ateliers, activités, événements"},
        {"mean_satisfaction", "Satisfaction moyenne des bénéficiaires (1 à 5)"},
        {"satisfaction_responses", "Nombre de réponses de satisfaction"},
        {"structures_trained", "Nombre d'acteurs de l'intégration bénéficiaires d'une action de formation"},
        {"training_hours", "Nombre d'heures de formation dispensées aux acteurs de l'intégration"},
        {"co_animated_activities", "Nombre d'actions co-animées par un bénévole"},
        {"co_animated_by_type", "Actions co-animées par type"},
        {"co_animated_beneficiaries", "Bénéficiaires d'une action co-animée par un bénévole"},
        {"co_animated_men", "dont hommes"},
        {"co_animated_women", "dont femmes"},
        {"co_animated_sex_unknown", "dont sexe non renseigné"},
        {"co_animated_under_25", "dont moins de 25 ans"},
        {"co_animated_bpi", "dont BPI"},
        {"co_animated_bpi_men", "dont BPI hommes"},
        {"co_animated_bpi_women", "dont BPI femmes"},
        {"co_animated_bpi_under_25", "dont BPI moins de 25 ans"},
        {"co_animated_not_eligible", "Participants hors public éligible (comptés à part)"},
        {"volunteers", "Bénévoles anciens bénéficiaires"},
        {"volunteer_engagements", "Nombre d'engagements comme bénévole au sein d'une association"},
        {"mean_volunteer_days", "Durée moyenne de l'engagement des bénévoles, engagements terminés (jours)"},
        {"km_restricted_mean_volunteer_days", "Durée moyenne restreinte de l'engagement des bénévoles, engagements en cours inclus (Kaplan-Meier, jours)"},
        {"volunteer_engagements_open", "dont engagements en cours à la date d'évaluation"},
        {"engagements_by_association_type", "Engagements bénévoles par type d'association"},
        {"memberships", "Nombre d'adhésions à des associations, des organisations"},
        {"one_off_participations", "Nombre de participations de bénévoles à des événements ponctuels"},
        {"households_housed", "Nombre de ménages d'étrangers éligibles ayant pu accéder à un logement pérenne"},
        {"households_housed_by_size", "Ménages entrés en logement pérenne par taille (membres enregistrés)"},
        {"households_housed_by_housing_type", "Ménages entrés en logement pérenne par type de logement"},
        {"partnerships", "Nombre de partenariats développés"},
        {"partnerships_by_theme", "Partenariats par thématique"},
    };
    auto it = labels.find(key);
    return it == labels.end() ? key : it->second;
}

std::string breakdown_label(std::string_view extra_key, std::string_view entry) {
    static const std::map<std::string_view, std::string_view> common{
        {"female", "femmes"}, {"male", "hommes"}, {"unknown", "non renseigné"},
        {"0-17", "moins de 18 ans"}, {"18-24", "18 à 24 ans"}, {"25-34", "25 à 34 ans"},
        {"35-49", "35 à 49 ans"}, {"50+", "50 ans et plus"}, {"bpi", "BPI"},
        {"bpt", "BPT"}, {"primo_arrivant", "primo-arrivants"},
        {"not_eligible", "hors public éligible"}, {"intake", "accueil"},
        {"diagnosis", "diagnostic"}, {"support", "accompagnement"},
        {"follow_on", "suite de parcours"}, {"end_of_support", "fin d'accompagnement"},
        {"agir", "AGIR"}, {"siao", "SIAO"}, {"ccas", "CCAS"},
        {"social_worker", "travailleur social"}, {"association", "association"},
        {"self", "démarche personnelle"}, {"other", "autre"},
        {"lasting_housing", "accès à un logement pérenne"},
        {"lasting_job", "accès à un emploi durable"},
        {"qualifying_training", "entrée en formation qualifiante"},
        {"autonomy", "autonomie acquise"}, {"common_law", "relais vers le droit commun"},
        {"dropped_out", "abandon"}, {"lost_contact", "perte de contact"},
        {"moved_away", "déménagement"},
        {"1", "1 personne"}, {"2", "2 personnes"}, {"3", "3 personnes"}, {"4", "4 personnes"},
        {"5+", "5 personnes et plus"},
        {"social_rental", "logement social"}, {"private_rental", "parc privé"},
        {"residence_sociale", "résidence sociale"}, {"fjt", "foyer de jeunes travailleurs"},
        {"intermediated_rental", "intermédiation locative"},
        {"pension_de_famille", "pension de famille"}, {"emergency", "hébergement d'urgence"},
        {"hotel", "hôtel"}, {"asylum_accommodation", "hébergement pour demandeurs d'asile"},
        {"chrs", "CHRS"}, {"family_or_friends", "hébergé par des proches"},
        {"street", "sans abri"}};
    const bool vocabulary = extra_key.starts_with("entrants") || extra_key == "steps_reached" ||
                            extra_key == "exits_by_reason" ||
                            extra_key.starts_with("households_housed_by");
    if (entry.empty()) return "non renseigné";
    if (vocabulary || entry == "unknown") {
        auto it = common.find(entry);
        if (it != common.end()) return std::string(it->second);
    }
    return std::string(entry);
}

std::string_view orientation_label(std::string_view key) {
    static const std::map<std::string_view, std::string_view> labels{
        {"total", "Orientations proposées pendant la période (AGIR et actions du contrat)"},
        {"by_direction", "Orientations par sens"},
        {"by_status", "Orientations par état à la date d'évaluation"},
        {"by_need", "Orientations par besoin"},
        {"by_action", "Orientations par fiche action"},
        {"decided", "Orientations ayant reçu une réponse (acceptée ou refusée)"},
        {"accepted", "Orientations acceptées"},
        {"acceptance_rate", "Taux d'acceptation (acceptées / ayant reçu une réponse)"},
        {"entered", "Orientations ayant abouti à une entrée"},
        {"without_entry", "Orientations n'ayant pas abouti à une entrée (refusées ou annulées)"},
        {"decision_delay", "Délai entre la proposition et la réponse (jours)"},
        {"entry_delay", "Délai entre l'acceptation et l'entrée (jours)"},
        {"count", "Orientations concernées"},
        {"observed", "dont étape atteinte à la date d'évaluation"},
        {"open", "dont en attente (censurées à la date d'évaluation ou à l'annulation)"},
        {"median_days", "Délai médian, étape atteinte (jours)"},
        {"km_median_days", "Délai médian estimé, attentes en cours incluses (Kaplan-Meier, jours)"},
        {"km_p90_days", "9e décile du délai estimé (Kaplan-Meier, jours)"},
        {"agir_to_action", "d'AGIR vers une action"},
        {"action_to_agir", "d'une action vers AGIR"},
        {"action_to_action", "d'une action vers une autre"},
        {"proposed", "proposée, en attente de réponse"},
        {"accepted_status", "acceptée, en attente d'entrée"},
        {"declined", "refusée"},
        {"completed", "entrée réalisée"},
        {"cancelled", "annulée après acceptation"},
        {"housing", "logement"}, {"health", "santé"}, {"childcare", "garde d'enfants"},
        {"language", "langue"}, {"mobility", "mobilité"}, {"employment", "emploi"},
        {"rights", "accès aux droits"},
    };
    auto it = labels.find(key);
    return it == labels.end() ? key : it->second;
}

std::string orientation_entry_label(std::string_view key, std::string_view entry) {
    if (key == "by_action") return "fiche " + std::string(entry);
    if (key == "by_status" && entry == "accepted") return std::string(orientation_label("accepted_status"));
    return std::string(orientation_label(entry));
}

std::string format_number(double v, bool french) {
    char buf[64];
    std::string s;
    if (std::nearbyint(v) == v && std::fabs(v) < 1e15) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
        s = buf;
    } else {
        std::snprintf(buf, sizeof buf, "%.2f", v);
        s = buf;
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    if (!french) return s;
    const auto dot = s.find('.');
    std::string intpart = s.substr(0, dot);
    // Appended, not `"," + s.substr(...)`: g++ 12 at -O3 warns (-Wrestrict, a false
    // positive) on that form, and a Release build with warnings as errors would fail.
    std::string frac;
    if (dot != std::string::npos) frac.append(",").append(s, dot + 1);
    std::string sign;
    if (!intpart.empty() && intpart[0] == '-') {
        sign = "-";
        intpart.erase(0, 1);
    }
    std::string grouped;
    for (std::size_t i = 0; i < intpart.size(); ++i) {
        if (i > 0 && (intpart.size() - i) % 3 == 0) grouped += "\u202f";
        grouped += intpart[i];
    }
    return sign + grouped + frac;
}

std::string format_optional(const std::optional<double>& v, bool french, std::string_view none) {
    return v ? format_number(*v, french) : std::string(none);
}

}  // namespace ctai::detail
