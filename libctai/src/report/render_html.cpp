// R8: the report as a standalone HTML page: inline CSS, charts as inline SVG, no external
// asset, French labels, accessible tables (caption, th scope).
#include <ctai/report.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

#include "report/report_detail.hpp"

namespace ctai {
namespace {

using detail::format_optional;

std::string esc(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string fx(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string cell_value(const std::optional<double>& v, bool suppressed) {
    if (!v && suppressed)
        return "<span class=\"secret\" title=\"masqué (secret statistique)\">secret</span>";
    return esc(format_optional(v, true, "n.d."));
}

constexpr const char* css = R"CSS(
:root{--ink:#1d2433;--muted:#5b6478;--line:#d8dde6;--accent:#000091;--accent2:#e1000f;--bg:#fff;--soft:#f3f5f9}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5;font-size:16px}
header{background:var(--soft);border-bottom:4px solid var(--accent);padding:1.5rem 2rem}
header h1{margin:0 0 .25rem;font-size:1.6rem}
header p.title{margin:0 0 1rem;color:var(--muted);max-width:60rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.meta dt{font-weight:600}
dl.meta dd{margin:0;overflow-wrap:anywhere}
main{padding:1rem 2rem 3rem;max-width:72rem}
section.action{border-top:1px solid var(--line);padding-top:1rem;margin-top:2rem}
h2{font-size:1.35rem;color:var(--accent)}
h3{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;min-width:28rem}
caption{text-align:left;font-weight:600;padding:.25rem 0;color:var(--muted)}
th,td{border:1px solid var(--line);padding:.35rem .6rem;vertical-align:top}
thead th{background:var(--soft);text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total th{font-weight:700}
th[scope=row]{font-weight:400;text-align:left}
.secret{color:var(--accent2);font-style:italic}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.charts figure{flex:0 0 auto}
figure{margin:0;max-width:100%}
figcaption{font-size:.9rem;color:var(--muted);max-width:34rem}
svg text{font-family:inherit;font-size:11px;fill:var(--ink)}
.notes{background:#fff8e6;border-left:4px solid #b34000;padding:.75rem 1rem}
.grid2{display:flex;flex-wrap:wrap;gap:0 2rem}
)CSS";

void table_open(std::ostringstream& o, std::string_view caption, std::string_view c1,
                std::string_view c2, std::string_view c3 = {}) {
    o << "<table>\n<caption>" << esc(caption) << "</caption>\n<thead><tr><th scope=\"col\">"
      << esc(c1) << "</th><th scope=\"col\">" << esc(c2) << "</th>";
    if (!c3.empty()) o << "<th scope=\"col\">" << esc(c3) << "</th>";
    o << "</tr></thead>\n<tbody>\n";
}

void targets_chart(std::ostringstream& o, const ActionReport& a, const std::string& id) {
    struct Bar {
        std::string label;
        double target;
        std::optional<double> realised;
    };
    std::vector<Bar> bars;
    for (const auto& c : a.public_cells)
        if (c.target) bars.push_back({c.label_fr, *c.target, c.realised});
    for (const auto& c : a.specific)
        if (c.target) bars.push_back({c.label_fr, *c.target, c.realised});
    if (bars.empty()) return;
    double maxv = 1;
    for (const auto& b : bars) maxv = std::max({maxv, b.target, b.realised.value_or(0)});
    const int label_w = 250, bar_w = 260, row_h = 34;
    const int width = label_w + bar_w + 60;
    const int height = static_cast<int>(bars.size()) * row_h + 30;
    o << "<figure><svg id=\"" << id << "\" class=\"chart-targets\" role=\"img\" aria-labelledby=\""
      << id << "-t\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << ' ' << height << "\"><title id=\"" << id
      << "-t\">Objectifs et réalisés, fiche " << a.number << "</title>\n";
    int y = 8;
    for (const auto& b : bars) {
        std::string label = b.label.size() > 44 ? b.label.substr(0, 41) + "..." : b.label;
        o << "<text x=\"0\" y=\"" << y + 14 << "\">" << esc(label) << "</text>";
        const double tw = bar_w * b.target / maxv;
        o << "<rect x=\"" << label_w << "\" y=\"" << y << "\" width=\"" << fx(tw)
          << "\" height=\"12\" fill=\"#b8c0d0\"><title>Objectif : "
          << esc(detail::format_number(b.target, true)) << "</title></rect>";
        o << "<text x=\"" << fx(label_w + tw + 4) << "\" y=\"" << y + 10 << "\">"
          << esc(detail::format_number(b.target, true)) << "</text>";
        if (b.realised) {
            const double rw = bar_w * *b.realised / maxv;
            o << "<rect x=\"" << label_w << "\" y=\"" << y + 14 << "\" width=\"" << fx(rw)
              << "\" height=\"12\" fill=\"#000091\"><title>Réalisé : "
              << esc(detail::format_number(*b.realised, true)) << "</title></rect>";
            o << "<text x=\"" << fx(label_w + rw + 4) << "\" y=\"" << y + 24 << "\">"
              << esc(detail::format_number(*b.realised, true)) << "</text>";
        } else {
            o << "<text x=\"" << label_w << "\" y=\"" << y + 24
              << "\" class=\"secret\">secret</text>";
        }
        y += row_h;
    }
    o << "<rect x=\"" << label_w << "\" y=\"" << height - 16
      << "\" width=\"10\" height=\"10\" fill=\"#b8c0d0\"/><text x=\"" << label_w + 14 << "\" y=\""
      << height - 7 << "\">Objectif</text><rect x=\"" << label_w + 80 << "\" y=\"" << height - 16
      << "\" width=\"10\" height=\"10\" fill=\"#000091\"/><text x=\"" << label_w + 94 << "\" y=\""
      << height - 7 << "\">Réalisé</text>";
    o << "</svg><figcaption>Objectifs de la fiche (gris) et réalisés (bleu).</figcaption></figure>\n";
}

void histogram_chart(std::ostringstream& o, const ActionReport& a, const std::string& id) {
    const auto& s = a.journeys.stats;
    if (s.count == 0) return;
    std::int32_t maxlen = 0;
    for (auto v : s.completed_days) maxlen = std::max(maxlen, v);
    for (auto v : s.open_days) maxlen = std::max(maxlen, v);
    // Bins of whole months (30 days), at most 12 of them.
    std::int32_t bin = 30;
    while ((maxlen / bin) + 1 > 12) bin += 30;
    const std::size_t nbins = static_cast<std::size_t>(maxlen / bin) + 1;
    std::vector<std::int64_t> done(nbins, 0), open(nbins, 0);
    for (auto v : s.completed_days) ++done[static_cast<std::size_t>(v / bin)];
    for (auto v : s.open_days) ++open[static_cast<std::size_t>(v / bin)];
    std::int64_t maxc = 1;
    for (std::size_t i = 0; i < nbins; ++i) maxc = std::max(maxc, done[i] + open[i]);
    const int left = 40, bottom = 40, plot_h = 160, width = 460;
    const double bw = (width - left - 10) / static_cast<double>(nbins);
    const int height = plot_h + bottom + 10;
    o << "<figure><svg id=\"" << id << "\" class=\"chart-histogram\" role=\"img\" aria-labelledby=\""
      << id << "-t\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << ' ' << height << "\"><title id=\"" << id
      << "-t\">Distribution des durées de parcours, fiche " << a.number << "</title>\n";
    o << "<line x1=\"" << left << "\" y1=\"" << plot_h + 10 << "\" x2=\"" << width - 10
      << "\" y2=\"" << plot_h + 10 << "\" stroke=\"#5b6478\"/>";
    o << "<text x=\"4\" y=\"18\">" << maxc << "</text><text x=\"4\" y=\"" << plot_h + 10
      << "\">0</text>";
    for (std::size_t i = 0; i < nbins; ++i) {
        const double x = left + bw * static_cast<double>(i);
        const double hd = plot_h * static_cast<double>(done[i]) / static_cast<double>(maxc);
        const double ho = plot_h * static_cast<double>(open[i]) / static_cast<double>(maxc);
        const double base = plot_h + 10;
        const std::int32_t lo = static_cast<std::int32_t>(i) * bin;
        o << "<rect x=\"" << fx(x + 1) << "\" y=\"" << fx(base - hd) << "\" width=\""
          << fx(bw - 2) << "\" height=\"" << fx(hd) << "\" fill=\"#000091\"><title>" << lo
          << "–" << lo + bin - 1 << " j : " << done[i] << " terminé(s)</title></rect>";
        o << "<rect x=\"" << fx(x + 1) << "\" y=\"" << fx(base - hd - ho) << "\" width=\""
          << fx(bw - 2) << "\" height=\"" << fx(ho) << "\" fill=\"#9fb3ff\"><title>" << lo
          << "–" << lo + bin - 1 << " j : " << open[i] << " en cours</title></rect>";
        if (nbins <= 12)
            o << "<text x=\"" << fx(x + 2) << "\" y=\"" << plot_h + 24 << "\">" << lo << "</text>";
    }
    o << "<text x=\"" << left << "\" y=\"" << height - 4
      << "\">durée en jours (classes de " << bin
      << " j) ; bleu foncé : terminés, clair : en cours</text>";
    o << "</svg><figcaption>Durée des parcours : terminés et en cours (censurés à la date "
         "d'évaluation).</figcaption></figure>\n";
}

void km_chart(std::ostringstream& o, const ActionReport& a, const std::string& id) {
    const auto& s = a.journeys.stats;
    if (s.km_curve.empty()) return;
    const double tau = std::max<double>(1, s.km_curve.back().time);
    const int left = 40, top = 10, plot_w = 400, plot_h = 160;
    const int width = left + plot_w + 20, height = top + plot_h + 40;
    auto X = [&](double t) { return left + plot_w * t / tau; };
    auto Y = [&](double sv) { return top + plot_h * (1.0 - sv); };
    o << "<figure><svg id=\"" << id << "\" class=\"chart-km\" role=\"img\" aria-labelledby=\""
      << id << "-t\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << ' ' << height << "\"><title id=\"" << id
      << "-t\">Courbe de Kaplan-Meier, fiche " << a.number << "</title>\n";
    o << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << left + plot_w
      << "\" y2=\"" << top + plot_h << "\" stroke=\"#5b6478\"/><line x1=\"" << left << "\" y1=\""
      << top << "\" x2=\"" << left << "\" y2=\"" << top + plot_h << "\" stroke=\"#5b6478\"/>";
    o << "<line x1=\"" << left << "\" y1=\"" << fx(Y(0.5)) << "\" x2=\"" << left + plot_w
      << "\" y2=\"" << fx(Y(0.5)) << "\" stroke=\"#e1000f\" stroke-dasharray=\"4 3\"/>";
    o << "<text x=\"4\" y=\"" << top + 8 << "\">1</text><text x=\"4\" y=\"" << fx(Y(0.5) + 4)
      << "\">0,5</text><text x=\"4\" y=\"" << top + plot_h << "\">0</text>";
    std::string d = "M";  // appended (not `"M" + ...`: a g++ 12 -O3 -Wrestrict false positive)
    d.append(fx(X(0))).append(" ").append(fx(Y(1)));
    double level = 1;
    for (const auto& p : s.km_curve) {
        d += " H" + fx(X(p.time));
        if (p.survival != level) {
            d += " V" + fx(Y(p.survival));
            level = p.survival;
        }
    }
    o << "<path d=\"" << d << "\" fill=\"none\" stroke=\"#000091\" stroke-width=\"2\"/>";
    for (const auto& p : s.km_curve)
        if (p.censored > 0)
            o << "<line x1=\"" << fx(X(p.time)) << "\" y1=\"" << fx(Y(p.survival) - 4)
              << "\" x2=\"" << fx(X(p.time)) << "\" y2=\"" << fx(Y(p.survival) + 4)
              << "\" stroke=\"#000091\"><title>" << p.censored << " censuré(s) à " << p.time
              << " j</title></line>";
    o << "<text x=\"" << left << "\" y=\"" << height - 18 << "\">0</text><text x=\""
      << left + plot_w - 40 << "\" y=\"" << height - 18 << "\">" << fx(tau) << " j</text>";
    o << "<text x=\"" << left << "\" y=\"" << height - 4
      << "\">part des parcours encore en cours selon la durée (jours)</text>";
    o << "</svg><figcaption>Estimation de Kaplan-Meier : les parcours en cours sont censurés à "
         "la date d'évaluation (traits verticaux) ; pointillés : 50 %.</figcaption></figure>\n";
}

// R10: the avenants applied and the local convention in force, when there are some.
std::string amendments_html(const Report& r) {
    std::string out;
    if (!r.amended_by.empty()) {
        out += "<dt>Avenants appliqués</dt><dd>";
        for (std::size_t i = 0; i < r.amended_by.size(); ++i)
            out += (i ? ", " : "") + esc(r.amended_by[i]);
        out += "</dd>\n";
    }
    if (r.convention) out += "<dt>Convention locale AGIR en vigueur</dt><dd>" + esc(*r.convention) + "</dd>\n";
    return out;
}

}  // namespace

std::string to_html(const Report& r) {
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Rapport d'évaluation CTAI " << esc(r.contract_id.str()) << "</title>\n<style>"
      << css << "</style>\n</head>\n<body>\n<header>\n<h1>Rapport d'évaluation du CTAI "
      << esc(r.contract_id.str()) << "</h1>\n<p class=\"title\">" << esc(r.contract_title)
      << "</p>\n<dl class=\"meta\">\n<dt>Période</dt><dd>du " << to_iso(r.from) << " au "
      << to_iso(r.to) << " (inclus)</dd>\n<dt>Date d'évaluation</dt><dd>"
      << to_iso(r.evaluated_on) << "</dd>\n" << amendments_html(r) << "<dt>Âge et statut BPI pris à</dt><dd>"
      << detail::age_reference_label(r.policy.age_reference) << "</dd>\n<dt>Diffusion</dt><dd>"
      << (r.publish ? "publique — secret statistique, k = " + std::to_string(r.k)
                    : std::string("questionnaire (sans masquage)"))
      << "</dd>\n<dt>Empreinte des données</dt><dd><code>" << esc(r.fingerprint)
      << "</code></dd>\n<dt>Version de libctai</dt><dd>" << esc(r.library_version)
      << "</dd>\n</dl>\n</header>\n<main>\n";
    if (!r.notes.empty()) {
        o << "<section class=\"notes\" aria-label=\"Notes\">\n<h2>Notes</h2>\n<ul>\n";
        for (const auto& n : r.notes) o << "<li>" << esc(n) << "</li>\n";
        o << "</ul>\n</section>\n";
    }
    for (std::size_t ai = 0; ai < r.actions.size(); ++ai) {
        const auto& a = r.actions[ai];
        const std::string sid = "fiche-" + std::to_string(a.number);
        o << "<section class=\"action\" id=\"" << sid << "\" aria-labelledby=\"" << sid
          << "-h\">\n<h2 id=\"" << sid << "-h\">Fiche action n°" << a.number << " : "
          << esc(a.title) << "</h2>\n<h3>1. Indicateurs relatifs au public-cible</h3>\n";
        o << "<div class=\"grid2\">\n";
        table_open(o, "Public-cible", "Indicateur", "Objectif", "Réalisé");
        for (std::size_t i = 0; i < a.public_cells.size() && i < 8; ++i) {
            const auto& c = a.public_cells[i];
            o << "<tr" << (c.key == "total" ? " class=\"total\"" : "") << " data-key=\""
              << esc(c.key) << "\"><th scope=\"row\">" << esc(c.label_fr)
              << "</th><td class=\"num\">" << esc(format_optional(c.target, true, ""))
              << "</td><td class=\"num\">" << cell_value(c.realised, c.suppressed)
              << "</td></tr>\n";
        }
        o << "</tbody></table>\n";
        table_open(o, "Objectifs par public", "Public", "Objectif", "Réalisé");
        for (std::size_t i = 8; i < a.public_cells.size(); ++i) {
            const auto& c = a.public_cells[i];
            o << "<tr data-key=\"" << esc(c.key) << "\"><th scope=\"row\">" << esc(c.label_fr)
              << "</th><td class=\"num\">" << esc(format_optional(c.target, true, ""))
              << "</td><td class=\"num\">" << cell_value(c.realised, c.suppressed)
              << "</td></tr>\n";
        }
        o << "</tbody></table>\n</div>\n";
        if (!a.specific.empty()) {
            table_open(o, "Indicateurs spécifiques de la fiche", "Indicateur", "Objectif",
                       "Réalisé");
            for (const auto& c : a.specific)
                o << "<tr data-key=\"" << esc(c.key) << "\"><th scope=\"row\">"
                  << esc(c.label_fr) << "</th><td class=\"num\">"
                  << esc(format_optional(c.target, true, "")) << "</td><td class=\"num\">"
                  << cell_value(c.realised, c.suppressed) << "</td></tr>\n";
            o << "</tbody></table>\n";
        }
        o << "<h3>2. Indicateurs financiers</h3>\n";
        table_open(o, "Indicateurs financiers", "Indicateur", "Réalisé (€)");
        o << "<tr><th scope=\"row\">" << detail::extra_label("total_cost")
          << "</th><td class=\"num\">"
          << esc(format_optional(a.financial.total_cost, true, "n.d.")) << "</td></tr>\n";
        o << "<tr><th scope=\"row\">" << detail::extra_label("subsidy_p104")
          << "</th><td class=\"num\">"
          << esc(format_optional(a.financial.subsidy_p104, true, "n.d.")) << "</td></tr>\n";
        o << "</tbody></table>\n<h3>3. Parcours et durée d'accompagnement</h3>\n";
        const auto& j = a.journeys;
        table_open(o, "Parcours", "Indicateur", "Valeur");
        const auto rows = detail::journey_rows(j);
        for (const auto& [k, v] : rows)
            o << "<tr data-key=\"" << k << "\"><th scope=\"row\">" << esc(detail::extra_label(k))
              << "</th><td class=\"num\">" << esc(format_optional(v, true, "n.d."))
              << "</td></tr>\n";
        o << "</tbody></table>\n<div class=\"charts\">\n";
        targets_chart(o, a, sid + "-targets");
        histogram_chart(o, a, sid + "-hist");
        km_chart(o, a, sid + "-km");
        o << "</div>\n<h3>4. Indicateurs complémentaires</h3>\n";
        table_open(o, "Indicateurs complémentaires", "Indicateur", "Valeur");
        for (const auto& x : a.extra)
            if (!x.is_breakdown)
                o << "<tr data-key=\"" << esc(x.key) << "\"><th scope=\"row\">"
                  << esc(x.label_fr) << "</th><td class=\"num\">"
                  << cell_value(x.value, x.suppressed) << "</td></tr>\n";
        o << "</tbody></table>\n<div class=\"grid2\">\n";
        for (const auto& x : a.extra) {
            if (!x.is_breakdown || x.breakdown.empty()) continue;
            table_open(o, x.label_fr, "Catégorie", "Nombre");
            for (const auto& [k, v] : x.breakdown)
                o << "<tr><th scope=\"row\">" << esc(detail::breakdown_label(x.key, k))
                  << "</th><td class=\"num\">" << cell_value(v, x.suppressed) << "</td></tr>\n";
            o << "</tbody></table>\n";
        }
        o << "</div>\n</section>\n";
    }
    // R6: the orientations between AGIR and the contract's actions.
    const ReportOrientations& ro = r.orientations;
    o << "<section class=\"action\" id=\"orientations\" aria-labelledby=\"orientations-h\">\n"
         "<h2 id=\"orientations-h\">Orientations entre AGIR et les actions du contrat</h2>\n"
         "<p>Orientations proposées pendant la période, suivies jusqu'à la date d'évaluation."
         "</p>\n";
    table_open(o, "Orientations", "Indicateur", "Valeur");
    for (const auto& x : ro.indicators)
        if (!x.is_breakdown)
            o << "<tr data-key=\"" << esc(x.key) << "\"><th scope=\"row\">" << esc(x.label_fr)
              << "</th><td class=\"num\">" << cell_value(x.value, x.suppressed) << "</td></tr>\n";
    o << "</tbody></table>\n<div class=\"grid2\">\n";
    for (const auto& x : ro.indicators) {
        if (!x.is_breakdown) continue;
        table_open(o, x.label_fr, "Catégorie", "Nombre");
        for (const auto& [k, v] : x.breakdown)
            o << "<tr><th scope=\"row\">" << esc(detail::orientation_entry_label(x.key, k))
              << "</th><td class=\"num\">" << cell_value(v, x.suppressed) << "</td></tr>\n";
        o << "</tbody></table>\n";
    }
    for (const auto& [key, d] : {std::pair{"decision_delay", &ro.decision_delay},
                                 std::pair{"entry_delay", &ro.entry_delay}}) {
        table_open(o, std::string(detail::orientation_label(key)), "Indicateur", "Valeur");
        for (const auto& [k, v] : detail::delay_rows(*d))
            o << "<tr data-key=\"" << key << "." << k << "\"><th scope=\"row\">"
              << esc(std::string(detail::orientation_label(k))) << "</th><td class=\"num\">"
              << esc(format_optional(v, true, "n.d.")) << "</td></tr>\n";
        o << "</tbody></table>\n";
    }
    o << "</div>\n</section>\n";
    o << "</main>\n</body>\n</html>\n";
    return o.str();
}

}  // namespace ctai
