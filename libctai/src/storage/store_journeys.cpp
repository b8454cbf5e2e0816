// Store::journeys (R7): the columnar read of the journeys table.
//
// How it is fast (bench W2 cold, W6): SQLite hands each row to C++ inside its own loop (the
// function ctai_rows below, not a sqlite3_step and a sqlite3_column_* call per row and
// value), no ORDER BY (rows are read in table or index order and ordered by a stable C++
// radix sort of small integer keys; a table scan reads them in journey_id order, which
// breaks the ties without comparing ids), the step columns read with the journey row (its
// step summary, step_count and end_step_date, kept by StoreImpl::write_journey: the steps
// table is never read), and only the columns asked for (JourneyFields).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "storage/sqlite_c.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace {

// The raw C API helpers (Stmt, fail, prepare, step, bind_text, text) and the RowSink:
// sqlite_c.hpp.
using namespace detail::sqlite_c;

// Binds ?1 = contract (when given) and ?2 = action (when given). The contract text outlives
// the statement (SQLITE_STATIC).
void bind_filter(sqlite3* db, sqlite3_stmt* s, const std::optional<ContractId>& contract,
                 std::optional<int> action) {
    if (contract) bind_text(db, s, 1, contract->str());
    if (action)
        if (const int rc = sqlite3_bind_int(s, 2, *action); rc != SQLITE_OK) fail(db, rc);
}

std::int64_t count(sqlite3* db, const std::string& sql, const std::optional<ContractId>& contract,
                   std::optional<int> action) {
    const Stmt s = prepare(db, sql);
    bind_filter(db, s.get(), contract, action);
    return step(db, s.get()) ? sqlite3_column_int64(s.get(), 0) : 0;
}

// ---- ctai_rows: hands each row to the RowSink bound to ?3 (sqlite_c.hpp) ------------------

void rows_function(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
    // The pointer is read once per run (sqlite3_value_pointer compares type names) and kept
    // as the auxiliary data of the bound argument (dropped when the statement is reset).
    auto* sink = static_cast<RowSink*>(sqlite3_get_auxdata(ctx, 0));
    if (!sink) {
        sink = static_cast<RowSink*>(sqlite3_value_pointer(argv[0], sink_type));
        if (!sink) {
            sqlite3_result_error(ctx, "ctai_rows is internal to libctai", -1);
            return;
        }
        sqlite3_set_auxdata(ctx, 0, sink, nullptr);
    }
    try {
        sink->row(sink->self, argv + 1);
    } catch (...) {
        sink->error = std::current_exception();
        sqlite3_result_error(ctx, "ctai_rows: the read failed", -1);
    }
}

// The distinct contract ids of the journeys, ascending: one seek of the (contract_id,
// action) index each (not a scan of the index).
std::vector<std::string> distinct_contracts(sqlite3* db) {
    std::vector<std::string> out;
    const Stmt first = prepare(db, "SELECT min(contract_id) FROM journeys");
    if (!step(db, first.get()) || sqlite3_column_type(first.get(), 0) == SQLITE_NULL) return out;
    out.emplace_back(text(first.get(), 0));
    const Stmt next = prepare(
        db, "SELECT contract_id FROM journeys WHERE contract_id > ?1 ORDER BY contract_id LIMIT 1");
    for (;;) {
        sqlite3_reset(next.get());
        const std::string& last = out.back();
        if (const int rc = sqlite3_bind_text(next.get(), 1, last.data(),
                                             static_cast<int>(last.size()), SQLITE_TRANSIENT);
            rc != SQLITE_OK)
            fail(db, rc);
        if (!step(db, next.get())) break;
        out.emplace_back(text(next.get(), 0));
    }
    return out;
}

// ---- strings of one column, in row order, in one buffer ----------------------------------

using Texts = StringColumn;

void reserve(Texts& t, std::size_t rows, std::size_t bytes) {
    t.offsets.reserve(rows + 1);
    t.bytes.reserve(bytes);
}

// ---- the order: contract, action, entry, journey id -------------------------------------

unsigned bits_for(std::uint64_t max_value) {
    unsigned b = 0;
    while (b < 64 && (max_value >> b) != 0) ++b;
    return b;
}

// Stable LSD radix sort of `keys` on bits [shift, shift + bits) (11-bit digits): keys equal
// on those bits keep their order.
void radix_sort(std::vector<std::uint64_t>& keys, unsigned shift, unsigned bits) {
    constexpr unsigned digit = 11;
    constexpr std::size_t buckets = std::size_t{1} << digit;
    std::vector<std::uint64_t> tmp(keys.size());
    for (unsigned b = 0; b < bits; b += digit) {
        const unsigned s = shift + b;
        std::array<std::size_t, buckets> at{};
        for (const std::uint64_t k : keys) ++at[(k >> s) & (buckets - 1)];
        std::size_t sum = 0;
        for (auto& c : at) {
            const std::size_t n = c;
            c = sum;
            sum += n;
        }
        for (const std::uint64_t k : keys) tmp[at[(k >> s) & (buckets - 1)]++] = k;
        keys.swap(tmp);
    }
}

// The permutation of rows 0..n-1 ordering them by (contract rank, action, entry, id).
// `ids_ascending`: the rows were read in journey_id order, so the stable sort on (contract,
// action, entry) leaves the ties in id order; otherwise the ties are sorted by id.
std::vector<std::uint32_t> order(const std::vector<std::uint32_t>& contract_rank,
                                 std::uint32_t contracts, const std::vector<std::int32_t>& action,
                                 const std::vector<std::int32_t>& entry, const Texts& ids,
                                 bool ids_ascending) {
    const std::size_t n = entry.size();
    std::vector<std::uint32_t> perm(n);
    if (n == 0) return perm;
    auto rank = [&](std::size_t r) -> std::uint32_t {
        return contract_rank.empty() ? 0 : contract_rank[r];
    };
    const auto [amin, amax] = std::minmax_element(action.begin(), action.end());
    const auto [emin, emax] = std::minmax_element(entry.begin(), entry.end());
    const unsigned bc = bits_for(contracts > 0 ? contracts - 1 : 0);
    const unsigned ba = bits_for(static_cast<std::uint64_t>(static_cast<std::int64_t>(*amax) - *amin));
    const unsigned be = bits_for(static_cast<std::uint64_t>(static_cast<std::int64_t>(*emax) - *emin));
    const unsigned br = bits_for(n - 1);
    auto by_id = [&](std::uint32_t x, std::uint32_t y) { return ids_ascending ? x < y : ids[x] < ids[y]; };
    if (bc + ba + be + br <= 64) {
        // One integer per row: (contract, action, entry) above the row number.
        std::vector<std::uint64_t> keys(n);
        for (std::size_t r = 0; r < n; ++r) {
            std::uint64_t k = rank(r);
            k = (k << ba) | static_cast<std::uint64_t>(static_cast<std::int64_t>(action[r]) - *amin);
            k = (k << be) | static_cast<std::uint64_t>(static_cast<std::int64_t>(entry[r]) - *emin);
            keys[r] = (br == 64 ? 0 : (k << br)) | r;
        }
        const unsigned key_bits = bc + ba + be;
        if (n >= 2048)
            radix_sort(keys, br, key_bits);  // stable: equal keys stay in row order
        else
            std::sort(keys.begin(), keys.end());  // the row number makes every key distinct
        const std::uint64_t row_mask = br == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << br) - 1;
        for (std::size_t i = 0; i < n; ++i) perm[i] = static_cast<std::uint32_t>(keys[i] & row_mask);
        if (ids_ascending) return perm;  // ties kept in read order: the id order
        // Ties on (contract, action, entry): ordered by journey id.
        for (std::size_t i = 0; i < n;) {
            std::size_t j = i + 1;
            while (j < n && (keys[j] >> br) == (keys[i] >> br)) ++j;
            if (j - i > 1)
                std::sort(perm.begin() + static_cast<std::ptrdiff_t>(i),
                          perm.begin() + static_cast<std::ptrdiff_t>(j), by_id);
            i = j;
        }
        return perm;
    }
    std::iota(perm.begin(), perm.end(), std::uint32_t{0});
    std::sort(perm.begin(), perm.end(), [&](std::uint32_t x, std::uint32_t y) {
        if (rank(x) != rank(y)) return rank(x) < rank(y);
        if (action[x] != action[y]) return action[x] < action[y];
        if (entry[x] != entry[y]) return entry[x] < entry[y];
        return by_id(x, y);
    });
    return perm;
}

template <class T>
void gather(std::vector<T>& out, const std::vector<T>& in, const std::vector<std::uint32_t>& perm) {
    out.resize(perm.size());
    for (std::size_t j = 0; j < perm.size(); ++j) out[j] = in[perm[j]];
}

// Row j of `out` is row perm[j] of `in` (perm: a permutation of all the rows).
void gather_texts(StringColumn& out, const Texts& in, const std::vector<std::uint32_t>& perm) {
    out.offsets.resize(perm.size() + 1);
    out.bytes.resize(in.bytes.size());
    char* d = out.bytes.data();
    std::int64_t at = 0;
    out.offsets[0] = 0;
    for (std::size_t j = 0; j < perm.size(); ++j) {
        const std::string_view v = in[perm[j]];
        if (!v.empty()) std::memcpy(d + at, v.data(), v.size());
        at += static_cast<std::int64_t>(v.size());
        out.offsets[j + 1] = at;
    }
}

}  // namespace

JourneyColumns Store::journeys(std::optional<ContractId> contract, std::optional<int> action,
                               std::optional<Date> censor_on, JourneyFields fields) const {
    JourneyTable t = journey_table(std::move(contract), action, censor_on, fields);
    JourneyColumns out = std::move(t.columns);
    if (has_fields(fields, JourneyFields::ids)) {
        out.journey_id = t.journey_id.strings();
        out.person_id = t.person_id.strings();
        out.contract_id = t.contract_id.strings();
    }
    if (has_fields(fields, JourneyFields::exit_reason)) out.exit_reason = t.exit_reason.strings();
    return out;
}

JourneyTable Store::journey_table(std::optional<ContractId> contract, std::optional<int> action,
                                  std::optional<Date> censor_on, JourneyFields fields) const {
    return detail::guard([&] {
        const bool want_ids = has_fields(fields, JourneyFields::ids);
        const bool want_source = has_fields(fields, JourneyFields::referral_source);
        const bool want_reason = has_fields(fields, JourneyFields::exit_reason);
        const bool want_override = has_fields(fields, JourneyFields::overridden);
        const bool want_steps = has_fields(fields, JourneyFields::steps);

        const detail::ReadSnapshot snapshot(*impl_);
        sqlite3* db = impl_->db->getHandle();

        // How many rows, and through which path: the (contract_id, action) index when the
        // filter keeps at most half of the journeys, else one scan of the table (an index
        // search costs a table lookup per row, about twice a scanned row).
        std::string where;
        if (contract) where = "contract_id = ?1";
        if (action) where += std::string(where.empty() ? "" : " AND ") + "action = ?2";
        const std::int64_t total = count(db, "SELECT count(*) FROM journeys", std::nullopt, std::nullopt);
        std::int64_t expected = total;
        bool by_index = false;
        // An action without a contract: the index serves each contract of the journeys in
        // turn (the index cannot be searched by action alone).
        std::vector<std::string> per_contract;
        // The contracts of the journeys (one index seek each) when no filter names one: with a
        // single contract (the usual store), no row needs its contract_id read.
        const std::vector<std::string> all_contracts =
            contract ? std::vector<std::string>{} : distinct_contracts(db);
        const bool one_contract = contract || all_contracts.size() == 1;
        if (contract) {
            expected = count(db, "SELECT count(*) FROM journeys WHERE " + where, contract, action);
            by_index = 2 * expected <= total;
        } else if (action) {
            per_contract = all_contracts;
            expected = 0;
            for (const auto& c : per_contract)
                expected += count(db, "SELECT count(*) FROM journeys WHERE contract_id = ?1 AND action = ?2",
                                  ContractId{c}, action);
            by_index = 2 * expected <= total;
            if (!by_index) per_contract.clear();
        }

        // Values of a row: 0 journey_id, 1 action, 2 entry_date, 3 exit_date, then the ones
        // asked for.
        std::string sql = "SELECT count(ctai_rows(?3, journey_id, action, entry_date, exit_date";
        int col = 4;
        const int c_contract = one_contract ? -1 : col++;
        if (c_contract >= 0) sql += ", contract_id";
        const int c_person = want_ids ? col++ : -1;
        if (want_ids) sql += ", person_id";
        const int c_source = want_source ? col++ : -1;
        if (want_source) sql += ", referral_source";
        const int c_reason = want_reason ? col++ : -1;
        if (want_reason) sql += ", exit_reason";
        const int c_override = want_override ? col++ : -1;
        if (want_override) sql += ", override_reason IS NOT NULL";
        const int c_steps = want_steps ? col : -1;  // step_count, end_step_date
        if (want_steps) sql += ", step_count, end_step_date";
        sql += ")) FROM journeys";
        if (!per_contract.empty())
            sql += " WHERE contract_id = ?1 AND action = ?2";
        else if (!where.empty())
            sql += " WHERE " + (by_index || !contract ? where : "+" + where);

        const auto rows = static_cast<std::size_t>(std::max<std::int64_t>(expected, 0));
        Texts ids;
        reserve(ids, rows, rows * 12);
        Texts persons;
        Texts reasons;
        std::vector<std::int32_t> r_action;
        std::vector<std::int32_t> r_entry;
        std::vector<std::int32_t> r_exit;
        std::vector<std::uint32_t> r_contract;  // index in `contracts` (no filter only)
        std::vector<std::uint8_t> r_source;
        std::vector<std::uint8_t> r_override;
        std::vector<std::int32_t> r_steps;
        std::vector<std::int32_t> r_end_step;
        r_action.reserve(rows);
        r_entry.reserve(rows);
        r_exit.reserve(rows);
        if (c_contract >= 0) r_contract.reserve(rows);
        if (want_ids) reserve(persons, rows, rows * 12);
        if (want_source) r_source.reserve(rows);
        if (want_reason) reserve(reasons, rows, rows * 12);
        if (want_override) r_override.reserve(rows);
        if (want_steps) {
            r_steps.reserve(rows);
            r_end_step.reserve(rows);
        }

        // The distinct contracts met, with their exit reasons (for `positive`, read when a
        // row of the contract needs them).
        std::vector<std::string> contracts;
        std::vector<std::optional<std::vector<ExitReason>>> contract_reasons;
        auto add_contract = [&](std::string_view id) {
            contracts.emplace_back(id);
            contract_reasons.emplace_back();
        };
        auto reasons_of = [&](std::uint32_t k) -> const std::vector<ExitReason>& {
            auto& r = contract_reasons[k];
            if (!r) {
                const auto found = impl_->find_contract(ContractId{contracts[k]});
                r = found ? found->exit_reasons : std::vector<ExitReason>{};
            }
            return *r;
        };
        if (contract)
            add_contract(contract->str());
        else if (one_contract)
            add_contract(all_contracts[0]);
        std::uint32_t current = 0;
        const auto sources = enum_names<ReferralSource>();
        // Whether the rows came in ascending journey_id order (a table scan: SQLite reads a
        // WITHOUT ROWID table in key order); checked, never assumed.
        bool ids_ascending = true;

        {
            auto read_row = [&](sqlite3_value** v) {
                const std::string_view id = text(v[0]);
                if (ids_ascending && ids.size() > 0 && !(ids[ids.size() - 1] < id)) ids_ascending = false;
                ids.push_back(id);
                r_action.push_back(sqlite3_value_int(v[1]));
                r_entry.push_back(sqlite3_value_int(v[2]));
                r_exit.push_back(sqlite3_value_type(v[3]) == SQLITE_NULL ? no_date : sqlite3_value_int(v[3]));
                if (c_contract >= 0) {
                    const std::string_view c = text(v[c_contract]);
                    if (contracts.empty() || contracts[current] != c) {
                        const auto it = std::find(contracts.begin(), contracts.end(), c);
                        current = static_cast<std::uint32_t>(it - contracts.begin());
                        if (it == contracts.end()) add_contract(c);
                    }
                    r_contract.push_back(current);
                }
                if (want_ids) persons.push_back(text(v[c_person]));
                if (want_source) {
                    const std::string_view x = text(v[c_source]);
                    const auto it = std::find(sources.begin(), sources.end(), x);
                    r_source.push_back(it != sources.end()
                                           ? static_cast<std::uint8_t>(it - sources.begin())
                                           : static_cast<std::uint8_t>(from_string<ReferralSource>(x)));
                }
                if (want_reason) reasons.push_back(text(v[c_reason]));
                if (want_override) r_override.push_back(sqlite3_value_int(v[c_override]) != 0 ? 1 : 0);
                if (want_steps) {
                    r_steps.push_back(sqlite3_value_int(v[c_steps]));
                    r_end_step.push_back(
                        is_null(v[c_steps + 1]) ? no_date : sqlite3_value_int(v[c_steps + 1]));
                }
            };
            RowSink sink = sink_of(read_row);
            const Stmt st = prepare(db, sql);  // ctai_rows: registered by Store::open
            sqlite3_stmt* s = st.get();
            if (per_contract.empty()) {
                bind_filter(db, s, contract, action);
                run_rows(db, s, sink);
            } else {
                // The same statement once per contract (the strings outlive the steps).
                for (const auto& c : per_contract) {
                    if (const int rc = sqlite3_bind_text(s, 1, c.data(), static_cast<int>(c.size()),
                                                         SQLITE_STATIC);
                        rc != SQLITE_OK)
                        fail(db, rc);
                    if (const int rc = sqlite3_bind_int(s, 2, *action); rc != SQLITE_OK) fail(db, rc);
                    run_rows(db, s, sink);
                }
            }
        }
        // `positive`: from the contract's exit reason with that code (the last one if the
        // code repeats), outside SQLite's loop (reading a contract runs a query).
        std::vector<std::uint8_t> r_positive;
        if (want_reason) {
            r_positive.assign(ids.size(), 0);
            for (std::size_t r = 0; r < ids.size(); ++r) {
                if (r_exit[r] == no_date) continue;
                const std::string_view x = reasons[r];
                for (const auto& e : reasons_of(r_contract.empty() ? 0 : r_contract[r]))
                    if (e.code == x) r_positive[r] = e.positive ? 1 : 0;
            }
        }

        // Contracts ranked by id for the order.
        std::vector<std::uint32_t> rank_of(contracts.size());
        {
            std::vector<std::uint32_t> by_name(contracts.size());
            std::iota(by_name.begin(), by_name.end(), std::uint32_t{0});
            std::sort(by_name.begin(), by_name.end(),
                      [&](std::uint32_t x, std::uint32_t y) { return contracts[x] < contracts[y]; });
            for (std::size_t i = 0; i < by_name.size(); ++i)
                rank_of[by_name[i]] = static_cast<std::uint32_t>(i);
        }
        std::vector<std::uint32_t> r_rank;
        if (contracts.size() > 1) {
            r_rank.resize(r_contract.size());
            for (std::size_t r = 0; r < r_contract.size(); ++r) r_rank[r] = rank_of[r_contract[r]];
        }
        const std::vector<std::uint32_t> perm =
            order(r_rank, static_cast<std::uint32_t>(contracts.size()), r_action, r_entry, ids,
                  ids_ascending);
        const std::size_t n = perm.size();

        JourneyTable table;
        JourneyColumns& out = table.columns;
        gather(out.action, r_action, perm);
        gather(out.entry, r_entry, perm);
        gather(out.exit, r_exit, perm);
        out.open.resize(n);
        out.length.resize(n);
        for (std::size_t j = 0; j < n; ++j) {
            const std::int32_t x = out.exit[j];
            out.open[j] = x == no_date ? 1 : 0;
            out.length[j] = x != no_date ? x - out.entry[j]
                            : censor_on  ? censor_on->days() - out.entry[j]
                                         : -1;
        }
        if (want_ids) {
            gather_texts(table.journey_id, ids, perm);
            gather_texts(table.person_id, persons, perm);
            StringColumn& cs = table.contract_id;
            auto contract_of = [&](std::uint32_t r) -> const std::string& {
                return contracts[r_contract.empty() ? 0 : r_contract[r]];
            };
            std::size_t bytes = 0;
            for (const std::uint32_t r : perm) bytes += contract_of(r).size();
            cs.offsets.resize(n + 1);
            cs.bytes.resize(bytes);
            std::int64_t at = 0;
            for (std::size_t j = 0; j < n; ++j) {
                const std::string& c = contract_of(perm[j]);
                if (!c.empty()) std::memcpy(cs.bytes.data() + at, c.data(), c.size());
                at += static_cast<std::int64_t>(c.size());
                cs.offsets[j + 1] = at;
            }
        }
        if (want_source) gather(out.referral_source, r_source, perm);
        if (want_reason) {
            gather_texts(table.exit_reason, reasons, perm);
            gather(out.positive, r_positive, perm);
        }
        if (want_override) gather(out.overridden, r_override, perm);

        if (want_steps) {
            gather(out.steps, r_steps, perm);
            gather(out.end_step_date, r_end_step, perm);
        }
        return table;
    });
}

namespace detail {

void register_row_function(sqlite3* db) {
    // DIRECTONLY: not usable from a trigger or a view stored in the file.
    if (const int rc = sqlite3_create_function_v2(db, "ctai_rows", -1,
                                                  SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr,
                                                  rows_function, nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
        fail(db, rc);
}

}  // namespace detail

}  // namespace ctai
