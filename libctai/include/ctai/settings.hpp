#pragma once
/// \file settings.hpp
/// The settings of a store (domain R10): the territory and the policy in force, dated and
/// audited, so that every user of the same store gets the same figures. See docs/storage.md
/// ("Settings of a store") and docs/rules.md ("Store settings").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/policy.hpp>

namespace ctai {

/// One dated entry of a store's settings (R10). An entry is in force from `effective`
/// (included) until the next entry's effective date.
struct StoreSettings {
    /// First day the entry is in force.
    Date effective;
    /// The store's territory: an INSEE département code ("21", "2A", "971"), or none.
    std::optional<std::string> territory;
    /// The policy in force (every option, as policy_to_json writes it).
    Policy policy{};
    friend bool operator==(const StoreSettings&, const StoreSettings&) = default;
};

/// R10: today's date in UTC, the day whose settings are in force (Store::settings() without
/// a date, Store::open without a policy).
Date settings_today();

/// R10: whether `code` is an INSEE département code: "01".."95" but "20", "2A", "2B",
/// "971".."974", "976" (the territory of a store and of a contract's `departments`).
bool is_departement_code(std::string_view code) noexcept;

/// One policy option whose value differs from the store's settings (R10: "an explicit
/// override ... is then written in the report").
struct PolicyOverride {
    /// The option's name (policy_option_names()).
    std::string option;
    /// Its value in the store's settings and the value used, as JSON text ("\"strict\"",
    /// "true", "[\"2023-03-04\"]"), as policy_to_json writes them.
    std::string store_value;
    std::string used_value;
    friend bool operator==(const PolicyOverride&, const PolicyOverride&) = default;
};

/// The options of `used` that differ from `store`, in policy_option_names() order (empty
/// when the policies are equal).
std::vector<PolicyOverride> policy_overrides(const Policy& store, const Policy& used);

/// The settings as one JSON object (what `ctai settings --format json` prints and the
/// exchange folder's settings.json holds): {"format_version": 1, "effective": "YYYY-MM-DD",
/// "territory": "21" | null, "policy": {...every option...}}.
std::string settings_to_json(const StoreSettings& s);

/// Reads settings_to_json's object. Strict: unknown or duplicated keys, a bad date, a
/// territory that is not a département code, a bad policy option throw ValidationError
/// naming `source` and the key (and the line for a syntax error). The policy may list only
/// some options (the others keep their defaults, as policy_from_json).
StoreSettings settings_from_json(std::string_view json_text, std::string_view source = "<settings>");

}  // namespace ctai
