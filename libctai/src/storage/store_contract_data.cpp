// Store::contract_data (R7-R8): the recorded activity of one contract read into columns.
//
// How it is fast (bench W3, W7): SQLite hands each row to C++ inside its own loop (ctai_rows
// and RowSink, sqlite_c.hpp: no sqlite3_step and sqlite3_column_* call per row and value),
// every table read once in key order (no ORDER BY sort: the WITHOUT ROWID tables are their
// primary key b-trees; `+contract_id` keeps the planner off the (contract_id, action) index,
// whose order would need a sort and a primary key lookup per row), child rows
// (steps, participations) attached by merging two ordered scans (one comparison of ids per
// row, no hash table), persons resolved once per row through the case snapshot's index
// (those of the participations a batch of rows at a time), open vocabularies turned into
// small integer codes as they are read.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <sqlite3.h>

#include "storage/sqlite_c.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace {

using namespace detail::sqlite_c;

/// Strings to dense codes, in order of first appearance.
class Coder {
public:
    explicit Coder(std::vector<std::string>& values) : values_(values) {}
    std::uint32_t code(std::string_view v) {
        auto it = index_.find(v);
        if (it != index_.end()) return it->second;
        const auto c = static_cast<std::uint32_t>(values_.size());
        values_.emplace_back(v);
        index_.emplace(std::string(v), c);
        return c;
    }
    /// The code of `v` if met, else no_index.
    std::uint32_t find(std::string_view v) const {
        auto it = index_.find(v);
        return it == index_.end() ? no_index : it->second;
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view v) const noexcept {
            return std::hash<std::string_view>{}(v);
        }
    };
    std::vector<std::string>& values_;
    std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
};

/// Ids of one column in row order, in one buffer (for the merge of child rows).
class Ids {
public:
    void push(std::string_view v) {
        bytes_.append(v);
        end_.push_back(bytes_.size());
    }
    std::string_view operator[](std::size_t row) const {
        const std::size_t begin = row == 0 ? 0 : end_[row - 1];
        return {bytes_.data() + begin, end_[row] - begin};
    }
    std::size_t size() const noexcept { return end_.size(); }
    void clear() noexcept {  // keeps the capacity
        bytes_.clear();
        end_.clear();
    }

private:
    std::string bytes_;
    std::vector<std::size_t> end_;
};

template <class E>
std::uint8_t code_of(std::string_view text, const char* table) {
    if (auto v = try_from_string<E>(text)) return static_cast<std::uint8_t>(*v);
    throw StorageError(std::string("unexpected ") + std::string(EnumTraits<E>::name) +
                       " value in table " + table);
}

std::int32_t date_or_none(sqlite3_value* v) { return is_null(v) ? no_date : sqlite3_value_int(v); }

/// Feeds the rows of `sql` (`SELECT NULL FROM t WHERE ... ctai_rows(?3, <columns>) ORDER BY
/// <key>`, sqlite_c.hpp) to row(values), in ORDER BY order; ?1 = `contract` when given.
/// SQLite calls ctai_rows in the order of its scan, which is the ORDER BY's when it sorts
/// nothing (the key order of a table scan): checked, never assumed.
template <class Row>
void read_rows(sqlite3* db, const char* sql, const std::string* contract, Row&& row) {
    const Stmt s = prepare(db, sql);  // ctai_rows: registered by Store::open
    if (contract) bind_text(db, s.get(), 1, *contract);
    RowSink sink = sink_of(row);
    run_rows(db, s.get(), sink);
    if (sqlite3_stmt_status(s.get(), SQLITE_STMTSTATUS_SORT, 0) != 0)
        throw StorageError("storage error: a read of the contract data was not in key order");
}

/// Person ids to snapshot indexes, remembering the last one: rows of one person often
/// follow each other (volunteering is keyed by person; journey and activity ids are
/// usually given in creation order, person by person).
class Persons {
public:
    Persons(const CaseSnapshot& cases, const char* table) : cases_(cases), table_(table) {}
    std::uint32_t index(std::string_view id) {
        if (last_ != CaseSnapshot::npos && id == last_id_) return last_;
        const std::uint32_t i = cases_.find(id);
        if (i == CaseSnapshot::npos) missing();
        last_ = i;
        last_id_.assign(id);
        return i;
    }
    /// out[k] = index(ids[k]), the lookups overlapped (CaseSnapshot::find of a span).
    void index(std::span<const std::string_view> ids, std::span<std::uint32_t> out) const {
        cases_.find(ids, out);
        for (const std::uint32_t i : out)
            if (i == CaseSnapshot::npos) missing();
    }

private:
    [[noreturn]] void missing() const {
        throw StorageError(std::string("table ") + table_ +
                           " names a person missing from the persons table");
    }
    const CaseSnapshot& cases_;
    const char* table_;
    std::uint32_t last_ = CaseSnapshot::npos;
    std::string last_id_;
};

/// Person ids appended to `out`, resolved by `persons` a batch at a time (call flush() at
/// the end). Random persons over a large snapshot cost a cache miss or two per id: one
/// lookup per row inside SQLite's loop waits for each in turn, a short loop of lookups lets
/// the processor overlap them (the participations' persons at 10^6 persons: a fifth of the
/// time of contract_data one by one; bench W3 reading 6.8 -> 5.9 s CPU in batches).
class PersonBatch {
public:
    PersonBatch(Persons& persons, std::vector<std::uint32_t>& out) : persons_(persons), out_(out) {}
    void push(std::string_view id) {
        ids_.push(id);
        out_.push_back(no_index);  // set by flush()
        if (ids_.size() == batch) flush();
    }
    void flush() {
        const std::size_t first = out_.size() - ids_.size();
        views_.clear();
        for (std::size_t k = 0; k < ids_.size(); ++k) views_.push_back(ids_[k]);
        persons_.index(views_, std::span(out_).subspan(first, views_.size()));
        ids_.clear();
    }

private:
    static constexpr std::size_t batch = 1024;
    Persons& persons_;
    std::vector<std::uint32_t>& out_;
    Ids ids_;
    std::vector<std::string_view> views_;
};

/// Child rows (read_rows of `child_sql`; first value: the parent id, in parent id order)
/// attached to the parents `ids` (ascending): calls row(parent, values) for each child row
/// of a parent, and close(parent) once per parent, in order, after its children. Child rows
/// of other parents are skipped; without parents the child table is not read. Both orders
/// are SQLite's BINARY collation, that of std::string_view::compare.
template <class Row, class Close>
void merge_children(sqlite3* db, const char* child_sql, const Ids& ids, Row row, Close close) {
    if (ids.size() == 0) return;
    std::size_t p = 0;
    read_rows(db, child_sql, nullptr, [&](sqlite3_value** v) {
        if (p == ids.size()) return;  // past the last parent
        const std::string_view parent = text(v[0]);
        // Most child rows belong to the parent of the row before: one comparison.
        if (ids[p] == parent) return row(p, v);
        while (p < ids.size() && ids[p] < parent) close(p++);
        if (p < ids.size() && ids[p] == parent) row(p, v);
    });
    while (p < ids.size()) close(p++);
}

void read_journeys(sqlite3* db, const std::string& contract, ContractData& d,
                   std::vector<std::uint8_t>& in_contract) {
    Persons persons(*d.cases, "journeys");
    Coder reasons(d.exit_reasons);
    Ids ids;
    auto& j = d.journeys;
    PersonBatch batch(persons, j.person);
    read_rows(db,
              "SELECT NULL FROM journeys WHERE +contract_id = ?1 AND ctai_rows(?3, journey_id, "
              "person_id, action, entry_date, referral_source, exit_date, exit_reason) "
              "ORDER BY journey_id",
              &contract, [&](sqlite3_value** v) {
                  ids.push(text(v[0]));
                  batch.push(text(v[1]));
                  j.action.push_back(sqlite3_value_int(v[2]));
                  j.entry.push_back(sqlite3_value_int(v[3]));
                  j.referral_source.push_back(code_of<ReferralSource>(text(v[4]), "journeys"));
                  j.exit.push_back(date_or_none(v[5]));
                  j.exit_reason.push_back(is_null(v[6]) ? no_index : reasons.code(text(v[6])));
              });
    batch.flush();
    for (const std::uint32_t person : j.person) in_contract[person] = 1;
    sqlite3_db_release_memory(db);  // the journeys' pages, before the steps (release_page_cache)
    auto& st = d.steps;
    auto& begin = d.journeys.step_begin;
    begin.reserve(ids.size() + 1);
    merge_children(
        db,
        "SELECT NULL FROM steps WHERE ctai_rows(?3, journey_id, step, date) "
        "ORDER BY journey_id, position",
        ids,
        [&](std::size_t, sqlite3_value** v) {
            st.kind.push_back(code_of<StepKind>(text(v[1]), "steps"));
            st.date.push_back(sqlite3_value_int(v[2]));
        },
        [&](std::size_t) { begin.push_back(static_cast<std::uint32_t>(st.size())); });
}

// R10: the journeys of the contracts `contract` continues that are still open when it
// starts, under the action the succession maps them onto (an unmapped action stays in its
// own contract only), appended after its own journeys with their steps.
void read_continued_journeys(detail::StoreImpl& impl, sqlite3* db, const ContractId& contract,
                             ContractData& d, std::vector<std::uint8_t>& in_contract) {
    const auto& line = impl.lineage_of(contract);
    if (line.empty()) return;
    const std::int32_t start = impl.require_contract(contract).start.days();
    for (const auto& k : line) {
        if (k.actions.empty()) continue;
        ContractData e;
        e.cases = d.cases;
        std::vector<std::uint8_t> scratch(d.cases->size(), 0);
        read_journeys(db, k.contract.str(), e, scratch);
        const auto& ej = e.journeys;
        auto& j = d.journeys;
        for (std::size_t i = 0; i < ej.size(); ++i) {
            const auto mapped = k.actions.find(ej.action[i]);
            if (mapped == k.actions.end() || (ej.exit[i] != no_date && ej.exit[i] < start)) continue;
            j.person.push_back(ej.person[i]);
            j.action.push_back(mapped->second);
            j.entry.push_back(ej.entry[i]);
            j.exit.push_back(ej.exit[i]);
            j.referral_source.push_back(ej.referral_source[i]);
            std::uint32_t reason = no_index;
            if (ej.exit_reason[i] != no_index) {
                const std::string& code = e.exit_reasons[ej.exit_reason[i]];
                const auto it = std::find(d.exit_reasons.begin(), d.exit_reasons.end(), code);
                reason = static_cast<std::uint32_t>(it - d.exit_reasons.begin());
                if (it == d.exit_reasons.end()) d.exit_reasons.push_back(code);
            }
            j.exit_reason.push_back(reason);
            for (std::uint32_t s = ej.step_begin[i]; s < ej.step_begin[i + 1]; ++s) {
                d.steps.kind.push_back(e.steps.kind[s]);
                d.steps.date.push_back(e.steps.date[s]);
            }
            j.step_begin.push_back(static_cast<std::uint32_t>(d.steps.size()));
            in_contract[ej.person[i]] = 1;
        }
    }
}

void read_activities(sqlite3* db, const std::string& contract, ContractData& d) {
    Persons persons(*d.cases, "participations");
    Coder types(d.activity_types), structures(d.structures);
    Ids ids;
    auto& a = d.activities;
    read_rows(db,
              "SELECT NULL FROM activities WHERE +contract_id = ?1 AND ctai_rows(?3, "
              "activity_id, action, kind, type, date, hours, co_animated, structure) "
              "ORDER BY activity_id",
              &contract, [&](sqlite3_value** v) {
                  ids.push(text(v[0]));
                  a.action.push_back(sqlite3_value_int(v[1]));
                  a.kind.push_back(code_of<ActivityKind>(text(v[2]), "activities"));
                  a.type.push_back(types.code(text(v[3])));
                  a.date.push_back(sqlite3_value_int(v[4]));
                  a.hours.push_back(sqlite3_value_double(v[5]));
                  a.co_animated.push_back(sqlite3_value_int(v[6]) != 0 ? 1 : 0);
                  a.structure.push_back(structures.code(text(v[7])));
              });
    sqlite3_db_release_memory(db);  // the activities' pages, before the participations
    auto& p = d.participations;
    PersonBatch batch(persons, p.person);
    auto& begin = d.activities.participation_begin;
    begin.reserve(ids.size() + 1);
    merge_children(
        db,
        "SELECT NULL FROM participations WHERE ctai_rows(?3, activity_id, person_id, "
        "satisfaction) ORDER BY activity_id, person_id",
        ids,
        [&](std::size_t, sqlite3_value** v) {
            batch.push(text(v[1]));
            p.satisfaction.push_back(
                is_null(v[2]) ? 0 : static_cast<std::uint8_t>(sqlite3_value_int(v[2])));
        },
        [&](std::size_t) { begin.push_back(static_cast<std::uint32_t>(p.size())); });
    batch.flush();
}

void read_volunteering(sqlite3* db, ContractData& d, const std::vector<std::uint8_t>& in_contract) {
    Persons persons(*d.cases, "volunteering");
    Coder kinds(d.association_types);
    auto& out = d.volunteering;
    read_rows(db,
              "SELECT NULL FROM volunteering WHERE ctai_rows(?3, person_id, kind, start, "
              "\"end\", association_type) ORDER BY person_id, kind, start",
              nullptr, [&](sqlite3_value** v) {
                  const std::uint32_t person = persons.index(text(v[0]));
                  if (!in_contract[person]) return;
                  out.person.push_back(person);
                  out.kind.push_back(code_of<VolunteeringKind>(text(v[1]), "volunteering"));
                  out.start.push_back(sqlite3_value_int(v[2]));
                  out.end.push_back(date_or_none(v[3]));
                  out.association_type.push_back(kinds.code(text(v[4])));
              });
}

void read_housing(sqlite3* db, ContractData& d, const std::vector<std::uint8_t>& in_contract) {
    const CaseSnapshot& cases = *d.cases;
    std::vector<std::string> names;  // household ids, only while reading
    Coder households(names);
    d.person_household.assign(cases.size(), no_index);
    for (std::uint32_t i = 0; i < cases.size(); ++i)
        if (in_contract[i])
            if (const auto& h = cases[i].person.household_id)
                d.person_household[i] = households.code(h->str());
    d.household_count = static_cast<std::uint32_t>(names.size());
    if (names.empty()) return;
    // The members recorded in the store, in the contract or not.
    d.household_size.assign(names.size(), 0);
    for (std::uint32_t i = 0; i < cases.size(); ++i) {
        if (in_contract[i]) {
            if (const std::uint32_t code = d.person_household[i]; code != no_index)
                ++d.household_size[code];
        } else if (const auto& h = cases[i].person.household_id) {
            if (const std::uint32_t code = households.find(h->str()); code != no_index)
                ++d.household_size[code];
        }
    }
    auto& h = d.housing;
    h.begin.assign(names.size(), 0);
    h.end.assign(names.size(), 0);
    std::string last_id;  // the rows of a household follow each other: one lookup for them
    std::uint32_t last = no_index;
    read_rows(db,
              "SELECT NULL FROM housing_moves WHERE ctai_rows(?3, household_id, date, "
              "housing_type) ORDER BY household_id, date",
              nullptr, [&](sqlite3_value** v) {
                  const std::string_view id = text(v[0]);
                  if (last_id.empty() || id != last_id) {
                      last_id.assign(id);
                      last = households.find(id);
                      if (last != no_index) h.begin[last] = static_cast<std::uint32_t>(h.size());
                  }
                  if (last == no_index) return;
                  h.household.push_back(last);
                  h.date.push_back(sqlite3_value_int(v[1]));
                  h.housing_type.push_back(code_of<HousingType>(text(v[2]), "housing_moves"));
                  h.end[last] = static_cast<std::uint32_t>(h.size());
              });
}

void read_small_tables(sqlite3* db, const ContractId& contract, ContractData& d) {
    read_rows(db,
              "SELECT NULL FROM partnerships WHERE contract_id = ?1 AND ctai_rows(?3, action, "
              "partner, theme, date) ORDER BY action, partner, theme, date",
              &contract.str(), [&](sqlite3_value** v) {
                  Partnership p;
                  p.contract_id = contract;
                  p.action = sqlite3_value_int(v[0]);
                  p.partner = std::string(text(v[1]));
                  p.theme = std::string(text(v[2]));
                  p.date = Date::from_days(sqlite3_value_int(v[3]));
                  d.partnerships.push_back(std::move(p));
              });
    read_rows(db,
              "SELECT NULL FROM costs WHERE contract_id = ?1 AND ctai_rows(?3, action, "
              "total_cost, subsidy_p104) ORDER BY action",
              &contract.str(), [&](sqlite3_value** v) {
                  Cost c;
                  c.contract_id = contract;
                  c.action = sqlite3_value_int(v[0]);
                  c.total_cost = sqlite3_value_double(v[1]);
                  c.subsidy_p104 = sqlite3_value_double(v[2]);
                  d.costs.push_back(c);
              });
}

}  // namespace

std::shared_ptr<const ContractData> Store::contract_data(const ContractId& contract) const {
    return detail::guard([&]() -> std::shared_ptr<const ContractData> {
        auto& impl = *impl_;
        impl.require_contract(contract);
        if (impl.contract_data && impl.depth == 0 && impl.contract_data->contract_id == contract &&
            impl.backend->own_changes() == impl.contract_data_changes &&
            impl.data_version() == impl.contract_data_data_version)
            return impl.contract_data;
        const detail::ReadSnapshot snapshot(impl);
        const std::int64_t version = impl.data_version();
        const std::int64_t changes = impl.backend->own_changes();
        auto d = std::make_shared<ContractData>();
        d->contract_id = contract;
        d->cases = impl.current_case_snapshot();
        if (!d->cases) {
            d->cases = impl.read_case_snapshot();
            if (impl.depth == 0) {
                impl.case_snapshot = d->cases;
                impl.case_snapshot_data_version = version;
                impl.case_snapshot_changes = changes;
            }
        }
        sqlite3* db = impl.db->getHandle();
        std::vector<std::uint8_t> in_contract(d->cases->size(), 0);
        // The pages of each large read released once it is in columns (StoreImpl::
        // release_page_cache): the next table's columns reuse their memory.
        read_journeys(db, contract.str(), *d, in_contract);
        read_continued_journeys(impl, db, contract, *d, in_contract);
        impl.release_page_cache();
        read_activities(db, contract.str(), *d);
        impl.release_page_cache();
        read_volunteering(db, *d, in_contract);
        read_housing(db, *d, in_contract);
        read_small_tables(db, contract, *d);
        impl.release_page_cache();
        std::shared_ptr<const ContractData> out = std::move(d);
        if (impl.depth == 0) {
            impl.contract_data = out;
            impl.contract_data_data_version = version;
            impl.contract_data_changes = changes;
        } else {
            impl.contract_data.reset();
        }
        return out;
    });
}

}  // namespace ctai
