// R8: the report as JSON (interfaces.md section 2). Fixed key order, no timestamp.
#include <ctai/report.hpp>

#include <cmath>
#include <utility>

#include <nlohmann/json.hpp>

namespace ctai {
namespace {

using Json = nlohmann::ordered_json;

/// Integral values as JSON integers ("target": int|null), others as numbers.
Json num(const std::optional<double>& v) {
    if (!v) return nullptr;
    if (std::nearbyint(*v) == *v && std::fabs(*v) < 9e15) return static_cast<std::int64_t>(*v);
    return *v;
}

Json num(const std::optional<std::int64_t>& v) {
    if (!v) return nullptr;
    return *v;
}

/// R6: the orientations block (the indicators in order, then the two delays).
Json orientations_json(const ReportOrientations& o) {
    Json j = Json::object();
    for (const auto& x : o.indicators) {
        if (!x.is_breakdown) {
            j[x.key] = num(x.value);
            continue;
        }
        Json b = Json::object();
        for (const auto& [k, v] : x.breakdown) b[k] = num(v);
        j[x.key] = std::move(b);
    }
    for (const auto& [key, d] : {std::pair{"decision_delay", &o.decision_delay},
                                 std::pair{"entry_delay", &o.entry_delay}})
        j[key] = Json{{"count", num(d->count)},
                      {"observed", num(d->observed)},
                      {"open", num(d->open)},
                      {"median_days", num(d->median_days)},
                      {"km_median_days", num(d->km_median_days)},
                      {"km_p90_days", num(d->km_p90_days)}};
    return j;
}

}  // namespace

std::string to_json(const Report& r) {
    Json j;
    j["contract"] = r.contract_id.str();
    j["period"] = Json{{"from", to_iso(r.from)}, {"to", to_iso(r.to)}};
    j["evaluated_on"] = to_iso(r.evaluated_on);
    j["policy"] = Json::parse(policy_to_json(r.policy));
    if (!r.policy_overrides.empty()) {  // R10: only when the policy differs from the store's
        Json o = Json::object();
        for (const auto& p : r.policy_overrides)
            o[p.option] = Json{{"store", Json::parse(p.store_value)}, {"used", Json::parse(p.used_value)}};
        j["policy_overrides"] = o;
    }
    j["publish"] = r.publish;
    j["k"] = r.k;
    j["fingerprint"] = r.fingerprint;
    j["library_version"] = r.library_version;
    j["contract_title"] = r.contract_title;
    j["amended_by"] = r.amended_by;  // R10
    j["convention"] = r.convention ? Json(*r.convention) : Json(nullptr);
    Json actions = Json::array();
    for (const auto& a : r.actions) {
        Json ja;
        ja["number"] = a.number;
        ja["title"] = a.title;
        Json pub = Json::object();
        for (const auto& c : a.public_cells)
            pub[c.key] = Json{{"target", num(c.target)}, {"realised", num(c.realised)}};
        ja["public"] = pub;
        const auto& jr = a.journeys;
        ja["journeys"] = Json{{"count", num(jr.count)},
                              {"completed", num(jr.completed)},
                              {"open", num(jr.open)},
                              {"mean_days", num(jr.mean_days)},
                              {"median_days", num(jr.median_days)},
                              {"km_median_days", num(jr.km_median_days)},
                              {"positive_exits", num(jr.positive_exits)},
                              {"km_restricted_mean_days", num(jr.km_restricted_mean_days)}};
        ja["financial"] = Json{{"total_cost", num(a.financial.total_cost)},
                               {"subsidy_p104", num(a.financial.subsidy_p104)}};
        Json extra = Json::object();
        for (const auto& x : a.extra) {
            if (x.is_breakdown) {
                Json b = Json::object();
                for (const auto& [k, v] : x.breakdown) b[k] = num(v);
                extra[x.key] = b;
            } else {
                extra[x.key] = num(x.value);
            }
        }
        ja["extra"] = extra;
        Json spec = Json::object();
        for (const auto& c : a.specific)
            spec[c.key] = Json{{"label", c.label_fr},
                               {"target", num(c.target)},
                               {"realised", num(c.realised)}};
        ja["specific"] = spec;
        actions.push_back(std::move(ja));
    }
    j["actions"] = std::move(actions);
    j["orientations"] = orientations_json(r.orientations);
    j["notes"] = r.notes;
    Json sup = Json::array();
    for (const auto& s : r.suppressed) sup.push_back(Json{{"path", s.path}, {"reason", s.reason}});
    j["suppressed"] = std::move(sup);
    return j.dump(2) + "\n";
}

}  // namespace ctai
