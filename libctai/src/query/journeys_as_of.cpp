// R7: the journeys of a store as known on a date (stats.hpp): Store::journey_table reads
// them as stored, this filter keeps what was known on the date. Above storage, beside
// report/: no SQL here.
#include <ctai/stats.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/contract.hpp>
#include <ctai/error.hpp>
#include <ctai/store.hpp>

namespace ctai {
namespace {

template <class T>
void keep_rows(std::vector<T>& v, const std::vector<std::size_t>& rows) {
    if (v.empty()) return;
    std::size_t out = 0;
    for (const std::size_t r : rows) v[out++] = std::move(v[r]);
    v.resize(out);
}

void keep_rows(StringColumn& c, const std::vector<std::size_t>& rows,
               const std::vector<std::uint8_t>& blank) {
    if (c.size() == 0) return;  // not read, or no row
    StringColumn out;
    out.offsets.reserve(rows.size() + 1);
    for (std::size_t k = 0; k < rows.size(); ++k)
        out.push_back(blank.empty() || !blank[k] ? c[rows[k]] : std::string_view{});
    c = std::move(out);
}

}  // namespace

void keep_as_of(JourneyTable& table, Date on) {
    JourneyColumns& c = table.columns;
    const std::int32_t d = on.days();
    const std::size_t n = c.size();
    std::vector<std::size_t> rows;
    rows.reserve(n);
    for (std::size_t r = 0; r < n; ++r)
        if (c.entry[r] <= d) rows.push_back(r);
    // Which kept rows exit after `on` (reopened).
    std::vector<std::uint8_t> reopened(rows.size(), 0);
    bool any_reopened = false;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const std::int32_t x = c.exit[rows[k]];
        reopened[k] = x != no_date && x > d ? 1 : 0;
        any_reopened = any_reopened || reopened[k] != 0;
    }
    const bool all_kept = rows.size() == n;
    if (!all_kept) {
        keep_rows(c.action, rows);
        keep_rows(c.entry, rows);
        keep_rows(c.exit, rows);
        keep_rows(c.open, rows);
        keep_rows(c.referral_source, rows);
        keep_rows(c.exit_reason, rows);
        keep_rows(c.positive, rows);
        keep_rows(c.length, rows);
        keep_rows(c.overridden, rows);
        keep_rows(c.steps, rows);
        keep_rows(c.end_step_date, rows);
        keep_rows(c.journey_id, rows);
        keep_rows(c.person_id, rows);
        keep_rows(c.contract_id, rows);
    }
    if (!all_kept || any_reopened) {
        const std::vector<std::uint8_t> none;
        keep_rows(table.journey_id, rows, none);
        keep_rows(table.person_id, rows, none);
        keep_rows(table.contract_id, rows, none);
        keep_rows(table.exit_reason, rows, reopened);
    }
    for (std::size_t k = 0; k < rows.size(); ++k) {
        if (reopened[k]) {
            c.exit[k] = no_date;
            c.open[k] = 1;
            if (!c.positive.empty()) c.positive[k] = 0;
            if (!c.exit_reason.empty()) c.exit_reason[k].clear();
        }
        if (!c.end_step_date.empty() && c.end_step_date[k] != no_date && c.end_step_date[k] > d)
            c.end_step_date[k] = no_date;
        c.length[k] = (c.exit[k] != no_date ? c.exit[k] : d) - c.entry[k];
    }
}

void check_journey_filter(const Store& store, const std::optional<ContractId>& contract,
                          std::optional<int> action) {
    std::vector<Contract> contracts;
    if (contract) contracts.push_back(store.contract(*contract));  // NotFoundError
    else if (action) contracts = store.contracts();
    if (!action) return;
    for (const Contract& k : contracts)
        for (const Action& a : k.actions)
            if (a.number == *action) return;
    const std::string id = std::to_string(*action);
    throw NotFoundError(contract ? "action " + id + " is not an action of contract " + contract->str()
                                 : "action " + id + " is not an action of any contract",
                        "action", id);
}

JourneyTable journeys_as_of(const Store& store, std::optional<ContractId> contract,
                            std::optional<int> action, std::optional<Date> on,
                            JourneyFields fields) {
    check_journey_filter(store, contract, action);
    JourneyTable t = store.journey_table(std::move(contract), action, on, fields);
    if (on) keep_as_of(t, *on);
    return t;
}

}  // namespace ctai
