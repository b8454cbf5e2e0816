// Policy <-> JSON (read through the codecs' one strict reader, json_reader.hpp) and text
// options (CLI flags, --policy FILE, reports, Python).
#include <ctai/error.hpp>
#include <ctai/policy.hpp>

#include <array>
#include <charconv>

#include <nlohmann/json.hpp>

#include "codec/json_reader.hpp"
#include "codec/text.hpp"

namespace ctai {
namespace {

using nlohmann::ordered_json;

constexpr auto option_names = std::to_array<std::string_view>(
    {"feb29", "boundary", "primo_anchor", "excluded_motives", "require_cir",
     "accept_cir_proposed", "bpi_includes_stateless", "agir_includes_stateless",
     "bpi_window_years", "require_regular_stay", "minors_follow_household", "bpt_end_dates", "agir_start",
     "agir_recency", "intermediated_rental_is_lasting", "pension_de_famille_is_lasting",
     "age_reference", "suppression_k", "retention_years"});

[[noreturn]] void bad(std::string_view source, std::string_view name, const std::string& why) {
    throw ValidationError(std::string(source) + ": policy option '" + std::string(name) +
                              "': " + why,
                          std::string(name));
}

bool parse_bool(std::string_view source, std::string_view name, std::string_view v) {
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    bad(source, name, "expected true or false");
}

int parse_int(std::string_view source, std::string_view name, std::string_view v, int lo) {
    int out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size() || out < lo)
        bad(source, name, "expected a whole number >= " + std::to_string(lo));
    return out;
}

template <class E>
E parse_enum(std::string_view source, std::string_view name, std::string_view v) {
    if (auto e = try_from_string<E>(v)) return *e;
    std::string allowed;
    for (auto n : enum_names<E>()) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
    bad(source, name, "expected one of: " + allowed);
}

Date parse_policy_date(std::string_view source, std::string_view name, std::string_view v) {
    try {
        return parse_date(v);
    } catch (const ValidationError& e) {
        bad(source, name, e.what());
    }
}

// The non-empty parts of a list option, without surrounding spaces.
std::vector<std::string_view> items(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (auto part : detail::split(s, sep))
        if (part = detail::trim(part, " "); !part.empty()) out.push_back(part);
    return out;
}

void set_option(Policy& p, std::string_view name, std::string_view v, std::string_view source) {
    if (name == "feb29") p.feb29 = parse_enum<Feb29>(source, name, v);
    else if (name == "boundary") p.boundary = parse_enum<Boundary>(source, name, v);
    else if (name == "primo_anchor") p.primo_anchor = parse_enum<PrimoAnchor>(source, name, v);
    else if (name == "excluded_motives") {
        p.excluded_motives.clear();
        for (auto m : items(v, ',')) p.excluded_motives.insert(parse_enum<Motive>(source, name, m));
    } else if (name == "require_cir") p.require_cir = parse_bool(source, name, v);
    else if (name == "accept_cir_proposed") p.accept_cir_proposed = parse_bool(source, name, v);
    else if (name == "bpi_includes_stateless") p.bpi_includes_stateless = parse_bool(source, name, v);
    else if (name == "agir_includes_stateless") p.agir_includes_stateless = parse_bool(source, name, v);
    else if (name == "bpi_window_years") {
        if (v == "none" || v == "null") p.bpi_window_years.reset();
        else p.bpi_window_years = parse_int(source, name, v, 1);
    } else if (name == "require_regular_stay") p.require_regular_stay = parse_bool(source, name, v);
    else if (name == "minors_follow_household") p.minors_follow_household = parse_bool(source, name, v);
    else if (name == "bpt_end_dates") {
        p.bpt_end_dates.clear();
        for (auto d : items(v, ',')) p.bpt_end_dates.push_back(parse_policy_date(source, name, d));
        if (p.bpt_end_dates.empty()) bad(source, name, "expected at least one date");
    } else if (name == "agir_start") {
        // "21=2024-01-01" adds or replaces one département; "none" clears the table.
        if (v == "none") {
            p.agir_start.clear();
            return;
        }
        for (auto item : items(v, ',')) {
            auto eq = item.find('=');
            if (eq == std::string_view::npos || eq == 0) bad(source, name, "expected DEPT=YYYY-MM-DD");
            p.agir_start[std::string(item.substr(0, eq))] = parse_policy_date(source, name, item.substr(eq + 1));
        }
    } else if (name == "agir_recency") p.agir_recency = parse_enum<AgirRecency>(source, name, v);
    else if (name == "intermediated_rental_is_lasting") p.intermediated_rental_is_lasting = parse_bool(source, name, v);
    else if (name == "pension_de_famille_is_lasting") p.pension_de_famille_is_lasting = parse_bool(source, name, v);
    else if (name == "age_reference") p.age_reference = parse_enum<AgeReference>(source, name, v);
    else if (name == "suppression_k") p.suppression_k = parse_int(source, name, v, 1);
    else if (name == "retention_years") p.retention_years = parse_int(source, name, v, 1);
    else bad(source, name, "unknown option");
}

}  // namespace

std::span<const std::string_view> policy_option_names() noexcept { return option_names; }

void set_policy_option(Policy& p, std::string_view name, std::string_view value) {
    set_option(p, name, value, "option");
}

std::string policy_to_json(const Policy& p) {
    ordered_json j;
    j["feb29"] = to_string(p.feb29);
    j["boundary"] = to_string(p.boundary);
    j["primo_anchor"] = to_string(p.primo_anchor);
    auto motives = ordered_json::array();
    for (auto m : p.excluded_motives) motives.push_back(to_string(m));
    j["excluded_motives"] = motives;
    j["require_cir"] = p.require_cir;
    j["accept_cir_proposed"] = p.accept_cir_proposed;
    j["bpi_includes_stateless"] = p.bpi_includes_stateless;
    j["agir_includes_stateless"] = p.agir_includes_stateless;
    if (p.bpi_window_years) j["bpi_window_years"] = *p.bpi_window_years;
    else j["bpi_window_years"] = nullptr;
    j["require_regular_stay"] = p.require_regular_stay;
    j["minors_follow_household"] = p.minors_follow_household;
    auto ends = ordered_json::array();
    for (auto d : p.bpt_end_dates) ends.push_back(to_iso(d));
    j["bpt_end_dates"] = ends;
    auto starts = ordered_json::object();
    for (const auto& [dept, d] : p.agir_start) starts[dept] = to_iso(d);
    j["agir_start"] = starts;
    j["agir_recency"] = to_string(p.agir_recency);
    j["intermediated_rental_is_lasting"] = p.intermediated_rental_is_lasting;
    j["pension_de_famille_is_lasting"] = p.pension_de_famille_is_lasting;
    j["age_reference"] = to_string(p.age_reference);
    j["suppression_k"] = p.suppression_k;
    j["retention_years"] = p.retention_years;
    return j.dump(2);
}

Policy policy_from_json(std::string_view json_text, std::string_view source) {
    // The codecs' one strict reader: a syntax error names its line, a duplicated key is
    // refused; the values are then read as the text options are.
    const auto j = codec::JsonReader(source).parse(json_text);
    if (!j.is_object()) throw ValidationError(std::string(source) + ": a policy is a JSON object", "policy");
    Policy p;
    for (const auto& [key, value] : j.items()) {
        std::string text;
        if (value.is_string()) {
            text = value.get<std::string>();
        } else if (value.is_boolean()) {
            text = value.get<bool>() ? "true" : "false";
        } else if (value.is_number_integer()) {
            text = std::to_string(value.get<long long>());
        } else if (value.is_array()) {
            for (const auto& item : value) {
                if (!item.is_string()) bad(source, key, "expected an array of strings");
                if (!text.empty()) text += ',';  // appended: g++ 12 -O3 -Wrestrict
                text += item.get<std::string>();
            }
            if (key == "excluded_motives" && value.empty()) {
                p.excluded_motives.clear();
                continue;
            }
        } else if (value.is_null() && key == "bpi_window_years") {
            text = "none";
        } else if (value.is_object() && key == "agir_start") {
            p.agir_start.clear();
            for (const auto& [dept, d] : value.items()) {
                if (!d.is_string()) bad(source, key, "expected DEPT: \"YYYY-MM-DD\"");
                p.agir_start[dept] = parse_policy_date(source, key, d.get<std::string>());
            }
            continue;
        } else {
            bad(source, key, "unexpected JSON type");
        }
        set_option(p, key, text, source);
    }
    return p;
}

}  // namespace ctai
