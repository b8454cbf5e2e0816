// ctai settings: the store's settings (domain R10), the territory and the policy in force,
// dated and audited. Without a territory or policy option it shows them; with one it
// records a new dated entry (the others are kept: the history). Thin: the library
// validates, stores and audits (Store::put_settings), this parses and prints.
#include <CLI/CLI.hpp>

#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output.hpp"

namespace ctai::cli {
namespace {

struct SettingsArgs {
    std::string territory;
    bool history = false;
};
SettingsArgs settings_args;

// An option's value as its flag takes it: "a,b" for a list, "21=2024-01-01" for a map,
// "none" for no value.
std::string flag_text(const nlohmann::ordered_json& v) {
    if (v.is_null()) return "none";
    if (v.is_string()) return v.get<std::string>();
    std::string out;
    if (v.is_array()) {
        for (const auto& x : v) {
            if (!out.empty()) out += ',';
            out += flag_text(x);
        }
        return out;
    }
    if (v.is_object()) {
        for (const auto& [k, x] : v.items()) {
            if (!out.empty()) out += ',';
            out += k;
            out += '=';
            out += flag_text(x);
        }
        return out.empty() ? "none" : out;
    }
    return v.dump();
}

// Every policy option with its value in force and whether it is the default, in the
// spelling of the flags.
Table policy_table(const Policy& p) {
    const auto used = nlohmann::ordered_json::parse(policy_to_json(p));
    const auto defaults = nlohmann::ordered_json::parse(policy_to_json(Policy{}));
    Table t{{"option", "value", "default"}, {}};
    for (const auto name : policy_option_names()) {
        const std::string key(name);
        const auto v = used.at(key), d = defaults.at(key);
        std::string is_default = "yes";
        if (v != d) {
            is_default = "no (";
            is_default += flag_text(d);
            is_default += ")";
        }
        t.rows.push_back({key, flag_text(v), is_default});
    }
    return t;
}

std::string differing_options(const Policy& p) {
    std::string out;
    for (const auto& o : policy_overrides(Policy{}, p)) {
        if (!out.empty()) out += ", ";
        out += o.option;
    }
    return out.empty() ? "-" : out;
}

void print_settings(const std::optional<StoreSettings>& s, Date on, const std::string& format) {
    if (format == "json") {
        if (s) {
            std::cout << settings_to_json(*s) << '\n';
        } else {  // no settings: the default policy, no date, no territory
            auto j = nlohmann::ordered_json::parse(settings_to_json(StoreSettings{on, std::nullopt, Policy{}}));
            j["effective"] = nullptr;
            std::cout << j.dump(2) << '\n';
        }
        return;
    }
    if (s)
        std::cout << "settings in force on " << to_iso(on) << ": effective " << to_iso(s->effective)
                  << ", territory " << s->territory.value_or("-") << "\n\n";
    else
        std::cout << "no settings in force on " << to_iso(on) << ": the default policy, no territory\n\n";
    print_table(std::cout, policy_table(s ? s->policy : Policy{}));
}

void print_history(const std::vector<StoreSettings>& all, const std::string& format) {
    if (format == "json") {
        auto arr = nlohmann::ordered_json::array();
        for (const auto& s : all) arr.push_back(nlohmann::ordered_json::parse(settings_to_json(s)));
        std::cout << arr.dump(2) << '\n';
        return;
    }
    Table t{{"effective", "territory", "options other than the default"}, {}};
    for (const auto& s : all) t.rows.push_back({to_iso(s.effective), s.territory.value_or("-"), differing_options(s.policy)});
    print_table(std::cout, t);
    std::cout << "\n" << all.size() << " settings entr" << (all.size() == 1 ? "y" : "ies")
              << " (every change is in the audit log, entity `settings`).\n";
}

}  // namespace

CLI::App* register_settings_command(CLI::App& app, Args& a, const std::function<void(CLI::App&)>& add_policy,
                                    const std::function<void(CLI::App&, std::vector<std::string>)>& add_format) {
    auto* sub = app.add_subcommand(
        "settings", "The store's settings (territory, policy in force), dated and audited: show or change them");
    sub->add_option("DB", a.db, "Store file")->required();
    sub->add_option("--territory", settings_args.territory,
                    "Set the territory: an INSEE département code (21, 2A, 971...), or `none`");
    sub->add_option("--on", a.on,
                    "Effective date of a change, or the date the settings are shown for (YYYY-MM-DD; default: today)");
    sub->add_flag("--history", settings_args.history, "Show every dated entry instead of the one in force");
    add_format(*sub, {"table", "json"});
    add_policy(*sub);
    sub->footer("Without --territory or a policy option, shows the settings in force. With them, records a new "
                "entry in force from --on (default today): options not given keep the values in force (a policy "
                "file replaces the whole policy, flags then change single options). Every command that evaluates "
                "rules uses the settings in force today unless given policy options, and a report then lists "
                "the options that differ (policy_overrides).\n"
                "Examples:\n  ctai settings cases.db\n"
                "  ctai settings cases.db --territory 21 --policy dijon-policy.json\n"
                "  ctai settings cases.db --boundary inclusive --on 2025-01-01\n"
                "  ctai settings cases.db --history --format json");
    return sub;
}

int cmd_settings(const Args& a) {
    // The library's today (UTC): the day whose settings every command takes.
    const Date on = a.on.empty() ? settings_today() : date_arg(a.on, "--on");
    auto store = open_existing(a.db);
    const bool change = !settings_args.territory.empty() || has_policy_args(a.policy);
    if (settings_args.history) {
        if (change) throw UsageError("--history only shows the settings: give it no territory or policy option");
        print_history(store.settings_history(), a.format);
        return 0;
    }
    const auto current = store.settings(on);
    if (!change) {
        print_settings(current, on, a.format);
        return 0;
    }
    StoreSettings next{on, current ? current->territory : std::nullopt,
                       make_policy(a.policy, current ? current->policy : Policy{})};
    if (settings_args.territory == "none") {
        next.territory.reset();
    } else if (!settings_args.territory.empty()) {
        if (!is_departement_code(settings_args.territory))
            throw UsageError("--territory: '" + settings_args.territory +
                             "' is not a département code (e.g. 21, 2A, 971; `none` to clear it)");
        next.territory = settings_args.territory;
    }
    const bool changed = store.put_settings(next);
    if (a.format != "json")
        std::cout << (changed ? "recorded: settings in force from " : "unchanged: the settings in force from ")
                  << to_iso(on) << "\n";
    print_settings(store.settings(on), on, a.format);
    return 0;
}

}  // namespace ctai::cli
