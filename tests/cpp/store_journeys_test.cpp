// R7: Store::journeys (the columnar read) against a reference written in plain SQL (the
// original form: ORDER BY in SQLite, correlated subqueries for the step columns), on a
// synthetic cohort plus a second, small contract: every filter (so both the index and the
// table-scan paths), ties on the entry date, every subset of JourneyFields. The step
// columns come from the journey row (schema v3: step_count, end_step_date, kept by the
// library's writes); the reference counts the steps table, and a test rewrites and
// anonymises journeys and recounts from the Journey objects.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <ctai/columns.hpp>
#include <ctai/contract.hpp>
#include <ctai/stats.hpp>
#include <ctai/store.hpp>
#include <ctai/synthetic.hpp>

#include "dataset_fixture.hpp"
#include "store_fixtures.hpp"

namespace {

using namespace ctai;
using ctai::test::TempDir;

const char* const big = "dijon-2023-2024";
const char* const small = "dijon-2022";

// A store with a 800-person cohort in `big` (more than 2048 journeys: the radix sort) and, for one person in four, a copy of their
// first journey in `small` (override reason set, entry moved to the first of its month so
// that entry dates tie), some of them open.
void fill(Store& s) {
    CohortOptions co;
    co.persons = 800;
    const Dataset ds = generate_cohort(co);
    const Contract k = builtin_contract(small);
    auto tx = s.transaction("journeys test cohort");
    for (const auto& c : ds.cases) s.put_case(c);
    for (const auto& a : ds.agir) s.put_agir_support(a);
    for (const auto& r : ds.referrals) s.put_referral(r);
    std::vector<const Journey*> js;
    for (const auto& j : ds.journeys) js.push_back(&j);
    std::stable_sort(js.begin(), js.end(), [](const Journey* a, const Journey* b) {
        return std::tie(a->entry_date, a->action, a->id) < std::tie(b->entry_date, b->action, b->id);
    });
    for (const auto* j : js) s.put_journey(*j);
    std::set<std::string> copied;
    int n = 0;
    for (const auto& j : ds.journeys) {
        if (!copied.insert(j.person_id.str()).second) continue;
        if (n++ % 4 != 0) continue;
        Journey c;
        c.id = JourneyId{"K-" + j.id.str()};
        c.person_id = j.person_id;
        c.contract_id = ContractId{small};
        c.action = 1 + n % 3;
        c.entry_date = j.entry_date.plus_days(1 - static_cast<std::int32_t>(j.entry_date.day()));
        c.referral_source = j.referral_source;
        c.override_reason = "copied for the columnar read test";
        c.steps.push_back(Step{StepKind::intake, c.entry_date});
        if (n % 5 != 0) {
            c.exit_date = c.entry_date.plus_days(10 + n % 40);
            c.exit_reason = k.exit_reasons[static_cast<std::size_t>(n) % k.exit_reasons.size()].code;
            c.steps.push_back(Step{StepKind::end_of_support, *c.exit_date});
        }
        s.put_journey(c);
    }
    tx.commit();
}

// The reference: one SQL statement in the original form.
JourneyColumns reference(const std::string& db, const std::optional<std::string>& contract,
                         std::optional<int> action, std::optional<Date> censor_on) {
    SQLite::Database con(db, SQLite::OPEN_READONLY);
    std::string sql =
        "SELECT j.journey_id, j.person_id, j.contract_id, j.action, j.entry_date, "
        "j.referral_source, j.exit_date, ifnull(j.exit_reason, ''), "
        "j.override_reason IS NOT NULL, "
        "(SELECT count(*) FROM steps s WHERE s.journey_id = j.journey_id), "
        "(SELECT min(date) FROM steps s WHERE s.journey_id = j.journey_id AND "
        "s.step IN ('follow_on', 'end_of_support')) FROM journeys j WHERE 1";
    if (contract) sql += " AND j.contract_id = :c";
    if (action) sql += " AND j.action = :a";
    sql += " ORDER BY j.contract_id, j.action, j.entry_date, j.journey_id";
    SQLite::Statement q(con, sql);
    if (contract) q.bind(":c", *contract);
    if (action) q.bind(":a", *action);
    JourneyColumns c;
    std::map<std::string, std::vector<ExitReason>> reasons;
    while (q.executeStep()) {
        c.journey_id.push_back(q.getColumn(0).getString());
        c.person_id.push_back(q.getColumn(1).getString());
        c.contract_id.push_back(q.getColumn(2).getString());
        c.action.push_back(q.getColumn(3).getInt());
        c.entry.push_back(q.getColumn(4).getInt());
        c.referral_source.push_back(static_cast<std::uint8_t>(
            from_string<ReferralSource>(q.getColumn(5).getString())));
        const bool open = q.getColumn(6).isNull();
        c.exit.push_back(open ? no_date : q.getColumn(6).getInt());
        c.open.push_back(open ? 1 : 0);
        c.exit_reason.push_back(q.getColumn(7).getString());
        auto it = reasons.find(c.contract_id.back());
        if (it == reasons.end())
            it = reasons.emplace(c.contract_id.back(), builtin_contract(c.contract_id.back()).exit_reasons).first;
        bool positive = false;
        if (!open)
            for (const auto& r : it->second)
                if (r.code == c.exit_reason.back()) positive = r.positive;
        c.positive.push_back(positive ? 1 : 0);
        c.length.push_back(!open ? c.exit.back() - c.entry.back()
                           : censor_on ? censor_on->days() - c.entry.back()
                                       : -1);
        c.overridden.push_back(q.getColumn(8).getInt() != 0 ? 1 : 0);
        c.steps.push_back(q.getColumn(9).getInt());
        c.end_step_date.push_back(q.getColumn(10).isNull() ? no_date : q.getColumn(10).getInt());
    }
    return c;
}

void expect_equal(const JourneyColumns& got, const JourneyColumns& want, JourneyFields f) {
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(got.action, want.action);
    EXPECT_EQ(got.entry, want.entry);
    EXPECT_EQ(got.exit, want.exit);
    EXPECT_EQ(got.open, want.open);
    EXPECT_EQ(got.length, want.length);
    auto check = [&](JourneyFields field, const auto& g, const auto& w, const char* name) {
        if (has_fields(f, field))
            EXPECT_TRUE(g == w) << name << " differs";
        else
            EXPECT_TRUE(g.empty()) << name << " filled but not asked for";
    };
    check(JourneyFields::ids, got.journey_id, want.journey_id, "journey_id");
    check(JourneyFields::ids, got.person_id, want.person_id, "person_id");
    check(JourneyFields::ids, got.contract_id, want.contract_id, "contract_id");
    check(JourneyFields::referral_source, got.referral_source, want.referral_source,
          "referral_source");
    check(JourneyFields::exit_reason, got.exit_reason, want.exit_reason, "exit_reason");
    check(JourneyFields::exit_reason, got.positive, want.positive, "positive");
    check(JourneyFields::overridden, got.overridden, want.overridden, "overridden");
    check(JourneyFields::steps, got.steps, want.steps, "steps");
    check(JourneyFields::steps, got.end_step_date, want.end_step_date, "end_step_date");
}

class StoreJourneys : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        db_ = (dir_->path / "store.db").string();
        Store s = Store::open(db_);
        fill(s);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static TempDir* dir_;
    static std::string db_;
};
TempDir* StoreJourneys::dir_ = nullptr;
std::string StoreJourneys::db_;

TEST_F(StoreJourneys, EveryFilterGivesTheReferenceRowsInTheReferenceOrder) {
    Store s = Store::open(db_);
    const auto censor = std::optional<Date>(parse_date("2024-10-15"));
    struct Filter {
        std::optional<std::string> contract;
        std::optional<int> action;
        std::optional<Date> censor_on;
    };
    const std::vector<Filter> filters{
        {std::nullopt, std::nullopt, std::nullopt},
        {std::nullopt, std::nullopt, censor},
        {std::string(big), std::nullopt, censor},      // most journeys: table scan
        {std::string(small), std::nullopt, censor},    // few: index
        {std::nullopt, 1, std::nullopt},
        {std::nullopt, 2, censor},
        {std::string(big), 1, censor},
        {std::string(big), 4, std::nullopt},
        {std::string(small), 2, std::nullopt},
        {std::string("no-such-contract"), std::nullopt, std::nullopt},
        {std::string(small), 99, std::nullopt},
        {std::nullopt, 99, std::nullopt},
        {std::nullopt, 3, censor},
    };
    bool some_ties = false;
    for (const auto& f : filters) {
        SCOPED_TRACE(f.contract.value_or("*") + " action " +
                     (f.action ? std::to_string(*f.action) : std::string("*")));
        const JourneyColumns want = reference(db_, f.contract, f.action, f.censor_on);
        const std::optional<ContractId> c =
            f.contract ? std::optional<ContractId>(ContractId{*f.contract}) : std::nullopt;
        expect_equal(s.journeys(c, f.action, f.censor_on), want, JourneyFields::all);
        expect_equal(s.journeys(c, f.action, f.censor_on, JourneyFields::lengths), want,
                     JourneyFields::lengths);
        for (std::size_t i = 1; i < want.size(); ++i)
            some_ties |= want.contract_id[i] == want.contract_id[i - 1] &&
                         want.action[i] == want.action[i - 1] && want.entry[i] == want.entry[i - 1];
    }
    EXPECT_TRUE(some_ties) << "the data should have rows tied on (contract, action, entry)";
    const JourneyColumns all = reference(db_, std::nullopt, std::nullopt, std::nullopt);
    EXPECT_GT(all.size(), 2048u);
    std::set<std::string> contracts(all.contract_id.begin(), all.contract_id.end());
    EXPECT_EQ(contracts.size(), 2u);
}

TEST_F(StoreJourneys, EverySubsetOfFieldsFillsExactlyItsColumns) {
    Store s = Store::open(db_);
    const JourneyColumns want = reference(db_, std::nullopt, std::nullopt, std::nullopt);
    for (std::uint32_t bits = 0; bits <= static_cast<std::uint32_t>(JourneyFields::all); ++bits) {
        const auto f = static_cast<JourneyFields>(bits);
        SCOPED_TRACE(bits);
        expect_equal(s.journeys(std::nullopt, std::nullopt, std::nullopt, f), want, f);
    }
    expect_equal(s.journeys(std::nullopt, std::nullopt, std::nullopt,
                            JourneyFields::ids | JourneyFields::steps),
                 want, JourneyFields::ids | JourneyFields::steps);
}

TEST_F(StoreJourneys, StatisticsFromTheNarrowReadEqualThoseFromTheFullOne) {
    Store s = Store::open(db_);
    const Date on = parse_date("2024-06-30");
    for (const int action : {1, 2, 3}) {
        const auto full = s.journeys(ContractId{big}, action, on);
        const auto narrow = s.journeys(ContractId{big}, action, on, JourneyFields::lengths);
        EXPECT_EQ(journey_stats(narrow.entry, narrow.exit, on),
                  journey_stats(full.entry, full.exit, on));
        EXPECT_EQ(journey_stats(s, ContractId{big}, action, on),
                  journey_stats(full.entry, full.exit, on));
    }
}

TEST_F(StoreJourneys, TheTableWithPackedStringsHoldsTheSameRows) {
    Store s = Store::open(db_);
    const std::optional<ContractId> contracts[] = {std::nullopt, ContractId{big}, ContractId{small}};
    for (const auto& c : contracts)
        for (const std::optional<int> action : {std::optional<int>{}, std::optional<int>{2}})
            for (const auto f : {JourneyFields::all, JourneyFields::ids, JourneyFields::lengths}) {
                const JourneyColumns want = s.journeys(c, action, std::nullopt, f);
                const JourneyTable t = s.journey_table(c, action, std::nullopt, f);
                ASSERT_EQ(t.size(), want.size());
                EXPECT_TRUE(t.columns.journey_id.empty() && t.columns.exit_reason.empty());
                EXPECT_EQ(t.columns.entry, want.entry);
                EXPECT_EQ(t.columns.steps, want.steps);
                EXPECT_EQ(t.journey_id.strings(), want.journey_id);
                EXPECT_EQ(t.person_id.strings(), want.person_id);
                EXPECT_EQ(t.contract_id.strings(), want.contract_id);
                EXPECT_EQ(t.exit_reason.strings(), want.exit_reason);
                if (has_fields(f, JourneyFields::ids)) {
                    ASSERT_EQ(t.journey_id.size(), want.size());
                    ASSERT_EQ(t.journey_id.offsets.size(), want.size() + 1);
                    EXPECT_EQ(t.journey_id.offsets.back(),
                              static_cast<std::int64_t>(t.journey_id.bytes.size()));
                }
            }
}

TEST(StoreJourneysOneContract, AStoreOfOneContractGivesTheReferenceRows) {
    // One contract: the read takes its id once instead of reading it on every row.
    TempDir dir;
    const std::string db = (dir.path / "one.db").string();
    {
        Store s = Store::open(db);
        CohortOptions co;
        co.persons = 300;
        ctai::test::put_dataset(s, generate_cohort(co), "one contract");
    }
    Store s = Store::open(db);
    const auto all = reference(db, std::nullopt, std::nullopt, std::nullopt);
    ASSERT_GT(all.size(), 0u);
    EXPECT_EQ(std::set<std::string>(all.contract_id.begin(), all.contract_id.end()).size(), 1u);
    expect_equal(s.journeys(std::nullopt, std::nullopt, std::nullopt), all, JourneyFields::all);
    for (const int action : {1, 2}) {
        SCOPED_TRACE(action);
        expect_equal(s.journeys(std::nullopt, action, std::nullopt),
                     reference(db, std::nullopt, action, std::nullopt), JourneyFields::all);
    }
}

// ---- the step summary of the journey row follows every write ------------------------------

// Number of steps and earliest follow_on / end_of_support date of a Journey (columns.hpp).
std::pair<std::int32_t, std::int32_t> step_summary(const Journey& j) {
    std::int32_t end = no_date;
    for (const auto& st : j.steps)
        if ((st.kind == StepKind::follow_on || st.kind == StepKind::end_of_support) &&
            (end == no_date || st.date.days() < end))
            end = st.date.days();
    return {static_cast<std::int32_t>(j.steps.size()), end};
}

// journeys() step columns against a recount from journeys_of() of every person; and the
// stored columns against a recount of the steps table in SQL. Returns the journey count.
std::size_t expect_step_columns_match(const Store& s, const std::string& db) {
    const auto c = s.journeys(std::nullopt, std::nullopt, std::nullopt,
                              JourneyFields::ids | JourneyFields::steps);
    std::map<std::string, std::pair<std::int32_t, std::int32_t>> want;
    for (const auto& p : std::set<std::string>(c.person_id.begin(), c.person_id.end()))
        for (const auto& j : s.journeys_of(PersonId{p})) want[j.id.str()] = step_summary(j);
    EXPECT_EQ(want.size(), c.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        const auto it = want.find(c.journey_id[i]);
        if (it == want.end()) {
            ADD_FAILURE() << c.journey_id[i] << " not in journeys_of";
            continue;
        }
        EXPECT_EQ(c.steps[i], it->second.first) << c.journey_id[i];
        EXPECT_EQ(c.end_step_date[i], it->second.second) << c.journey_id[i];
    }
    SQLite::Database con(db, SQLite::OPEN_READONLY);
    EXPECT_EQ(con.execAndGet(
                     "SELECT count(*) FROM journeys j WHERE step_count IS NOT (SELECT count(*) "
                     "FROM steps s WHERE s.journey_id = j.journey_id) OR end_step_date IS NOT "
                     "(SELECT min(date) FROM steps s WHERE s.journey_id = j.journey_id AND "
                     "s.step IN ('follow_on', 'end_of_support'))")
                  .getInt64(),
              0);
    return c.size();
}

TEST(StoreJourneysStepSummary, FollowsEveryWriteRewriteExitAndAnonymisation) {
    TempDir dir;
    const std::string db = (dir.path / "summary.db").string();
    Store s = Store::open(db);
    {
        // Bulk load: the new journeys go in through the in-memory path.
        auto tx = s.transaction("step summary test");
        ASSERT_TRUE(ctai::detail::begin_bulk_load(s));
        CohortOptions co;
        co.persons = 200;
        co.seed = 11;
        ctai::test::put_dataset(s, generate_cohort(co));
        tx.commit();
    }
    const std::size_t n = expect_step_columns_match(s, db);
    ASSERT_GT(n, 100u);

    // Rewrites through put_journey: steps removed, the end step moved earlier, a follow_on
    // added, an end_of_support turned into a support; then add_step and exit_journey.
    const auto all = s.journeys(std::nullopt, std::nullopt, std::nullopt, JourneyFields::ids);
    int rewritten = 0, stepped = 0, exited = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        auto j = s.journey(JourneyId{all.journey_id[i]});
        switch (i % 5) {
        case 0:
            j.steps.clear();
            break;
        case 1:
            j.steps.push_back(Step{StepKind::follow_on, j.entry_date});
            break;
        case 2:
            for (auto& st : j.steps)
                if (st.kind == StepKind::end_of_support) st.kind = StepKind::support;
            break;
        case 3:
            if (!j.exit_date) {
                s.add_step(j.id, StepKind::end_of_support, j.entry_date.plus_days(3));
                s.add_step(j.id, StepKind::follow_on, j.entry_date.plus_days(1));
                ++stepped;
                if (stepped % 2 == 0) {
                    Date exit = j.entry_date.plus_days(5);
                    for (const auto& st : j.steps) exit = std::max(exit, st.date);
                    s.exit_journey(j.id, exit,
                                   s.contract(j.contract_id).exit_reasons.front().code);
                    ++exited;
                }
            }
            continue;
        default:
            continue;
        }
        if (s.put_journey(j)) ++rewritten;
    }
    EXPECT_GT(rewritten, 20);
    EXPECT_GT(stepped, 2);
    EXPECT_GT(exited, 0);
    EXPECT_EQ(expect_step_columns_match(s, db), n);

    // Anonymisation re-keys the persons of the journeys (ON UPDATE CASCADE): the summary
    // stays with its journey.
    const auto report = s.anonymize_expired(parse_date("2040-01-01"));
    EXPECT_GT(report.journeys, 0);
    EXPECT_EQ(expect_step_columns_match(s, db), n);
}

TEST(StoreJourneysEmpty, AnEmptyStoreGivesEmptyColumns) {
    Store s = Store::open(":memory:");
    for (const auto f : {JourneyFields::all, JourneyFields::lengths}) {
        const auto c = s.journeys(std::nullopt, std::nullopt, std::nullopt, f);
        EXPECT_EQ(c.size(), 0u);
        EXPECT_TRUE(c.journey_id.empty());
        EXPECT_TRUE(c.steps.empty());
        EXPECT_EQ(s.journeys(ContractId{big}, 1, std::nullopt, f).size(), 0u);
    }
}

}  // namespace
