// R8 small-cell suppression (docs/reports.md, "Suppression").
#include <ctai/report.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace ctai {
namespace {

struct CellRef {
    std::optional<double>* value;
    bool* flag;          // the owner's `suppressed` flag (may be shared)
    std::string path;
    double n = 0;        // the true value while suppressing
    bool hidden = false;
    bool secondary = false;
};

class Engine {
public:
    std::size_t add(std::optional<double>* v, bool* flag, std::string path) {
        cells_.push_back({v, flag, std::move(path), v->value_or(0.0), false, false});
        return cells_.size() - 1;
    }
    /// A linear relation: members[0] = sum of the others (possibly with unpublished
    /// remainders, treated conservatively as known).
    void group(std::vector<std::size_t> members) { groups_.push_back(std::move(members)); }
    const CellRef& at(std::size_t i) const { return cells_[i]; }

    void run(int k, std::vector<SuppressedCell>& out) {
        const double kk = static_cast<double>(k);
        for (auto& c : cells_)
            if (c.value->has_value() && c.n >= 1 && c.n < kk) c.hidden = true;
        // Secondary suppression until no relation leaves exactly one hidden member.
        for (bool changed = true; changed;) {
            changed = false;
            for (const auto& g : groups_) {
                std::size_t hidden = 0;
                for (auto i : g) if (cells_[i].hidden) ++hidden;
                if (hidden != 1) continue;
                // Hide the smallest visible non-zero part; the total only if no part can be.
                std::optional<std::size_t> pick;
                for (std::size_t m = 1; m < g.size(); ++m) {
                    const auto& c = cells_[g[m]];
                    if (c.hidden || c.n <= 0 || !c.value->has_value()) continue;
                    if (!pick || c.n < cells_[*pick].n) pick = g[m];
                }
                if (!pick && !cells_[g[0]].hidden && cells_[g[0]].n > 0) pick = g[0];
                if (!pick) continue;
                cells_[*pick].hidden = true;
                cells_[*pick].secondary = true;
                changed = true;
            }
        }
        for (auto& c : cells_) {
            if (!c.hidden) continue;
            *c.value = std::nullopt;
            if (c.flag) *c.flag = true;
            out.push_back({c.path, c.secondary ? "secondary" : "primary"});
        }
    }

private:
    std::vector<CellRef> cells_;
    std::vector<std::vector<std::size_t>> groups_;
};

std::optional<double> to_double(const std::optional<std::int64_t>& v) {
    if (!v) return std::nullopt;
    return static_cast<double>(*v);
}

}  // namespace

void suppress_small_cells(Report& report, int k) {
    Engine e;
    // Journey counts are held as int64: work on double copies, written back below.
    struct JourneyCopy {
        std::optional<double> count, completed, open, positive;
        bool flag = false;
    };
    std::vector<JourneyCopy> jc(report.actions.size());
    for (std::size_t a = 0; a < report.actions.size(); ++a) {
        ActionReport& act = report.actions[a];
        const std::string base = "actions[" + std::to_string(a) + "].";
        std::map<std::string, std::size_t> ids;
        for (auto& c : act.public_cells)
            ids[c.key] = e.add(&c.realised, &c.suppressed, base + "public." + c.key);
        std::map<std::string, std::size_t> xid;
        std::map<std::string, std::vector<std::size_t>> xparts;
        for (auto& x : act.extra) {
            if (!x.counts_people) continue;
            if (x.is_breakdown) {
                for (auto& [label, v] : x.breakdown)
                    xparts[x.key].push_back(
                        e.add(&v, &x.suppressed, base + "extra." + x.key + "." + label));
            } else {
                xid[x.key] = e.add(&x.value, &x.suppressed, base + "extra." + x.key);
            }
        }
        auto has = [&](const std::string& key) { return xid.contains(key); };
        // A relation over the members that exist (the first is the total).
        auto rel = [&](std::initializer_list<std::pair<const std::map<std::string, std::size_t>*,
                                                        const char*>> members) {
            std::vector<std::size_t> g;
            for (const auto& [m, key] : members) {
                auto it = m->find(key);
                if (it == m->end()) {
                    if (g.empty()) return;  // no total: no relation
                    continue;
                }
                g.push_back(it->second);
            }
            if (g.size() > 1) e.group(std::move(g));
        };
        rel({{&ids, "total"}, {&ids, "men"}, {&ids, "women"}, {&xid, "sex_unknown"}});
        rel({{&ids, "bpi"}, {&ids, "bpi_men"}, {&ids, "bpi_women"}});
        rel({{&ids, "total"}, {&ids, "bpi"}, {&ids, "bpt"}, {&ids, "primo_arrivants"}});
        rel({{&xid, "co_animated_beneficiaries"}, {&xid, "co_animated_men"},
             {&xid, "co_animated_women"}, {&xid, "co_animated_sex_unknown"}});
        rel({{&xid, "co_animated_bpi"}, {&xid, "co_animated_bpi_men"},
             {&xid, "co_animated_bpi_women"}});
        for (const char* b : {"entrants_by_sex", "entrants_by_age_band", "entrants_by_public",
                              "entrants_by_referral_source", "entrants_by_household_size",
                              "entrants_by_housing_at_entry"}) {
            if (!has("entrants") || !xparts.contains(b)) continue;
            std::vector<std::size_t> g{xid["entrants"]};
            for (auto i : xparts[b]) g.push_back(i);
            e.group(g);
        }
        for (const auto& [total, parts] :
             {std::pair{"volunteer_engagements", "engagements_by_association_type"},
              std::pair{"households_housed", "households_housed_by_size"},
              std::pair{"households_housed", "households_housed_by_housing_type"}}) {
            if (!has(total) || !xparts.contains(parts)) continue;
            std::vector<std::size_t> g{xid[total]};
            for (auto i : xparts[parts]) g.push_back(i);
            e.group(g);
        }
        // Journeys: count = completed + open.
        auto& j = jc[a];
        j.count = to_double(act.journeys.count);
        j.completed = to_double(act.journeys.completed);
        j.open = to_double(act.journeys.open);
        j.positive = to_double(act.journeys.positive_exits);
        const auto jcount = e.add(&j.count, &j.flag, base + "journeys.count");
        const auto jcomp = e.add(&j.completed, &j.flag, base + "journeys.completed");
        const auto jopen = e.add(&j.open, &j.flag, base + "journeys.open");
        e.add(&j.positive, &j.flag, base + "journeys.positive_exits");
        e.group({jcount, jcomp, jopen});
    }
    // Orientations (R6): counts of people's orientations, like the extras.
    std::map<std::string, std::size_t> oid;
    std::map<std::string, std::map<std::string, std::size_t>> oparts;
    for (auto& x : report.orientations.indicators) {
        if (!x.counts_people) continue;
        if (x.is_breakdown)
            for (auto& [label, v] : x.breakdown)
                oparts[x.key][label] = e.add(&v, &x.suppressed, "orientations." + x.key + "." + label);
        else
            oid[x.key] = e.add(&x.value, &x.suppressed, "orientations." + x.key);
    }
    if (oid.contains("total"))
        for (const auto& [key, parts] : oparts) {
            std::vector<std::size_t> g{oid["total"]};
            for (const auto& [label, i] : parts) g.push_back(i);
            e.group(std::move(g));
        }
    if (const auto st = oparts.find("by_status"); st != oparts.end()) {
        auto part = [&](const char* s) { return st->second.at(s); };
        if (oid.contains("decided") && oid.contains("accepted"))
            e.group({oid["decided"], oid["accepted"], part("declined")});
        if (oid.contains("without_entry"))
            e.group({oid["without_entry"], part("declined"), part("cancelled")});
    }
    struct DelayCopy {
        std::optional<double> count, observed, open;
        bool flag = false;
    };
    std::array<DelayCopy, 2> dc;
    std::array<ReferralDelay*, 2> delays{&report.orientations.decision_delay,
                                         &report.orientations.entry_delay};
    for (std::size_t i = 0; i < 2; ++i) {
        dc[i] = {to_double(delays[i]->count), to_double(delays[i]->observed),
                 to_double(delays[i]->open), false};
        const std::string base = i == 0 ? "orientations.decision_delay." : "orientations.entry_delay.";
        e.group({e.add(&dc[i].count, &dc[i].flag, base + "count"),
                 e.add(&dc[i].observed, &dc[i].flag, base + "observed"),
                 e.add(&dc[i].open, &dc[i].flag, base + "open")});
    }
    e.run(k, report.suppressed);
    for (std::size_t i = 0; i < 2; ++i) {
        ReferralDelay& d = *delays[i];
        auto back = [](const std::optional<double>& v) -> std::optional<std::int64_t> {
            if (!v) return std::nullopt;
            return static_cast<std::int64_t>(*v);
        };
        d.count = back(dc[i].count);
        d.observed = back(dc[i].observed);
        d.open = back(dc[i].open);
        // Delays over a hidden number of orientations would describe too few people.
        if (!d.observed) d.median_days.reset();
        if (!d.count || !d.observed || !d.open) {
            d.km_median_days.reset();
            d.km_p90_days.reset();
            const Date on = d.stats.on;
            d.stats = JourneyStats{};
            d.stats.on = on;
        }
    }
    for (auto& x : report.orientations.indicators)
        if (x.key == "acceptance_rate" &&
            (report.orientations.indicator("decided").suppressed ||
             report.orientations.indicator("accepted").suppressed)) {
            x.value.reset();
            x.suppressed = true;
        }

    std::size_t hidden_primary = 0;
    for (const auto& s : report.suppressed) if (s.reason == "primary") ++hidden_primary;
    for (std::size_t a = 0; a < report.actions.size(); ++a) {
        ActionReport& act = report.actions[a];
        auto& j = jc[a];
        auto back = [](const std::optional<double>& v) -> std::optional<std::int64_t> {
            if (!v) return std::nullopt;
            return static_cast<std::int64_t>(*v);
        };
        act.journeys.count = back(j.count);
        act.journeys.completed = back(j.completed);
        act.journeys.open = back(j.open);
        act.journeys.positive_exits = back(j.positive);
        // Statistics over a hidden number of journeys would describe too few people.
        if (!act.journeys.completed) {
            act.journeys.mean_days.reset();
            act.journeys.median_days.reset();
        }
        if (!act.journeys.count || !act.journeys.completed || !act.journeys.open) {
            act.journeys.km_median_days.reset();
            act.journeys.km_restricted_mean_days.reset();
            const Date on = act.journeys.stats.on;
            act.journeys.stats = JourneyStats{};
            act.journeys.stats.on = on;
        }
        // Specific cells mirror the extras of the same key.
        for (auto& c : act.specific)
            for (const auto& x : act.extra)
                if (x.key == c.key && !x.is_breakdown && x.counts_people) {
                    c.realised = x.value;
                    c.suppressed = !x.value.has_value();
                }
    }
    const std::string ks = std::to_string(k);
    report.notes.push_back(
        "Diffusion publique (secret statistique) : les effectifs de 1 à " +
        std::to_string(k - 1) + " (k = " + ks + ") sont masqués (null) ; puis, dans chaque "
        "total et ses composantes (hommes/femmes/sexe non renseigné, BPI hommes/femmes, "
        "BPI/BPT/primo-arrivants, parcours terminés/en cours, ventilations des entrés et des "
        "orientations), une "
        "seconde case est masquée lorsqu'une seule l'est, pour qu'elle ne puisse être "
        "recalculée par différence. Les zéros sont affichés. Cases masquées : " +
        std::to_string(report.suppressed.size()) + " (" + std::to_string(hidden_primary) +
        " primaires, " + std::to_string(report.suppressed.size() - hidden_primary) +
        " secondaires). Durées et courbes masquées lorsque le nombre de parcours (ou "
        "d'orientations) l'est.");
}

}  // namespace ctai
