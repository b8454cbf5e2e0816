// The `ctai` command: the operator's everyday tool. Thin: parses arguments (CLI11), calls
// the library, formats the answer. Exit codes (interfaces.md section 2): 0 ok, 1 usage
// error, 2 invalid data (nothing written), 3 storage error.
#include <ctai/ctai.hpp>

#include <CLI/CLI.hpp>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "output.hpp"

namespace ctai::cli {
namespace {

constexpr long max_within_days = 36500;

void add_policy_options(CLI::App& sub, PolicyArgs& args) {
    sub.add_option("--policy", args.file, "Policy file (JSON, see docs/rules.md); flags below override it")
        ->check(CLI::ExistingFile)
        ->group("Policy");
    for (auto name : policy_option_names()) {
        std::string flag = "--" + std::string(name);
        for (auto& c : flag)
            if (c == '_') c = '-';
        sub.add_option_function<std::string>(
               flag, [&args, n = std::string(name)](const std::string& v) { args.values.emplace_back(n, v); },
               "Policy option " + std::string(name) + " (docs/rules.md)")
            ->group("Policy");
    }
}

void add_format_option(CLI::App& sub, std::string& format, std::vector<std::string> allowed) {
    std::string help = "Output format: ";
    for (std::size_t i = 0; i < allowed.size(); ++i) help += (i ? ", " : "") + allowed[i];
    sub.add_option("--format", format, help)->check(CLI::IsMember(allowed))->capture_default_str();
}

int report_error(const std::exception& e, int code) {
    std::cerr << "ctai: error: " << e.what() << '\n';
    return code;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"ctai: track the people helped by a contrat territorial d'accueil et d'intégration (CTAI).\n"
                 "Dates are ISO (YYYY-MM-DD). Exit codes: 0 ok, 1 usage error, 2 invalid data (nothing written), 3 storage error.",
                 "ctai"};
    app.set_version_flag("--version", std::string("ctai ") + ctai::version);
    app.require_subcommand(1);
    app.footer("Run `ctai COMMAND --help` for the options and examples of a command. Documentation: docs/cli.md");

    Args a;

    auto* init = app.add_subcommand("init", "Create a new, empty store file");
    init->add_option("DB", a.db, "Store file to create")->required();
    init->footer("Example:\n  ctai init cases.db");

    auto* contracts = app.add_subcommand("contracts", "List the built-in contracts and those loaded in a store");
    contracts->add_option("DB", a.db, "Store file (optional)");
    add_format_option(*contracts, a.format, {"table", "csv", "json"});
    contracts->footer("Examples:\n  ctai contracts\n  ctai contracts cases.db --format json");

    auto* check = app.add_subcommand("check", "Eligibility of every person (or one) at a date, with the reasons");
    check->add_option("DB", a.db, "Store file")->required();
    check->add_option("--on", a.on, "Evaluation date (YYYY-MM-DD)")->required();
    check->add_option("--person", a.person, "Only this person id");
    add_format_option(*check, a.format, {"table", "csv", "json"});
    add_policy_options(*check, a.policy);
    check->footer("Examples:\n  ctai check cases.db --on 2024-06-01\n"
                  "  ctai check cases.db --on 2024-06-01 --person P000042 --format json\n"
                  "  ctai check cases.db --on 2024-06-01 --boundary inclusive --agir-recency calendar_n_minus_1");

    auto* windows = app.add_subcommand(
        "windows", "What ends soon: windows (primo, AGIR), AGIR supports, permits, receipts, APS");
    windows->add_option("DB", a.db, "Store file")->required();
    windows->add_option("--on", a.on, "Evaluation date (YYYY-MM-DD)")->required();
    windows->add_option("--within", a.within, "Number of days ahead, 0..36500 (a hundred years)")
        ->required()
        ->check(CLI::Range(0L, max_within_days));
    windows->add_option("--kind", a.kinds, "Only these kinds (repeat or comma list): " + window_kinds_text())
        ->delimiter(',');
    add_format_option(*windows, a.format, {"table", "csv", "json"});
    add_policy_options(*windows, a.policy);
    windows->footer("Each row is one end: its kind, the first day outside, the days left, and whether the\n"
                    "person stays in the CTAI public after it (as known on --on), as which category.\n"
                    "Examples:\n  ctai windows cases.db --on 2024-06-01 --within 90\n"
                    "  ctai windows cases.db --on 2024-06-01 --within 60 --kind permit,receipt --format csv");

    auto* referrals = register_referrals_command(app, a, [&](CLI::App& sub, std::vector<std::string> allowed) {
        add_format_option(sub, a.format, std::move(allowed));
    });

    auto* settings = register_settings_command(
        app, a, [&](CLI::App& sub) { add_policy_options(sub, a.policy); },
        [&](CLI::App& sub, std::vector<std::string> allowed) { add_format_option(sub, a.format, std::move(allowed)); });

    register_data_commands(app, a, [&](CLI::App& sub) { add_policy_options(sub, a.policy); },
                           [&](CLI::App& sub, std::vector<std::string> allowed) {
                               add_format_option(sub, a.format, std::move(allowed));
                           });
    register_contract_commands(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 1;
    }

    try {
        if (init->parsed()) return cmd_init(a);
        if (contracts->parsed()) return cmd_contracts(a);
        if (check->parsed()) return cmd_check(a);
        if (windows->parsed()) return cmd_windows(a);
        if (referrals->parsed()) return cmd_referrals(a);
        if (settings->parsed()) return cmd_settings(a);
        if (const auto code = run_contract_command()) return *code;
        return run_data_command(app, a);
    } catch (const UsageError& e) {
        return report_error(e, 1);
    } catch (const ImportError& e) {
        std::cerr << "ctai: error: the import was refused, nothing was written (" << e.issues().size()
                  << " problem" << (e.issues().size() == 1 ? "" : "s") << "):\n";
        for (const auto& i : e.issues())
            std::cerr << "  " << i.file << ":" << i.line << ": " << i.column << ": " << i.message << '\n';
        return 2;
    } catch (const StorageError& e) {
        return report_error(e, 3);
    } catch (const Error& e) {
        return report_error(e, 2);
    } catch (const std::exception& e) {
        return report_error(e, 3);
    }
}

}  // namespace ctai::cli

int main(int argc, char** argv) {
    const int code = ctai::cli::run(argc, argv);
    // Every command's output is checked: a full disk or a closed pipe behind standard output
    // is an error (exit 3), never a silent success.
    if (const int err = ctai::cli::flush_stdout()) {
        std::cerr << "ctai: error: cannot write to standard output"
                  << (err > 0 ? std::string(": ") + std::strerror(err) : std::string(" (a write failed)"))
                  << "; the output is incomplete\n";
        return code == 0 ? 3 : code;
    }
    return code;
}
