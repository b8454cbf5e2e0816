// The store file: creation, identity, migrations, golden schema, vocabulary CHECK lists,
// file mode, WAL, ISO views.
#include <ctai/store.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include <sys/stat.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "store_fixtures.hpp"

namespace {

using namespace ctai;
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
    EXPECT_THROW(db.exec("INSERT INTO journeys VALUES ('J', 'P1', 'c', 1, 100, 'self', 99, "
                         "'autonomy', NULL)"),
                 SQLite::Exception);  // exit before entry
    EXPECT_THROW(db.exec("INSERT INTO journeys VALUES ('J', 'NOBODY', 'c', 1, 100, 'self', NULL, "
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

}  // namespace
