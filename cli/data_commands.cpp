// import, export, journeys, report, demo.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <ctai/synthetic.hpp>

#include "commands.hpp"
#include "output.hpp"

namespace ctai::cli {
namespace {

using nlohmann::ordered_json;
namespace fs = std::filesystem;

CLI::App* sub_import = nullptr;
CLI::App* sub_export = nullptr;
CLI::App* sub_journeys = nullptr;
CLI::App* sub_report = nullptr;
CLI::App* sub_demo = nullptr;
CLI::App* sub_retention = nullptr;

// Publication mode: the smallest count shown (statistical secrecy), documented in --help.
constexpr int min_k = 2;
constexpr int max_k = 1000;

std::string fmt_days(std::optional<double> v) {
    if (!v) return "-";
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(1);
    s << *v;
    return s.str();
}

ordered_json opt_number(std::optional<double> v) { return v ? ordered_json(*v) : ordered_json(nullptr); }

// An unknown contract or action is an error (NotFoundError, exit 2), never zeros.
void check_contract_and_action(const Store& store, const std::optional<ContractId>& contract,
                               std::optional<int> action) {
    if (contract) {
        const Contract c = store.contract(*contract);  // NotFoundError
        if (action) (void)c.action(*action);           // NotFoundError
        return;
    }
    if (!action) return;
    for (const auto& c : store.contracts())
        for (const auto& ac : c.actions)
            if (ac.number == *action) return;
    throw NotFoundError("no contract has an action numbered " + std::to_string(*action), "action",
                        std::to_string(*action));
}

void print_import_summary(const ImportSummary& s) {
    Table t{{"file", "encoding", "separator", "rows", "changed", "unchanged", "removed"}, {}};
    bool merged = false;
    std::vector<std::string> kept;
    for (const auto& f : s.tables) {
        if (!f.present) {
            if (f.kept) kept.push_back(f.table);
            continue;
        }
        // Permits, protections, situations and steps are written with their person or
        // journey: their rows are counted in that file's line.
        const bool with_parent = f.rows_read > 0 && f.changed + f.unchanged == 0;
        merged |= with_parent;
        t.rows.push_back({f.file, f.encoding, std::string(1, f.separator), std::to_string(f.rows_read),
                          with_parent ? "-" : std::to_string(f.changed),
                          with_parent ? "-" : std::to_string(f.unchanged), std::to_string(f.removed)});
    }
    print_table(std::cout, t);
    if (merged) std::cout << "(-: rows written with their person or journey, counted there)\n";
    if (!kept.empty()) {
        std::cout << "left as they were (file absent): ";
        for (std::size_t i = 0; i < kept.size(); ++i) std::cout << (i ? ", " : "") << kept[i];
        std::cout << '\n';
    }
    for (const auto& w : s.warnings) std::cout << "warning: " << to_string(w) << '\n';
}

int cmd_import(const Args& a) {
    auto store = open_with_policy(a.db, a.policy);
    Progress progress(stderr_is_terminal());
    ImportOptions o;
    o.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
        progress.update(std::string(stage), done, total);
    };
    o.dry_run = a.dry_run;
    o.allow_pseudonymized = a.allow_pseudonymized;
    const auto summary = import_dir(store, a.dir, o);
    progress.finish();
    print_import_summary(summary);
    std::size_t unchanged = 0;
    for (const auto& t : summary.tables) unchanged += t.unchanged;
    std::cout << (summary.dry_run ? "\ndry run, nothing written: importing " : "\nimported ") << a.dir
              << " into " << a.db << (summary.dry_run ? " would give " : ": ") << summary.changed()
              << " rows inserted or changed, " << unchanged << " unchanged, " << summary.removed()
              << " removed.\n";
    return 0;
}

int cmd_export(const Args& a) {
    auto store = open_existing(a.db, Policy{});
    ExportOptions o;
    if (a.pseudonymize) {
        if (a.key_file.empty()) throw UsageError("--pseudonymize needs --key-file FILE");
        o.pseudonymization_key = read_key_file(a.key_file);
    } else if (!a.key_file.empty()) {
        throw UsageError("--key-file goes with --pseudonymize");
    }
    o.overwrite = a.overwrite;
    if (!a.key_file.empty()) o.key_file = a.key_file;  // refused inside the export folder
    Progress progress(stderr_is_terminal());
    o.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
        progress.update(std::string(stage), done, total);
    };
    const auto summary = export_dir(store, a.dir, o);
    progress.finish();
    std::size_t rows = 0;
    for (const auto& f : summary.files) rows += f.rows;
    std::cout << "exported " << a.db << " to " << a.dir << (summary.pseudonymized ? " (pseudonymised)" : "") << ": "
              << summary.files.size() << " files, " << rows << " rows.\n";
    return 0;
}

int cmd_journeys(const Args& a) {
    auto store = open_with_policy(a.db, a.policy);
    std::optional<ContractId> contract;
    if (!a.contract.empty()) contract = ContractId{a.contract};
    check_contract_and_action(store, contract, a.action);
    const Date on = a.on.empty() ? Date::from_days(std::numeric_limits<std::int32_t>::max() / 2)
                                 : date_arg(a.on, "--on");
    const auto overall = journey_stats(store, contract, a.action, on);
    const auto by_public = journey_stats_by_public(store, contract, a.action, on);
    auto stats_json = [](const JourneyStats& s) {
        ordered_json j;
        j["count"] = s.count;
        j["completed"] = s.completed;
        j["open"] = s.open;
        j["mean_days"] = opt_number(s.mean_days);
        j["median_days"] = opt_number(s.median_days);
        j["km_median_days"] = opt_number(s.km_median_days);
        j["km_restricted_mean_days"] = opt_number(s.km_restricted_mean_days);
        return j;
    };
    if (a.format == "json") {
        ordered_json j;
        j["evaluated_on"] = a.on.empty() ? ordered_json(nullptr) : ordered_json(a.on);
        j["contract"] = a.contract.empty() ? ordered_json(nullptr) : ordered_json(a.contract);
        j["action"] = a.action ? ordered_json(*a.action) : ordered_json(nullptr);
        j["overall"] = stats_json(overall);
        ordered_json bp = ordered_json::object();
        for (const auto& [k, s] : by_public) bp[k] = stats_json(s);
        j["by_public"] = bp;
        std::cout << j.dump(2) << '\n';
        return 0;
    }
    Table t{{"public", "count", "completed", "open", "mean_days", "median_days", "km_median_days",
             "km_restricted_mean_days"},
            {}};
    auto row = [&](const std::string& name, const JourneyStats& s) {
        t.rows.push_back({name, std::to_string(s.count), std::to_string(s.completed), std::to_string(s.open),
                          fmt_days(s.mean_days), fmt_days(s.median_days), fmt_days(s.km_median_days),
                          fmt_days(s.km_restricted_mean_days)});
    };
    row("all", overall);
    for (const auto& [k, s] : by_public) row(k, s);
    if (a.format == "csv") {
        print_csv(std::cout, t);
        return 0;
    }
    print_table(std::cout, t);
    std::cout << "\nmean_days and median_days use completed journeys only; km_* count the " << overall.open
              << " open journeys as censored" << (a.on.empty() ? "" : " on " + a.on)
              << " (Kaplan-Meier). '-' = not observable yet.\n";
    return 0;
}

ReportOptions report_options(const Args& a) {
    ReportOptions o;
    if (!a.from.empty()) o.from = date_arg(a.from, "--from");
    if (!a.to.empty()) o.to = date_arg(a.to, "--to");
    if (!a.on.empty()) o.evaluated_on = date_arg(a.on, "--on");
    o.publish = a.publish;
    if (a.k) {
        if (!a.publish) throw UsageError("--k goes with --publish");
        if (*a.k < min_k || *a.k > max_k)
            throw UsageError("--k: " + std::to_string(*a.k) + " is outside " + std::to_string(min_k) + ".." +
                             std::to_string(max_k));
        o.k = *a.k;
    }
    return o;
}

std::string render(const Report& r, const std::string& format) {
    if (format == "json") return to_json(r);
    if (format == "csv") return to_csv(r);
    if (format == "html") return to_html(r);
    return to_markdown(r);
}

int cmd_report(const Args& a) {
    if (!a.output.empty()) check_output_target(a.output, a.overwrite);  // before opening anything
    auto store = open_with_policy(a.db, a.policy);
    const auto report = build_report(store, ContractId{a.contract}, report_options(a));
    const std::string text = render(report, a.report_format);
    if (a.output.empty()) {
        std::cout << text;
        if (!text.empty() && text.back() != '\n') std::cout << '\n';
    } else {
        write_file_atomically(a.output, text, a.overwrite);
        std::cerr << "wrote " << a.output << '\n';
    }
    return 0;
}

int cmd_demo(const Args& a) {
    const fs::path dir = a.dir.empty() ? fs::path("demo-output") : fs::path(a.dir);
    fs::create_directories(dir);
    const fs::path exchange = dir / "exchange";
    const fs::path db = dir / "demo.db";
    fs::remove(db);
    fs::remove(fs::path(db.string() + "-wal"));
    fs::remove(fs::path(db.string() + "-shm"));
    fs::remove_all(exchange);
    const Policy policy = make_policy(a.policy);
    const auto& contract = builtin_contract("dijon-2023-2024");
    Progress progress(stderr_is_terminal());

    std::cout << "ctai demo: a synthetic cohort for the contract " << contract.id.str() << " ("
              << to_iso(contract.start) << " to " << to_iso(contract.end) << ")\n\n";
    CohortOptions co;
    co.seed = a.seed;
    co.persons = a.persons;
    co.progress = [&](std::size_t done, std::size_t total) { progress.update("generating", done, total); };
    const Dataset data = generate_cohort(co, contract, policy);
    progress.finish();
    std::cout << "1. generated " << data.cases.size() << " synthetic persons, " << data.journeys.size()
              << " journeys, " << data.referrals.size() << " AGIR referrals (seed " << a.seed << ")\n";

    write_exchange_dir(data, exchange);
    std::cout << "2. wrote the exchange folder " << exchange.string() << " (CSV files, as an operator's export)\n";

    StoreOptions so;
    so.policy = policy;
    so.actor = "ctai demo";
    auto store = Store::open(db, so);
    ImportOptions io;
    io.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
        progress.update(std::string(stage), done, total);
    };
    const auto summary = import_dir(store, exchange, io);
    progress.finish();
    std::cout << "3. imported it into the store " << db.string() << " (" << summary.changed() << " rows)\n";

    const Date on = contract.end;
    const auto el = store.eligibility_table(on);
    std::size_t pub = 0, primo = 0, bpi = 0, bpt = 0, agir = 0;
    for (std::size_t i = 0; i < el.size(); ++i) {
        pub += el.ctai_public[i];
        primo += el.primo_arrivant[i];
        bpi += el.bpi[i];
        bpt += el.bpt[i];
        agir += el.agir[i];
    }
    std::cout << "4. eligibility on " << to_iso(on) << ": " << el.size() << " persons, " << pub
              << " in the CTAI public (" << primo << " primo-arrivants, " << bpi << " BPI, " << bpt << " BPT), "
              << agir << " AGIR-eligible\n";

    ReportOptions ro;
    const auto report = build_report(store, contract.id, ro);
    // The demo folder is the demo's own: its reports are replaced (never a store file).
    write_file_atomically((dir / "report.html").string(), to_html(report), true);
    write_file_atomically((dir / "report.json").string(), to_json(report), true);
    write_file_atomically((dir / "report.md").string(), to_markdown(report), true);
    std::cout << "5. the evaluation report (questionnaire of article 8):\n\n" << to_markdown(report) << '\n';
    std::cout << "HTML report: " << fs::absolute(dir / "report.html").string() << '\n'
              << "Next: ctai check " << db.string() << " --on " << to_iso(on) << "   |   ctai journeys "
              << db.string() << " --action 1 --on " << to_iso(on) << '\n';
    return 0;
}

// R9: case files 2 years (policy retention_years) after the last contact leave the active
// base: listed by default, anonymised with --apply (keeping the statistical dimensions).
int cmd_retention(const Args& a) {
    const Date on = date_arg(a.on, "--on");
    if (a.apply) {
        // Anonymisation cannot be undone: a date in the future would purge files still in use.
        const Date today = today_local();
        if (today < on)
            throw UsageError("--on " + to_iso(on) + " is after today (" + to_iso(today) +
                             "): --apply anonymises only case files already past the retention period");
    }
    auto store = open_with_policy(a.db, a.policy);
    const auto ids = store.retention_candidates(on);
    if (!a.apply) {
        if (a.format == "json") {
            auto arr = ordered_json::array();
            for (const auto& id : ids) arr.push_back(id.str());
            std::cout << ordered_json{{"on", to_iso(on)}, {"candidates", arr}}.dump(2) << '\n';
            return 0;
        }
        Table t{{"person_id"}, {}};
        for (const auto& id : ids) t.rows.push_back({id.str()});
        a.format == "csv" ? print_csv(std::cout, t) : print_table(std::cout, t);
        if (a.format != "csv")
            std::cout << "\n" << ids.size() << " case file" << (ids.size() == 1 ? "" : "s")
                      << " past the retention period on " << to_iso(on)
                      << "; `--apply` anonymises them (statistics are kept).\n";
        return 0;
    }
    // Say what will happen (counts only, no personal field) and ask before doing it.
    std::cerr << ids.size() << " case file" << (ids.size() == 1 ? "" : "s")
              << " past the retention period on " << to_iso(on)
              << (ids.size() == 1 ? " is" : " are")
              << " to be anonymised: ids replaced, birth dates reduced to the year, last contacts "
                 "cleared (statistics kept). This cannot be undone.\n";
    if (!ids.empty() && !a.yes) {
        if (!stdin_is_terminal() || !stderr_is_terminal())
            throw UsageError("retention --apply needs a confirmation: run it on a terminal, or add --yes");
        std::cerr << "Anonymise them? Type 'yes' to proceed: " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != "yes" && answer != "y") {
            std::cerr << "nothing done.\n";
            return 1;
        }
    }
    const auto r = store.anonymize_expired(on);
    if (a.format == "json") {
        std::cout << ordered_json{{"on", to_iso(on)},          {"persons", r.persons},
                                  {"households", r.households}, {"journeys", r.journeys},
                                  {"referrals", r.referrals},   {"agir_supports", r.agir_supports},
                                  {"audit_rows", r.audit_rows}}
                         .dump(2)
                  << '\n';
        return 0;
    }
    std::cout << "anonymised " << r.persons << " case file" << (r.persons == 1 ? "" : "s") << " ("
              << r.journeys << " journeys, " << r.referrals << " referrals, " << r.agir_supports
              << " AGIR supports kept for the statistics; " << r.households << " households and "
              << r.audit_rows << " audit rows re-keyed).\n";
    return 0;
}

}  // namespace

void register_data_commands(CLI::App& app, Args& a, const std::function<void(CLI::App&)>& add_policy,
                            const std::function<void(CLI::App&, std::vector<std::string>)>& add_format) {
    sub_import = app.add_subcommand("import", "Import an exchange folder (CSV files) into a store, all or nothing");
    sub_import->add_option("DB", a.db, "Store file")->required();
    sub_import->add_option("DIR", a.dir, "Exchange folder (persons.csv, journeys.csv, ...)")
        ->required()
        ->check(CLI::ExistingDirectory);
    sub_import->add_flag("--dry-run", a.dry_run,
                         "Check the folder against the store and show every change, without writing");
    sub_import->add_flag("--allow-pseudonymized", a.allow_pseudonymized,
                         "Accept a pseudonymised export (refused by default: it would duplicate the persons)");
    add_policy(*sub_import);
    sub_import->footer("Every problem of the folder is listed as file:line: column: message, and then nothing is "
                       "written.\nExample:\n  ctai import cases.db export-2024-06/\n  ctai import cases.db export-2024-06/ --dry-run");

    sub_export = app.add_subcommand("export", "Export a store to an exchange folder");
    sub_export->add_option("DB", a.db, "Store file")->required();
    sub_export->add_option("DIR", a.dir, "Folder to write")->required();
    sub_export->add_flag("--pseudonymize", a.pseudonymize,
                         "Replace person and household ids by a keyed hash, reduce birth dates to the year");
    sub_export->add_option("--key-file", a.key_file, "File holding the pseudonymisation key (never stored)")
        ->check(CLI::ExistingFile);
    sub_export->add_flag("--overwrite", a.overwrite, "Replace the exchange files already in DIR");
    sub_export->footer("Examples:\n  ctai export cases.db backup/\n"
                       "  ctai export cases.db for-analysts/ --pseudonymize --key-file secret.key");

    sub_journeys = app.add_subcommand("journeys", "Journey-length statistics (completed, open, Kaplan-Meier)");
    sub_journeys->add_option("DB", a.db, "Store file")->required();
    sub_journeys->add_option("--action", a.action, "Only this action number (1..1000; unknown: exit 2)")
        ->check(CLI::Range(1, 1000));
    sub_journeys->add_option("--contract", a.contract, "Only this contract id (unknown: exit 2)");
    sub_journeys->add_option("--on", a.on, "Evaluation date: open journeys are censored there (YYYY-MM-DD)");
    add_format(*sub_journeys, {"table", "csv", "json"});
    add_policy(*sub_journeys);
    sub_journeys->footer("Example:\n  ctai journeys cases.db --action 1 --on 2024-10-15");

    sub_report = app.add_subcommand("report", "The State's evaluation report (questionnaire) for a contract");
    sub_report->add_option("DB", a.db, "Store file")->required();
    sub_report->add_option("--contract", a.contract, "Contract id, e.g. dijon-2023-2024")->required();
    sub_report->add_option("--from", a.from, "Start of the reporting period (default: the contract's)");
    sub_report->add_option("--to", a.to, "End of the reporting period (default: the contract's)");
    sub_report->add_option("--on", a.on, "Evaluation date (default: the end of the period)");
    sub_report->add_flag("--publish", a.publish, "Publication mode: hide small cells (statistical secrecy)");
    sub_report->add_option("--k", a.k, "Smallest count shown in publication mode, 2..1000 (default 11)")
        ->check(CLI::Range(min_k, max_k));
    sub_report->add_option("--output,-o", a.output,
                           "Write to this file instead of standard output (never replaces an existing file "
                           "without --overwrite, nor a store file)");
    sub_report->add_flag("--overwrite", a.overwrite, "Let -o replace an existing file (never a store)");
    sub_report->add_option("--format", a.report_format, "Output format: md, csv, json, html")
        ->check(CLI::IsMember({"md", "csv", "json", "html"}))
        ->capture_default_str();
    add_policy(*sub_report);
    sub_report->footer("Examples:\n  ctai report cases.db --contract dijon-2023-2024\n"
                       "  ctai report cases.db --contract dijon-2023-2024 --format html -o report.html\n"
                       "  ctai report cases.db --contract dijon-2023-2024 --publish --format json");

    sub_retention = app.add_subcommand(
        "retention", "Case files past the retention period (R9): list them, or anonymise them with --apply");
    sub_retention->add_option("DB", a.db, "Store file")->required();
    sub_retention->add_option("--on", a.on, "Today's date (YYYY-MM-DD)")->required();
    sub_retention->add_flag("--apply", a.apply,
                            "Anonymise them: ids replaced, birth date reduced to the year, last contact "
                            "cleared; sex, nationalities, statuses and journeys kept for the statistics. Refuses "
                            "a date after today; shows the count and asks for confirmation on a terminal");
    sub_retention->add_flag("--yes", a.yes, "With --apply: proceed without asking (scripts; required without a terminal)");
    add_format(*sub_retention, {"table", "csv", "json"});
    add_policy(*sub_retention);
    sub_retention->footer("Examples:\n  ctai retention cases.db --on 2026-11-22\n"
                          "  ctai retention cases.db --on 2026-11-22 --apply\n"
                          "  ctai retention cases.db --on 2026-11-22 --apply --yes   # no question (scripts)\n"
                          "  ctai retention cases.db --on 2026-11-22 --retention-years 3");

    sub_demo = app.add_subcommand("demo", "Synthetic cohort -> exchange folder -> store -> report, for a first run");
    sub_demo->add_option("DIR", a.dir, "Output folder (default: demo-output)");
    sub_demo->add_option("--persons", a.persons, "Number of synthetic persons")->check(CLI::Range(1, 10000000));
    sub_demo->add_option("--seed", a.seed, "Random seed (the same seed gives the same cohort)");
    add_policy(*sub_demo);
    sub_demo->footer("Example:\n  ctai demo\n  ctai demo /tmp/demo --persons 1000");
}

int run_data_command(CLI::App& app, const Args& a) {
    (void)app;
    if (sub_import->parsed()) return cmd_import(a);
    if (sub_export->parsed()) return cmd_export(a);
    if (sub_journeys->parsed()) return cmd_journeys(a);
    if (sub_report->parsed()) return cmd_report(a);
    if (sub_demo->parsed()) return cmd_demo(a);
    if (sub_retention->parsed()) return cmd_retention(a);
    throw UsageError("no command");
}

}  // namespace ctai::cli
