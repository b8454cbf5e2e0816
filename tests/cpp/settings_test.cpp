// R10: the settings of a store (territory, policy in force), dated, audited, used by
// default, exchanged as settings.json.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

#include <ctai/ctai.hpp>

#include "store_fixtures.hpp"

namespace ctai {
namespace {

using test::d;
using test::TempDir;

Date today() { return settings_today(); }

AuditQuery settings_audit() {
    AuditQuery q;
    q.entity = "settings";
    return q;
}

Policy inclusive() {
    Policy p;
    p.boundary = Boundary::inclusive;
    return p;
}

TEST(StoreSettings, DepartementCodesAreTheInseeOnes) {
    for (const char* ok : {"01", "21", "2A", "2B", "75", "95", "971", "972", "973", "974", "976"})
        EXPECT_TRUE(is_departement_code(ok)) << ok;
    for (const char* bad : {"", "0", "00", "20", "96", "99", "2C", "2a", "975", "977", "210", "21 ", "Dijon"})
        EXPECT_FALSE(is_departement_code(bad)) << bad;
}

TEST(StoreSettings, AStoreWithoutSettingsUsesTheDefaultPolicy) {
    auto store = Store::open(":memory:");
    EXPECT_FALSE(store.settings());
    EXPECT_TRUE(store.settings_history().empty());
    EXPECT_EQ(store.policy(), Policy{});
}

TEST(StoreSettings, EachChangeIsDatedKeptAndAudited) {
    auto store = Store::open(":memory:");
    EXPECT_TRUE(store.put_settings({d("2024-01-01"), "21", Policy{}}));
    EXPECT_TRUE(store.put_settings({d("2025-01-01"), "21", inclusive()}));
    EXPECT_FALSE(store.put_settings({d("2025-01-01"), "21", inclusive()}));  // no-op: nothing audited
    ASSERT_EQ(store.settings_history().size(), 2u);
    EXPECT_EQ(store.settings(d("2023-12-31")), std::nullopt);
    EXPECT_EQ(store.settings(d("2024-06-01"))->policy, Policy{});
    EXPECT_EQ(store.settings(d("2025-01-01"))->policy, inclusive());
    EXPECT_EQ(store.settings(d("2025-01-01"))->territory, "21");
    // The same effective day replaces that day's entry (an audited update).
    EXPECT_TRUE(store.put_settings({d("2025-01-01"), "2A", inclusive()}));
    EXPECT_EQ(store.settings_history().size(), 2u);
    const auto audit = store.audit_log(settings_audit());
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[0].operation, "insert");
    EXPECT_EQ(audit[0].entity_id, "2024-01-01");
    EXPECT_EQ(audit[2].operation, "update");
    EXPECT_EQ(nlohmann::json::parse(audit[2].change)["territory"], nlohmann::json::array({"21", "2A"}));
}

TEST(StoreSettings, AnInvalidTerritoryIsRefusedAndNothingIsWritten) {
    auto store = Store::open(":memory:");
    EXPECT_THROW(store.put_settings({d("2024-01-01"), "20", Policy{}}), ValidationError);
    EXPECT_THROW(store.put_settings({d("2024-01-01"), "Dijon", Policy{}}), ValidationError);
    EXPECT_TRUE(store.settings_history().empty());
    EXPECT_TRUE(store.audit_log(settings_audit()).empty());
}

TEST(StoreSettings, OpeningWithoutAPolicyUsesTheSettingsInForceToday) {
    TempDir dir;
    const auto file = dir.file("s.db");
    {
        auto store = Store::open(file);
        store.put_settings({today(), "21", inclusive()});
        EXPECT_EQ(store.policy(), inclusive());  // this Store follows its settings too
        // An entry that starts tomorrow is not in force yet.
        Policy later = inclusive();
        later.require_cir = true;
        store.put_settings({today().plus_days(1), "21", later});
        EXPECT_EQ(store.policy(), inclusive());
    }
    EXPECT_EQ(Store::open(file).policy(), inclusive());
    // An explicit policy wins over the settings.
    EXPECT_EQ(Store::open(file, StoreOptions{.policy = Policy{}}).policy(), Policy{});
}

TEST(StoreSettings, AnExplicitPolicyIsNotReplacedByANewSettingsEntry) {
    auto store = Store::open(":memory:", {.policy = Policy{}});
    store.put_settings({today(), "21", inclusive()});
    EXPECT_EQ(store.policy(), Policy{});
}

TEST(StoreSettings, TheReportRecordsTheOptionsThatDifferFromTheStores) {
    auto store = Store::open(":memory:");
    const ContractId contract{test::contract_2024};
    // No settings, no override: no key (the reports of existing stores are unchanged).
    auto json = nlohmann::json::parse(to_json(build_report(store, contract)));
    EXPECT_FALSE(json.contains("policy_overrides"));
    store.put_settings({today(), "21", inclusive()});
    json = nlohmann::json::parse(to_json(build_report(store, contract)));
    EXPECT_FALSE(json.contains("policy_overrides"));  // the store's own policy
    // ReportOptions::k is not an override of the policy.
    ReportOptions o;
    o.publish = true;
    o.k = 5;
    EXPECT_TRUE(build_report(store, contract, o).policy_overrides.empty());
    store.set_policy(Policy{});  // an explicit override
    const auto r = build_report(store, contract);
    ASSERT_EQ(r.policy_overrides.size(), 1u);
    EXPECT_EQ(r.policy_overrides[0], (PolicyOverride{"boundary", "\"inclusive\"", "\"strict\""}));
    json = nlohmann::json::parse(to_json(r));
    EXPECT_EQ(json["policy_overrides"],
              nlohmann::json::parse(R"({"boundary": {"store": "inclusive", "used": "strict"}})"));
    EXPECT_NE(to_markdown(r).find("réglages du magasin"), std::string::npos);
}

TEST(StoreSettings, SettingsJsonRoundTripsAndErrorsNameTheKey) {
    Policy p = inclusive();
    p.agir_start["21"] = d("2024-02-01");
    const StoreSettings s{d("2025-03-01"), "21", p};
    EXPECT_EQ(settings_from_json(settings_to_json(s)), s);
    EXPECT_EQ(settings_from_json(R"({"format_version": 1, "effective": "2025-03-01", "territory": null, "policy": {}})")
                  .policy,
              Policy{});
    auto error_of = [](const std::string& text) {
        try {
            settings_from_json(text, "settings.json");
        } catch (const ValidationError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error_of(R"({"format_version": 1, "effective": "2025-03-01", "territory": "20", "policy": {}})"),
              "settings.json: territory: '20' is not a département code (e.g. \"21\", \"2A\", \"971\")");
    EXPECT_NE(error_of(R"({"format_version": 1, "effective": "2025-03-01", "policy": {"boundary": "x"}})")
                  .find("settings.json: policy: policy option 'boundary'"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"format_version": 1, "effective": "2025-03-01", "policy": {}, "extra": 1})").find("extra"),
              std::string::npos);
    EXPECT_NE(error_of("{\n\"format_version\": 1,\n}").find("settings.json:3"), std::string::npos);
}

TEST(StoreSettings, ExportThenImportIntoANewStoreGivesTheSameSettings) {
    TempDir dir;
    auto source = Store::open(":memory:");
    source.put_case(test::refugee("P1"));
    Policy p = inclusive();
    p.retention_years = 3;
    source.put_settings({today(), "21", p});
    const auto summary = export_dir(source, dir.path / "out");
    EXPECT_EQ(summary.rows("settings.json"), 1u);
    auto target = Store::open(":memory:");
    const auto imported = import_dir(target, dir.path / "out");
    EXPECT_EQ(imported.settings_changed, true);
    EXPECT_TRUE(imported.warnings.empty());
    EXPECT_EQ(target.settings(), source.settings());
    EXPECT_EQ(target.policy(), p);  // the importing Store follows the new settings
    EXPECT_EQ(target.audit_log(settings_audit()).size(), 1u);
    // Again: nothing changes.
    EXPECT_EQ(import_dir(target, dir.path / "out").settings_changed, false);
    // A store without settings exports no settings.json (and removes a stale one).
    auto empty = Store::open(":memory:");
    empty.put_case(test::refugee("P1"));
    ExportOptions overwrite;
    overwrite.overwrite = true;
    export_dir(empty, dir.path / "out", overwrite);
    EXPECT_FALSE(std::filesystem::exists(dir.path / "out" / "settings.json"));
    // Absent: the store's settings are left as they were.
    EXPECT_EQ(import_dir(target, dir.path / "out").settings_changed, std::nullopt);
    EXPECT_EQ(target.settings(), source.settings());
}

TEST(StoreSettings, AMalformedSettingsJsonIsRefusedWithALocatedErrorAndNothingIsWritten) {
    TempDir dir;
    auto source = Store::open(":memory:");
    source.put_case(test::refugee("P1"));
    export_dir(source, dir.path);
    std::ofstream(dir.path / "settings.json")
        << "{\n  \"format_version\": 1,\n  \"effective\": \"2025-02-30\",\n  \"territory\": \"21\",\n  \"policy\": {}\n}\n";
    auto target = Store::open(":memory:");
    try {
        import_dir(target, dir.path);
        FAIL() << "the import was accepted";
    } catch (const ImportError& e) {
        ASSERT_EQ(e.issues().size(), 1u);
        EXPECT_EQ(e.issues()[0].file, "settings.json");
        EXPECT_EQ(e.issues()[0].column, "effective");
    }
    EXPECT_TRUE(target.person_ids().empty());
    EXPECT_FALSE(target.settings());
}

}  // namespace
}  // namespace ctai
