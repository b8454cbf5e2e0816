// init, contracts, check, windows.
#include "commands.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "output.hpp"

namespace ctai::cli {
namespace {

using nlohmann::ordered_json;

std::string opt_iso(std::optional<Date> d) { return d ? to_iso(*d) : std::string(); }
const char* yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace

std::string window_kinds_text() {
    std::string out;
    for (const auto k : enum_names<WindowKind>()) out.append(out.empty() ? "" : ", ").append(k);
    return out;
}

namespace {

// The reason codes of `ctai check` CSV and table: "R3.window_ended:2024-03-15; R4.bpi:...",
// a code without a date alone.
std::string reason_codes_text(const Eligibility& e) {
    std::string out;
    for (const auto& c : e.reason_codes) {
        if (!out.empty()) out.append("; ");
        out.append(to_string(c.code));
        if (c.date) out.append(":").append(to_iso(*c.date));
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

Policy make_policy(const PolicyArgs& args, const Policy& base) {
    Policy p = args.file.empty() ? base : policy_from_json(read_file(args.file), args.file);
    for (const auto& [name, value] : args.values) {
        try {
            set_policy_option(p, name, value);
        } catch (const ValidationError& e) {
            throw UsageError(e.what());
        }
    }
    return p;
}

Date date_arg(const std::string& value, const char* option) {
    try {
        return parse_date(value);
    } catch (const ValidationError&) {
        throw UsageError(std::string(option) + ": '" + value + "' is not a date (expected YYYY-MM-DD)");
    }
}

Date today_local() {
    // The operator's calendar day (local time), as `date` shows it.
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return Date(local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1), static_cast<unsigned>(local.tm_mday));
}

bool has_policy_args(const PolicyArgs& args) { return !args.file.empty() || !args.values.empty(); }

Store open_with_policy(const std::string& db, const PolicyArgs& args) {
    auto store = open_existing(db);  // the store's settings in force (R10)
    if (has_policy_args(args)) store.set_policy(make_policy(args, store.policy()));
    return store;
}

Store open_existing(const std::string& db, const std::optional<Policy>& policy) {
    if (!std::filesystem::exists(db))
        throw StorageError("no store at " + db + " (create one with `ctai init " + db + "`)");
    StoreOptions o;
    o.policy = policy;
    o.must_exist = true;
    return Store::open(db, o);
}

int cmd_init(const Args& a) {
    const bool existed = std::filesystem::exists(a.db);
    // An existing file is a store already, or it is left alone: an empty file (or any other)
    // never silently becomes a store.
    if (existed && !looks_like_store(a.db))
        throw StorageError(a.db + " exists and is not a ctai store (an empty or another file): nothing done; "
                           "choose a new file name or remove that file first");
    // A failed creation (a full disk) leaves no file behind (Store::open removes what it created).
    auto store = Store::open(a.db);
    std::cout << (existed ? "already a store: " : "created store: ") << a.db << " (schema version "
              << store.schema_version() << ")\n";
    return 0;
}

int cmd_contracts(const Args& a) {
    std::vector<std::pair<Contract, std::string>> list;
    if (a.db.empty()) {
        for (const auto& c : builtin_contracts()) list.emplace_back(c, "built-in");
    } else {
        auto store = open_existing(a.db, Policy{});
        for (const auto& c : builtin_contracts()) list.emplace_back(c, "built-in");
        for (auto& c : store.loaded_contracts()) list.emplace_back(std::move(c), "loaded");
    }
    if (a.format == "json") {
        auto arr = ordered_json::array();
        for (const auto& [c, origin] : list) {
            ordered_json j;
            j["id"] = c.id.str();
            j["title"] = c.title;
            j["territory"] = c.territory;
            j["from"] = to_iso(c.start);
            j["to"] = to_iso(c.end);
            j["origin"] = origin;
            auto actions = ordered_json::array();
            for (const auto& ac : c.actions)
                actions.push_back({{"number", ac.number}, {"title", ac.title},
                                   {"agir_policy", to_string(ac.agir_policy)}});
            j["actions"] = actions;
            arr.push_back(j);
        }
        std::cout << arr.dump(2) << '\n';
        return 0;
    }
    Table t{{"id", "from", "to", "actions", "origin", "title"}, {}};
    for (const auto& [c, origin] : list)
        t.rows.push_back({c.id.str(), to_iso(c.start), to_iso(c.end), std::to_string(c.actions.size()), origin, c.title});
    a.format == "csv" ? print_csv(std::cout, t) : print_table(std::cout, t);
    return 0;
}

int cmd_check(const Args& a) {
    const Date on = date_arg(a.on, "--on");
    auto store = open_with_policy(a.db, a.policy);
    std::vector<PersonId> ids;
    if (!a.person.empty())
        ids.push_back(PersonId{a.person});
    else
        ids = store.person_ids();

    if (a.format == "json") {
        auto arr = ordered_json::array();
        for (const auto& id : ids) arr.push_back(ordered_json::parse(to_json(store.eligibility(id, on))));
        std::cout << arr.dump(2) << '\n';
        return 0;
    }
    Table t{{"person_id", "public", "primo_arrivant", "bpi", "bpt", "agir", "primo_window_end", "agir_window_end",
             "nationality_class"},
            {}};
    if (a.format == "csv") {
        t.header.push_back("reasons");
        t.header.push_back("reason_codes");
    }
    std::size_t n_public = 0, n_primo = 0, n_bpi = 0, n_bpt = 0, n_agir = 0;
    for (const auto& id : ids) {
        const auto e = store.eligibility(id, on);
        n_public += e.ctai_public;
        n_primo += e.primo_arrivant;
        n_bpi += e.bpi;
        n_bpt += e.bpt;
        n_agir += e.agir;
        std::vector<std::string> row{e.person_id.str(),
                                     e.public_category ? std::string(to_string(*e.public_category)) : "-",
                                     yes_no(e.primo_arrivant), yes_no(e.bpi), yes_no(e.bpt), yes_no(e.agir),
                                     opt_iso(e.primo_window_end), opt_iso(e.agir_window_end),
                                     std::string(to_string(e.nationality_class))};
        if (a.format == "csv") {
            std::string reasons;
            for (const auto& r : e.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
            row.push_back(reasons);
            row.push_back(reason_codes_text(e));
        }
        t.rows.push_back(std::move(row));
    }
    if (a.format == "csv") {
        print_csv(std::cout, t);
        return 0;
    }
    print_table(std::cout, t);
    if (ids.size() == 1) {
        std::cout << "\nReasons:\n";
        const auto e = store.eligibility(ids.front(), on);
        for (const auto& r : e.reasons) std::cout << "  - " << r << '\n';
        std::cout << "Reason codes: " << reason_codes_text(e) << '\n';
    } else {
        std::cout << "\n" << ids.size() << " persons on " << to_iso(on) << ": " << n_public << " in the CTAI public ("
                  << n_primo << " primo-arrivants, " << n_bpi << " BPI, " << n_bpt << " BPT), " << n_agir
                  << " AGIR-eligible.\n";
    }
    return 0;
}

int cmd_windows(const Args& a) {
    const Date on = date_arg(a.on, "--on");
    // Range-checked before the arithmetic (--within is 0..36500 at parsing; again here).
    if (a.within < 0 || a.within > max_window_horizon_days)
        throw UsageError("--within: outside 0..36500 days");
    std::vector<WindowKind> kinds;
    for (const auto& k : a.kinds) {
        const auto kind = try_from_string<WindowKind>(k);
        if (!kind) throw UsageError("--kind: '" + k + "' is not a kind (" + window_kinds_text() + ")");
        kinds.push_back(*kind);
    }
    auto store = open_with_policy(a.db, a.policy);
    const auto w = windows_ending(store, on, static_cast<std::int32_t>(a.within), kinds);
    const Date until = on.plus_days(static_cast<std::int32_t>(a.within));
    const auto category = [](std::uint8_t c) {
        return c == no_code ? std::string() : std::string(to_string(static_cast<PublicCategory>(c)));
    };
    if (a.format == "json") {
        auto arr = ordered_json::array();
        for (std::size_t i = 0; i < w.size(); ++i) {
            const auto opt = [&](std::uint8_t c) { return c == no_code ? ordered_json(nullptr) : ordered_json(category(c)); };
            arr.push_back({{"person_id", w.person_id[i]},
                           {"kind", to_string(static_cast<WindowKind>(w.kind[i]))},
                           {"end", to_iso(Date::from_days(w.end[i]))},
                           {"days_left", w.days_left[i]},
                           {"public", opt(w.public_category[i])},
                           {"stays", w.stays[i] != 0},
                           {"stays_as", opt(w.stays_as[i])}});
        }
        std::cout << arr.dump(2) << '\n';
        return 0;
    }
    Table t{{"person_id", "kind", "end", "days_left", "public", "stays", "stays_as"}, {}};
    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::string blank = a.format == "csv" ? "" : "-";
        const auto cat = [&](std::uint8_t c) { return c == no_code ? blank : category(c); };
        t.rows.push_back({w.person_id[i], std::string(to_string(static_cast<WindowKind>(w.kind[i]))),
                          to_iso(Date::from_days(w.end[i])), std::to_string(w.days_left[i]),
                          cat(w.public_category[i]), yes_no(w.stays[i] != 0), cat(w.stays_as[i])});
    }
    if (a.format == "csv") {
        print_csv(std::cout, t);
        return 0;
    }
    print_table(std::cout, t);
    std::cout << "\n" << w.size() << " end" << (w.size() == 1 ? "" : "s") << " by " << to_iso(until)
              << " (end is the first day outside; stays: still in the CTAI public after it, "
                 "as known on "
              << to_iso(on) << ").\n";
    return 0;
}

}  // namespace ctai::cli
