// R1 dated nationalities below the domain (#17): the nationalities table (schema version 4)
// through the Store API, the exchange file nationalities.csv (import semantics, located
// errors that never quote a code or a date, export and round trip, pseudonymised export),
// anonymisation (R9), and the worked case of domain.md end to end. Synthetic data only.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>
#include <ctai/exchange.hpp>
#include <ctai/store.hpp>

#include "store_fixtures.hpp"

namespace ctai {
namespace {

namespace fs = std::filesystem;
using test::d;

class Folder {
public:
    Folder() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("ctai-nat-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~Folder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
    }
    std::string read(const std::string& name) const {
        std::ifstream in(path_ / name, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    fs::path path_;
};

// The worked case of domain.md: refugee protected 2021-05-10, naturalised French 2024-03-01.
void write_worked_case(const Folder& f, const std::string& persons_nationalities = "") {
    f.write("persons.csv",
            "person_id,sex,birth_date,nationalities,household_id,department\n"
            "N1,F,1990-04-02," + persons_nationalities + ",H1,21\n"
            "P2,M,1985-01-01,SY,H2,21\n");
    f.write("protections.csv",
            "person_id,type,authority,decision_date\nN1,refugee,OFPRA,2021-05-10\n");
    f.write("nationalities.csv",
            "person_id,nationality,acquired_on,lost_on\nN1,SYR,,\nN1,FR,2024-03-01,\n");
}

std::vector<ImportIssue> import_issues(Store& store, const fs::path& dir) {
    try {
        import_dir(store, dir);
    } catch (const ImportError& e) {
        return e.issues();
    }
    return {};
}

PersonCase naturalised(const std::string& id) {
    PersonCase c = test::refugee(id);
    c.person.nationalities = {"AF", "FR"};
    c.nationalities = {{"AF", std::nullopt, std::nullopt}, {"FR", d("2024-03-01"), std::nullopt}};
    return c;
}

TEST(StoreNationalities, ACaseKeepsItsDatedNationalitiesEverywhereItIsRead) {
    auto store = Store::open(":memory:");
    const PersonCase c = naturalised("N1");
    ASSERT_TRUE(store.put_case(c));
    EXPECT_FALSE(store.put_case(c));  // idempotent
    EXPECT_EQ(store.person_case(PersonId{"N1"}), c);
    EXPECT_EQ(store.nationalities(PersonId{"N1"}), c.nationalities);
    EXPECT_EQ(store.all_cases().at(0), c);
    EXPECT_TRUE(store.eligibility(PersonId{"N1"}, d("2024-02-29")).bpi);
    EXPECT_FALSE(store.eligibility(PersonId{"N1"}, d("2024-03-01")).bpi);
    const auto table = store.eligibility_table(d("2024-03-01"));
    EXPECT_EQ(table.bpi.at(0), 0);
    // A person without dated nationalities reads back without any.
    ASSERT_TRUE(store.put_case(test::refugee("R1")));
    EXPECT_TRUE(store.nationalities(PersonId{"R1"}).empty());
    EXPECT_THROW(store.nationalities(PersonId{"nobody"}), NotFoundError);
}

TEST(StoreNationalities, UndatedCodesMustBeTheSameSetAndMessagesQuoteNoCode) {
    auto store = Store::open(":memory:");
    PersonCase c = naturalised("N1");
    c.person.nationalities = {"AF"};  // FR missing
    try {
        store.put_case(c);
        FAIL() << "a disagreeing case was written";
    } catch (const ValidationError& e) {
        EXPECT_EQ(e.field(), "nationalities");
        const std::string what = e.what();
        EXPECT_EQ(what.find("AF"), std::string::npos) << what;
        EXPECT_EQ(what.find("FR"), std::string::npos) << what;
    }
    c = naturalised("N1");
    c.nationalities[1].lost_on = d("2024-03-01");  // lost the day it is acquired
    EXPECT_THROW(store.put_case(c), ValidationError);
    EXPECT_EQ(store.person_count(), 0);
    // put_person cannot make the undated codes disagree with stored dated ones.
    ASSERT_TRUE(store.put_case(naturalised("N1")));
    Person p = store.person(PersonId{"N1"});
    p.nationalities = {"AF"};
    EXPECT_THROW(store.put_person(p), ValidationError);
}

TEST(StoreNationalities, PutNationalitiesReplacesThemAndAlignsTheUndatedCodes) {
    auto store = Store::open(":memory:");
    ASSERT_TRUE(store.put_case(test::refugee("R1")));  // {AF}, undated
    const std::vector<DatedNationality> dated{{"AF", std::nullopt, std::nullopt},
                                              {"FR", d("2024-03-01"), std::nullopt}};
    EXPECT_TRUE(store.put_nationalities(PersonId{"R1"}, dated));
    EXPECT_FALSE(store.put_nationalities(PersonId{"R1"}, dated));
    const auto c = store.person_case(PersonId{"R1"});
    EXPECT_EQ(c.nationalities, dated);
    EXPECT_EQ(c.person.nationalities, (std::vector<std::string>{"AF", "FR"}));
    EXPECT_FALSE(store.eligibility(PersonId{"R1"}, d("2024-06-01")).bpi);
    // Audited as a case update naming the dated nationalities.
    const auto log = store.audit_log();
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.back().entity, "case");
    EXPECT_NE(log.back().change.find("dated_nationalities"), std::string::npos);
    // Cleared: the undated codes hold at every date again.
    EXPECT_TRUE(store.put_nationalities(PersonId{"R1"}, {}));
    EXPECT_TRUE(store.nationalities(PersonId{"R1"}).empty());
    EXPECT_THROW(store.put_nationalities(PersonId{"nobody"}, dated), NotFoundError);
}

TEST(StoreNationalities, TheFingerprintOfAStoreWithoutDatedNationalitiesDoesNotSeeTheTable) {
    auto a = Store::open(":memory:");
    ASSERT_TRUE(a.put_case(test::refugee("R1")));
    auto b = Store::open(":memory:");
    ASSERT_TRUE(b.put_case(test::refugee("R1")));
    EXPECT_EQ(a.fingerprint().sha256, b.fingerprint().sha256);
    ASSERT_TRUE(b.put_nationalities(PersonId{"R1"}, {{"AF", std::nullopt, std::nullopt}}));
    EXPECT_NE(a.fingerprint().sha256, b.fingerprint().sha256);
}

TEST(StoreNationalities, AnonymisationKeepsTheCodesAndTheYearsOnly) {
    auto store = Store::open(":memory:");
    PersonCase c = naturalised("N1");
    c.nationalities = {{"AF", std::nullopt, d("2024-03-01")}, {"FR", d("2024-03-01"), std::nullopt},
                       {"DZ", d("2019-05-17"), d("2019-09-02")}};
    c.person.nationalities = {"AF", "FR", "DZ"};
    c.person.last_contact = d("2020-01-01");
    ASSERT_TRUE(store.put_case(c));
    const auto report = store.anonymize_expired(d("2025-01-01"));
    ASSERT_EQ(report.persons, 1);
    const auto ids = store.person_ids();
    ASSERT_EQ(ids.size(), 1u);
    const auto kept = store.nationalities(ids[0]);
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(kept[0], (DatedNationality{"AF", std::nullopt, d("2024-01-01")}));
    EXPECT_EQ(kept[1], (DatedNationality{"FR", d("2024-01-01"), std::nullopt}));
    // Acquired and lost in the same year: lost on 1 January of the next one.
    EXPECT_EQ(kept[2], (DatedNationality{"DZ", d("2019-01-01"), d("2020-01-01")}));
    // No exact date of the person survives in the audit log.
    for (const auto& row : store.audit_log())
        for (const char* date : {"2024-03-01", "2019-05-17", "2019-09-02"})
            EXPECT_EQ(row.change.find(date), std::string::npos) << row.change;
}

TEST(ExchangeNationalities, TheWorkedCaseImportsAndEndsBpiOnTheNaturalisation) {
    Folder f;
    write_worked_case(f);
    auto store = Store::open(":memory:");
    const auto summary = import_dir(store, f.path());
    const auto& t = summary.tables.back();
    EXPECT_EQ(t.table, "nationalities");
    EXPECT_TRUE(t.present);
    EXPECT_EQ(t.rows_read, 2u);
    const auto c = store.person_case(PersonId{"N1"});
    EXPECT_EQ(c.person.nationalities, (std::vector<std::string>{"SY", "FR"}));  // filled
    ASSERT_EQ(c.nationalities.size(), 2u);
    EXPECT_EQ(c.nationalities[1], (DatedNationality{"FR", d("2024-03-01"), std::nullopt}));
    const auto before = store.eligibility(PersonId{"N1"}, d("2024-02-29"));
    const auto after = store.eligibility(PersonId{"N1"}, d("2024-03-01"));
    EXPECT_TRUE(before.bpi);
    EXPECT_FALSE(after.bpi);
    EXPECT_EQ(after.nationality_class, NationalityClass::french);
    // The other person keeps undated nationalities.
    EXPECT_TRUE(store.nationalities(PersonId{"P2"}).empty());
}

TEST(ExchangeNationalities, AgreeingUndatedCodesInAnyOrderAreAccepted) {
    Folder f;
    write_worked_case(f, "FR|SY");
    auto store = Store::open(":memory:");
    import_dir(store, f.path());
    EXPECT_EQ(store.person(PersonId{"N1"}).nationalities, (std::vector<std::string>{"FR", "SY"}));
}

TEST(ExchangeNationalities, ErrorsAreLocatedAndNeverQuoteTheCell) {
    Folder f;
    f.write("persons.csv",
            "person_id,nationalities\nA1,SY\nA2,\nA3,\nA4,MA\n");
    f.write("nationalities.csv",
            "person_id,nationality,acquired_on,lost_on\n"
            "A1,SY,,\nA1,FR,2024-03-01,\n"           // line 3: persons.nationalities disagrees
            "A2,QQ,,\n"                                // line 4: unknown code
            "A3,IQ,2020-06-15,2019-02-03\n"            // line 5: lost before acquired
            "ZZ9,MA,,\n");                             // line 6: unknown person
    auto store = Store::open(":memory:");
    const auto issues = import_issues(store, f.path());
    EXPECT_EQ(store.person_count(), 0);  // nothing written
    const auto has = [&](const std::string& file, long line, const std::string& column) {
        return std::any_of(issues.begin(), issues.end(), [&](const ImportIssue& i) {
            return i.file == file && i.line == line && i.column == column;
        });
    };
    EXPECT_TRUE(has("persons.csv", 2, "nationalities"));
    EXPECT_TRUE(has("nationalities.csv", 4, "nationality"));
    EXPECT_TRUE(has("nationalities.csv", 5, "lost_on"));
    EXPECT_TRUE(has("nationalities.csv", 6, "person_id"));
    for (const auto& i : issues)
        for (const char* value : {"SY", "FR", "QQ", "IQ", "2024-03-01", "2020-06-15", "2019-02-03"})
            EXPECT_EQ(i.message.find(value), std::string::npos) << i.message;
}

TEST(ExchangeNationalities, AnAbsentFileKeepsAndAPresentFileReplacesOnlyThePersonsItLists) {
    Folder f;
    write_worked_case(f);
    auto store = Store::open(":memory:");
    import_dir(store, f.path());
    // Again without nationalities.csv: the dated nationalities stay (persons.nationalities
    // empty in persons.csv: it must still agree, so give the codes).
    fs::remove(f.path() / "nationalities.csv");
    f.write("persons.csv",
            "person_id,sex,birth_date,nationalities,household_id,department\n"
            "N1,F,1990-04-02,SY|FR,H1,21\nP2,M,1985-01-01,SY,H2,21\n");
    const auto kept = import_dir(store, f.path());
    EXPECT_TRUE(kept.tables.back().kept);
    EXPECT_EQ(store.nationalities(PersonId{"N1"}).size(), 2u);
    // A present file listing only P2: N1 keeps theirs, P2 takes the file's.
    f.write("nationalities.csv", "person_id,nationality,acquired_on,lost_on\nP2,SY,,2023-01-01\n");
    const auto replaced = import_dir(store, f.path());
    EXPECT_EQ(store.nationalities(PersonId{"N1"}).size(), 2u);
    EXPECT_EQ(store.nationalities(PersonId{"P2"}),
              (std::vector<DatedNationality>{{"SY", std::nullopt, d("2023-01-01")}}));
    EXPECT_EQ(replaced.tables.back().removed, 0u);
    // N1 listed with one row less: the removal is counted; a dry run writes nothing.
    f.write("nationalities.csv", "person_id,nationality,acquired_on,lost_on\nN1,SY,,\nN1,FR,,\n");
    ImportOptions dry;
    dry.dry_run = true;
    const auto preview = import_dir(store, f.path(), dry);
    EXPECT_TRUE(preview.dry_run);
    EXPECT_EQ(preview.tables.back().removed, 1u);
    ASSERT_EQ(store.nationalities(PersonId{"N1"}).size(), 2u);
    EXPECT_EQ(store.nationalities(PersonId{"N1"})[1].acquired_on, d("2024-03-01"));
    // Persons.nationalities disagreeing with the dated nationalities kept: refused, located.
    fs::remove(f.path() / "nationalities.csv");
    f.write("persons.csv", "person_id,nationalities\nN1,SY\n");
    const auto issues = import_issues(store, f.path());
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].file, "persons.csv");
    EXPECT_EQ(issues[0].line, 2);
    EXPECT_EQ(issues[0].column, "nationalities");
}

TEST(ExchangeNationalities, ExportWritesTheFileOnlyWithRowsAndRoundTripsExactly) {
    Folder in, out, again, plain;
    write_worked_case(in);
    auto store = Store::open(":memory:");
    import_dir(store, in.path());
    const auto summary = export_dir(store, out.path());
    EXPECT_EQ(out.read("nationalities.csv"),
              "person_id,nationality,acquired_on,lost_on\nN1,SY,,\nN1,FR,2024-03-01,\n");
    EXPECT_TRUE(std::any_of(summary.files.begin(), summary.files.end(),
                            [](const auto& f) { return f.file == "nationalities.csv" && f.rows == 2; }));
    auto fresh = Store::open(":memory:");
    import_dir(fresh, out.path());
    ExportOptions overwrite;
    export_dir(fresh, again.path(), overwrite);
    for (const auto& e : fs::directory_iterator(out.path()))
        EXPECT_EQ(again.read(e.path().filename().string()), out.read(e.path().filename().string()))
            << e.path().filename();
    EXPECT_EQ(fresh.fingerprint().sha256, store.fingerprint().sha256);
    // Without dated nationalities: no file, and none left from an earlier export.
    auto none = Store::open(":memory:");
    none.put_case(test::refugee("R1"));
    const auto s2 = export_dir(none, plain.path());
    EXPECT_FALSE(fs::exists(plain.path() / "nationalities.csv"));
    EXPECT_TRUE(std::none_of(s2.files.begin(), s2.files.end(),
                             [](const auto& f) { return f.file == "nationalities.csv"; }));
    ExportOptions over;
    over.overwrite = true;
    export_dir(none, out.path(), over);
    EXPECT_FALSE(fs::exists(out.path() / "nationalities.csv"));
}

TEST(ExchangeNationalities, APseudonymisedExportKeepsTheRowsUnderThePseudonym) {
    Folder in, out;
    write_worked_case(in);
    auto store = Store::open(":memory:");
    import_dir(store, in.path());
    ExportOptions o;
    o.pseudonymization_key = "a synthetic key for tests 0123456789";
    export_dir(store, out.path(), o);
    const auto text = out.read("nationalities.csv");
    EXPECT_EQ(text.find("N1"), std::string::npos);
    EXPECT_NE(text.find(",FR,2024-03-01,"), std::string::npos);
    auto fresh = Store::open(":memory:");
    ImportOptions allow;
    allow.allow_pseudonymized = true;
    import_dir(fresh, out.path(), allow);
    const auto ids = fresh.person_ids();
    std::size_t dated = 0;
    for (const auto& id : ids) dated += fresh.nationalities(id).size();
    EXPECT_EQ(dated, 2u);
}

}  // namespace
}  // namespace ctai
