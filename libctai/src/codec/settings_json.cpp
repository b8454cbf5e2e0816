// Store settings (R10) <-> JSON (the one strict reader, json_reader.hpp), and the policy
// options that differ from the store's (the report's policy_overrides).
#include <ctai/error.hpp>
#include <ctai/settings.hpp>

#include <nlohmann/json.hpp>

#include "codec/json_reader.hpp"

namespace ctai {

std::vector<PolicyOverride> policy_overrides(const Policy& store, const Policy& used) {
    std::vector<PolicyOverride> out;
    if (store == used) return out;
    const auto a = nlohmann::ordered_json::parse(policy_to_json(store));
    const auto b = nlohmann::ordered_json::parse(policy_to_json(used));
    for (const auto name : policy_option_names()) {
        const std::string key(name);
        if (a.at(key) != b.at(key)) out.push_back({key, a.at(key).dump(), b.at(key).dump()});
    }
    return out;
}

std::string settings_to_json(const StoreSettings& s) {
    nlohmann::ordered_json j;
    j["format_version"] = 1;
    j["effective"] = to_iso(s.effective);
    j["territory"] = s.territory ? nlohmann::ordered_json(*s.territory) : nlohmann::ordered_json(nullptr);
    j["policy"] = nlohmann::ordered_json::parse(policy_to_json(s.policy));
    return j.dump(2);
}

StoreSettings settings_from_json(std::string_view json_text, std::string_view source) {
    const codec::JsonReader r(source);
    const auto j = r.parse(json_text);
    r.object(j, "", {"format_version", "effective", "territory", "policy"});
    if (r.req_int(j, "", "format_version", 1) != 1) r.fail("format_version", "only format_version 1 is known");
    StoreSettings s;
    s.effective = r.date(j, "", "effective");
    s.territory = r.opt_string(j, "", "territory");
    if (s.territory && !is_departement_code(*s.territory))
        r.fail("territory", "'" + *s.territory + "' is not a département code (e.g. \"21\", \"2A\", \"971\")");
    const auto* policy = r.find(j, "", "policy", true);
    if (!policy->is_object()) r.fail("policy", "expected an object");
    s.policy = policy_from_json(policy->dump(), std::string(source) + ": policy");
    return s;
}

}  // namespace ctai
