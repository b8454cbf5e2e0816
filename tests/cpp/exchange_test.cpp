// Import and export of case files (exchange format v1, interfaces.md section 1): reading,
// every error class at its exact location, all-or-nothing import, idempotence, audit of
// updates, round trips, the French Excel folder, and the pseudonymised export (R9).
// Synthetic data only.

#include <ctai/exchange.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/error.hpp>
#include <ctai/model.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/policy.hpp>
#include <ctai/store.hpp>
#include <ctai/synthetic.hpp>

#include "exchange/csv.hpp"
#include "dataset_fixture.hpp"

#ifndef CTAI_TEST_DATA_DIR
#error "CTAI_TEST_DATA_DIR must name tests/data"
#endif

namespace {

namespace fs = std::filesystem;
using namespace ctai;

const fs::path exchange_data = fs::path(CTAI_TEST_DATA_DIR) / "exchange";
const fs::path valid_dir = exchange_data / "valid";

// ---- helpers ----------------------------------------------------------------------------

// A fresh folder under the system temporary directory, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        path_ = fs::temp_directory_path() /
                ("ctai-exchange-test-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, std::string_view text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

// Copies the valid fixture folder to `dir`/folder and returns it.
fs::path copy_valid(const TempDir& dir) {
    const auto out = dir / "folder";
    fs::copy(valid_dir, out, fs::copy_options::recursive);
    return out;
}

// Replaces the only occurrence of `from` in `file`.
void replace_once(const fs::path& file, std::string_view from, std::string_view to) {
    auto text = slurp(file);
    const auto pos = text.find(from);
    ASSERT_NE(pos, std::string::npos) << file << ": " << from;
    ASSERT_EQ(text.find(from, pos + 1), std::string::npos) << file << ": " << from;
    text.replace(pos, from.size(), to);
    spit(file, text);
}

void append_line(const fs::path& file, std::string_view line) {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << line << '\n';
}

Date d(const char* iso) { return parse_date(iso); }

template <class F>
std::vector<ImportIssue> issues_of(F&& f) {
    try {
        f();
    } catch (const ImportError& e) {
        return e.issues();
    }
    ADD_FAILURE() << "no ImportError thrown";
    return {};
}

std::string describe(const std::vector<ImportIssue>& issues) {
    std::string out;
    for (const auto& i : issues) out += "\n  " + to_string(i) + (i.rule.empty() ? "" : " [" + i.rule + "]");
    return out;
}

void expect_same_data(const Store& a, const Store& b) {
    EXPECT_EQ(a.all_cases(), b.all_cases());
    EXPECT_EQ(a.all_journeys(), b.all_journeys());
    EXPECT_EQ(a.all_agir_supports(), b.all_agir_supports());
    EXPECT_EQ(a.all_referrals(), b.all_referrals());
    EXPECT_EQ(a.all_activities(), b.all_activities());
    EXPECT_EQ(a.all_participations(), b.all_participations());
    EXPECT_EQ(a.all_volunteering(), b.all_volunteering());
    EXPECT_EQ(a.all_housing_moves(), b.all_housing_moves());
    EXPECT_EQ(a.all_partnerships(), b.all_partnerships());
    EXPECT_EQ(a.all_costs(), b.all_costs());
    EXPECT_EQ(a.fingerprint().sha256, b.fingerprint().sha256);
}

void put_all(Store& store, const Dataset& data) { ctai::test::put_dataset(store, data); }

// What tests/data/exchange/valid holds, written by hand from the files.
Dataset valid_dataset() {
    const ContractId dijon{"dijon-2023-2024"};
    Dataset out;
    PersonCase p1;
    p1.person = {.id = PersonId{"P0001"}, .sex = Sex::female,
                 .birth_date = PartialDate{d("1990-05-12"), DatePrecision::day},
                 .nationalities = {"AF"}, .household_id = HouseholdId{"H01"}, .department = "21",
                 .cir_status = CirStatus::signed_, .cir_date = d("2023-05-01"),
                 .rejoining_family_of = std::nullopt, .last_contact = d("2024-09-30")};
    p1.permits = {{PermitKind::receipt, Motive::protection, d("2023-03-20"), d("2023-09-20")},
                  {PermitKind::card, Motive::protection, d("2023-09-21"), d("2033-09-20")}};
    p1.protections = {{ProtectionType::refugee, Authority::ofpra, d("2023-03-10"), d("2023-03-17"),
                       std::nullopt, std::nullopt}};
    p1.situations = {{SituationKind::asylum_seeker, d("2021-11-05"), d("2023-03-10")}};
    PersonCase p2;
    p2.person = {.id = PersonId{"P0002"}, .sex = Sex::male,
                 .birth_date = PartialDate{d("1985-01-01"), DatePrecision::year},
                 .nationalities = {"MA"}, .household_id = HouseholdId{"H02"}, .department = "21",
                 .cir_status = CirStatus::signed_, .cir_date = d("2022-09-15"),
                 .rejoining_family_of = std::nullopt, .last_contact = d("2024-09-01")};
    p2.permits = {{PermitKind::vls_ts, Motive::family, d("2022-06-01"), d("2023-05-31")},
                  {PermitKind::card, Motive::family, d("2023-06-01"), d("2027-05-31")}};
    p2.situations = {{SituationKind::irregular, d("2021-01-01"), d("2022-06-01")}};
    PersonCase p3;
    p3.person = {.id = PersonId{"P0003"}, .sex = Sex::unknown,
                 .birth_date = PartialDate{d("2010-03-01"), DatePrecision::month},
                 .nationalities = {"AF"}, .household_id = HouseholdId{"H01"}, .department = "21",
                 .cir_status = CirStatus::none, .cir_date = std::nullopt,
                 .rejoining_family_of = PersonId{"P0001"}, .last_contact = d("2024-09-30")};
    p3.permits = {{PermitKind::card, Motive::family, d("2024-01-10"), std::nullopt}};
    PersonCase p4;
    p4.person = {.id = PersonId{"P0004"}, .sex = Sex::female,
                 .birth_date = PartialDate{d("1978-11-02"), DatePrecision::day},
                 .nationalities = {"UA"}, .household_id = HouseholdId{"H04"}, .department = "21",
                 .cir_status = CirStatus::none, .cir_date = std::nullopt,
                 .rejoining_family_of = std::nullopt, .last_contact = d("2024-09-30")};
    p4.permits = {{PermitKind::aps, Motive::temporary_protection, d("2022-04-01"), d("2025-03-04")}};
    p4.protections = {{ProtectionType::temporary, Authority::prefecture, d("2022-04-01"),
                       std::nullopt, d("2022-03-01"), std::nullopt}};
    PersonCase p5;
    p5.person = {.id = PersonId{"P0005"}, .sex = Sex::male,
                 .birth_date = PartialDate{d("1999-07-21"), DatePrecision::day},
                 .nationalities = {"DZ", "FR"}, .household_id = HouseholdId{"H05"},
                 .department = "21", .cir_status = CirStatus::none, .cir_date = std::nullopt,
                 .rejoining_family_of = std::nullopt, .last_contact = d("2024-06-20")};
    out.cases = {p1, p2, p3, p4, p5};

    auto journey = [&](const char* id, const char* person, int action, const char* entry,
                       ReferralSource source, std::optional<Date> exit,
                       std::optional<std::string> reason, std::vector<Step> steps,
                       std::optional<std::string> override_reason = std::nullopt) {
        return Journey{.id = JourneyId{id}, .person_id = PersonId{person}, .contract_id = dijon,
                       .action = action, .entry_date = d(entry), .referral_source = source,
                       .exit_date = exit, .exit_reason = std::move(reason),
                       .override_reason = std::move(override_reason), .steps = std::move(steps)};
    };
    out.journeys = {
        journey("J001", "P0001", 1, "2023-11-02", ReferralSource::social_worker, d("2024-06-30"),
                "lasting_housing",
                {{StepKind::intake, d("2023-11-02")}, {StepKind::diagnosis, d("2023-11-20")},
                 {StepKind::support, d("2024-01-15")}, {StepKind::follow_on, d("2024-05-01")},
                 {StepKind::end_of_support, d("2024-06-30")}}),
        journey("J002", "P0001", 4, "2024-06-01", ReferralSource::agir, std::nullopt, std::nullopt,
                {{StepKind::intake, d("2024-06-01")}}),
        journey("J003", "P0002", 1, "2023-10-20", ReferralSource::self, std::nullopt, std::nullopt,
                {{StepKind::intake, d("2023-10-20")}, {StepKind::diagnosis, d("2023-11-08")}}),
        journey("J004", "P0005", 2, "2024-03-01", ReferralSource::association, d("2024-04-15"),
                "autonomy", {{StepKind::intake, d("2024-03-01")}}),
        journey("J005", "P0004", 1, "2024-02-10", ReferralSource::ccas, d("2024-09-30"),
                "dropped_out",
                {{StepKind::intake, d("2024-02-10")}, {StepKind::diagnosis, d("2024-03-05")}}),
        journey("J006", "P0003", 4, "2024-07-01", ReferralSource::social_worker, std::nullopt,
                std::nullopt, {{StepKind::intake, d("2024-07-01")}},
                "Habitante d'une r\u00e9sidence sociale, sans parcours en action 1"),
    };
    out.agir = {{PersonId{"P0001"}, d("2024-01-15"), d("2024-02-01"), d("2024-09-15"),
                 HousingType::social_rental, ExitActivity::cdd, 8}};
    out.referrals = {
        {ReferralId{"R001"}, PersonId{"P0001"}, "agir", "dijon-2023-2024:4", Need::housing,
         ReferralStatus::completed, d("2024-05-15"), d("2024-05-20"), d("2024-06-01"), std::nullopt},
        {ReferralId{"R002"}, PersonId{"P0002"}, "dijon-2023-2024:1", "agir", Need::rights,
         ReferralStatus::declined, d("2024-02-01"), d("2024-02-10"), std::nullopt,
         "Pas de protection internationale"},
        {ReferralId{"R003"}, PersonId{"P0004"}, "dijon-2023-2024:1", "dijon-2023-2024:2",
         Need::language, ReferralStatus::proposed, d("2024-08-01"), std::nullopt, std::nullopt,
         std::nullopt},
    };
    out.activities = {
        {ActivityId{"A001"}, dijon, 1, ActivityKind::workshop, "Atelier de fran\u00e7ais",
         d("2024-03-12"), 2.5, true, ""},
        {ActivityId{"A002"}, dijon, 2, ActivityKind::actor_training, "Formation interculturelle",
         d("2024-04-04"), 6, false, "CCAS de Dijon"},
        {ActivityId{"A003"}, dijon, 2, ActivityKind::event, "F\u00eate des voisins",
         d("2024-06-20"), 3, true, ""},
        {ActivityId{"A004"}, dijon, 1, ActivityKind::individual_practice,
         "Visite de la pr\u00e9fecture", d("2024-02-20"), 1.25, false, ""},
    };
    out.participations = {{ActivityId{"A001"}, PersonId{"P0001"}, 5},
                          {ActivityId{"A001"}, PersonId{"P0002"}, std::nullopt},
                          {ActivityId{"A003"}, PersonId{"P0005"}, 4},
                          {ActivityId{"A004"}, PersonId{"P0002"}, 3}};
    out.volunteering = {
        {PersonId{"P0002"}, VolunteeringKind::engagement, d("2024-05-01"), std::nullopt,
         "\u0152uvre sportive"},
        {PersonId{"P0005"}, VolunteeringKind::one_off, d("2024-06-20"), d("2024-06-20"),
         "Comit\u00e9 des f\u00eates"},
        {PersonId{"P0005"}, VolunteeringKind::membership, d("2024-06-25"), std::nullopt,
         "Maison de quartier, \u00e9ducation populaire"},
    };
    out.housing = {{HouseholdId{"H01"}, d("2023-09-01"), HousingType::asylum_accommodation},
                   {HouseholdId{"H01"}, d("2024-06-15"), HousingType::social_rental},
                   {HouseholdId{"H02"}, d("2024-01-10"), HousingType::private_rental}};
    out.partnerships = {{dijon, 1, "Secours populaire", "alimentation", d("2023-11-15")},
                        {dijon, 4, "Grand Dijon Habitat", "logement", d("2024-02-01")}};
    out.costs = {{dijon, 1, 175000.5, 150000}, {dijon, 2, 58000, 50000}};
    return out;
}

Store imported(const fs::path& dir) {
    auto store = Store::open(":memory:");
    import_dir(store, dir);
    return store;
}

std::int64_t last_audit_seq(const Store& store) {
    const auto log = store.audit_log();
    return log.empty() ? 0 : log.back().seq;
}

// ---- reading ----------------------------------------------------------------------------

TEST(ExchangeRead, ValidFolderGivesTheExpectedDataset) {
    ImportSummary summary;
    const Dataset data = read_exchange_dir(valid_dir, {}, &summary);
    const Dataset expected = valid_dataset();
    EXPECT_EQ(data.cases, expected.cases);
    EXPECT_EQ(data.journeys, expected.journeys);
    EXPECT_EQ(data.agir, expected.agir);
    EXPECT_EQ(data.referrals, expected.referrals);
    EXPECT_EQ(data.activities, expected.activities);
    EXPECT_EQ(data.participations, expected.participations);
    EXPECT_EQ(data.volunteering, expected.volunteering);
    EXPECT_EQ(data.housing, expected.housing);
    EXPECT_EQ(data.partnerships, expected.partnerships);
    EXPECT_EQ(data.costs, expected.costs);
    ASSERT_EQ(summary.tables.size(), 15u);  // the fourteen files of v1, nationalities.csv (#17)
    EXPECT_EQ(summary.table("persons").rows_read, 5u);
    EXPECT_EQ(summary.table("steps").rows_read, 12u);
    EXPECT_EQ(summary.table("persons").encoding, "utf-8");
    EXPECT_EQ(summary.table("persons").separator, ',');
    EXPECT_EQ(summary.rows_read(), 5u + 6 + 2 + 2 + 6 + 12 + 1 + 3 + 4 + 4 + 3 + 3 + 2 + 2);
    EXPECT_TRUE(summary.warnings.empty());
}

TEST(ExchangeRead, FrenchExcelFolderReadsLikeTheUtf8Folder) {
    // Semicolons, CRLF, DD/MM/YYYY (also 1/3/2024 and a midnight time), MM/YYYY birth month,
    // decimal commas and no-break-space thousands, header names in other cases, lower-case
    // authority, Windows-1252 accents (é è ê ç Œ), UTF-8 with BOM, trailing ";;;" rows.
    ImportSummary summary;
    const Dataset excel = read_exchange_dir(exchange_data / "excel_fr", {}, &summary);
    EXPECT_EQ(excel, read_exchange_dir(valid_dir));
    EXPECT_EQ(summary.table("persons").encoding, "utf-8-bom");
    EXPECT_EQ(summary.table("steps").encoding, "utf-8-bom");
    EXPECT_EQ(summary.table("activities").encoding, "windows-1252");
    EXPECT_EQ(summary.table("volunteering").encoding, "windows-1252");
    EXPECT_EQ(summary.table("permits").encoding, "utf-8");
    for (const auto& t : summary.tables) {
        if (t.table == "nationalities") continue;  // optional (#17), not in this folder
        EXPECT_TRUE(t.present) << t.table;
        EXPECT_EQ(t.separator, ';') << t.table;
    }
    EXPECT_EQ(summary.table("persons").rows_read, 5u) << "the ;;; rows are not records";
}

TEST(ExchangeRead, OnlyPersonsCsvIsRequired) {
    TempDir tmp;
    spit(tmp / "persons.csv", "person_id\nP1\nP2\n");
    const Dataset data = read_exchange_dir(tmp.path());
    ASSERT_EQ(data.cases.size(), 2u);
    EXPECT_EQ(data.cases[1].person.id, PersonId{"P2"});
    EXPECT_EQ(data.cases[1].person.sex, Sex::unknown);
    EXPECT_FALSE(data.cases[1].person.birth_date.has_value());
    EXPECT_TRUE(data.journeys.empty());
}

TEST(ExchangeRead, FilesThatAreNotCsvAreIgnoredWithAWarning) {
    TempDir tmp;
    spit(tmp / "persons.csv", "person_id\nP1\n");
    spit(tmp / "README.txt", "notes");
    spit(tmp / "~$persons.csv", "lock");
    ImportSummary summary;
    read_exchange_dir(tmp.path(), {}, &summary);
    ASSERT_EQ(summary.warnings.size(), 2u);
    EXPECT_EQ(summary.warnings[0].file, "README.txt");
    EXPECT_EQ(summary.warnings[1].file, "~$persons.csv");
}

TEST(ExchangeRead, TemporaryProtectionWithoutDisplacementDateIsReadWithALocatedWarning) {
    // Domain R5: the APS proves the status; the missing date is a warning, not an error,
    // and the person is BPT.
    TempDir tmp;
    spit(tmp / "persons.csv", "person_id,nationalities\nP1,UA\nP2,UA\n");
    spit(tmp / "protections.csv",
         "person_id,type,authority,decision_date,notification_date,displaced_on,end_date\n"
         "P1,temporary,prefecture,2022-05-02,,,\n"
         "P2,temporary,prefecture,2022-05-02,,2022-03-01,\n");
    ImportSummary summary;
    const Dataset data = read_exchange_dir(tmp.path(), {}, &summary);
    ASSERT_EQ(summary.warnings.size(), 1u);
    EXPECT_EQ(to_string(summary.warnings[0]),
              "protections.csv:2: displaced_on: temporary protection without a displacement "
              "date: counted as BPT (the APS proves the status, domain R5); fill in the date "
              "when known");
    EXPECT_TRUE(evaluate(data.cases[0], d("2024-06-01"), Policy{}).bpt);
}

TEST(ExchangeRead, ExcelDepartementLosingItsLeadingZeroIsRestored) {
    TempDir tmp;
    spit(tmp / "persons.csv", "person_id;department\nP1;1\nP2;2A\nP3;971\n");
    const Dataset data = read_exchange_dir(tmp.path());
    EXPECT_EQ(data.cases[0].person.department, "01");
    EXPECT_EQ(data.cases[1].person.department, "2A");
    EXPECT_EQ(data.cases[2].person.department, "971");
}

TEST(ExchangeRead, MissingFolderIsAValidationError) {
    EXPECT_THROW(read_exchange_dir(exchange_data / "no-such-folder"), ValidationError);
}

// ---- import -------------------------------------------------------------------------------

TEST(ExchangeImport, ValidFolderGivesTheSameStoreAsTheRecordsPutByHand) {
    auto store = Store::open(":memory:");
    const auto summary = import_dir(store, valid_dir);
    auto by_hand = Store::open(":memory:");
    put_all(by_hand, valid_dataset());
    expect_same_data(store, by_hand);
    EXPECT_EQ(summary.table("persons").changed, 5u);
    EXPECT_EQ(summary.table("journeys").changed, 6u);
    EXPECT_EQ(summary.table("costs").changed, 2u);
    EXPECT_EQ(summary.table("permits").changed, 0u) << "written with their person";
    EXPECT_EQ(summary.changed(), 5u + 6 + 1 + 3 + 4 + 4 + 3 + 3 + 2 + 2);
}

// A store that already holds a row: import_dir then takes the per-row path (reads back,
// savepoints) instead of the bulk path of an empty store.
Store non_empty_store() {
    auto store = Store::open(":memory:");
    store.put_housing_move({HouseholdId{"H-OTHER"}, d("2020-01-01"), HousingType::hotel});
    return store;
}

TEST(ExchangeImport, BulkLoadIntoAnEmptyStoreWritesTheSameRowsAndAuditAsThePerRowPath) {
    auto bulk = Store::open(":memory:");
    {
        auto tx = bulk.transaction();
        EXPECT_TRUE(ctai::detail::begin_bulk_load(bulk)) << "an empty store takes the bulk path";
    }
    auto per_row = non_empty_store();
    {
        auto tx = per_row.transaction();
        EXPECT_FALSE(ctai::detail::begin_bulk_load(per_row)) << "a store with data does not";
    }
    EXPECT_FALSE(ctai::detail::begin_bulk_load(bulk)) << "outside a transaction";
    import_dir(bulk, valid_dir);
    import_dir(per_row, valid_dir);
    EXPECT_EQ(bulk.all_cases(), per_row.all_cases());
    EXPECT_EQ(bulk.all_journeys(), per_row.all_journeys());
    EXPECT_EQ(bulk.all_referrals(), per_row.all_referrals());
    EXPECT_EQ(bulk.all_participations(), per_row.all_participations());
    const auto a = bulk.audit_log();
    auto b = per_row.audit_log();
    ASSERT_EQ(b.size(), a.size() + 1);
    b.erase(b.begin());  // the housing move put first
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].entity, b[i].entity) << i;
        EXPECT_EQ(a[i].entity_id, b[i].entity_id) << i;
        EXPECT_EQ(a[i].person_id, b[i].person_id) << i;
        EXPECT_EQ(a[i].operation, b[i].operation) << i;
        EXPECT_EQ(a[i].change, b[i].change) << i;
        EXPECT_EQ(a[i].reason, b[i].reason) << i;
    }
    // The bulk session ended with the import's transaction: later writes read the file.
    EXPECT_EQ(import_dir(bulk, valid_dir).changed(), 0u);
    EXPECT_EQ(bulk.audit_log().size(), a.size());
}

TEST(ExchangeImport, BulkLoadReportsTheSameIssuesAsThePerRowPath) {
    auto bulk = Store::open(":memory:");
    auto per_row = non_empty_store();
    const auto a = issues_of([&] { import_dir(bulk, exchange_data / "errors"); });
    const auto b = issues_of([&] { import_dir(per_row, exchange_data / "errors"); });
    EXPECT_EQ(describe(a), describe(b));
    EXPECT_EQ(bulk.person_count(), 0) << "all or nothing";
    EXPECT_TRUE(bulk.audit_log().empty());
}

TEST(ExchangeImport, FrenchExcelFolderImportsToTheSameStore) {
    const auto excel = imported(exchange_data / "excel_fr");
    const auto utf8 = imported(valid_dir);
    expect_same_data(excel, utf8);
    const auto a = excel.all_activities();
    ASSERT_EQ(a.size(), 4u);
    EXPECT_EQ(a[0].type, "Atelier de fran\u00e7ais");
    EXPECT_EQ(a[3].hours, 1.25);
    EXPECT_EQ(excel.all_costs()[0].total_cost, 175000.5);
}

TEST(ExchangeImport, SecondImportOfTheSameFolderChangesNothing) {
    auto store = Store::open(":memory:");
    import_dir(store, valid_dir);
    const auto seq = last_audit_seq(store);
    const auto fingerprint = store.fingerprint().sha256;
    ASSERT_GT(seq, 0);
    const auto again = import_dir(store, valid_dir);
    EXPECT_EQ(again.changed(), 0u);
    EXPECT_EQ(again.table("persons").unchanged, 5u);
    EXPECT_EQ(again.table("journeys").unchanged, 6u);
    EXPECT_EQ(again.table("participations").unchanged, 4u);
    EXPECT_EQ(last_audit_seq(store), seq) << "no new audit row";
    EXPECT_EQ(store.fingerprint().sha256, fingerprint);
    // The Excel spelling of the same data is the same data.
    EXPECT_EQ(import_dir(store, exchange_data / "excel_fr").changed(), 0u);
    EXPECT_EQ(last_audit_seq(store), seq);
}

TEST(ExchangeImport, UpdatedFolderAppliesTheChangesAndTheAuditLogRecordsThem) {
    TempDir tmp;
    const auto folder = copy_valid(tmp);
    StoreOptions store_options;
    store_options.actor = "operator";
    auto store = Store::open(":memory:", store_options);
    import_dir(store, folder);
    const auto seq = last_audit_seq(store);

    // J003 exits; P0002 gets a new card; a new activity.
    replace_once(folder / "journeys.csv", "J003,P0002,dijon-2023-2024,1,2023-10-20,self,,,",
                 "J003,P0002,dijon-2023-2024,1,2023-10-20,self,2024-09-01,lasting_job,");
    append_line(folder / "permits.csv", "P0002,card,work,2024-06-01,2034-05-31");
    append_line(folder / "activities.csv", "A005,dijon-2023-2024,1,workshop,Code de la route,2024-09-10,2,0,");
    ImportOptions options;
    options.actor = "nightly-import";
    options.reason = "monthly update";
    const auto summary = import_dir(store, folder, options);
    EXPECT_EQ(summary.changed(), 3u);
    EXPECT_EQ(summary.table("journeys").changed, 1u);
    EXPECT_EQ(summary.table("persons").changed, 1u);
    EXPECT_EQ(summary.table("activities").changed, 1u);
    EXPECT_EQ(store.journey(JourneyId{"J003"}).exit_date, d("2024-09-01"));
    EXPECT_EQ(store.person_case(PersonId{"P0002"}).permits.size(), 3u);

    AuditQuery query;
    query.after_seq = seq;
    const auto log = store.audit_log(query);
    ASSERT_EQ(log.size(), 3u);
    std::set<std::string> entities;
    for (const auto& row : log) {
        entities.insert(row.entity + ":" + row.entity_id + ":" + row.operation);
        EXPECT_EQ(row.actor, "nightly-import");
        EXPECT_EQ(row.reason, "monthly update");
    }
    EXPECT_EQ(entities, (std::set<std::string>{"journey:J003:update", "case:P0002:update",
                                               "activity:A005:insert"}));
    for (const auto& row : log) {
        if (row.entity == "journey") {
            EXPECT_NE(row.change.find("exit_date"), std::string::npos);
        }
    }
    EXPECT_EQ(store.actor(), "operator") << "the store's actor is restored";
}

TEST(ExchangeImport, EveryErrorOfAFolderIsListedAtOnceWithItsLocation) {
    auto store = Store::open(":memory:");
    const auto issues = issues_of([&] { import_dir(store, exchange_data / "errors"); });
    struct Expected {
        std::string file;
        long line;
        std::string column;
        std::string rule;
        std::string message_part;
    };
    const std::vector<Expected> expected = {
        {"persons.csv", 4, "birth_date", "", "not an existing calendar day"},
        {"persons.csv", 5, "nationalities", "", "unknown nationality code (code 2 of 2)"},
        {"permits.csv", 8, "person_id", "", "unknown person_id 'P0099'"},
        {"protections.csv", 3, "authority", "", "unknown value (expected one of: ofpra, cnda, prefecture)"},
        {"journeys.csv", 4, "exit_date", "R7.exit_before_entry", "R7.exit_before_entry: "},
        {"journeys.csv", 8, "journey_id", "", "duplicate journey_id 'J004' (first on line 5)"},
        {"journeys.csv", 9, "action", "R6.agir_excluded", "R6.agir_excluded: "},
        {"steps.csv", 14, "journey_id", "", "unknown journey_id 'J099'"},
        {"referrals.csv", 3, "decided_on", "R6.referral_transition", "R6.referral_transition: "},
        {"activities.csv", 5, "date", "", "not a date"},
        {"volunteering.csv", 2, "kind", "", "unknown value"},
        {"partnerships.csv", 3, "contract_id", "", "unknown contract 'dijon-2025'"},
        {"person.csv", 0, "", "", "unknown file"},
    };
    ASSERT_EQ(issues.size(), expected.size()) << describe(issues);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(issues[i].file, expected[i].file) << i << describe(issues);
        EXPECT_EQ(issues[i].line, expected[i].line) << i << describe(issues);
        EXPECT_EQ(issues[i].column, expected[i].column) << i << describe(issues);
        EXPECT_EQ(issues[i].rule, expected[i].rule) << i << describe(issues);
        EXPECT_NE(issues[i].message.find(expected[i].message_part), std::string::npos)
            << i << describe(issues);
    }
    EXPECT_EQ(store.person_count(), 0) << "nothing written";
    EXPECT_TRUE(store.audit_log().empty());
}

TEST(ExchangeImport, ImportErrorListsIssuesAsFileLineColumnMessage) {
    auto store = Store::open(":memory:");
    try {
        import_dir(store, exchange_data / "errors");
        FAIL() << "no ImportError";
    } catch (const ImportError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("13 errors"), std::string::npos) << what;
        EXPECT_NE(what.find("\npersons.csv:4: birth_date: not an existing calendar day"),
                  std::string::npos) << what;
        EXPECT_NE(what.find("\nperson.csv: unknown file"), std::string::npos) << what;
        EXPECT_EQ(e.file(), "persons.csv");
        EXPECT_EQ(e.line(), 4);
        EXPECT_EQ(e.field(), "birth_date");
        const ValidationError& base = e;  // an ImportError is a ValidationError
        EXPECT_EQ(base.line(), 4);
    }
}

TEST(ExchangeImport, CorruptedFolderLeavesTheStoreFileByteForByteUnchanged) {
    TempDir tmp;
    const auto db = tmp / "cases.db";
    {
        auto store = Store::open(db);
        import_dir(store, valid_dir);
    }
    const auto before = slurp(db);
    ASSERT_FALSE(before.empty());
    {
        auto store = Store::open(db);
        EXPECT_THROW(import_dir(store, exchange_data / "errors"), ImportError);
        // Also a folder whose only fault is a store rule (found in the write phase).
        TempDir tmp2;
        const auto folder = copy_valid(tmp2);
        replace_once(folder / "journeys.csv", "2024-02-10,ccas,2024-09-30",
                     "2024-02-10,ccas,2024-01-31");
        append_line(folder / "persons.csv", "P0006,F,2001,SY,H06,21,none,,,");
        EXPECT_THROW(import_dir(store, folder), ImportError);
        EXPECT_FALSE(store.find_person(PersonId{"P0006"}).has_value());
    }
    EXPECT_EQ(slurp(db), before);
}

// One error at a time: each edit of the valid folder gives exactly these issues.
struct ErrorCase {
    std::string name;
    std::function<void(const fs::path&)> edit;
    std::vector<std::tuple<std::string, long, std::string, std::string>> where;  // file line column rule
    std::string message_part;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ExchangeImportError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ExchangeImportError, IsReportedAtItsExactLocation) {
    const auto& c = GetParam();
    TempDir tmp;
    const auto folder = copy_valid(tmp);
    c.edit(folder);
    auto store = Store::open(":memory:");
    const auto issues = issues_of([&] { import_dir(store, folder); });
    ASSERT_EQ(issues.size(), c.where.size()) << describe(issues);
    for (std::size_t i = 0; i < issues.size(); ++i) {
        const auto& [file, line, column, rule] = c.where[i];
        EXPECT_EQ(issues[i].file, file) << describe(issues);
        EXPECT_EQ(issues[i].line, line) << describe(issues);
        EXPECT_EQ(issues[i].column, column) << describe(issues);
        EXPECT_EQ(issues[i].rule, rule) << describe(issues);
        if (!rule.empty()) {
            EXPECT_EQ(issues[i].message.rfind(rule + ": ", 0), 0u) << describe(issues);
        }
    }
    EXPECT_NE(issues[0].message.find(c.message_part), std::string::npos) << describe(issues);
    EXPECT_EQ(store.person_count(), 0);
    EXPECT_TRUE(store.audit_log().empty());
    // The reader alone (no store) finds the same format errors, and no rule errors.
    if (std::get<3>(c.where[0]).empty() && issues[0].message.find("contract") == std::string::npos &&
        std::get<2>(c.where[0]) != "exit_reason") {
        EXPECT_THROW(read_exchange_dir(folder), ImportError);
    }
}

auto replace(std::string file, std::string from, std::string to) {
    return [=](const fs::path& dir) { replace_once(dir / file, from, to); };
}
auto append(std::string file, std::string line) {
    return [=](const fs::path& dir) { append_line(dir / file, line); };
}
using W = std::tuple<std::string, long, std::string, std::string>;

INSTANTIATE_TEST_SUITE_P(
    ExchangeEveryErrorClass, ExchangeImportError,
    ::testing::Values(
        ErrorCase{"BadDateFormat", replace("permits.csv", "protection,2023-03-20,", "protection,2023.03.20,"),
                  {W{"permits.csv", 2, "valid_from", ""}}, "not a date (expected YYYY-MM-DD or DD/MM/YYYY)"},
        ErrorCase{"InvalidCalendarDay", replace("protections.csv", "2023-03-10,2023-03-17", "2023-02-29,2023-03-17"),
                  {W{"protections.csv", 2, "decision_date", ""}}, "not an existing calendar day"},
        ErrorCase{"InvalidFrenchCalendarDay", replace("situations.csv", "2021-11-05", "31/11/2021"),
                  {W{"situations.csv", 2, "start", ""}}, "not an existing calendar day"},
        ErrorCase{"BirthMonth13", replace("persons.csv", "2010-03", "2010-13"),
                  {W{"persons.csv", 4, "birth_date", ""}}, "not an existing calendar day or month"},
        ErrorCase{"UnknownVocabularyValue", replace("steps.csv", "J001,diagnosis,", "J001,diagnostic,"),
                  {W{"steps.csv", 3, "step", ""}}, "unknown value (expected one of: intake, diagnosis"},
        ErrorCase{"InvalidSex", replace("persons.csv", "P0004,F,", "P0004,X,"),
                  {W{"persons.csv", 5, "sex", ""}}, "expected F, M or empty"},
        ErrorCase{"UnknownNationalityCode", replace("persons.csv", "1990-05-12,AF,", "1990-05-12,AF|ZZ,"),
                  {W{"persons.csv", 2, "nationalities", ""}}, "unknown nationality code (code 2 of 2)"},
        ErrorCase{"EmptyNationalityCode", replace("persons.csv", "DZ|FR", "DZ||FR"),
                  {W{"persons.csv", 6, "nationalities", ""}}, "empty nationality code (code 2 of 3)"},
        ErrorCase{"MissingRequiredColumn", replace("situations.csv", "situation,start,end", "situation,debut,end"),
                  {W{"situations.csv", 1, "start", ""}, W{"situations.csv", 1, "debut", ""}},
                  "missing required column"},
        ErrorCase{"UnterminatedQuote", append("persons.csv", "P0006,F,\"1990,SY,H06,21,none,,,"),
                  {W{"persons.csv", 7, "", ""}}, "unterminated quoted field"},
        ErrorCase{"MissingRequiredValue", replace("permits.csv", "P0003,card,family,", "P0003,card,,"),
                  {W{"permits.csv", 6, "motive", ""}}, "missing value"},
        ErrorCase{"UnknownColumn", replace("persons.csv", "last_contact\n", "last_contct\n"),
                  {W{"persons.csv", 1, "last_contct", ""}}, "unknown column"},
        ErrorCase{"UnknownFile", [](const fs::path& dir) { spit(dir / "Permit.csv", "person_id\n"); },
                  {W{"Permit.csv", 0, "", ""}}, "unknown file"},
        ErrorCase{"MissingPersonsFile", [](const fs::path& dir) { fs::remove(dir / "persons.csv"); },
                  {W{"persons.csv", 0, "", ""}}, "persons.csv is required"},
        ErrorCase{"DuplicatePersonId", append("persons.csv", "P0002,M,1985,MA,H02,21,none,,,"),
                  {W{"persons.csv", 7, "person_id", ""}}, "duplicate person_id 'P0002' (first on line 3)"},
        ErrorCase{"DuplicateActivityId", append("activities.csv", "A002,dijon-2023-2024,2,event,x,2024-01-01,1,0,"),
                  {W{"activities.csv", 6, "activity_id", ""}}, "duplicate activity_id 'A002'"},
        ErrorCase{"DuplicateHousingMove", append("housing.csv", "H01,2024-06-15,hotel"),
                  {W{"housing.csv", 5, "date", ""}}, "duplicate housing move"},
        ErrorCase{"UnknownPersonReference", replace("agir.csv", "P0001,2024-01-15", "P0009,2024-01-15"),
                  {W{"agir.csv", 2, "person_id", ""}}, "unknown person_id 'P0009' (not in persons.csv)"},
        ErrorCase{"UnknownRejoinedPerson", replace("persons.csv", "none,,P0001,", "none,,P0042,"),
                  {W{"persons.csv", 4, "rejoining_family_of", ""}}, "unknown person_id 'P0042'"},
        ErrorCase{"UnknownJourneyInSteps", append("steps.csv", "J099,intake,2024-01-01"),
                  {W{"steps.csv", 14, "journey_id", ""}}, "unknown journey_id 'J099' (not in journeys.csv)"},
        ErrorCase{"UnknownActivityInParticipations", replace("participations.csv", "A003,P0005", "A009,P0005"),
                  {W{"participations.csv", 4, "activity_id", ""}}, "unknown activity_id 'A009'"},
        ErrorCase{"UnknownHousehold", replace("housing.csv", "H02,", "H09,"),
                  {W{"housing.csv", 4, "household_id", ""}}, "unknown household_id 'H09'"},
        ErrorCase{"SatisfactionOutOfRange", replace("participations.csv", "A001,P0001,5", "A001,P0001,6"),
                  {W{"participations.csv", 2, "satisfaction", ""}}, "whole number from 1 to 5"},
        ErrorCase{"SubsidyAboveTotal", replace("costs.csv", "58000,50000", "58000,60000"),
                  {W{"costs.csv", 3, "subsidy_p104", ""}}, "greater than total_cost"},
        ErrorCase{"PermitEndingBeforeItStarts", replace("permits.csv", "2022-06-01,2023-05-31", "2022-06-01,2021-05-31"),
                  {W{"permits.csv", 4, "valid_to", ""}}, "is before valid_from"},
        ErrorCase{"UnknownContract", replace("activities.csv", "A002,dijon-2023-2024", "A002,dijon-2099"),
                  {W{"activities.csv", 3, "contract_id", ""}}, "unknown contract 'dijon-2099'"},
        ErrorCase{"UnknownAction", replace("costs.csv", "dijon-2023-2024,2,58000", "dijon-2023-2024,9,58000"),
                  {W{"costs.csv", 3, "action", ""}}, "has no action 9"},
        ErrorCase{"ExitReasonOutsideTheContractVocabulary", replace("journeys.csv", "lasting_housing,", "housed,"),
                  {W{"journeys.csv", 2, "exit_reason", ""}}, "housed"},
        ErrorCase{"ExitBeforeEntry", replace("journeys.csv", "2024-02-10,ccas,2024-09-30", "2024-02-10,ccas,2024-01-31"),
                  {W{"journeys.csv", 6, "exit_date", "R7.exit_before_entry"}}, "J005"},
        ErrorCase{"StepOutsideItsJourney", replace("steps.csv", "J005,diagnosis,2024-03-05", "J005,diagnosis,2024-10-05"),
                  {W{"steps.csv", 12, "date", "R7.step_outside_journey"}}, "J005"},
        ErrorCase{"EnrollmentBreakingTheAgirArticulation",
                  append("journeys.csv", "J007,P0001,dijon-2023-2024,1,2024-08-01,social_worker,,,"),
                  {W{"journeys.csv", 8, "action", "R6.agir_excluded"}}, "J007"},
        ErrorCase{"SecondOpenJourneyInTheSameAction",
                  append("journeys.csv", "J008,P0002,dijon-2023-2024,1,2024-01-01,self,,,"),
                  {W{"journeys.csv", 8, "entry_date", "R7.one_open_journey"}}, "J008"},
        ErrorCase{"MissingPrerequisiteWithoutOverride",
                  replace("journeys.csv", ",\"Habitante d'une r\u00e9sidence sociale, sans parcours en action 1\"", ","),
                  {W{"journeys.csv", 7, "action", "R7.prerequisite"}}, "J006"},
        ErrorCase{"OutOfOrderReferral", replace("referrals.csv", "2024-05-20,2024-06-01", "2024-05-20,2024-05-18"),
                  {W{"referrals.csv", 2, "completed_on", "R6.referral_transition"}}, "R001"},
        ErrorCase{"ReferralToAnUnknownAction", replace("referrals.csv", "agir,dijon-2023-2024:4", "agir,dijon-2023-2024:7"),
                  {W{"referrals.csv", 2, "to", ""}}, "has no action 7"}),
    [](const ::testing::TestParamInfo<ErrorCase>& case_info) { return case_info.param.name; });

TEST(ExchangeImport, ErrorMessagesNeverContainPersonalFieldContent) {
    TempDir tmp;
    spit(tmp / "persons.csv",
         "person_id,sex,birth_date,nationalities,cir_date,last_contact\n"
         "P1,Dupont,1990-02-30,Durand|XX,2023-02-31,12.03.2024\n"
         "P2,F,30/02/1991,Martin,31/04/2023,Lefebvre\n"
         "P3,M,Moreau,DZ,Petit,2024-01-01\n");
    spit(tmp / "permits.csv", "person_id,kind,motive,valid_from\nP3,Garcia,Roux,19/05/1987\n");
    auto store = Store::open(":memory:");
    std::string all;
    try {
        import_dir(store, tmp.path());
        FAIL() << "no ImportError";
    } catch (const ImportError& e) {
        all = e.what();
        EXPECT_GE(e.issues().size(), 13u) << all;
    }
    for (const char* secret : {"Dupont", "1990-02-30", "Durand", "2023-02-31", "12.03.2024",
                               "30/02/1991", "Martin", "31/04/2023", "Lefebvre", "Moreau", "Petit",
                               "Garcia", "Roux", "19/05/1987"})
        EXPECT_EQ(all.find(secret), std::string::npos) << secret << " in:\n" << all;
    EXPECT_NE(all.find("persons.csv:2: birth_date:"), std::string::npos) << all;
}

TEST(ExchangeImport, ProgressHookReportsEveryFileAndTable) {
    std::map<std::string, std::pair<std::size_t, std::size_t>> last;
    std::size_t calls = 0;
    ImportOptions options;
    options.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
        ++calls;
        last[std::string(stage)] = {done, total};
    };
    auto store = Store::open(":memory:");
    import_dir(store, valid_dir, options);
    for (const char* stage : {"read persons.csv", "read steps.csv", "read costs.csv", "write persons",
                              "write journeys", "write participations", "write costs"})
        ASSERT_TRUE(last.count(stage)) << stage;
    for (const auto& [stage, dt] : last) EXPECT_EQ(dt.first, dt.second) << stage;
    EXPECT_EQ(last["read steps.csv"].second, 12u);
    EXPECT_EQ(last["write journeys"].second, 6u);
    EXPECT_GE(calls, 2u * last.size());
}

TEST(ExchangeImport, ProgressIsReportedEveryThousandRows) {
    TempDir tmp;
    std::string persons = "person_id\n";
    for (int i = 0; i < 2500; ++i) persons += "P" + std::to_string(100000 + i) + "\n";
    spit(tmp / "persons.csv", persons);
    std::vector<std::size_t> done;
    ImportOptions options;
    options.progress = [&](std::string_view stage, std::size_t n, std::size_t) {
        if (stage == "write persons") done.push_back(n);
    };
    auto store = Store::open(":memory:");
    EXPECT_EQ(import_dir(store, tmp.path(), options).changed(), 2500u);
    EXPECT_EQ(done, (std::vector<std::size_t>{0, 1000, 2000, 2500}));
}

// ---- export -------------------------------------------------------------------------------

ExportOptions overwriting() {
    ExportOptions o;
    o.overwrite = true;
    return o;
}

TEST(ExchangeExport, HandBuiltStoreRoundTripsToAnEqualStore) {
    auto store = Store::open(":memory:");
    put_all(store, valid_dataset());
    TempDir tmp;
    const auto summary = export_dir(store, tmp / "out");
    ASSERT_EQ(summary.files.size(), 14u);
    EXPECT_FALSE(summary.pseudonymized);
    EXPECT_EQ(summary.rows("persons.csv"), 5u);
    EXPECT_EQ(summary.rows("steps.csv"), 12u);
    auto back = Store::open(":memory:");
    const auto imported_summary = import_dir(back, tmp / "out");
    expect_same_data(store, back);
    EXPECT_EQ(imported_summary.rows_read(), summary.rows("persons.csv") + 6 + 2 + 2 + 6 + 12 + 1 + 3 + 4 + 4 + 3 + 3 + 2 + 2);
}

TEST(ExchangeExport, ProgressHookReportsEveryTable) {
    const auto store = imported(valid_dir);
    std::map<std::string, std::pair<std::size_t, std::size_t>> last;
    ExportOptions options;
    options.progress = [&](std::string_view stage, std::size_t done, std::size_t total) {
        last[std::string(stage)] = {done, total};
    };
    TempDir tmp;
    export_dir(store, tmp / "out", options);
    EXPECT_EQ(last["export persons"], (std::pair<std::size_t, std::size_t>{5, 5}));
    EXPECT_EQ(last["export journeys"], (std::pair<std::size_t, std::size_t>{6, 6}));
    EXPECT_EQ(last["export costs"], (std::pair<std::size_t, std::size_t>{2, 2}));
    EXPECT_EQ(last.size(), 10u) << "permits, protections, situations and steps go with their record";
}

TEST(ExchangeExport, WritesUtf8CommaIsoDatesAHeaderInEveryFileAndRowsInKeyOrder) {
    const auto store = imported(exchange_data / "excel_fr");
    TempDir tmp;
    export_dir(store, tmp / "out");
    // Files whose fixture rows are already in key order come back byte for byte.
    for (const char* f : {"journeys.csv", "steps.csv", "permits.csv", "referrals.csv",
                          "activities.csv", "participations.csv", "housing.csv", "costs.csv",
                          "agir.csv", "protections.csv", "situations.csv", "partnerships.csv"})
        EXPECT_EQ(slurp(tmp / "out" / f), slurp(valid_dir / f)) << f;
    // Normalised: AFG -> AF; volunteering in key order (person, kind, start).
    const auto persons = slurp(tmp / "out" / "persons.csv");
    EXPECT_NE(persons.find("\nP0003,,2010-03,AF,H01,21,none,,P0001,2024-09-30\n"), std::string::npos)
        << persons;
    EXPECT_EQ(slurp(tmp / "out" / "volunteering.csv"),
              "person_id,kind,start,end,association_type\n"
              "P0002,engagement,2024-05-01,,\u0152uvre sportive\n"
              "P0005,membership,2024-06-25,,\"Maison de quartier, \u00e9ducation populaire\"\n"
              "P0005,one_off,2024-06-20,2024-06-20,Comit\u00e9 des f\u00eates\n");
    // An empty store still gets every file with its header.
    auto empty = Store::open(":memory:");
    export_dir(empty, tmp / "empty");
    EXPECT_EQ(slurp(tmp / "empty" / "costs.csv"), "contract_id,action,total_cost,subsidy_p104\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp / "empty"), fs::directory_iterator()), 14);
}

TEST(ExchangeExport, SyntheticCohortRoundTripsToAnEqualStore) {
    CohortOptions cohort_options;
    cohort_options.persons = 300;
    const Dataset cohort = generate_cohort(cohort_options);
    ASSERT_EQ(cohort.cases.size(), 300u);
    auto store = Store::open(":memory:");
    put_all(store, cohort);
    TempDir tmp;
    export_dir(store, tmp / "out");
    auto back = Store::open(":memory:");
    const auto summary = import_dir(back, tmp / "out");
    EXPECT_EQ(summary.table("persons").changed, 300u);
    expect_same_data(store, back);
    // And the folder read without a store is the store's content.
    const Dataset read = read_exchange_dir(tmp / "out");
    EXPECT_EQ(read.cases, store.all_cases());
    EXPECT_EQ(read.journeys, store.all_journeys());
    EXPECT_EQ(import_dir(back, tmp / "out").changed(), 0u);
}

TEST(ExchangeExport, ADatasetWrittenAsAFolderReadsBackEqualAndImportsLikeTheStoreExport) {
    CohortOptions cohort_options;
    cohort_options.persons = 200;
    const Dataset cohort = generate_cohort(cohort_options);
    TempDir tmp;
    write_exchange_dir(cohort, tmp / "dataset");
    EXPECT_EQ(read_exchange_dir(tmp / "dataset"), cohort);
    auto from_folder = Store::open(":memory:");
    import_dir(from_folder, tmp / "dataset");
    auto direct = Store::open(":memory:");
    put_all(direct, cohort);
    expect_same_data(direct, from_folder);
}

TEST(ExchangeExport, RefusesToOverwriteExchangeFilesUnlessAsked) {
    const auto store = imported(valid_dir);
    TempDir tmp;
    export_dir(store, tmp / "out");
    EXPECT_THROW(export_dir(store, tmp / "out"), ValidationError);
    // An empty exchange file is not data: it may be replaced.
    fs::create_directories(tmp / "blank");
    spit(tmp / "blank" / "persons.csv", "");
    EXPECT_NO_THROW(export_dir(store, tmp / "blank"));
    EXPECT_NO_THROW(export_dir(store, tmp / "out", overwriting()));
    for (const auto& e : fs::directory_iterator(tmp / "out"))
        EXPECT_EQ(e.path().extension(), ".csv") << e.path() << ": no temporary file left";
    const auto perms = fs::status(tmp / "out" / "persons.csv").permissions();
    EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none)
        << "personal data: owner only";
}

// ---- pseudonymised export ----------------------------------------------------------------

constexpr const char* test_key = "test-key-0123456789abcdef";

ExportOptions pseudonymised(std::string key, BirthPrecision precision = BirthPrecision::year) {
    ExportOptions o;
    o.pseudonymization_key = std::move(key);
    o.birth_precision = precision;
    return o;
}

struct Csv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> column(std::string_view name) const {
        const auto it = std::find(header.begin(), header.end(), name);
        std::vector<std::string> out;
        for (const auto& r : rows) out.push_back(r.at(static_cast<std::size_t>(it - header.begin())));
        return out;
    }
};

Csv read_csv(const fs::path& p) {
    const auto t = detail::read_csv_file(p);
    Csv out{t.header, {}};
    for (const auto& r : t.rows) {
        auto fields = r.fields;
        fields.resize(t.header.size());
        out.rows.push_back(std::move(fields));
    }
    return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(ExchangePseudonymisedExport, NoOriginalIdAppearsAndPseudonymsAreKeyedHashes) {
    const auto store = imported(valid_dir);
    TempDir tmp;
    const auto summary = export_dir(store, tmp / "out", pseudonymised(test_key));
    EXPECT_TRUE(summary.pseudonymized);
    std::string everything;
    for (const auto& e : fs::directory_iterator(tmp / "out")) everything += slurp(e.path());
    for (const char* id : {"P0001", "P0002", "P0003", "P0004", "P0005", "H01", "H02", "H04",
                           "H05", "J001", "J002", "J003", "J004", "J005", "J006", "R001", "R002",
                           "R003"})
        EXPECT_EQ(everything.find(id), std::string::npos) << id;
    // Independent reference: Python's hmac.new(key, b"person:P0001", sha256).hexdigest()[:20].
    const std::string p1 = "X8750c19d75be12644738";
    const std::string h01 = "H96e1441fc5c6d2a9a7cc";
    const std::string j001 = "Jbbb4077c4f69af752a14";
    const std::string r001 = "R38a7afce609421f92fac";

    const auto persons = read_csv(tmp / "out" / "persons.csv");
    const auto ids = persons.column("person_id");
    ASSERT_EQ(ids.size(), 5u);
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    for (const auto& id : ids) EXPECT_TRUE(std::regex_match(id, std::regex("X[0-9a-f]{20}"))) << id;
    EXPECT_TRUE(as_set(ids).count(p1));
    EXPECT_TRUE(as_set(persons.column("household_id")).count(h01));
    // P0003 rejoins P0001: the same pseudonym.
    const auto rejoining = persons.column("rejoining_family_of");
    EXPECT_EQ(std::count(rejoining.begin(), rejoining.end(), p1), 1);

    // Consistent across files.
    const auto journeys = read_csv(tmp / "out" / "journeys.csv");
    const auto journey_persons = journeys.column("person_id");
    EXPECT_EQ(std::count(journey_persons.begin(), journey_persons.end(), p1), 2);
    EXPECT_TRUE(as_set(journeys.column("journey_id")).count(j001));
    for (const auto& j : read_csv(tmp / "out" / "steps.csv").column("journey_id"))
        EXPECT_TRUE(as_set(journeys.column("journey_id")).count(j)) << j;
    for (const char* f : {"permits.csv", "protections.csv", "situations.csv", "journeys.csv",
                          "agir.csv", "referrals.csv", "participations.csv", "volunteering.csv"})
        for (const auto& p : read_csv(tmp / "out" / f).column("person_id"))
            EXPECT_TRUE(as_set(ids).count(p)) << f << " " << p;
    for (const auto& h : read_csv(tmp / "out" / "housing.csv").column("household_id"))
        EXPECT_TRUE(as_set(persons.column("household_id")).count(h)) << h;
    EXPECT_EQ(read_csv(tmp / "out" / "agir.csv").column("person_id"), std::vector<std::string>{p1});
    EXPECT_TRUE(as_set(read_csv(tmp / "out" / "referrals.csv").column("referral_id")).count(r001));
}

TEST(ExchangePseudonymisedExport, ReducesBirthDatesAndDropsContactAndFreeText) {
    const auto store = imported(valid_dir);
    TempDir tmp;
    export_dir(store, tmp / "year", pseudonymised(test_key));
    export_dir(store, tmp / "month", pseudonymised(test_key, BirthPrecision::month));
    const auto year = read_csv(tmp / "year" / "persons.csv");
    EXPECT_EQ(as_set(year.column("birth_date")),
              (std::set<std::string>{"1978", "1985", "1990", "1999", "2010"}));
    const auto month = read_csv(tmp / "month" / "persons.csv");
    EXPECT_EQ(as_set(month.column("birth_date")),
              (std::set<std::string>{"1978-11", "1985", "1990-05", "1999-07", "2010-03"}));
    for (const auto& c : year.column("last_contact")) EXPECT_EQ(c, "");
    EXPECT_EQ(as_set(read_csv(tmp / "year" / "journeys.csv").column("override_reason")),
              (std::set<std::string>{"", "redacted"}));
    EXPECT_EQ(as_set(read_csv(tmp / "year" / "referrals.csv").column("reason")),
              (std::set<std::string>{"", "redacted"}));
    std::string everything;
    for (const auto& e : fs::directory_iterator(tmp / "year")) everything += slurp(e.path());
    for (const char* text : {"1990-05-12", "1978-11-02", "Habitante", "Pas de protection"})
        EXPECT_EQ(everything.find(text), std::string::npos) << text;
    // The statistical content is kept: the pseudonymised folder imports as is.
    auto analyst = Store::open(":memory:");
    ImportOptions allow;
    allow.allow_pseudonymized = true;  // the marker PSEUDONYMIZED.txt is refused otherwise
    const auto summary = import_dir(analyst, tmp / "year", allow);
    EXPECT_EQ(analyst.person_count(), 5);
    EXPECT_EQ(summary.table("journeys").changed, 6u);
    EXPECT_EQ(analyst.all_activities(), store.all_activities());
}

TEST(ExchangePseudonymisedExport, SameKeySamePseudonymsOtherKeyOthers) {
    const auto store = imported(valid_dir);
    TempDir tmp;
    export_dir(store, tmp / "a", pseudonymised(test_key));
    export_dir(store, tmp / "b", pseudonymised(test_key));
    export_dir(store, tmp / "c", pseudonymised("another-key-of-16+bytes"));
    for (const auto& e : fs::directory_iterator(tmp / "a"))
        EXPECT_EQ(slurp(e.path()), slurp(tmp / "b" / e.path().filename())) << e.path();
    const auto a = as_set(read_csv(tmp / "a" / "persons.csv").column("person_id"));
    const auto c = as_set(read_csv(tmp / "c" / "persons.csv").column("person_id"));
    std::vector<std::string> common;
    std::set_intersection(a.begin(), a.end(), c.begin(), c.end(), std::back_inserter(common));
    EXPECT_TRUE(common.empty());
    EXPECT_EQ(c.size(), 5u);
}

TEST(ExchangePseudonymisedExport, KeyShorterThan16BytesIsRefusedBeforeWritingAnything) {
    const auto store = imported(valid_dir);
    TempDir tmp;
    EXPECT_THROW(export_dir(store, tmp / "out", pseudonymised("short-key")),
                 ValidationError);
    EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(ExchangeKeyFile, ReadsTheKeyWithoutItsLineEnd) {
    TempDir tmp;
    spit(tmp / "key", "0123456789abcdef0123456789abcdef\r\n");
    EXPECT_EQ(read_key_file(tmp / "key"), "0123456789abcdef0123456789abcdef");
    spit(tmp / "key2", std::string("binary\0key\xff-16-bytes", 21));
    EXPECT_EQ(read_key_file(tmp / "key2").size(), 21u);
}

TEST(ExchangeKeyFile, RefusesEmptyShortOrMissingFilesWithoutPrintingTheKey) {
    TempDir tmp;
    spit(tmp / "empty", "");
    spit(tmp / "newline", "\n");
    spit(tmp / "short", "s3cr3t-k3y\n");
    for (const char* name : {"empty", "newline", "short", "missing"}) {
        try {
            read_key_file(tmp / name);
            ADD_FAILURE() << name << ": accepted";
        } catch (const ValidationError& e) {
            const std::string what = e.what();
            EXPECT_EQ(what.find("s3cr3t"), std::string::npos) << what;
            EXPECT_NE(what.find(name), std::string::npos) << "names the file: " << what;
        }
    }
}

}  // namespace

// ---- issue #21: hardening ------------------------------------------------------------------

namespace {

// A folder holding only the given files of the valid fixture.
fs::path valid_subset(const TempDir& dir, std::initializer_list<const char*> files) {
    const auto out = dir / "subset";
    fs::create_directories(out);
    for (const auto* f : files) fs::copy_file(valid_dir / f, out / f);
    return out;
}

// Writes the `#FILE name` sections of a fuzz reproducer into `dir`.
void unpack_reproducer(const fs::path& file, const fs::path& dir) {
    const auto text = slurp(file);
    std::string name, body;
    auto flush = [&] {
        if (!name.empty()) spit(dir / name, body);
    };
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + pos, end - pos);
        if (line.starts_with("#FILE ")) {
            flush();
            name = std::string(line.substr(6));
            body.clear();
        } else if (!name.empty()) {
            body.append(line);
            if (end < text.size()) body.push_back('\n');
        }
        pos = end + 1;
    }
    flush();
}

// The invariant of tests/fuzz/fuzz_import.cpp: refused => unchanged; accepted => export,
// re-import into a fresh store and export again give the same files.
void expect_import_invariant(const fs::path& folder) {
    auto store = imported(valid_dir);
    const auto before = store.fingerprint().sha256;
    try {
        import_dir(store, folder);
    } catch (const Error&) {
        EXPECT_EQ(store.fingerprint().sha256, before) << "refused but changed";
        return;
    }
    TempDir out;
    ExportOptions o;
    o.overwrite = true;
    export_dir(store, out / "1", o);
    auto fresh = Store::open(":memory:");
    EXPECT_NO_THROW(import_dir(fresh, out / "1")) << "the store's own export is refused";
    export_dir(fresh, out / "2", o);
    for (const auto& e : fs::directory_iterator(out / "1"))
        EXPECT_EQ(slurp(e.path()), slurp(out / "2" / e.path().filename())) << e.path().filename();
}

}  // namespace

TEST(ExchangeHardening, AFolderWithOnlyPersonsCsvKeepsEveryPermitProtectionSituationAndStep) {
    auto store = imported(valid_dir);
    const auto cases = store.all_cases();
    const auto journeys = store.all_journeys();
    TempDir dir;
    const auto summary = import_dir(store, valid_subset(dir, {"persons.csv"}));
    EXPECT_EQ(store.all_cases(), cases);
    EXPECT_EQ(store.all_journeys(), journeys);
    EXPECT_EQ(summary.changed(), 0u);
    for (const auto* t : {"permits", "protections", "situations", "steps", "journeys"}) {
        EXPECT_TRUE(summary.table(t).kept) << t;
        EXPECT_EQ(summary.table(t).removed, 0u) << t;
    }
    EXPECT_FALSE(summary.table("persons").kept);
}

TEST(ExchangeHardening, APermitsCsvThatIsADirectoryChangesNothingAndIsWarned) {
    auto store = imported(valid_dir);
    const auto cases = store.all_cases();
    TempDir dir;
    const auto folder = valid_subset(dir, {"persons.csv"});
    fs::create_directories(folder / "permits.csv");
    const auto summary = import_dir(store, folder);
    EXPECT_EQ(store.all_cases(), cases);
    EXPECT_TRUE(summary.table("permits").kept);
    EXPECT_TRUE(std::any_of(summary.warnings.begin(), summary.warnings.end(),
                            [](const ImportIssue& w) { return w.file == "permits.csv"; }));
}

TEST(ExchangeHardening, JourneysWithoutStepsCsvKeepTheirStoredSteps) {
    auto store = imported(valid_dir);
    const auto journeys = store.all_journeys();
    TempDir dir;
    import_dir(store, valid_subset(dir, {"persons.csv", "journeys.csv", "agir.csv", "referrals.csv"}));
    EXPECT_EQ(store.all_journeys(), journeys);
}

TEST(ExchangeHardening, RemovalsFromAPresentFileAreCounted) {
    auto store = imported(valid_dir);
    TempDir dir;
    const auto folder = valid_subset(dir, {"persons.csv", "permits.csv"});
    replace_once(folder / "permits.csv", "P0001,receipt,protection,2023-03-20,2023-09-20\n", "");
    const auto summary = import_dir(store, folder);
    EXPECT_EQ(summary.table("permits").removed, 1u);
    EXPECT_EQ(summary.removed(), 1u);
    EXPECT_EQ(store.person_case(PersonId{"P0001"}).permits.size(), 1u);
    EXPECT_EQ(store.person_case(PersonId{"P0001"}).situations.size(), 1u);  // absent: kept
}

TEST(ExchangeHardening, AnImportThatWouldBreakR7ForStoredJourneysIsRefusedAndWritesNothing) {
    auto store = imported(valid_dir);
    const auto before = store.fingerprint().sha256;
    TempDir dir;
    // P0001's protection and permits removed: their journeys in action 1 (refugees) and 4
    // would no longer be allowed.
    const auto folder = valid_subset(dir, {"persons.csv", "permits.csv", "protections.csv"});
    spit(folder / "permits.csv", "person_id,kind,motive,valid_from,valid_to\n");
    spit(folder / "protections.csv", slurp(valid_dir / "protections.csv").substr(0, slurp(valid_dir / "protections.csv").find('\n') + 1));
    const auto issues = issues_of([&] { import_dir(store, folder); });
    ASSERT_FALSE(issues.empty());
    EXPECT_TRUE(std::any_of(issues.begin(), issues.end(),
                            [](const ImportIssue& i) { return i.rule.starts_with("R"); }))
        << describe(issues);
    EXPECT_EQ(store.fingerprint().sha256, before);
    // The fresh store that imports its export accepts it (nothing inconsistent was kept).
    expect_import_invariant(folder);
}

TEST(ExchangeHardening, DryRunReportsEveryChangeAndWritesNothing) {
    auto store = Store::open(":memory:");
    ImportOptions o;
    o.dry_run = true;
    const auto summary = import_dir(store, valid_dir, o);
    EXPECT_TRUE(summary.dry_run);
    EXPECT_EQ(summary.table("persons").changed, 5u);
    EXPECT_GT(summary.changed(), 0u);
    EXPECT_EQ(store.person_count(), 0);
    EXPECT_TRUE(store.audit_log().empty());

    auto full = imported(valid_dir);
    const auto before = full.fingerprint().sha256;
    TempDir dir;
    const auto folder = copy_valid(dir);
    replace_once(folder / "persons.csv", "P0004,F,1978-11-02,UA,H04,21", "P0004,F,1978-11-02,UA,H04,25");
    const auto changed = import_dir(full, folder, o);
    EXPECT_EQ(changed.table("persons").changed, 1u);
    EXPECT_EQ(full.fingerprint().sha256, before);
}

TEST(ExchangeHardening, ARowShorterThanItsHeaderIsRefusedAtItsLine) {
    auto store = imported(valid_dir);
    const auto before = store.fingerprint().sha256;
    TempDir dir;
    const auto folder = copy_valid(dir);
    // J001 closed; a short row would have reopened it (exit cells missing).
    replace_once(folder / "journeys.csv",
                 "J001,P0001,dijon-2023-2024,1,2023-11-02,social_worker,2024-06-30,lasting_housing,",
                 "J001,P0001,dijon-2023-2024,1,2023-11-02,social_worker");
    const auto issues = issues_of([&] { import_dir(store, folder); });
    ASSERT_EQ(issues.size(), 1u) << describe(issues);
    EXPECT_EQ(issues[0].file, "journeys.csv");
    EXPECT_EQ(issues[0].line, 2);
    EXPECT_NE(issues[0].message.find("fields but the header has"), std::string::npos);
    EXPECT_EQ(store.fingerprint().sha256, before);
}

TEST(ExchangeHardening, AUtf8FileWithOneBadByteIsRefusedAtItsLineNeverReadAsWindows1252) {
    TempDir dir;
    const auto folder = copy_valid(dir);
    auto text = slurp(folder / "volunteering.csv");
    ASSERT_NE(text.find("\xC3\xA9"), std::string::npos);  // é in UTF-8
    text += "P0002,one_off,2024-07-01,2024-07-01,Caf\xE9\n";  // é in Windows-1252
    spit(folder / "volunteering.csv", text);
    const auto lines = std::count(text.begin(), text.end(), '\n');
    const auto issues = issues_of([&] { read_exchange_dir(folder); });
    ASSERT_EQ(issues.size(), 1u) << describe(issues);
    EXPECT_EQ(issues[0].file, "volunteering.csv");
    EXPECT_EQ(issues[0].line, lines);
    EXPECT_NE(issues[0].message.find("UTF-8"), std::string::npos);
    // A file that is Windows-1252 throughout still reads as such.
    const auto table = detail::parse_csv("a,b\nCaf\xE9,\x80\n", "x.csv");
    EXPECT_EQ(table.encoding, detail::TextEncoding::windows_1252);
    EXPECT_EQ(table.rows.at(0).fields.at(0), "Caf\xC3\xA9");
    // After a BOM an invalid byte is refused too.
    EXPECT_THROW(detail::parse_csv("\xEF\xBB\xBF" "a\nx\xFFy\n", "x.csv"), ValidationError);
}

TEST(ExchangeHardening, AHeaderlessPersonsCsvNeverPrintsItsCells) {
    TempDir dir;
    const auto folder = copy_valid(dir);
    auto text = slurp(folder / "persons.csv");
    spit(folder / "persons.csv", text.substr(text.find('\n') + 1));
    const auto issues = issues_of([&] { read_exchange_dir(folder); });
    ASSERT_FALSE(issues.empty());
    for (const auto& i : issues) {
        const auto s = to_string(i);
        for (const auto* personal : {"1990-05-12", "1990", "AF", "af", "H01", "h01", "signed", "2024-09-30"})
            EXPECT_EQ(s.find(personal), std::string::npos) << s;
    }
    // A misspelt column of a real header is still named.
    const auto folder2 = dir / "misspelt";
    fs::copy(valid_dir, folder2, fs::copy_options::recursive);
    replace_once(folder2 / "persons.csv", "cir_status", "cir_statut");
    const auto issues2 = issues_of([&] { read_exchange_dir(folder2); });
    EXPECT_TRUE(std::any_of(issues2.begin(), issues2.end(),
                            [](const ImportIssue& i) { return i.column == "cir_statut"; }))
        << describe(issues2);
}

TEST(ExchangeHardening, InvisibleOrOversizedIdentifiersAreRefused) {
    for (const std::string& bad : {std::string("P0009\xC2\xA0"), std::string("\xEF\xBB\xBFP0009"),
                                  std::string("P00\xE2\x80\x8B" "09"), std::string("P00\x01" "09"),
                                  std::string("\xEF\xBC\xB0" "0009"), std::string(100, 'P')}) {
        TempDir dir;
        const auto folder = copy_valid(dir);
        append_line(folder / "persons.csv", "\"" + bad + "\",F,1990,AF,H09,21,none,,,");
        const auto issues = issues_of([&] { read_exchange_dir(folder); });
        ASSERT_EQ(issues.size(), 1u) << describe(issues);
        EXPECT_EQ(issues[0].column, "person_id");
        EXPECT_EQ(issues[0].message.find(bad), std::string::npos);
    }
}

TEST(ExchangeHardening, ImplausibleValuesAreRefused) {
    struct Case {
        const char* file;
        const char* from;
        const char* to;
        const char* column;
    };
    for (const auto& c : std::vector<Case>{
             {"persons.csv", "P0001,F,1990-05-12", "P0001,F,0000-01-01", "birth_date"},
             {"persons.csv", "P0001,F,1990-05-12", "P0001,F,9999-12-31", "birth_date"},
             {"persons.csv", "H04,21,", "H04,-1,", "department"},
             {"persons.csv", "H04,21,", "H04,99,", "department"},
             {"activities.csv", "2024-03-12,2.5", "2024-03-12,1e308", "hours"},
         }) {
        TempDir dir;
        const auto folder = copy_valid(dir);
        replace_once(folder / c.file, c.from, c.to);
        const auto issues = issues_of([&] { read_exchange_dir(folder); });
        ASSERT_EQ(issues.size(), 1u) << c.to << describe(issues);
        EXPECT_EQ(issues[0].column, c.column) << c.to;
    }
    TempDir dir;
    const auto folder = copy_valid(dir);
    append_line(folder / "volunteering.csv",
                "P0002,one_off,2024-07-01,2024-07-01," + std::string(3000, 'x'));
    const auto issues = issues_of([&] { read_exchange_dir(folder); });
    ASSERT_EQ(issues.size(), 1u) << describe(issues);
    // Corsica and overseas départements are valid.
    for (const auto* code : {"2A", "2B", "974", "01", "95"}) {
        TempDir d2;
        const auto f2 = copy_valid(d2);
        replace_once(f2 / "persons.csv", "H04,21,", std::string("H04,") + code + ",");
        EXPECT_NO_THROW(read_exchange_dir(f2)) << code;
    }
}

TEST(ExchangeHardening, ErrorListsAreCappedWithTheCountOfTheRest) {
    TempDir dir;
    const auto folder = copy_valid(dir);
    auto text = slurp(folder / "persons.csv");
    std::string extra;
    for (int i = 0; i < 5000; ++i) extra += ",unknown_" + std::to_string(i);
    std::string padded;
    std::size_t pos = 0;
    for (bool header = true; pos < text.size(); header = false) {
        const auto eol = text.find('\n', pos);
        padded += text.substr(pos, eol - pos) + (header ? extra : std::string(5000, ',')) + "\n";
        pos = eol + 1;
    }
    spit(folder / "persons.csv", padded);
    const auto issues = issues_of([&] { read_exchange_dir(folder); });
    ASSERT_EQ(issues.size(), 201u);
    EXPECT_NE(issues.back().message.find("4800 more"), std::string::npos) << issues.back().message;
}

TEST(ExchangeHardening, ExportNeutralisesFormulaCellsAndTheImportReadsThemBack) {
    auto data = valid_dataset();
    data.activities[0].type = "=cmd|' /C calc'!A0";
    data.activities[1].type = "+SUM(A1:A9)";
    data.activities[2].type = "@x";
    data.activities[3].type = "'-already quoted";
    data.volunteering[0].association_type = "-2+3";
    auto store = Store::open(":memory:");
    put_all(store, data);
    TempDir dir;
    export_dir(store, dir / "out");
    const auto csv = slurp(dir / "out" / "activities.csv");
    EXPECT_NE(csv.find(",'=cmd|"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",'+SUM("), std::string::npos) << csv;
    EXPECT_NE(csv.find(",'@x,"), std::string::npos) << csv;
    EXPECT_NE(csv.find(",''-already quoted,"), std::string::npos) << csv;
    EXPECT_EQ(csv.find(",=cmd"), std::string::npos);
    EXPECT_NE(slurp(dir / "out" / "volunteering.csv").find("'-2+3"), std::string::npos);
    auto back = imported(dir / "out");
    expect_same_data(store, back);
}

TEST(ExchangeHardening, APseudonymisedExportIsMarkedAndRefusedUnlessAllowed) {
    auto store = imported(valid_dir);
    TempDir dir;
    ExportOptions o;
    o.pseudonymization_key = "0123456789abcdef0123456789abcdef";
    export_dir(store, dir / "pseudo", o);
    EXPECT_TRUE(fs::exists(dir / "pseudo" / "PSEUDONYMIZED.txt"));
    const auto before = store.fingerprint().sha256;
    const auto issues = issues_of([&] { import_dir(store, dir / "pseudo"); });
    ASSERT_EQ(issues.size(), 1u) << describe(issues);
    EXPECT_EQ(issues[0].file, "PSEUDONYMIZED.txt");
    EXPECT_EQ(store.fingerprint().sha256, before);
    auto research = Store::open(":memory:");
    ImportOptions allow;
    allow.allow_pseudonymized = true;
    EXPECT_NO_THROW(import_dir(research, dir / "pseudo", allow));
    // A plain export over it removes the marker.
    ExportOptions plain;
    plain.overwrite = true;
    export_dir(store, dir / "pseudo", plain);
    EXPECT_FALSE(fs::exists(dir / "pseudo" / "PSEUDONYMIZED.txt"));
}

TEST(ExchangeHardening, WeakKeysAndKeyFilesInsideTheExportAreRefused) {
    auto store = imported(valid_dir);
    TempDir dir;
    for (const std::string& weak : {std::string(32, ' '), std::string(32, 'a'),
                                   std::string("abababababababababababababababab")}) {
        ExportOptions o;
        o.pseudonymization_key = weak;
        EXPECT_THROW(export_dir(store, dir / "w", o), ValidationError);
        spit(dir / "key", weak + "\n");
        EXPECT_THROW(read_key_file(dir / "key"), ValidationError);
    }
    EXPECT_FALSE(fs::exists(dir / "w" / "persons.csv"));
    fs::create_directories(dir / "out");
    spit(dir / "out" / "key", "0123456789abcdef0123456789abcdef\n");
    ExportOptions o;
    o.pseudonymization_key = read_key_file(dir / "out" / "key");
    o.key_file = dir / "out" / "key";
    EXPECT_THROW(export_dir(store, dir / "out", o), ValidationError);
    EXPECT_FALSE(fs::exists(dir / "out" / "persons.csv"));
    o.key_file = dir / "out" / ".." / "out" / "key";
    EXPECT_THROW(export_dir(store, dir / "out", o), ValidationError);
    fs::rename(dir / "out" / "key", dir / "key2");
    o.key_file = dir / "key2";
    EXPECT_NO_THROW(export_dir(store, dir / "out", o));
}

TEST(ExchangeHardening, FuzzRegressionsHoldTheImportInvariant) {
    const auto root = fs::path(CTAI_TEST_DATA_DIR).parent_path() / "fuzz" / "regressions" / "import";
    ASSERT_TRUE(fs::is_directory(root));
    for (const auto& e : fs::directory_iterator(root)) {
        SCOPED_TRACE(e.path().filename().string());
        TempDir dir;
        unpack_reproducer(e.path(), dir.path());
        expect_import_invariant(dir.path());
    }
}

TEST(ExchangeHardening, FuzzRegressionPolicyNumberOutOfRangeIsAValidationError) {
    // tests/fuzz/regressions/policy/number_out_of_range: escaped as a nlohmann exception.
    const auto text = slurp(fs::path(CTAI_TEST_DATA_DIR).parent_path() / "fuzz" / "regressions" /
                            "policy" / "number_out_of_range");
    EXPECT_THROW(policy_from_json(text, "fuzz.json"), ValidationError);
    EXPECT_THROW(policy_from_json("{\"x\": 1e99999}", "p.json"), ValidationError);
}
