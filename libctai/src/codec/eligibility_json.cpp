// The JSON shape of an Eligibility (interfaces.md section 2: `ctai check --format json`).
#include <ctai/eligibility.hpp>

#include <nlohmann/json.hpp>

namespace ctai {

std::string to_json(const Eligibility& e, int indent) {
    using nlohmann::ordered_json;
    const auto date = [](const std::optional<Date>& d) { return d ? ordered_json(to_iso(*d)) : ordered_json(nullptr); };
    ordered_json j;
    j["person_id"] = e.person_id.str();
    j["nationality_class"] = to_string(e.nationality_class);
    j["public"] = e.public_category ? ordered_json(to_string(*e.public_category)) : ordered_json(nullptr);
    j["primo_arrivant"] = e.primo_arrivant;
    j["bpi"] = e.bpi;
    j["bpt"] = e.bpt;
    j["agir"] = e.agir;
    j["ctai_public"] = e.ctai_public;
    j["primo_window_end"] = date(e.primo_window_end);
    j["agir_window_end"] = date(e.agir_window_end);
    j["reasons"] = e.reasons;
    // Added after every key of the contract (interfaces.md section 2), which stay as they were.
    auto codes = ordered_json::array();
    for (const auto& c : e.reason_codes)
        codes.push_back(ordered_json{{"code", to_string(c.code)}, {"date", date(c.date)}});
    j["reason_codes"] = std::move(codes);
    return j.dump(indent);
}

}  // namespace ctai
