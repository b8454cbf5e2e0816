// Every case of the store, in person id order: Store::for_each_case, Store::all_cases and
// the case snapshot. Five cursors (persons, permits, protections, situations, nationalities;
// each table is
// keyed by person_id first, so each is one scan in key order) merged in one pass, read
// through the raw SQLite C API: text as pointer + length compared and copied once, integers
// straight into the dates, no wrapper object (nor shared_ptr copy) per value, no std::string
// built to compare a child row's person id.

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "storage/sqlite_c.hpp"
#include "storage/store_impl.hpp"

namespace ctai::detail {
namespace {

namespace sc = sqlite_c;

// A text or nullable value through one sqlite3_column_value() call, then the
// sqlite3_value_* accessors: sqlite3_column_text() + sqlite3_column_bytes() (or _type() +
// _int64()) would locate the column and run the API epilogue twice. SQLite calls the value
// "unprotected" (its connection mutex is not held while it is read): the store's connection
// is opened with SQLITE_OPEN_NOMUTEX and used by one thread at a time (store_admin.cpp), so
// there is no mutex to hold and the accessors behave exactly as the sqlite3_column_* ones.
sqlite3_value* value_at(sqlite3_stmt* s, int i) { return sqlite3_column_value(s, i); }
bool is_null(sqlite3_value* v) { return sqlite3_value_type(v) == SQLITE_NULL; }
/// The text of a value ("" for NULL), valid until the next step.
std::string_view text_of(sqlite3_value* v) {
    const unsigned char* p = sqlite3_value_text(v);  // before _bytes (SQLite's rule)
    const int n = sqlite3_value_bytes(v);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}
std::string_view text_at(sqlite3_stmt* s, int i) { return text_of(value_at(s, i)); }
/// a == b for the short texts of this file (ids, codes), inline and a word at a time: no
/// library call, no loop per byte (the last word overlaps the one before it).
bool same_text(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    if (n >= 8) {
        std::uint64_t x, y;
        for (std::size_t k = 0; k + 8 < n; k += 8) {
            std::memcpy(&x, p + k, 8);
            std::memcpy(&y, q + k, 8);
            if (x != y) return false;
        }
        std::memcpy(&x, p + n - 8, 8);
        std::memcpy(&y, q + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        std::uint32_t x0, y0, x1, y1;
        std::memcpy(&x0, p, 4);
        std::memcpy(&y0, q, 4);
        std::memcpy(&x1, p + n - 4, 4);
        std::memcpy(&y1, q + n - 4, 4);
        return x0 == y0 && x1 == y1;
    }
    for (std::size_t k = 0; k < n; ++k)
        if (p[k] != q[k]) return false;
    return true;
}
/// The value spelled `text` in vocab.hpp's table, or from_string's ValidationError (the
/// same answer as Query::enumv: the table is searched in the same order).
template <class E>
E enum_of(std::string_view text) {
    const auto& names = EnumTraits<E>::names;
    for (std::size_t k = 0; k < names.size(); ++k)
        if (same_text(names[k], text)) return static_cast<E>(k);
    return from_string<E>(text);  // throws
}
template <class E>
E enum_at(sqlite3_stmt* s, int i) {
    return enum_of<E>(text_at(s, i));
}
Date date_of(sqlite3_value* v) {
    return Date::from_days(static_cast<std::int32_t>(sqlite3_value_int64(v)));
}
/// A NOT NULL date column: one call.
Date date_at(sqlite3_stmt* s, int i) {
    return Date::from_days(static_cast<std::int32_t>(sqlite3_column_int64(s, i)));
}
std::optional<Date> opt_date_at(sqlite3_stmt* s, int i) {
    sqlite3_value* v = value_at(s, i);
    if (is_null(v)) return std::nullopt;
    return date_of(v);
}

/// `text` split on '|' into `out` (cleared first): nothing for "", else every piece,
/// empty ones included (as split() of store_read.cpp).
void split_into(std::string_view text, std::vector<std::string>& out) {
    out.clear();
    if (text.empty()) return;
    std::size_t pieces = 1;
    for (const char ch : text) pieces += ch == '|' ? 1 : 0;
    out.reserve(pieces);
    std::size_t start = 0;
    for (;;) {
        const auto pos = text.find('|', start);
        out.emplace_back(text.substr(start, pos == std::string_view::npos ? pos : pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
}

/// Assigns every field of `p` (which may have been moved from) from a persons row (`id`:
/// its column 0, read by the cursor) of
/// "SELECT person_id, sex, birth_date, birth_precision, nationalities, household_id,
/// department, cir_status, cir_date, rejoining_family_of, last_contact".
void read_person_row(sqlite3_stmt* s, std::string_view id, Person& p) {
    p.id = PersonId{id};
    p.sex = enum_at<Sex>(s, 1);
    if (sqlite3_value* birth = value_at(s, 2); !is_null(birth))
        p.birth_date = PartialDate{date_of(birth), enum_at<DatePrecision>(s, 3)};
    else
        p.birth_date.reset();
    split_into(text_at(s, 4), p.nationalities);
    if (sqlite3_value* household = value_at(s, 5); !is_null(household))
        p.household_id = HouseholdId{text_of(household)};
    else
        p.household_id.reset();
    const auto department = text_at(s, 6);
    p.department.assign(department.data(), department.size());
    p.cir_status = enum_at<CirStatus>(s, 7);
    p.cir_date = opt_date_at(s, 8);
    if (sqlite3_value* family = value_at(s, 9); !is_null(family))
        p.rejoining_family_of = PersonId{text_of(family)};
    else
        p.rejoining_family_of.reset();
    p.last_contact = opt_date_at(s, 10);
}

/// One statement stepped by the merge, with the person id of its current row (read once
/// per row, not once per comparison).
struct Cursor {
    sqlite3* db;
    sc::Stmt stmt;
    bool row = false;
    std::string_view person;  // valid until the next step

    Cursor(sqlite3* d, const std::string& sql) : db(d), stmt(sc::prepare(d, sql)) {}
    sqlite3_stmt* get() const { return stmt.get(); }
    void next() {
        row = sc::step(db, stmt.get());
        if (row) person = text_at(stmt.get(), 0);
    }
    /// On a row of person `id`.
    bool at(std::string_view id) const { return row && same_text(person, id); }
};

/// The merge. `next_case()` returns the PersonCase to fill (fresh, or one given before,
/// possibly moved from: every field is assigned); `done(c)` is called once it is filled.
template <class Next, class Done>
void read_cases(StoreImpl& impl, Next&& next_case, Done&& done) {
    sqlite3* db = impl.db->getHandle();
    Cursor persons(db,
                   "SELECT person_id, sex, birth_date, birth_precision, nationalities, "
                   "household_id, department, cir_status, cir_date, rejoining_family_of, "
                   "last_contact FROM persons ORDER BY person_id");
    Cursor permits(db,
                   "SELECT person_id, kind, motive, valid_from, valid_to FROM permits "
                   "ORDER BY person_id, position");
    Cursor protections(db,
                       "SELECT person_id, type, authority, decision_date, notification_date, "
                       "displaced_on, end_date FROM protections ORDER BY person_id, position");
    Cursor situations(db,
                      "SELECT person_id, situation, start, \"end\" FROM situations "
                      "ORDER BY person_id, position");
    Cursor nationalities(db,
                         "SELECT person_id, nationality, acquired_on, lost_on FROM nationalities "
                         "ORDER BY person_id, position");
    permits.next();
    protections.next();
    situations.next();
    nationalities.next();
    // Rows of one person gathered here, then copied once into vectors of the exact size.
    std::vector<Permit> permit_rows;
    std::vector<Protection> protection_rows;
    std::vector<Situation> situation_rows;
    for (persons.next(); persons.row; persons.next()) {
        PersonCase& c = next_case();
        read_person_row(persons.get(), persons.person, c.person);
        const std::string_view id = c.person.id.str();

        permit_rows.clear();
        for (; permits.at(id); permits.next()) {
            sqlite3_stmt* s = permits.get();
            permit_rows.push_back(Permit{enum_at<PermitKind>(s, 1), enum_at<Motive>(s, 2),
                                         date_at(s, 3), opt_date_at(s, 4)});
        }
        c.permits.assign(permit_rows.begin(), permit_rows.end());

        protection_rows.clear();
        for (; protections.at(id); protections.next()) {
            sqlite3_stmt* s = protections.get();
            protection_rows.push_back(Protection{enum_at<ProtectionType>(s, 1),
                                                 enum_at<Authority>(s, 2), date_at(s, 3),
                                                 opt_date_at(s, 4), opt_date_at(s, 5),
                                                 opt_date_at(s, 6)});
        }
        c.protections.assign(protection_rows.begin(), protection_rows.end());

        situation_rows.clear();
        for (; situations.at(id); situations.next()) {
            sqlite3_stmt* s = situations.get();
            situation_rows.push_back(
                Situation{enum_at<SituationKind>(s, 1), date_at(s, 2), opt_date_at(s, 3)});
        }
        c.situations.assign(situation_rows.begin(), situation_rows.end());

        // Dated nationalities (R1): few persons have any; no buffer.
        c.nationalities.clear();
        for (; nationalities.at(id); nationalities.next()) {
            sqlite3_stmt* s = nationalities.get();
            const auto code = text_at(s, 1);
            c.nationalities.push_back(DatedNationality{std::string(code.data(), code.size()),
                                                       opt_date_at(s, 2), opt_date_at(s, 3)});
        }

        done(c);
    }
}

}  // namespace

void for_each_case_impl(StoreImpl& impl, const std::function<void(PersonCase&)>& f) {
    // One PersonCase reused: what f copies or leaves costs no new allocation next time.
    PersonCase c;
    read_cases(impl, [&]() -> PersonCase& { return c; }, [&](PersonCase& filled) { f(filled); });
}

std::vector<PersonCase> read_all_cases(StoreImpl& impl) {
    std::vector<PersonCase> out;
    {
        // A hint only (rows may be added before the scan of another read): no reallocation
        // (each one moves every case) when it holds.
        sqlite3* db = impl.db->getHandle();
        const auto count = sc::prepare(db, "SELECT count(*) FROM persons");
        if (sc::step(db, count.get()))
            out.reserve(static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0)));
    }
    read_cases(impl, [&]() -> PersonCase& { return out.emplace_back(); }, [](PersonCase&) {});
    return out;
}

}  // namespace ctai::detail
