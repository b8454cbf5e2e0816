// Store::journeys (R7): the columnar read of the journeys table.
//
// How it is fast (bench W2 cold, W6): the SQLite C API directly (no per-value wrapper
// object, text read as pointer + length and appended straight into the output), no
// ORDER BY (rows are read in table or index order and ordered by a C++ sort of small
// integer keys, journey_id breaking the ties), no correlated subquery and no GROUP BY for
// the step columns (one scan of steps, aggregated through a hash table of the journey ids
// without allocating per row), and only the columns asked for (JourneyFields).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "storage/store_impl.hpp"

namespace ctai {
namespace {

// ---- the raw C API -----------------------------------------------------------------------

using Stmt = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

[[noreturn]] void fail(sqlite3* db, int rc) {
    throw StorageError(std::string("storage error: ") + sqlite3_errmsg(db), rc);
}

Stmt prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size() + 1), &raw,
                                      nullptr);
    Stmt s(raw, sqlite3_finalize);
    if (rc != SQLITE_OK) fail(db, rc);
    return s;
}

bool step(sqlite3* db, sqlite3_stmt* s) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db, rc);
}

// Binds ?1 = contract (when given) and ?2 = action (when given). The contract text outlives
// the statement (SQLITE_STATIC).
void bind_filter(sqlite3* db, sqlite3_stmt* s, const std::optional<ContractId>& contract,
                 std::optional<int> action) {
    if (contract) {
        const std::string& c = contract->str();
        if (const int rc = sqlite3_bind_text(s, 1, c.data(), static_cast<int>(c.size()),
                                             SQLITE_STATIC);
            rc != SQLITE_OK)
            fail(db, rc);
    }
    if (action)
        if (const int rc = sqlite3_bind_int(s, 2, *action); rc != SQLITE_OK) fail(db, rc);
}

std::string_view text(sqlite3_stmt* s, int i) {
    const unsigned char* p = sqlite3_column_text(s, i);  // before _bytes (SQLite's rule)
    const int n = sqlite3_column_bytes(s, i);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::int64_t count(sqlite3* db, const std::string& sql, const std::optional<ContractId>& contract,
                   std::optional<int> action) {
    const Stmt s = prepare(db, sql);
    bind_filter(db, s.get(), contract, action);
    return step(db, s.get()) ? sqlite3_column_int64(s.get(), 0) : 0;
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

// ---- strings of one column, in row order, in one buffer ------------------------------------

class Texts {
public:
    void reserve(std::size_t rows, std::size_t bytes) {
        end_.reserve(rows);
        bytes_.reserve(bytes);
    }
    void push(std::string_view v) {
        bytes_.append(v);
        end_.push_back(bytes_.size());
    }
    std::string_view operator[](std::size_t row) const {
        const std::size_t begin = row == 0 ? 0 : end_[row - 1];
        return {bytes_.data() + begin, end_[row] - begin};
    }
    std::size_t size() const noexcept { return end_.size(); }

private:
    std::string bytes_;
    std::vector<std::size_t> end_;
};

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
std::vector<std::uint32_t> order(const std::vector<std::uint32_t>& contract_rank,
                                 std::uint32_t contracts, const std::vector<std::int32_t>& action,
                                 const std::vector<std::int32_t>& entry, const Texts& ids) {
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
    auto by_id = [&](std::uint32_t x, std::uint32_t y) { return ids[x] < ids[y]; };
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
        return ids[x] < ids[y];
    });
    return perm;
}

// ---- journey id -> output row, for the step columns --------------------------------------

class IdIndex {
public:
    // ids[perm[j]] is the id of output row j.
    IdIndex(const Texts& ids, const std::vector<std::uint32_t>& perm) : ids_(ids), perm_(perm) {
        std::size_t size = 16;
        while (size < 2 * perm.size()) size *= 2;
        slots_.assign(size, 0);
        mask_ = size - 1;
        for (std::size_t j = 0; j < perm.size(); ++j) {
            std::size_t at = hash(ids_[perm_[j]]) & mask_;
            while (slots_[at] != 0) at = (at + 1) & mask_;
            slots_[at] = static_cast<std::uint32_t>(j + 1);
        }
    }
    /// The output row of the journey `id`, or -1 when it is not in the result.
    std::ptrdiff_t find(std::string_view id) const {
        std::size_t at = hash(id) & mask_;
        while (const std::uint32_t s = slots_[at]) {
            if (ids_[perm_[s - 1]] == id) return static_cast<std::ptrdiff_t>(s - 1);
            at = (at + 1) & mask_;
        }
        return -1;
    }

private:
    static std::size_t hash(std::string_view v) { return std::hash<std::string_view>{}(v); }
    const Texts& ids_;
    const std::vector<std::uint32_t>& perm_;
    std::vector<std::uint32_t> slots_;
    std::size_t mask_ = 0;
};

template <class T>
void gather(std::vector<T>& out, const std::vector<T>& in, const std::vector<std::uint32_t>& perm) {
    out.resize(perm.size());
    for (std::size_t j = 0; j < perm.size(); ++j) out[j] = in[perm[j]];
}

void gather_texts(std::vector<std::string>& out, const Texts& in,
                  const std::vector<std::uint32_t>& perm) {
    out.reserve(perm.size());
    for (const std::uint32_t r : perm) out.emplace_back(in[r]);
}

}  // namespace

JourneyColumns Store::journeys(std::optional<ContractId> contract, std::optional<int> action,
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
        if (contract) {
            expected = count(db, "SELECT count(*) FROM journeys WHERE " + where, contract, action);
            by_index = 2 * expected <= total;
        } else if (action) {
            per_contract = distinct_contracts(db);
            expected = 0;
            for (const auto& c : per_contract)
                expected += count(db, "SELECT count(*) FROM journeys WHERE contract_id = ?1 AND action = ?2",
                                  ContractId{c}, action);
            by_index = 2 * expected <= total;
            if (!by_index) per_contract.clear();
        }

        // Row order columns: 0 journey_id, 1 action, 2 entry_date, 3 exit_date, then the ones
        // asked for.
        std::string sql = "SELECT journey_id, action, entry_date, exit_date";
        int col = 4;
        const int c_contract = contract ? -1 : col++;
        if (c_contract >= 0) sql += ", contract_id";
        const int c_person = want_ids ? col++ : -1;
        if (want_ids) sql += ", person_id";
        const int c_source = want_source ? col++ : -1;
        if (want_source) sql += ", referral_source";
        const int c_reason = want_reason ? col++ : -1;
        if (want_reason) sql += ", exit_reason";
        const int c_override = want_override ? col++ : -1;
        if (want_override) sql += ", override_reason IS NOT NULL";
        sql += " FROM journeys";
        if (!per_contract.empty())
            sql += " WHERE contract_id = ?1 AND action = ?2";
        else if (!where.empty())
            sql += " WHERE " + (by_index || !contract ? where : "+" + where);

        const auto rows = static_cast<std::size_t>(std::max<std::int64_t>(expected, 0));
        Texts ids;
        ids.reserve(rows, rows * 12);
        Texts persons;
        Texts reasons;
        std::vector<std::int32_t> r_action;
        std::vector<std::int32_t> r_entry;
        std::vector<std::int32_t> r_exit;
        std::vector<std::uint32_t> r_contract;  // index in `contracts` (no filter only)
        std::vector<std::uint8_t> r_source;
        std::vector<std::uint8_t> r_positive;
        std::vector<std::uint8_t> r_override;
        r_action.reserve(rows);
        r_entry.reserve(rows);
        r_exit.reserve(rows);
        if (c_contract >= 0) r_contract.reserve(rows);
        if (want_ids) persons.reserve(rows, rows * 12);
        if (want_source) r_source.reserve(rows);
        if (want_reason) {
            reasons.reserve(rows, rows * 12);
            r_positive.reserve(rows);
        }
        if (want_override) r_override.reserve(rows);

        // The distinct contracts met, with their exit reasons (for `positive`, read when a
        // first row of the contract needs them).
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
        if (contract) add_contract(contract->str());
        std::uint32_t current = 0;
        const auto sources = enum_names<ReferralSource>();

        {
            const Stmt st = prepare(db, sql);
            sqlite3_stmt* s = st.get();
            auto read_row = [&] {
                ids.push(text(s, 0));
                r_action.push_back(sqlite3_column_int(s, 1));
                r_entry.push_back(sqlite3_column_int(s, 2));
                const bool open = sqlite3_column_type(s, 3) == SQLITE_NULL;
                r_exit.push_back(open ? no_date : sqlite3_column_int(s, 3));
                if (c_contract >= 0) {
                    const std::string_view c = text(s, c_contract);
                    if (contracts.empty() || contracts[current] != c) {
                        const auto it = std::find(contracts.begin(), contracts.end(), c);
                        current = static_cast<std::uint32_t>(it - contracts.begin());
                        if (it == contracts.end()) add_contract(c);
                    }
                    r_contract.push_back(current);
                }
                if (want_ids) persons.push(text(s, c_person));
                if (want_source) {
                    const std::string_view v = text(s, c_source);
                    const auto it = std::find(sources.begin(), sources.end(), v);
                    r_source.push_back(it != sources.end()
                                           ? static_cast<std::uint8_t>(it - sources.begin())
                                           : static_cast<std::uint8_t>(from_string<ReferralSource>(v)));
                }
                if (want_reason) {
                    const std::string_view v = text(s, c_reason);
                    reasons.push(v);
                    bool positive = false;
                    if (!open)
                        for (const auto& r : reasons_of(current))
                            if (r.code == v) positive = r.positive;
                    r_positive.push_back(positive ? 1 : 0);
                }
                if (want_override) r_override.push_back(sqlite3_column_int(s, c_override) != 0 ? 1 : 0);
            };
            if (per_contract.empty()) {
                bind_filter(db, s, contract, action);
                while (step(db, s)) read_row();
            } else {
                // The same statement once per contract (the strings outlive the steps).
                for (const auto& c : per_contract) {
                    sqlite3_reset(s);
                    if (const int rc = sqlite3_bind_text(s, 1, c.data(), static_cast<int>(c.size()),
                                                         SQLITE_STATIC);
                        rc != SQLITE_OK)
                        fail(db, rc);
                    if (const int rc = sqlite3_bind_int(s, 2, *action); rc != SQLITE_OK) fail(db, rc);
                    while (step(db, s)) read_row();
                }
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
            order(r_rank, static_cast<std::uint32_t>(contracts.size()), r_action, r_entry, ids);
        const std::size_t n = perm.size();

        JourneyColumns out;
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
            gather_texts(out.journey_id, ids, perm);
            gather_texts(out.person_id, persons, perm);
            out.contract_id.reserve(n);
            for (const std::uint32_t r : perm)
                out.contract_id.push_back(contracts[r_contract.empty() ? 0 : r_contract[r]]);
        }
        if (want_source) gather(out.referral_source, r_source, perm);
        if (want_reason) {
            gather_texts(out.exit_reason, reasons, perm);
            gather(out.positive, r_positive, perm);
        }
        if (want_override) gather(out.overridden, r_override, perm);

        if (want_steps) {
            // Number of steps and the first follow_on / end_of_support date per journey. A
            // filter keeping few journeys reads their steps through the indexes; otherwise
            // one scan of the steps table (rows of one journey mostly follow each other).
            out.steps.assign(n, 0);
            out.end_step_date.assign(n, no_date);
            const bool few = !where.empty() && 4 * static_cast<std::int64_t>(n) < total;
            std::string q = "SELECT s.journey_id, s.step, s.date FROM steps s";
            if (few) {
                std::string w = where;
                if (contract) w.replace(w.find("contract_id"), 11, "j.contract_id");
                if (action) w.replace(w.find("action = ?2"), 6, "j.action");
                q += " JOIN journeys j ON j.journey_id = s.journey_id WHERE " + w;
            }
            const IdIndex index(ids, perm);
            const Stmt st = prepare(db, q);
            sqlite3_stmt* s = st.get();
            if (few) bind_filter(db, s, contract, action);
            std::string last;
            std::ptrdiff_t row = -1;
            bool have_last = false;
            while (step(db, s)) {
                const std::string_view id = text(s, 0);
                if (!have_last || id != last) {
                    last.assign(id);
                    have_last = true;
                    row = index.find(id);
                }
                if (row < 0) continue;
                const auto j = static_cast<std::size_t>(row);
                ++out.steps[j];
                const std::string_view kind = text(s, 1);
                if (kind == "follow_on" || kind == "end_of_support") {
                    const auto date = static_cast<std::int32_t>(sqlite3_column_int64(s, 2));
                    std::int32_t& e = out.end_step_date[j];
                    if (e == no_date || date < e) e = date;
                }
            }
        }
        return out;
    });
}

}  // namespace ctai
