// ctai referrals: the orientations (R6) as known on a date, oldest first, each with its age
// and the step it waits on. Thin: the library computes (referrals_as_of), this prints.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <numeric>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output.hpp"

namespace ctai::cli {
namespace {

struct ReferralArgs {
    std::string status;
    std::string need;
};
ReferralArgs referral_args;

template <class E>
std::vector<std::string> spellings() {
    std::vector<std::string> v;
    for (const auto n : enum_names<E>()) v.emplace_back(n);
    return v;
}

std::string iso_or_empty(std::int32_t d) { return d == no_date ? std::string() : to_iso(Date::from_days(d)); }

}  // namespace

CLI::App* register_referrals_command(CLI::App& app, Args& a,
                                     const std::function<void(CLI::App&, std::vector<std::string>)>& add_format) {
    auto* sub = app.add_subcommand("referrals", "Orientations between AGIR and the actions as known on a date, "
                                                "oldest first, with their age and the step they wait on");
    sub->add_option("DB", a.db, "Store file")->required();
    sub->add_option("--on", a.on,
                    "Date the orientations are seen from (YYYY-MM-DD; default: today). Orientations proposed "
                    "later do not exist yet; status and dates are those known on that date");
    sub->add_option("--status", referral_args.status, "Only this status on that date")
        ->check(CLI::IsMember(spellings<ReferralStatus>()));
    sub->add_option("--need", referral_args.need, "Only this need")->check(CLI::IsMember(spellings<Need>()));
    add_format(*sub, {"table", "csv", "json"});
    sub->footer("waiting_on: `decision` (proposed, no answer yet) or `entry` (accepted, the person has not "
                "entered the target yet: completion records the entry); age_days counts from the proposal, "
                "waiting_days from the proposal or the acceptance.\n"
                "Examples:\n  ctai referrals cases.db --on 2024-10-15\n"
                "  ctai referrals cases.db --on 2024-10-15 --status accepted --need housing --format csv");
    return sub;
}

int cmd_referrals(const Args& a) {
    const Date on = a.on.empty() ? today_local() : date_arg(a.on, "--on");
    auto store = open_existing(a.db);  // the store's settings (R10)
    ReferralFilter filter;
    if (!referral_args.status.empty()) filter.status = from_string<ReferralStatus>(referral_args.status);
    if (!referral_args.need.empty()) filter.need = from_string<Need>(referral_args.need);
    const ReferralTable t = referrals_as_of(store, on, filter);
    const ReferralColumns& c = t.columns;
    // Oldest first: by proposal date, then referral id (the table's order).
    std::vector<std::size_t> order(t.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return c.proposed_on[x] < c.proposed_on[y]; });
    auto waiting = [&](std::size_t r) {
        return t.waiting_on[r] == no_code ? std::string() : std::string(to_string(static_cast<ReferralStep>(t.waiting_on[r])));
    };
    if (a.format == "json") {
        auto arr = nlohmann::ordered_json::array();
        auto date_or_null = [](std::int32_t d) {
            return d == no_date ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(to_iso(Date::from_days(d)));
        };
        for (const std::size_t r : order)
            arr.push_back({{"referral_id", c.referral_id[r]},
                           {"person_id", c.person_id[r]},
                           {"direction", to_string(static_cast<ReferralDirection>(t.direction[r]))},
                           {"from", c.from[r]},
                           {"to", c.to[r]},
                           {"need", to_string(static_cast<Need>(c.need[r]))},
                           {"status", to_string(static_cast<ReferralStatus>(c.status[r]))},
                           {"proposed_on", date_or_null(c.proposed_on[r])},
                           {"decided_on", date_or_null(c.decided_on[r])},
                           {"completed_on", date_or_null(c.completed_on[r])},
                           {"age_days", t.age_days[r]},
                           {"waiting_on", t.waiting_on[r] == no_code ? nlohmann::ordered_json(nullptr)
                                                                     : nlohmann::ordered_json(waiting(r))},
                           {"waiting_days", t.waiting_days[r] < 0 ? nlohmann::ordered_json(nullptr)
                                                                  : nlohmann::ordered_json(t.waiting_days[r])}});
        std::cout << arr.dump(2) << '\n';
        return 0;
    }
    Table out{{"referral_id", "person_id", "direction", "from", "to", "need", "status", "proposed_on", "decided_on",
               "completed_on", "age_days", "waiting_on", "waiting_days"},
              {}};
    std::size_t decision = 0, entry = 0;
    for (const std::size_t r : order) {
        const std::string w = waiting(r);
        decision += w == "decision";
        entry += w == "entry";
        out.rows.push_back({c.referral_id[r], c.person_id[r],
                            std::string(to_string(static_cast<ReferralDirection>(t.direction[r]))), c.from[r], c.to[r],
                            std::string(to_string(static_cast<Need>(c.need[r]))),
                            std::string(to_string(static_cast<ReferralStatus>(c.status[r]))),
                            iso_or_empty(c.proposed_on[r]), iso_or_empty(c.decided_on[r]),
                            iso_or_empty(c.completed_on[r]), std::to_string(t.age_days[r]), w,
                            t.waiting_days[r] < 0 ? std::string() : std::to_string(t.waiting_days[r])});
    }
    if (a.format == "csv") {
        print_csv(std::cout, out);
        return 0;
    }
    print_table(std::cout, out);
    std::cout << "\n" << t.size() << " orientation" << (t.size() == 1 ? "" : "s") << " known on " << to_iso(on)
              << ": " << decision << " waiting on a decision, " << entry << " waiting on an entry.\n";
    return 0;
}

}  // namespace ctai::cli
