// R8: the report as Markdown (the questionnaire tables) and as long CSV.
#include <ctai/report.hpp>

#include <sstream>
#include <utility>

#include "report/report_detail.hpp"

namespace ctai {
namespace {

using detail::format_optional;

// Text from the data (contract and action titles, labels, activity types, partnership
// themes...) in Markdown: HTML is neutralised (a Markdown viewer renders raw HTML, a
// <script> included), and what breaks a table row is escaped (`|`, `\\`; line breaks
// become spaces).
std::string md_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '\n':
        case '\r': out += ' '; break;
        case '|':
        case '\\':
            out += '\\';
            out += c;
            break;
        default: out += c;
        }
    }
    return out;
}

std::string realised_md(const std::optional<double>& v, bool suppressed) {
    if (suppressed && !v) return "secret";
    return format_optional(v, true, "n.d.");
}

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_num(const std::optional<double>& v) {
    return v ? detail::format_number(*v) : std::string();
}

// R6: the orientations block, after the fiches.
std::string orientations_markdown(const ReportOrientations& ro) {
    std::ostringstream o;
    o << "## Orientations entre AGIR et les actions du contrat\n\n";
    o << "Orientations proposées pendant la période, suivies jusqu'à la date d'évaluation.\n\n";
    o << "| Indicateur | Valeur |\n|---|---:|\n";
    for (const auto& x : ro.indicators)
        if (!x.is_breakdown)
            o << "| " << md_escape(x.label_fr) << " | " << realised_md(x.value, x.suppressed) << " |\n";
    for (const auto& x : ro.indicators) {
        if (!x.is_breakdown) continue;
        o << "\n**" << md_escape(x.label_fr) << "**\n\n| | Nombre |\n|---|---:|\n";
        for (const auto& [k, v] : x.breakdown)
            o << "| " << md_escape(detail::orientation_entry_label(x.key, k)) << " | "
              << realised_md(v, x.suppressed) << " |\n";
    }
    for (const auto& [key, d] : {std::pair{"decision_delay", &ro.decision_delay},
                                 std::pair{"entry_delay", &ro.entry_delay}}) {
        o << "\n**" << detail::orientation_label(key) << "**\n\n| Indicateur | Valeur |\n|---|---:|\n";
        for (const auto& [k, v] : detail::delay_rows(*d))
            o << "| " << detail::orientation_label(k) << " | " << format_optional(v, true, "n.d.")
              << " |\n";
    }
    o << "\n";
    return o.str();
}

}  // namespace

std::string to_markdown(const Report& r) {
    std::ostringstream o;
    // In a code span HTML is not rendered; only a backquote could end it early.
    std::string id = r.contract_id.str();
    for (auto& c : id)
        if (c == '`' || c == '\n' || c == '\r') c = '\'';
    o << "# Rapport d'évaluation du CTAI `" << id << "`\n\n";
    o << md_escape(r.contract_title) << "\n\n";
    o << "| | |\n|---|---|\n";
    o << "| Période | du " << to_iso(r.from) << " au " << to_iso(r.to) << " (inclus) |\n";
    o << "| Date d'évaluation | " << to_iso(r.evaluated_on) << " |\n";
    if (!r.amended_by.empty()) {  // R10: the contract as amended on the evaluation date
        o << "| Avenants appliqués |";
        for (std::size_t i = 0; i < r.amended_by.size(); ++i)
            o << (i ? ", " : " ") << md_escape(r.amended_by[i]);
        o << " |\n";
    }
    if (r.convention) o << "| Convention locale AGIR en vigueur | " << md_escape(*r.convention) << " |\n";
    o << "| Âge et statut BPI pris à | " << detail::age_reference_label(r.policy.age_reference) << " |\n";
    o << "| Diffusion | "
      << (r.publish ? "publique, secret statistique k = " + std::to_string(r.k)
                    : std::string("questionnaire (sans masquage)"))
      << " |\n";
    o << "| Empreinte des données (SHA-256) | `" << r.fingerprint << "` |\n";
    o << "| Version de libctai | " << r.library_version << " |\n\n";

    for (const auto& a : r.actions) {
        o << "## Fiche action n°" << a.number << " : " << md_escape(a.title) << "\n\n";
        o << "### 1. Indicateurs relatifs au public-cible\n\n";
        o << "| Indicateur | Objectif | Réalisé |\n|---|---:|---:|\n";
        for (std::size_t i = 0; i < a.public_cells.size() && i < 8; ++i) {
            const auto& c = a.public_cells[i];
            const std::string label = c.key == "total" ? "**" + md_escape(c.label_fr) + "**"
                                                       : md_escape(c.label_fr);
            o << "| " << label << " | " << format_optional(c.target, true, "") << " | "
              << realised_md(c.realised, c.suppressed) << " |\n";
        }
        o << "\n**Objectifs par public** (catégories exclusives à la date de référence : "
             "BPI, puis BPT, puis primo-arrivants)\n\n";
        o << "| Public | Objectif | Réalisé |\n|---|---:|---:|\n";
        for (std::size_t i = 8; i < a.public_cells.size(); ++i) {
            const auto& c = a.public_cells[i];
            o << "| " << md_escape(c.label_fr) << " | " << format_optional(c.target, true, "")
              << " | " << realised_md(c.realised, c.suppressed) << " |\n";
        }
        if (!a.specific.empty()) {
            o << "\n**Indicateurs spécifiques de la fiche**\n\n";
            o << "| Indicateur | Objectif | Réalisé |\n|---|---:|---:|\n";
            for (const auto& c : a.specific)
                o << "| " << md_escape(c.label_fr) << " | "
                  << format_optional(c.target, true, "") << " | "
                  << realised_md(c.realised, c.suppressed) << " |\n";
        }
        o << "\n### 2. Indicateurs financiers\n\n| Indicateur | Réalisé (€) |\n|---|---:|\n";
        o << "| **" << detail::extra_label("total_cost") << "** | "
          << format_optional(a.financial.total_cost, true, "n.d.") << " |\n";
        o << "| **" << detail::extra_label("subsidy_p104") << "** | "
          << format_optional(a.financial.subsidy_p104, true, "n.d.") << " |\n";
        const auto& j = a.journeys;
        o << "\n### 3. Parcours et durée d'accompagnement\n\n| Indicateur | Valeur |\n|---|---:|\n";
        const auto rows = detail::journey_rows(j);
        for (const auto& [k, v] : rows)
            o << "| " << detail::extra_label(k) << " | " << format_optional(v, true, "n.d.")
              << " |\n";
        o << "\n### 4. Indicateurs complémentaires\n\n";
        o << "| Indicateur | Valeur |\n|---|---:|\n";
        for (const auto& x : a.extra) {
            if (x.is_breakdown) continue;
            o << "| " << md_escape(x.label_fr) << " | "
              << realised_md(x.value, x.suppressed) << " |\n";
        }
        for (const auto& x : a.extra) {
            if (!x.is_breakdown) continue;
            o << "\n**" << md_escape(x.label_fr) << "**";
            if (x.breakdown.empty()) {
                o << " : aucun\n";
                continue;
            }
            o << "\n\n| | Nombre |\n|---|---:|\n";
            for (const auto& [k, v] : x.breakdown)
                o << "| " << md_escape(detail::breakdown_label(x.key, k)) << " | "
                  << realised_md(v, x.suppressed) << " |\n";
        }
        o << "\n";
    }
    o << orientations_markdown(r.orientations);
    if (!r.notes.empty()) {
        o << "## Notes\n\n";
        for (const auto& n : r.notes) o << "- " << md_escape(n) << "\n";
        o << "\n";
    }
    return o.str();
}

std::vector<ReportRow> report_rows(const Report& r) {
    std::vector<ReportRow> out;
    auto row = [&](int action, const char* block, const std::string& key,
                   std::optional<std::string> entry, std::string label, const std::optional<double>& target,
                   const std::optional<double>& realised) {
        out.push_back(ReportRow{action, block, key, std::move(entry), std::move(label), target,
                                realised});
    };
    for (const auto& a : r.actions) {
        for (const auto& c : a.public_cells)
            row(a.number, "public", c.key, std::nullopt, c.label_fr, c.target, c.realised);
        for (const auto& c : a.specific)
            row(a.number, "specific", c.key, std::nullopt, c.label_fr, c.target, c.realised);
        for (const auto& [k, v] : detail::journey_rows(a.journeys))
            row(a.number, "journeys", k, std::nullopt, std::string(detail::extra_label(k)),
                std::nullopt, v);
        row(a.number, "financial", "total_cost", std::nullopt,
            std::string(detail::extra_label("total_cost")), std::nullopt, a.financial.total_cost);
        row(a.number, "financial", "subsidy_p104", std::nullopt,
            std::string(detail::extra_label("subsidy_p104")), std::nullopt,
            a.financial.subsidy_p104);
        for (const auto& x : a.extra) {
            if (!x.is_breakdown) {
                row(a.number, "extra", x.key, std::nullopt, x.label_fr, std::nullopt, x.value);
                continue;
            }
            for (const auto& [k, v] : x.breakdown)
                row(a.number, "extra", x.key, k,
                    x.label_fr + " : " + detail::breakdown_label(x.key, k), std::nullopt, v);
        }
    }
    const ReportOrientations& o = r.orientations;
    if (o.indicators.empty()) return out;  // a report assembled without the block
    for (const auto& x : o.indicators) {
        if (!x.is_breakdown) {
            row(0, "orientations", x.key, std::nullopt, x.label_fr, std::nullopt, x.value);
            continue;
        }
        for (const auto& [k, v] : x.breakdown)
            row(0, "orientations", x.key, k,
                x.label_fr + " : " + detail::orientation_entry_label(x.key, k), std::nullopt, v);
    }
    for (const auto& [key, d] : {std::pair{"decision_delay", &o.decision_delay},
                                 std::pair{"entry_delay", &o.entry_delay}})
        for (const auto& [k, v] : detail::delay_rows(*d))
            row(0, "orientations", key, k,
                std::string(detail::orientation_label(key)) + " : " +
                    std::string(detail::orientation_label(k)),
                std::nullopt, v);
    return out;
}

std::string to_csv(const Report& r) {
    std::ostringstream o;
    o << "action,indicator,label,target,realised\n";
    for (const ReportRow& x : report_rows(r)) {
        std::string indicator = x.block;  // appended: see format_number on -Wrestrict
        indicator.append(".").append(x.key);
        if (x.entry) indicator.append(".").append(*x.entry);
        o << x.action << ',' << csv_field(indicator) << ',' << csv_field(x.label_fr) << ','
          << csv_num(x.target) << ',' << csv_num(x.realised) << '\n';
    }
    return o.str();
}

}  // namespace ctai
