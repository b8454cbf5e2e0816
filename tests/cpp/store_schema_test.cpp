// The store file: creation, identity, migrations, golden schema, vocabulary CHECK lists,
// file mode, WAL, ISO views; the v1 -> v2 migration of a file with data; the persisted
// data fingerprint; the v2 -> v3 migration (step summary of journeys) of a file with data.
#include <ctai/store.hpp>
#include <ctai/synthetic.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <latch>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <tuple>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "embedded.hpp"
#include "storage/store_impl.hpp"
#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::spawn;
using ctai::test::wait_exit_code;
using ctai::test::d;
using ctai::test::TempDir;

// The schema as `sqlite_master` sql, one statement per entry, in a stable order.
std::string schema_dump(SQLite::Database& db) {
    std::string out;
    SQLite::Statement q(db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT "
                            "LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN "
                            "'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, name");
    while (q.executeStep()) out += q.getColumn(0).getString() + ";\n";
    return out;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

const std::filesystem::path golden_dir = std::filesystem::path(CTAI_TEST_DATA_DIR) / "schema";

TEST(StoreSchema, InMemoryStoreIsAtTheLatestVersion) {
    auto store = Store::open(":memory:");
    EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
    EXPECT_GE(Store::latest_schema_version(), 1);
    EXPECT_EQ(store.integrity_check(), "ok");
}

TEST(StoreSchema, FreshStoreMatchesTheGoldenDumpOfTheLatestVersion) {
    TempDir dir;
    const auto file = dir.file("fresh.db");
    { auto store = Store::open(file); }
    SQLite::Database db(file.string());
    const auto golden = golden_dir / ("v" + std::to_string(Store::latest_schema_version()) + ".sql");
    ASSERT_TRUE(std::filesystem::exists(golden))
        << "add the golden dump of the new schema version: " << golden;
    EXPECT_EQ(schema_dump(db), read_file(golden));
    EXPECT_EQ(db.execAndGet("PRAGMA application_id").getInt(), store_application_id);
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), Store::latest_schema_version());
}

TEST(StoreSchema, EveryOldSchemaDumpMigratesToExactlyTheFreshSchema) {
    TempDir dir;
    std::string fresh;
    {
        const auto file = dir.file("fresh.db");
        { auto store = Store::open(file); }
        SQLite::Database db(file.string());
        fresh = schema_dump(db);
    }
    for (int v = 1; v <= Store::latest_schema_version(); ++v) {
        const auto golden = golden_dir / ("v" + std::to_string(v) + ".sql");
        ASSERT_TRUE(std::filesystem::exists(golden)) << golden;
        const auto file = dir.file("old-v" + std::to_string(v) + ".db");
        {
            SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            db.exec(read_file(golden));
            db.exec("PRAGMA user_version = " + std::to_string(v));
            db.exec("PRAGMA application_id = " + std::to_string(store_application_id));
        }
        {
            auto store = Store::open(file);
            EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
        }
        SQLite::Database db(file.string());
        EXPECT_EQ(schema_dump(db), fresh) << "from v" << v;
    }
}

TEST(StoreSchema, ANewerFileIsRefused) {
    TempDir dir;
    const auto file = dir.file("newer.db");
    { auto store = Store::open(file); }
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = " + std::to_string(Store::latest_schema_version() + 1));
    }
    try {
        auto store = Store::open(file);
        FAIL() << "opened a file newer than the library";
    } catch (const SchemaVersionError& e) {
        EXPECT_EQ(e.found(), Store::latest_schema_version() + 1);
        EXPECT_EQ(e.supported(), Store::latest_schema_version());
    }
}

TEST(StoreSchema, AForeignSqliteFileIsRefusedAndLeftUntouched) {
    TempDir dir;
    const auto file = dir.file("other.db");
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE t (x INTEGER)");
    }
    EXPECT_THROW(Store::open(file), SchemaVersionError);
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA application_id = 1234");
    }
    EXPECT_THROW(Store::open(file), SchemaVersionError);
    SQLite::Database db(file.string());
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM sqlite_master").getInt(), 1);
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 0);
}

TEST(StoreSchema, ANonSqliteFileIsAStorageError) {
    TempDir dir;
    const auto file = dir.file("notes.db");
    std::ofstream(file) << "this is not a database, just some text long enough to be a header";
    try {
        auto store = Store::open(file);
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.code(), 26);  // SQLITE_NOTADB
    }
}

TEST(StoreSchema, MustExistRefusesAMissingFile) {
    TempDir dir;
    StoreOptions o;
    o.must_exist = true;
    EXPECT_THROW(Store::open(dir.file("missing.db"), o), StorageError);
    EXPECT_FALSE(std::filesystem::exists(dir.file("missing.db")));
}

TEST(StoreSchema, NewFileIsReadableByItsOwnerOnly) {
    TempDir dir;
    const auto file = dir.file("private.db");
    const mode_t old = ::umask(0);  // even with a permissive umask
    {
        auto store = Store::open(file);
        store.put_person(ctai::test::primo("P1").person);
        struct stat st {};
        ASSERT_EQ(::stat(file.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        const auto wal = file.string() + "-wal";
        ASSERT_EQ(::stat(wal.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
    }
    ::umask(old);
}

TEST(StoreSchema, FileStoreUsesWalAndForeignKeys) {
    TempDir dir;
    const auto file = dir.file("wal.db");
    { auto store = Store::open(file); }
    SQLite::Database db(file.string());
    EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

// Every vocabulary CHECK list of the schema equals the spelling table of its enum.
template <class E>
void expect_check_list(SQLite::Database& db, const std::string& table, const std::string& column) {
    const std::string sql =
        db.execAndGet("SELECT sql FROM sqlite_master WHERE name = '" + table + "'").getString();
    // Written `CHECK (c = 'a' OR c = 'b' ...)` (an IN list costs an ephemeral table per row).
    const std::regex re("CHECK \\((" + column + " = '[^']*'(?: OR " + column +
                        " = '[^']*')*)\\)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(sql, m, re)) << table << "." << column;
    std::vector<std::string> found;
    const std::string list = m[1];
    const std::regex item("'([^']*)'");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), item); it != std::sregex_iterator();
         ++it)
        found.push_back((*it)[1]);
    const auto names = enum_names<E>();
    EXPECT_EQ(found, std::vector<std::string>(names.begin(), names.end())) << table << "." << column;
}

TEST(StoreSchema, VocabularyCheckListsEqualTheEnumSpellings) {
    TempDir dir;
    const auto file = dir.file("vocab.db");
    { auto store = Store::open(file); }
    SQLite::Database db(file.string());
    expect_check_list<Sex>(db, "persons", "sex");
    expect_check_list<DatePrecision>(db, "persons", "birth_precision");
    expect_check_list<CirStatus>(db, "persons", "cir_status");
    expect_check_list<PermitKind>(db, "permits", "kind");
    expect_check_list<Motive>(db, "permits", "motive");
    expect_check_list<ProtectionType>(db, "protections", "type");
    expect_check_list<Authority>(db, "protections", "authority");
    expect_check_list<SituationKind>(db, "situations", "situation");
    expect_check_list<ReferralSource>(db, "journeys", "referral_source");
    expect_check_list<StepKind>(db, "steps", "step");
    expect_check_list<HousingType>(db, "agir_supports", "exit_housing");
    expect_check_list<ExitActivity>(db, "agir_supports", "exit_activity");
    expect_check_list<Need>(db, "referrals", "need");
    expect_check_list<ReferralStatus>(db, "referrals", "status");
    expect_check_list<ActivityKind>(db, "activities", "kind");
    expect_check_list<VolunteeringKind>(db, "volunteering", "kind");
    expect_check_list<HousingType>(db, "housing_moves", "housing_type");
}

// A journey row without its step summary (schema v3 columns, which have defaults).
constexpr const char* journey_insert =
    "INSERT INTO journeys (journey_id, person_id, contract_id, action, entry_date, "
    "referral_source, exit_date, exit_reason, override_reason) VALUES ";

TEST(StoreSchema, ConstraintsRefuseWhatTheApiWouldNeverWrite) {
    TempDir dir;
    const auto file = dir.file("checks.db");
    {
        auto store = Store::open(file);
        store.put_case(ctai::test::refugee("P1"));
    }
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA foreign_keys = ON");
    EXPECT_THROW(db.exec("UPDATE persons SET sex = 'x'"), SQLite::Exception);
    EXPECT_THROW(db.exec(std::string(journey_insert) + "('J', 'P1', 'c', 1, 100, 'self', 99, "
                                                       "'autonomy', NULL)"),
                 SQLite::Exception);  // exit before entry
    EXPECT_THROW(db.exec(std::string(journey_insert) + "('J', 'NOBODY', 'c', 1, 100, 'self', NULL, "
                                                       "NULL, NULL)"),
                 SQLite::Exception);  // foreign key
    EXPECT_THROW(db.exec("DELETE FROM audit_log"), SQLite::Exception);
}

TEST(StoreSchema, IsoViewsShowDayNumbersAsDates) {
    TempDir dir;
    const auto file = dir.file("views.db");
    {
        auto store = Store::open(file);
        auto c = ctai::test::refugee("P1");
        store.put_case(c);
    }
    SQLite::Database db(file.string());
    EXPECT_EQ(db.execAndGet("SELECT birth_date FROM v_persons").getString(), "1995-06-01");
    EXPECT_EQ(db.execAndGet("SELECT valid_from FROM v_permits").getString(), "2023-05-01");
    EXPECT_EQ(db.execAndGet("SELECT decision_date FROM v_protections").getString(), "2023-03-10");
    EXPECT_EQ(db.execAndGet("SELECT valid_from FROM permits").getInt64(), d("2023-05-01").days());
}

// ---- schema v2: the v1 -> v2 migration of a file with data -------------------------------

// Every table with rows, and its key order.
const std::vector<std::pair<std::string, std::string>> keyed_tables = {
    {"persons", "person_id"},
    {"permits", "person_id, position"},
    {"protections", "person_id, position"},
    {"situations", "person_id, position"},
    {"contracts", "contract_id"},
    {"journeys", "journey_id"},
    {"steps", "journey_id, position"},
    {"agir_supports", "person_id, orientation_date"},
    {"referrals", "referral_id"},
    {"activities", "activity_id"},
    {"participations", "activity_id, person_id"},
    {"volunteering", "person_id, kind, start"},
    {"housing_moves", "household_id, date"},
    {"partnerships", "contract_id, action, partner, theme, date"},
    {"costs", "contract_id, action"},
    {"audit_log", "seq"},
};

// Every row of `table` in key order (the columns `select`), each value with its storage
// class (REAL as its bits).
std::vector<std::string> rows_of(SQLite::Database& db, const std::string& table,
                                 const std::string& order, const std::string& select = "*") {
    std::vector<std::string> out;
    SQLite::Statement q(db, "SELECT " + select + " FROM " + table + " ORDER BY " + order);
    while (q.executeStep()) {
        std::string row;
        for (int i = 0; i < q.getColumnCount(); ++i) {
            const auto c = q.getColumn(i);
            row += std::to_string(c.getType()) + ':';
            if (c.isFloat()) {
                const double v = c.getDouble();
                std::uint64_t bits = 0;
                std::memcpy(&bits, &v, sizeof bits);
                row += std::to_string(bits);
            } else {
                row += c.getString();
            }
            row += '\x1f';
        }
        out.push_back(std::move(row));
    }
    return out;
}

// The columns a later migration added to a table, derived from other rows (v3: the step
// summary of journeys). Left out when a migrated file is compared with its content before
// the migration; the migration tests check them apart.
using ColumnsOf = std::map<std::string, std::vector<std::string>>;
const ColumnsOf added_in_v3 = {{"journeys", {"step_count", "end_step_date"}}};

// The columns of `table` (in the main schema first) but `without`, quoted, comma-separated.
std::string column_list(SQLite::Database& db, const std::string& table,
                        const std::vector<std::string>& without = {}) {
    std::string out;
    SQLite::Statement q(db, "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid");
    while (q.executeStep()) {
        const std::string name = q.getColumn(0).getString();
        if (std::find(without.begin(), without.end(), name) != without.end()) continue;
        out += (out.empty() ? "\"" : ", \"") + name + '"';
    }
    return out;
}

// Every row of every table, the columns (name, type, not null, default, key) and the
// foreign keys of each table; the columns of `without` left out.
std::map<std::string, std::vector<std::string>> content_of(SQLite::Database& db,
                                                           const ColumnsOf& without = {}) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [table, order] : keyed_tables) {
        const auto it = without.find(table);
        const std::vector<std::string> left_out =
            it == without.end() ? std::vector<std::string>{} : it->second;
        out[table] = rows_of(db, table, order, column_list(db, table, left_out));
        std::string info = "pragma_table_info('" + table + "') WHERE 1";
        for (const auto& c : left_out) info += " AND name <> '" + c + "'";
        out[table + " columns"] = rows_of(db, info, "cid");
        out[table + " foreign keys"] =
            rows_of(db, "pragma_foreign_key_list('" + table + "')", "id, seq");
    }
    return out;
}

std::vector<std::string> without_rowid_tables(SQLite::Database& db) {
    std::vector<std::string> out;
    SQLite::Statement q(db, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND "
                            "wr = 1 ORDER BY name");
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

std::int64_t count_rows(SQLite::Database& db, const std::string& sql) {
    return db.execAndGet(sql).getInt64();
}

// Writes a synthetic cohort with the Store API in an order the R6/R7 rules accept, plus a
// loaded contract and a row in every table, then anonymises part of it: every table and
// every kind of audit row (insert, update, anonymise, redacted) has rows.
void fill_every_table(Store& store) {
    CohortOptions co;
    co.persons = 120;
    const Dataset data = generate_cohort(co);
    ctai::test::put_dataset(store, data);
    const ContractId contract{ctai::test::contract_2024};
    auto loaded = store.contract(contract);
    loaded.id = ContractId{"test-territory-2025"};
    store.put_contract(loaded);
    auto c = ctai::test::refugee("P-MIG-1");
    c.situations.push_back(Situation{SituationKind::asylum_seeker, d("2022-05-01"), d("2023-03-10")});
    store.put_case(c);
    auto family = ctai::test::primo("P-MIG-2");
    family.person.rejoining_family_of = PersonId{"P-MIG-1"};
    store.put_case(family);
    const auto j = store.enroll(PersonId{"P-MIG-1"}, contract, 1, d("2023-10-20"),
                                ReferralSource::social_worker,
                                EnrollOptions{JourneyId{"J-MIG-1"}, std::nullopt, std::nullopt});
    store.add_step(j, StepKind::diagnosis, d("2023-10-27"));
    store.put_agir_support(AgirSupport{PersonId{"P-MIG-1"}, d("2023-12-15"), d("2024-01-08"),
                                       d("2024-03-29"), HousingType::social_rental,
                                       ExitActivity::cdd, 6});
    store.propose_referral(PersonId{"P-MIG-1"}, "agir", "dijon-2023-2024:4", Need::housing,
                           d("2024-03-25"), ReferralId{"R-MIG-1"});
    store.put_activity(Activity{ActivityId{"A-MIG-1"}, contract, 1, ActivityKind::workshop,
                                "langue", d("2024-02-01"), 2.5, true, "MJC"});
    store.put_participation(Participation{ActivityId{"A-MIG-1"}, PersonId{"P-MIG-1"}, 4});
    store.put_volunteering(Volunteering{PersonId{"P-MIG-1"}, VolunteeringKind::membership,
                                        d("2024-01-01"), std::nullopt, "sport"});
    store.put_housing_move(HousingMove{HouseholdId{"H-P-MIG-1"}, d("2024-07-15"),
                                       HousingType::social_rental});
    store.put_partnership(Partnership{contract, 2, "ADOMA", "logement", d("2024-01-05")});
    store.put_cost(Cost{loaded.id, 1, 1000.25, 500.5});
    store.put_cost(Cost{loaded.id, 1, 1200.75, 500.5});  // an update row in the audit log
    store.anonymize_expired(d("2026-08-01"));
}

// A file as the library of schema `version` left it: the embedded migrations up to
// `version` (as the runner applies them), then `source`'s rows (audit log with its seq)
// copied in, the columns of that version only.
void write_old_file(const std::filesystem::path& file, const std::filesystem::path& source,
                    int version) {
    const auto migrations = ctai::detail::embedded_migrations();
    ASSERT_GT(migrations.size(), static_cast<std::size_t>(version));
    ASSERT_EQ(migrations[0].name, "0001_initial.sql");
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA journal_mode = WAL");
    for (int v = 1; v <= version; ++v) {
        db.exec("BEGIN IMMEDIATE");
        db.exec(std::string(migrations[static_cast<std::size_t>(v - 1)].content));
        db.exec("PRAGMA user_version = " + std::to_string(v));
        db.exec("PRAGMA application_id = " + std::to_string(store_application_id));
        db.exec("COMMIT");
    }
    db.exec("ATTACH DATABASE '" + source.string() + "' AS src");
    db.exec("BEGIN IMMEDIATE");
    for (const auto& [table, order] : keyed_tables) {
        const std::string cols = column_list(db, table);  // the file's columns
        db.exec("INSERT INTO main." + table + " (" + cols + ") SELECT " + cols + " FROM src." +
                table + " ORDER BY " + order);
    }
    db.exec("COMMIT");
    db.exec("DETACH DATABASE src");
    if (version == 1) {
        ASSERT_TRUE(db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'audit_log'")
                        .getString()
                        .find("AUTOINCREMENT") != std::string::npos);
        ASSERT_EQ(count_rows(db, "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"),
                  count_rows(db, "SELECT max(seq) FROM audit_log"));
    }
}

void write_v1_file(const std::filesystem::path& file, const std::filesystem::path& source) {
    write_old_file(file, source, 1);
}

TEST(StoreSchemaV2, AV1FileWithDataMigratesKeepingEveryRowTheFingerprintAndTheRules) {
    TempDir dir;
    const auto source = dir.file("source.db");
    const auto file = dir.file("v1.db");
    DataFingerprint expected;
    {
        auto store = Store::open(source);
        fill_every_table(store);
        expected = store.fingerprint();
    }
    write_v1_file(file, source);
    std::map<std::string, std::vector<std::string>> before;
    {
        SQLite::Database db(file.string());
        before = content_of(db);
        for (const auto& [table, order] : keyed_tables)
            EXPECT_FALSE(before[table].empty()) << "no row in " << table;
        EXPECT_GT(count_rows(db, "SELECT count(*) FROM audit_log WHERE operation = 'anonymise'"), 0);
        EXPECT_GT(count_rows(db, "SELECT count(*) FROM audit_log WHERE operation = 'update'"), 0);
        EXPECT_GT(count_rows(db, "SELECT count(*) FROM persons WHERE anonymised_on IS NOT NULL"), 0);
        EXPECT_GT(count_rows(db, "SELECT count(*) FROM persons WHERE rejoining_family_of IS NOT NULL"), 0);
        EXPECT_EQ(without_rowid_tables(db), std::vector<std::string>{});
        EXPECT_EQ(expected.change_counter, count_rows(db, "SELECT max(seq) FROM audit_log"));
    }

    auto store = Store::open(file);  // migrates
    EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
    EXPECT_EQ(store.integrity_check(), "ok");
    const auto f = store.fingerprint();
    EXPECT_EQ(f.sha256, expected.sha256);
    EXPECT_EQ(f.change_counter, expected.change_counter);
    std::string person, contract;  // an open journey
    int action = 0;
    std::int32_t entry = 0;
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("PRAGMA foreign_keys = ON");
        const auto after = content_of(db, added_in_v3);
        for (const auto& [what, rows] : before) EXPECT_EQ(after.at(what), rows) << what;
        EXPECT_EQ(count_rows(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
        EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
        EXPECT_EQ(schema_dump(db),
                  read_file(golden_dir / ("v" + std::to_string(Store::latest_schema_version()) + ".sql")));
        EXPECT_EQ(without_rowid_tables(db),
                  (std::vector<std::string>{"activities", "agir_supports", "costs", "housing_moves",
                                            "journeys", "nationalities", "participations",
                                            "partnerships", "permits", "persons", "protections",
                                            "referrals", "situations", "steps", "store_settings",
                                            "volunteering"}));
        EXPECT_EQ(count_rows(db, "SELECT count(*) FROM sqlite_sequence WHERE name = 'audit_log'"), 0);

        // The constraints of v1 hold in v2: CHECK, foreign keys, the partial unique index,
        // the append-only trigger.
        SQLite::Statement j(db, "SELECT person_id, contract_id, action, entry_date FROM journeys "
                                "WHERE exit_date IS NULL ORDER BY journey_id LIMIT 1");
        ASSERT_TRUE(j.executeStep());
        person = j.getColumn(0).getString();
        contract = j.getColumn(1).getString();
        action = j.getColumn(2).getInt();
        entry = static_cast<std::int32_t>(j.getColumn(3).getInt64());
        j.reset();
        SQLite::Statement second(db, std::string(journey_insert) +
                                         "('J-SECOND', ?, ?, ?, ?, 'self', NULL, NULL, NULL)");
        second.bind(1, person);
        second.bind(2, contract);
        second.bind(3, action);
        second.bind(4, entry + 1);
        EXPECT_THROW(second.exec(), SQLite::Exception);  // journeys_one_open
        EXPECT_THROW(db.exec("INSERT INTO permits VALUES ('NOBODY', 0, 'card', 'work', 1, NULL)"),
                     SQLite::Exception);  // foreign key
        EXPECT_THROW(db.exec("UPDATE persons SET sex = 'x'"), SQLite::Exception);
        EXPECT_THROW(db.exec("INSERT INTO steps VALUES ('J-NONE', 0, 'intake', 1)"),
                     SQLite::Exception);
        EXPECT_THROW(db.exec("DELETE FROM audit_log"), SQLite::Exception);
    }
    // R7 through the API: a second open journey for the same person and action.
    try {
        store.enroll(PersonId{person}, ContractId{contract}, action, Date::from_days(entry + 1),
                     ReferralSource::self);
        ADD_FAILURE() << "a second open journey was accepted";
    } catch (const ConflictError& e) {
        EXPECT_EQ(e.rule(), "R7.one_open_journey");
    }
    // Nothing changed, and the next audit row follows the last one.
    EXPECT_EQ(store.fingerprint().sha256, expected.sha256);
    store.put_case(ctai::test::primo("P-AFTER"));
    const auto log = store.audit_log(AuditQuery{std::nullopt, std::nullopt, std::nullopt,
                                                expected.change_counter});
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].seq, expected.change_counter + 1);
    EXPECT_NE(store.fingerprint().sha256, expected.sha256);
}

TEST(StoreSchemaV2, AMigrationLeavingForeignKeyViolationsIsRolledBack) {
    TempDir dir;
    const auto source = dir.file("source.db");
    const auto file = dir.file("broken-v1.db");
    {
        auto store = Store::open(source);
        store.put_case(ctai::test::refugee("P1"));
    }
    write_v1_file(file, source);
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);  // foreign keys off
        db.exec("INSERT INTO permits VALUES ('P-SECRET-NAME', 0, 'card', 'work', 1, NULL)");
    }
    try {
        auto store = Store::open(file);
        FAIL() << "migrated a file with a permit without its person";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.code(), 787);  // SQLITE_CONSTRAINT_FOREIGNKEY
        const std::string message = e.what();
        EXPECT_NE(message.find("permits -> persons"), std::string::npos) << message;
        EXPECT_EQ(message.find("P-SECRET-NAME"), std::string::npos) << message;
    }
    SQLite::Database db(file.string());
    EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 1);
    EXPECT_EQ(without_rowid_tables(db), std::vector<std::string>{});
    EXPECT_EQ(count_rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'fingerprint_cache'"), 0);
    EXPECT_EQ(count_rows(db, "SELECT count(*) FROM permits"), 2);
}

TEST(StoreSchemaV2, TwoProcessesOpeningTheSameV1FileMigrateItOnce) {
    TempDir dir;
    const auto source = dir.file("source.db");
    {
        auto store = Store::open(source);
        fill_every_table(store);
    }
    for (int round = 0; round < 3; ++round) {
        const auto file = dir.file("shared-" + std::to_string(round) + ".db");
        write_v1_file(file, source);
        std::map<std::string, std::vector<std::string>> before;
        {
            SQLite::Database db(file.string());
            before = content_of(db);
        }
        auto opener = [&file] {
            auto store = Store::open(file);
            if (store.schema_version() != Store::latest_schema_version()) throw 1;
            if (store.integrity_check() != "ok") throw 2;
        };
        const pid_t a = spawn(opener);
        const pid_t b = spawn(opener);
        ASSERT_GT(a, 0);
        ASSERT_GT(b, 0);
        EXPECT_EQ(wait_exit_code(a), 0);
        EXPECT_EQ(wait_exit_code(b), 0);
        SQLite::Database db(file.string());
        EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), Store::latest_schema_version());
        const auto after = content_of(db, added_in_v3);
        for (const auto& [what, rows] : before) EXPECT_EQ(after.at(what), rows) << what;
    }
}

// ---- the persisted data fingerprint --------------------------------------------------

std::vector<std::string> fingerprint_rows(const std::filesystem::path& file) {
    SQLite::Database db(file.string());
    return rows_of(db, "fingerprint_cache", "change_counter");
}

std::pair<std::string, std::int64_t> key(const DataFingerprint& f) {
    return {f.sha256, f.change_counter};
}

std::string row(const DataFingerprint& f) {
    return "1:" + std::to_string(f.change_counter) + "\x1f" + "3:" + f.sha256 + "\x1f";
}

TEST(StoreSchemaV2, TheFingerprintIsPersistedAndServedToTheNextStore) {
    TempDir dir;
    const auto file = dir.file("fp.db");
    DataFingerprint first;
    {
        auto store = Store::open(file);
        store.put_case(ctai::test::refugee("P1"));
        store.put_case(ctai::test::primo("P2"));
        EXPECT_TRUE(fingerprint_rows(file).empty());
        const auto snapshot = store.case_snapshot();
        first = store.fingerprint();
        EXPECT_EQ(fingerprint_rows(file), std::vector<std::string>{row(first)});
        EXPECT_EQ(key(store.fingerprint()), key(first));
        // Storing the fingerprint changed no data: the case snapshot is still current.
        EXPECT_EQ(store.case_snapshot().get(), snapshot.get());
    }
    // The same content in another store hashes the same (the value does not depend on
    // the cache).
    {
        auto other = Store::open(":memory:");
        other.put_case(ctai::test::refugee("P1"));
        other.put_case(ctai::test::primo("P2"));
        EXPECT_EQ(other.fingerprint().sha256, first.sha256);
    }
    // A second Store reads the persisted value instead of hashing the tables: a value
    // planted in the file is what it returns.
    const std::string planted(64, 'a');
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("UPDATE fingerprint_cache SET sha256 = '" + planted + "'");
    }
    {
        auto store = Store::open(file);
        EXPECT_EQ(store.fingerprint().sha256, planted);
        EXPECT_EQ(store.fingerprint().change_counter, first.change_counter);
    }
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        db.exec("DELETE FROM fingerprint_cache");
    }
    {
        auto store = Store::open(file);
        EXPECT_EQ(key(store.fingerprint()), key(first));  // recomputed
        EXPECT_EQ(fingerprint_rows(file), std::vector<std::string>{row(first)});
    }
}

TEST(StoreSchemaV2, AnAuditedChangeInvalidatesThePersistedFingerprint) {
    TempDir dir;
    const auto file = dir.file("fp-change.db");
    auto store = Store::open(file);
    store.put_case(ctai::test::refugee("P1"));
    const auto first = store.fingerprint();
    auto reader = Store::open(file);
    EXPECT_EQ(key(reader.fingerprint()), key(first));

    // Inside a transaction: computed, neither kept nor persisted; rolled back, the old
    // value is current again.
    {
        auto tx = store.transaction();
        store.put_case(ctai::test::primo("P2"));
        const auto inside = store.fingerprint();
        EXPECT_NE(inside.sha256, first.sha256);
        EXPECT_GT(inside.change_counter, first.change_counter);
    }
    EXPECT_EQ(fingerprint_rows(file), std::vector<std::string>{row(first)});
    EXPECT_EQ(key(store.fingerprint()), key(first));

    store.put_case(ctai::test::primo("P2"));  // writes an audit row
    const auto second = store.fingerprint();
    EXPECT_NE(second.sha256, first.sha256);
    EXPECT_GT(second.change_counter, first.change_counter);
    EXPECT_EQ(fingerprint_rows(file), std::vector<std::string>{row(second)});  // replaced
    EXPECT_EQ(key(reader.fingerprint()), key(second));  // another connection sees the change
    {
        auto fresh = Store::open(":memory:");
        fresh.put_case(ctai::test::refugee("P1"));
        fresh.put_case(ctai::test::primo("P2"));
        EXPECT_EQ(fresh.fingerprint().sha256, second.sha256);
    }
    // A no-op upsert writes no audit row: same fingerprint.
    EXPECT_FALSE(store.put_case(ctai::test::primo("P2")));
    EXPECT_EQ(key(store.fingerprint()), key(second));
}

TEST(StoreSchemaV2, TheFingerprintNeverWaitsForAnotherWriter) {
    TempDir dir;
    const auto file = dir.file("fp-busy.db");
    auto store = Store::open(file);  // busy timeout 10 s
    store.put_case(ctai::test::refugee("P1"));
    DataFingerprint f;
    {
        SQLite::Database other(file.string(), SQLite::OPEN_READWRITE);
        other.exec("BEGIN IMMEDIATE");  // holds the write lock
        const auto t0 = std::chrono::steady_clock::now();
        f = store.fingerprint();
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
        EXPECT_EQ(f.sha256.size(), 64u);
        EXPECT_EQ(count_rows(other, "SELECT count(*) FROM fingerprint_cache"), 0);  // not stored
        other.exec("ROLLBACK");
    }
    // The store's own busy timeout is back: a write waits for a writer that holds the
    // lock for a moment instead of failing at once.
    std::latch locked(1);
    std::thread holder([&] {
        SQLite::Database other(file.string(), SQLite::OPEN_READWRITE);
        other.exec("BEGIN IMMEDIATE");
        locked.count_down();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        other.exec("ROLLBACK");
    });
    locked.wait();
    EXPECT_NO_THROW(store.put_case(ctai::test::primo("P2")));
    holder.join();
    // The next miss stores its value.
    const auto g = store.fingerprint();
    EXPECT_NE(g.sha256, f.sha256);
    EXPECT_EQ(fingerprint_rows(file), std::vector<std::string>{row(g)});
}

// ---- schema v3: the step summary of journeys --------------------------------------------

// The step columns of every journey computed from the steps table, by journey id.
std::map<std::string, std::pair<std::int32_t, std::int32_t>> step_summary_from_steps(
    const std::filesystem::path& file) {
    SQLite::Database db(file.string());
    std::map<std::string, std::pair<std::int32_t, std::int32_t>> out;
    SQLite::Statement q(db, "SELECT journey_id, (SELECT count(*) FROM steps s WHERE s.journey_id "
                            "= j.journey_id), (SELECT min(date) FROM steps s WHERE s.journey_id = "
                            "j.journey_id AND s.step IN ('follow_on', 'end_of_support')) FROM "
                            "journeys j");
    while (q.executeStep())
        out[q.getColumn(0).getString()] = {
            q.getColumn(1).getInt(), q.getColumn(2).isNull() ? no_date : q.getColumn(2).getInt()};
    return out;
}

TEST(StoreSchemaV3, AV2FileWithDataMigratesKeepingItsFingerprintAndBackfillsTheStepSummary) {
    TempDir dir;
    const auto source = dir.file("source.db");
    const auto file = dir.file("v2.db");
    DataFingerprint expected;
    JourneyColumns want;
    {
        auto store = Store::open(source);
        fill_every_table(store);
        auto j = store.journey(JourneyId{"J-MIG-1"});  // a journey without steps
        j.steps.clear();
        store.put_journey(j);
        expected = store.fingerprint();
        want = store.journeys();
    }
    write_old_file(file, source, 2);
    std::map<std::string, std::vector<std::string>> before;
    {
        SQLite::Database db(file.string());
        EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), 2);
        EXPECT_EQ(count_rows(db, "SELECT count(*) FROM pragma_table_info('journeys') WHERE name = "
                                 "'step_count'"),
                  0);
        before = content_of(db);
        // Journeys without steps, with steps but no end step, with an end step.
        EXPECT_GT(count_rows(db, "SELECT count(*) FROM journeys j WHERE NOT EXISTS (SELECT 1 FROM "
                                 "steps s WHERE s.journey_id = j.journey_id)"),
                  0);
        EXPECT_GT(count_rows(db, "SELECT count(DISTINCT journey_id) FROM steps WHERE step = "
                                 "'end_of_support'"),
                  0);
        EXPECT_GT(count_rows(db, "SELECT count(DISTINCT journey_id) FROM steps WHERE step = "
                                 "'follow_on'"),
                  0);
        EXPECT_GT(count_rows(db, "SELECT count(*) FROM journeys j WHERE NOT EXISTS (SELECT 1 FROM "
                                 "steps s WHERE s.journey_id = j.journey_id AND s.step IN "
                                 "('follow_on', 'end_of_support')) AND EXISTS (SELECT 1 FROM "
                                 "steps s WHERE s.journey_id = j.journey_id)"),
                  0);
    }
    const auto from_steps = step_summary_from_steps(file);

    {
        auto store = Store::open(file);  // migrates
        EXPECT_EQ(store.schema_version(), Store::latest_schema_version());
        EXPECT_EQ(store.integrity_check(), "ok");
        // The same data, the same hash: the derived columns are not hashed.
        EXPECT_EQ(key(store.fingerprint()), key(expected));
        // The step columns come from the backfilled journey row and equal the steps.
        const auto got = store.journeys();
        EXPECT_EQ(got.journey_id, want.journey_id);
        EXPECT_EQ(got.steps, want.steps);
        EXPECT_EQ(got.end_step_date, want.end_step_date);
        EXPECT_EQ(got.entry, want.entry);
        EXPECT_EQ(got.exit, want.exit);
        ASSERT_EQ(got.size(), from_steps.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            const auto& [steps, end] = from_steps.at(got.journey_id[i]);
            EXPECT_EQ(got.steps[i], steps) << got.journey_id[i];
            EXPECT_EQ(got.end_step_date[i], end) << got.journey_id[i];
        }
    }
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
        // Every v2 row kept; the schema is the fresh one.
        const auto after = content_of(db, added_in_v3);
        for (const auto& [what, rows] : before) EXPECT_EQ(after.at(what), rows) << what;
        EXPECT_EQ(schema_dump(db), read_file(golden_dir / ("v" + std::to_string(Store::latest_schema_version()) + ".sql")));
        // The ISO view shows the summary.
        EXPECT_EQ(db.execAndGet("SELECT step_count FROM v_journeys WHERE journey_id = 'J-MIG-1'").getInt(), 0);
        SQLite::Statement v(db, "SELECT end_step_date, (SELECT date(end_step_date + 2440587.5) FROM "
                                "journeys j WHERE j.journey_id = v.journey_id) FROM v_journeys v "
                                "WHERE end_step_date IS NOT NULL LIMIT 1");
        ASSERT_TRUE(v.executeStep());
        EXPECT_EQ(v.getColumn(0).getString(), v.getColumn(1).getString());
        EXPECT_EQ(v.getColumn(0).getString().size(), 10u);
        v.reset();
        // Recomputed rather than read from fingerprint_cache: still the same.
        db.exec("DELETE FROM fingerprint_cache");
    }
    auto store = Store::open(file);
    EXPECT_EQ(key(store.fingerprint()), key(expected));
}

TEST(StoreSchemaV3, TheFingerprintOfKnownDataIsTheOneSchemaV2Gave) {
    // Computed by the library at schema version 2 (before the step summary columns) on the
    // same data: a change here means every stored fingerprint and report changes.
    CohortOptions co;
    co.persons = 40;
    co.seed = 7;
    auto store = Store::open(":memory:");
    ctai::test::put_dataset(store, generate_cohort(co));
    const auto f = store.fingerprint();
    EXPECT_EQ(f.sha256, "36f0731ecfe6432c5efda6b50acf8a28f6c59722467c6e4b83ec0ed6dbcc7f51");
    EXPECT_EQ(f.change_counter, 457);
}

}  // namespace

// ---- bulk load: secondary indexes dropped during the load, rebuilt before the commit -----

namespace {
std::string file_schema(const std::filesystem::path& path) {
    SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
    return schema_dump(db);
}
}  // namespace

TEST(StoreBulkLoad, TheSchemaIsTheSameAfterABulkLoadCommittedRolledBackOrInterrupted) {
    TempDir dir;
    const auto golden = read_file(golden_dir / ("v" + std::to_string(Store::latest_schema_version()) + ".sql"));
    CohortOptions o;
    o.persons = 60;
    o.seed = 3;
    const Dataset data = generate_cohort(o);

    // Committed: every index is back, with the same text, and used by the queries.
    const auto committed = dir.file("committed.db");
    {
        auto store = Store::open(committed);
        auto tx = store.transaction("bulk");
        ASSERT_TRUE(ctai::detail::begin_bulk_load(store));
        for (const auto& c : data.cases) store.put_case(c);
        for (const auto& j : data.journeys) store.put_journey(j);
        tx.commit();
        EXPECT_EQ(store.integrity_check(), "ok");
        EXPECT_EQ(store.journeys_of(data.cases.front().person.id),
                  [&] {
                      std::vector<Journey> mine;
                      for (const auto& j : data.journeys)
                          if (j.person_id == data.cases.front().person.id) mine.push_back(j);
                      std::sort(mine.begin(), mine.end(), [](const Journey& a, const Journey& b) {
                          return std::tie(a.entry_date, a.id) < std::tie(b.entry_date, b.id);
                      });
                      return mine;
                  }());
    }
    EXPECT_EQ(file_schema(committed), golden);

    // Rolled back: the DROP INDEX is undone with the rows.
    const auto rolled = dir.file("rolled.db");
    {
        auto store = Store::open(rolled);
        auto tx = store.transaction("bulk");
        ASSERT_TRUE(ctai::detail::begin_bulk_load(store));
        for (const auto& c : data.cases) store.put_case(c);
        tx.rollback();
        EXPECT_EQ(store.person_count(), 0);
    }
    EXPECT_EQ(file_schema(rolled), golden);

    // Interrupted by another kind of write inside the same transaction (the bulk session
    // ends there): the indexes are rebuilt at that point, the commit keeps them.
    const auto mixed = dir.file("mixed.db");
    {
        auto store = Store::open(mixed);
        auto tx = store.transaction("bulk");
        ASSERT_TRUE(ctai::detail::begin_bulk_load(store));
        for (const auto& c : data.cases) store.put_case(c);
        Person p = data.cases.front().person;
        p.department = "75";
        EXPECT_TRUE(store.put_person(p));  // not a bulk write: ends the session
        for (const auto& j : data.journeys) store.put_journey(j);
        tx.commit();
    }
    EXPECT_EQ(file_schema(mixed), golden);

    // Asked twice in one transaction (e.g. two imports): the first session is ended (its
    // indexes rebuilt) before the second drops them again.
    const auto twice = dir.file("twice.db");
    {
        auto store = Store::open(twice);
        auto tx = store.transaction("bulk");
        ASSERT_TRUE(ctai::detail::begin_bulk_load(store));
        ASSERT_TRUE(ctai::detail::begin_bulk_load(store));  // still empty: a new session
        for (const auto& c : data.cases) store.put_case(c);
        EXPECT_FALSE(ctai::detail::begin_bulk_load(store));  // not empty any more
        tx.commit();
    }
    EXPECT_EQ(file_schema(twice), golden);
}

// A StorageError says whether the store's schema refused the row (nothing outside storage
// looks at the engine's result codes).
TEST(StoreErrors, StorageErrorSaysWhetherAConstraintRefusedTheRow) {
    auto refused = [](int code) {
        try {
            ctai::detail::guard([&] { throw SQLite::Exception("x", code); });
        } catch (const ctai::StorageError& e) {
            return e.constraint_violation();
        }
        return false;
    };
    EXPECT_TRUE(refused(SQLITE_CONSTRAINT_UNIQUE));
    EXPECT_TRUE(refused(SQLITE_CONSTRAINT_FOREIGNKEY));
    EXPECT_FALSE(refused(SQLITE_BUSY));
    EXPECT_FALSE(ctai::StorageError("plain").constraint_violation());
}
