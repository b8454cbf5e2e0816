// Store::contract_data (R7-R8): the recorded activity of one contract read into columns.
//
// How it is fast (bench W3, W7): the raw SQLite C API, every table read once in key order
// (no ORDER BY sort: the WITHOUT ROWID tables are their primary key b-trees; `+contract_id`
// keeps the planner off the (contract_id, action) index, whose order would need a sort and
// a primary key lookup per row), child rows
// (steps, participations) attached by merging two ordered scans (one comparison of ids per
// row, no hash table), persons resolved once per row through the case snapshot's index,
// open vocabularies turned into small integer codes as they are read.
#include <algorithm>
#include <cstdint>
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

std::int32_t date_or_none(sqlite3_stmt* s, int i) {
    return is_null(s, i) ? no_date : sqlite3_column_int(s, i);
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
        if (i == CaseSnapshot::npos)
            throw StorageError(std::string("table ") + table_ +
                               " names a person missing from the persons table");
        last_ = i;
        last_id_.assign(id);
        return i;
    }

private:
    const CaseSnapshot& cases_;
    const char* table_;
    std::uint32_t last_ = CaseSnapshot::npos;
    std::string last_id_;
};

/// Child rows of `child_sql` (first column: the parent id, in parent id order) attached to
/// the parents `ids` (ascending): calls row(parent, stmt) for each child row of a parent,
/// and close(parent) once per parent, in order, after its children. Child rows of other
/// parents are skipped. Both orders are SQLite's BINARY collation, that of
/// std::string_view::compare.
template <class Row, class Close>
void merge_children(sqlite3* db, const std::string& child_sql, const Ids& ids, Row row,
                    Close close) {
    const Stmt s = prepare(db, child_sql);
    std::size_t p = 0;
    while (p < ids.size() && step(db, s.get())) {
        const std::string_view parent = text(s.get(), 0);
        while (p < ids.size() && ids[p] < parent) close(p++);
        if (p < ids.size() && ids[p] == parent) row(p, s.get());
    }
    while (p < ids.size()) close(p++);
}

void read_journeys(sqlite3* db, const std::string& contract, ContractData& d,
                   std::vector<std::uint8_t>& in_contract) {
    Persons persons(*d.cases, "journeys");
    Coder reasons(d.exit_reasons);
    Ids ids;
    {
        const Stmt s = prepare(db,
                               "SELECT journey_id, person_id, action, entry_date, "
                               "referral_source, exit_date, exit_reason FROM journeys "
                               "WHERE +contract_id = ?1 ORDER BY journey_id");
        bind_text(db, s.get(), 1, contract);
        auto& j = d.journeys;
        while (step(db, s.get())) {
            ids.push(text(s.get(), 0));
            const std::uint32_t person = persons.index(text(s.get(), 1));
            in_contract[person] = 1;
            j.person.push_back(person);
            j.action.push_back(sqlite3_column_int(s.get(), 2));
            j.entry.push_back(sqlite3_column_int(s.get(), 3));
            j.referral_source.push_back(code_of<ReferralSource>(text(s.get(), 4), "journeys"));
            j.exit.push_back(date_or_none(s.get(), 5));
            j.exit_reason.push_back(is_null(s.get(), 6) ? no_index
                                                        : reasons.code(text(s.get(), 6)));
        }
    }
    auto& st = d.steps;
    auto& begin = d.journeys.step_begin;
    begin.reserve(ids.size() + 1);
    merge_children(
        db, "SELECT journey_id, step, date FROM steps ORDER BY journey_id, position", ids,
        [&](std::size_t, sqlite3_stmt* s) {
            st.kind.push_back(code_of<StepKind>(text(s, 1), "steps"));
            st.date.push_back(sqlite3_column_int(s, 2));
        },
        [&](std::size_t) { begin.push_back(static_cast<std::uint32_t>(st.size())); });
}

void read_activities(sqlite3* db, const std::string& contract, ContractData& d) {
    Persons persons(*d.cases, "participations");
    Coder types(d.activity_types), structures(d.structures);
    Ids ids;
    {
        const Stmt s = prepare(db,
                               "SELECT activity_id, action, kind, type, date, hours, "
                               "co_animated, structure FROM activities "
                               "WHERE +contract_id = ?1 ORDER BY activity_id");
        bind_text(db, s.get(), 1, contract);
        auto& a = d.activities;
        while (step(db, s.get())) {
            ids.push(text(s.get(), 0));
            a.action.push_back(sqlite3_column_int(s.get(), 1));
            a.kind.push_back(code_of<ActivityKind>(text(s.get(), 2), "activities"));
            a.type.push_back(types.code(text(s.get(), 3)));
            a.date.push_back(sqlite3_column_int(s.get(), 4));
            a.hours.push_back(sqlite3_column_double(s.get(), 5));
            a.co_animated.push_back(sqlite3_column_int(s.get(), 6) != 0 ? 1 : 0);
            a.structure.push_back(structures.code(text(s.get(), 7)));
        }
    }
    auto& p = d.participations;
    auto& begin = d.activities.participation_begin;
    begin.reserve(ids.size() + 1);
    merge_children(
        db,
        "SELECT activity_id, person_id, satisfaction FROM participations "
        "ORDER BY activity_id, person_id",
        ids,
        [&](std::size_t, sqlite3_stmt* s) {
            p.person.push_back(persons.index(text(s, 1)));
            p.satisfaction.push_back(
                is_null(s, 2) ? 0 : static_cast<std::uint8_t>(sqlite3_column_int(s, 2)));
        },
        [&](std::size_t) { begin.push_back(static_cast<std::uint32_t>(p.size())); });
}

void read_volunteering(sqlite3* db, ContractData& d, const std::vector<std::uint8_t>& in_contract) {
    Persons persons(*d.cases, "volunteering");
    Coder kinds(d.association_types);
    const Stmt s = prepare(db,
                           "SELECT person_id, kind, start, \"end\", association_type "
                           "FROM volunteering ORDER BY person_id, kind, start");
    auto& v = d.volunteering;
    while (step(db, s.get())) {
        const std::uint32_t person = persons.index(text(s.get(), 0));
        if (!in_contract[person]) continue;
        v.person.push_back(person);
        v.kind.push_back(code_of<VolunteeringKind>(text(s.get(), 1), "volunteering"));
        v.start.push_back(sqlite3_column_int(s.get(), 2));
        v.end.push_back(date_or_none(s.get(), 3));
        v.association_type.push_back(kinds.code(text(s.get(), 4)));
    }
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
    const Stmt s = prepare(db,
                           "SELECT household_id, date, housing_type FROM housing_moves "
                           "ORDER BY household_id, date");
    auto& h = d.housing;
    while (step(db, s.get())) {
        const std::uint32_t code = households.find(text(s.get(), 0));
        if (code == no_index) continue;
        h.household.push_back(code);
        h.date.push_back(sqlite3_column_int(s.get(), 1));
        h.housing_type.push_back(code_of<HousingType>(text(s.get(), 2), "housing_moves"));
    }
}

void read_small_tables(sqlite3* db, const ContractId& contract, ContractData& d) {
    {
        const Stmt s = prepare(db,
                               "SELECT action, partner, theme, date FROM partnerships "
                               "WHERE contract_id = ?1 ORDER BY action, partner, theme, date");
        bind_text(db, s.get(), 1, contract.str());
        while (step(db, s.get())) {
            Partnership p;
            p.contract_id = contract;
            p.action = sqlite3_column_int(s.get(), 0);
            p.partner = std::string(text(s.get(), 1));
            p.theme = std::string(text(s.get(), 2));
            p.date = Date::from_days(sqlite3_column_int(s.get(), 3));
            d.partnerships.push_back(std::move(p));
        }
    }
    const Stmt s = prepare(db,
                           "SELECT action, total_cost, subsidy_p104 FROM costs "
                           "WHERE contract_id = ?1 ORDER BY action");
    bind_text(db, s.get(), 1, contract.str());
    while (step(db, s.get())) {
        Cost c;
        c.contract_id = contract;
        c.action = sqlite3_column_int(s.get(), 0);
        c.total_cost = sqlite3_column_double(s.get(), 1);
        c.subsidy_p104 = sqlite3_column_double(s.get(), 2);
        d.costs.push_back(c);
    }
}

}  // namespace

std::shared_ptr<const ContractData> Store::contract_data(const ContractId& contract) const {
    return detail::guard([&]() -> std::shared_ptr<const ContractData> {
        auto& impl = *impl_;
        impl.require_contract(contract);
        if (impl.contract_data && impl.depth == 0 && impl.contract_data->contract_id == contract &&
            impl.db->getTotalChanges() == impl.contract_data_changes &&
            impl.data_version() == impl.contract_data_data_version)
            return impl.contract_data;
        const detail::ReadSnapshot snapshot(impl);
        const std::int64_t version = impl.data_version();
        const std::int64_t changes = impl.db->getTotalChanges();
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
        read_journeys(db, contract.str(), *d, in_contract);
        read_activities(db, contract.str(), *d);
        read_volunteering(db, *d, in_contract);
        read_housing(db, *d, in_contract);
        read_small_tables(db, contract, *d);
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
