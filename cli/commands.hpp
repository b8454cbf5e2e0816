#pragma once
// The subcommands of `ctai`. Each returns the process exit code; errors are thrown as
// ctai errors (mapped to exit codes by main) or UsageError (exit code 1).
#include <ctai/ctai.hpp>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace ctai::cli {

/// A bad argument value found after parsing (e.g. an invalid date): exit code 1.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PolicyArgs {
    std::string file;
    std::vector<std::pair<std::string, std::string>> values;
};

/// Every argument of every subcommand (only the parsed subcommand's are set).
struct Args {
    std::string db;
    std::string dir;
    std::string on;
    std::string from;
    std::string to;
    std::string person;
    std::string contract;
    std::string format = "table";
    std::string report_format = "md";
    std::string output;
    std::string key_file;
    std::optional<int> action;
    std::optional<int> k;
    long within = 0;
    std::vector<std::string> kinds;  // windows --kind
    std::size_t persons = 300;
    std::uint64_t seed = 20231015;
    bool publish = false;
    bool pseudonymize = false;
    bool overwrite = false;
    bool dry_run = false;
    bool allow_pseudonymized = false;
    bool apply = false;
    bool yes = false;
    PolicyArgs policy;
};

/// The policy from --policy FILE (else `base`) then the individual flags.
Policy make_policy(const PolicyArgs& args, const Policy& base = Policy{});
/// Whether any policy option (--policy FILE or a flag) was given.
bool has_policy_args(const PolicyArgs& args);
/// Opens an existing store for a command that evaluates rules (R10): the store's settings
/// in force when no policy option is given; with options, --policy FILE (else the store's
/// policy) then the flags, and the Store's policy is that one (a report then lists the
/// options that differ from the store's, `policy_overrides`). Every such command calls it.
Store open_with_policy(const std::string& db, const PolicyArgs& args);
/// Parses an ISO date argument; UsageError naming the option otherwise.
Date date_arg(const std::string& value, const char* option);
/// Today's date (UTC), for the guards of destructive commands.
Date today_local();
/// Opens an existing store with the policy (StorageError when absent); without one, the
/// store's settings in force (R10).
Store open_existing(const std::string& db, const std::optional<Policy>& policy = std::nullopt);

int cmd_init(const Args& a);
int cmd_contracts(const Args& a);
int cmd_check(const Args& a);
int cmd_windows(const Args& a);
/// The kinds of `ctai windows --kind`, comma-separated (for help and errors).
std::string window_kinds_text();

/// referrals (referrals_command.cpp): registers the subcommand (options beyond Args kept
/// there) and runs it.
CLI::App* register_referrals_command(CLI::App& app, Args& a,
                                     const std::function<void(CLI::App&, std::vector<std::string>)>& add_format);
int cmd_referrals(const Args& a);

/// settings (settings_command.cpp): the store's settings (R10), shown or changed.
CLI::App* register_settings_command(CLI::App& app, Args& a, const std::function<void(CLI::App&)>& add_policy,
                                    const std::function<void(CLI::App&, std::vector<std::string>)>& add_format);
int cmd_settings(const Args& a);

/// import, export, journeys, report, demo (data_commands.cpp).
void register_data_commands(CLI::App& app, Args& a,
                            const std::function<void(CLI::App&)>& add_policy,
                            const std::function<void(CLI::App&, std::vector<std::string>)>& add_format);
int run_data_command(CLI::App& app, const Args& a);

/// contract add, show, new (contract_commands.cpp, domain R10).
void register_contract_commands(CLI::App& app);
/// The exit code of the contract command parsed, or nullopt when none was.
std::optional<int> run_contract_command();

}  // namespace ctai::cli
