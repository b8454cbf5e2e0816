// The case snapshot held by a Store (Store::case_snapshot): the same answers as reading
// the file, and never a stale answer after a change by this Store or another connection.
#include <gtest/gtest.h>

#include <ctai/error.hpp>
#include <ctai/journeys.hpp>
#include <ctai/store.hpp>
#include <ctai/synthetic.hpp>

#include "store_fixtures.hpp"

namespace ctai {
namespace {

using test::d;

/// A store holding a synthetic cohort (cases and AGIR supports only).
void fill(Store& store, std::size_t persons) {
    CohortOptions o;
    o.persons = persons;
    o.seed = 7;
    const Dataset data = generate_cohort(o);
    auto tx = store.transaction("test");
    for (const auto& c : data.cases) store.put_case(c);
    for (const auto& s : data.agir) store.put_agir_support(s);
    tx.commit();
}

/// The reference: the pure evaluation of the stored case with the case it rejoins.
Eligibility reference(const Store& store, const PersonId& id, Date on) {
    const PersonCase c = store.person_case(id);
    std::optional<PersonCase> family;
    if (c.person.rejoining_family_of)
        if (auto f = store.find_person(*c.person.rejoining_family_of))
            family = store.person_case(f->id);
    return evaluate(c, on, store.policy(), family ? &*family : nullptr);
}

void expect_same(const Eligibility& a, const Eligibility& b) {
    EXPECT_EQ(a.person_id, b.person_id);
    EXPECT_EQ(a.on, b.on);
    EXPECT_EQ(a.nationality_class, b.nationality_class);
    EXPECT_EQ(a.primo_arrivant, b.primo_arrivant);
    EXPECT_EQ(a.bpi, b.bpi);
    EXPECT_EQ(a.bpt, b.bpt);
    EXPECT_EQ(a.agir, b.agir);
    EXPECT_EQ(a.ctai_public, b.ctai_public);
    EXPECT_EQ(a.public_category, b.public_category);
    EXPECT_EQ(a.primo_anchor, b.primo_anchor);
    EXPECT_EQ(a.primo_window_end, b.primo_window_end);
    EXPECT_EQ(a.protection_date, b.protection_date);
    EXPECT_EQ(a.agir_window_end, b.agir_window_end);
    EXPECT_EQ(a.reasons, b.reasons);
    EXPECT_TRUE(a.reason_codes == b.reason_codes);
}

TEST(CaseSnapshot, AnswersLikeThePureEvaluationForEveryPersonAndDate) {
    auto store = Store::open(":memory:");
    fill(store, 300);
    const auto snap = store.case_snapshot();
    ASSERT_EQ(snap->size(), 300u);
    const auto ids = store.person_ids();
    std::size_t family_links = 0, supports = 0;
    for (const Date on : {d("2021-01-01"), d("2023-10-15"), d("2024-02-29"), d("2024-10-15")}) {
        const auto table = store.eligibility_table(on);
        ASSERT_EQ(table.size(), ids.size());
        for (std::size_t k = 0; k < ids.size(); ++k) {
            const auto& id = ids[k];
            const Eligibility ref = reference(store, id, on);
            expect_same(store.eligibility(id, on), ref);
            const auto i = snap->find(id.str());
            ASSERT_NE(i, CaseSnapshot::npos);
            expect_same(snap->evaluate(i, on), ref);
            EXPECT_TRUE(snap->evaluate(i, on, Explain::none).reasons.empty());
            // The table row of the same person (by id order).
            EXPECT_EQ(table.person_id[k], id.str());
            EXPECT_EQ(table.bpi[k], ref.bpi ? 1 : 0);
            EXPECT_EQ(table.agir[k], ref.agir ? 1 : 0);
            EXPECT_EQ(table.primo_window_end[k],
                      ref.primo_window_end ? ref.primo_window_end->days() : no_date);
            const auto agir = store.agir_supports_of(id);
            EXPECT_EQ(snap->agir_supports(i).size(), agir.size());
            EXPECT_EQ(table.in_agir_support[k],
                      in_agir_support(agir, on, store.policy()) ? 1 : 0);
            supports += agir.size();
            if (snap->family(i) != CaseSnapshot::npos) ++family_links;
        }
    }
    // The cohort exercises both the family rule and the AGIR supports.
    EXPECT_GT(family_links, 0u);
    EXPECT_GT(supports, 0u);
}

TEST(CaseSnapshot, IsSharedWhileTheDataIsUnchangedAndRebuiltAfterAWrite) {
    auto store = Store::open(":memory:");
    fill(store, 50);
    const auto first = store.case_snapshot();
    EXPECT_EQ(store.case_snapshot(), first);
    (void)store.eligibility_table(d("2024-01-01"));
    EXPECT_EQ(store.case_snapshot(), first);

    store.put_case(test::refugee("NEW-1"));
    const auto second = store.case_snapshot();
    EXPECT_NE(second, first);
    EXPECT_EQ(second->size(), 51u);
    EXPECT_EQ(first->size(), 50u);  // an old snapshot is unchanged, only no longer current
    EXPECT_TRUE(store.eligibility(PersonId{"NEW-1"}, d("2024-01-01")).bpi);

    // A no-op upsert writes nothing: the snapshot stays current.
    store.put_case(test::refugee("NEW-1"));
    EXPECT_EQ(store.case_snapshot(), second);
}

TEST(CaseSnapshot, AWriteFreesTheStaleSnapshotAtOnceANoOpKeepsIt) {
    auto store = Store::open(":memory:");
    fill(store, 20);
    std::weak_ptr<const CaseSnapshot> held = store.case_snapshot();
    ASSERT_FALSE(held.expired());  // the Store keeps it
    store.put_case(test::refugee("P000001"));
    EXPECT_TRUE(held.expired());  // stale: freed with the write, not at the next read
    held = store.case_snapshot();
    store.put_case(test::refugee("P000001"));  // the same again: nothing written
    EXPECT_FALSE(held.expired());
    store.drop_case_snapshot();
    EXPECT_TRUE(held.expired());
}

TEST(CaseSnapshot, InsideATransactionSeesItsOwnWritesAndKeepsNothing) {
    auto store = Store::open(":memory:");
    fill(store, 20);
    const auto before = store.case_snapshot();
    {
        auto tx = store.transaction("test");
        store.put_case(test::refugee("TX-1"));
        const auto inside = store.case_snapshot();
        EXPECT_EQ(inside->size(), 21u);
        EXPECT_NE(inside->find("TX-1"), CaseSnapshot::npos);
        EXPECT_TRUE(store.eligibility(PersonId{"TX-1"}, d("2024-01-01")).bpi);
        tx.rollback();
    }
    const auto after = store.case_snapshot();
    EXPECT_EQ(after->size(), 20u);
    EXPECT_EQ(after->find("TX-1"), CaseSnapshot::npos);
    EXPECT_THROW((void)store.eligibility(PersonId{"TX-1"}, d("2024-01-01")), NotFoundError);
}

TEST(CaseSnapshot, AnotherConnectionsCommitIsSeenAtOnce) {
    test::TempDir dir;
    const auto path = dir.file("shared.db");
    auto reader = Store::open(path);
    fill(reader, 300);
    auto writer = Store::open(path);
    const PersonId id{"P000001"};
    const Date on = d("2024-06-01");
    // Enough point checks for the reader to build and keep its snapshot (a third of the
    // persons, counted in steps of 256).
    for (int k = 0; k < 600; ++k) (void)reader.eligibility(id, on);
    const auto held = reader.case_snapshot();
    EXPECT_EQ(reader.case_snapshot(), held);

    PersonCase c = test::refugee("P000001");
    writer.put_case(c);  // another connection rewrites the person as a recent refugee
    EXPECT_NE(reader.case_snapshot(), held);
    const Eligibility e = reader.eligibility(id, on);
    EXPECT_TRUE(e.bpi);
    EXPECT_EQ(e.protection_date, d("2023-03-10"));
    writer.put_case(test::french("P000001"));
    EXPECT_FALSE(reader.eligibility(id, on).ctai_public);
    const auto cols = reader.eligibility_for(std::vector<PersonId>(100, id),
                                             std::vector<Date>(100, on));
    for (std::size_t i = 0; i < cols.size(); ++i) EXPECT_EQ(cols.ctai_public[i], 0);
}

TEST(CaseSnapshot, ANewPolicyIsAppliedAtOnce) {
    auto store = Store::open(":memory:");
    fill(store, 300);
    const Date on = d("2024-06-01");
    (void)store.case_snapshot();
    Policy p = store.policy();
    p.agir_recency = p.agir_recency == AgirRecency::rolling_2_years ? AgirRecency::calendar_n_minus_1
                                                                     : AgirRecency::rolling_2_years;
    p.bpi_includes_stateless = !p.bpi_includes_stateless;
    store.set_policy(p);
    EXPECT_EQ(store.case_snapshot()->policy(), p);
    std::size_t differ = 0;
    const auto table = store.eligibility_table(on);
    const auto ids = store.person_ids();
    for (std::size_t k = 0; k < ids.size(); ++k) {
        const Eligibility ref = reference(store, ids[k], on);
        expect_same(store.eligibility(ids[k], on), ref);
        EXPECT_EQ(table.agir[k], ref.agir ? 1 : 0);
        const PersonCase c = store.person_case(ids[k]);
        if (case_facts(c, p) != case_facts(c, Policy{})) ++differ;
    }
    EXPECT_GT(differ, 0u);  // the change of policy matters on this cohort
}

TEST(CaseSnapshot, BatchChecksRefuseAnUnknownPersonWhateverTheirSize) {
    auto store = Store::open(":memory:");
    fill(store, 100);
    for (const std::size_t n : {std::size_t{3}, std::size_t{200}}) {
        std::vector<PersonId> ids(n, PersonId{"P000002"});
        ids.back() = PersonId{"NOBODY"};
        const std::vector<Date> dates(n, d("2024-01-01"));
        store.drop_case_snapshot();
        EXPECT_THROW((void)store.eligibility_for(ids, dates), NotFoundError) << n;
        ids.back() = PersonId{"P000003"};
        const auto cols = store.eligibility_for(ids, dates);
        ASSERT_EQ(cols.size(), n);
        EXPECT_EQ(cols.person_id.back(), "P000003");
        EXPECT_EQ(cols.bpi.back(), reference(store, PersonId{"P000003"}, dates.back()).bpi ? 1 : 0);
    }
}

TEST(CaseSnapshot, RefusesDuplicateIdsAndIgnoresSupportsOfUnknownPersons) {
    std::vector<PersonCase> twice{test::refugee("A"), test::refugee("A")};
    EXPECT_THROW(CaseSnapshot(twice, {}, Policy{}), ValidationError);
    AgirSupport s;
    s.person_id = PersonId{"ZZ"};
    s.orientation_date = d("2024-01-01");
    const CaseSnapshot snap({test::refugee("A"), test::primo("B")}, {s}, Policy{});
    EXPECT_EQ(snap.size(), 2u);
    EXPECT_TRUE(snap.agir_supports(0).empty());
    EXPECT_EQ(snap.find("B"), 1u);
    EXPECT_EQ(snap.find("ZZ"), CaseSnapshot::npos);
}

/// Cases that exercise every branch of the bulk reader (store_cases.cpp): no list rows at
/// all, every optional field null, every spelling of every vocabulary, partial birth dates,
/// dates before 1970, several nationalities, ids of unusual lengths and bytes, persons
/// whose list rows sit between persons without any.
std::vector<PersonCase> unusual_cases() {
    std::vector<PersonCase> out;
    PersonCase bare;  // only an id: every optional field null, no list rows
    bare.person.id = PersonId{"B"};
    out.push_back(bare);
    PersonCase empty_lists = test::french("B0");
    empty_lists.person.nationalities.clear();
    empty_lists.person.department.clear();
    out.push_back(empty_lists);
    const std::vector<std::string> ids{"P", "P0", "P00000000000000", "P000000000000000",
                                       "P0000000000000000000000000000001",
                                       "Z\xc3\xa9-\xe2\x82\xac-longer-than-sixteen-bytes"};
    std::size_t k = 0;
    for (const auto& id : ids) {
        PersonCase c = test::refugee(id);
        c.person.sex = static_cast<Sex>(k % enum_names<Sex>().size());
        c.person.birth_date = PartialDate{d("1950-02-01"), static_cast<DatePrecision>(k % 3)};
        c.person.nationalities = {"MA", "DZ", "STATELESS"};
        c.person.nationalities.resize(k % 4);
        c.person.cir_status = static_cast<CirStatus>(k % 3);
        if (k % 2 == 0) c.person.cir_date = d("1969-12-31");
        if (k % 3 == 0) c.person.household_id.reset();
        if (k % 2 == 1) c.person.rejoining_family_of = PersonId{"P"};
        if (k % 2 == 1) c.person.last_contact.reset();
        c.permits.clear();
        c.protections.clear();
        // Every spelling of the list vocabularies, spread over the persons.
        for (std::size_t m = k; m < enum_names<Motive>().size(); m += ids.size())
            c.permits.push_back(
                Permit{static_cast<PermitKind>(m % enum_names<PermitKind>().size()),
                       static_cast<Motive>(m),
                       d("2019-02-28").plus_days(static_cast<std::int32_t>(m)),
                       m % 2 == 0 ? std::optional<Date>{} : d("2029-02-28")});
        for (std::size_t m = k; m < 4; m += ids.size())
            c.protections.push_back(Protection{
                static_cast<ProtectionType>(m), static_cast<Authority>(m % 3), d("2022-02-28"),
                m % 2 == 0 ? std::optional<Date>{} : d("2022-03-01"),
                m == 3 ? std::optional<Date>{d("2022-03-01")} : std::nullopt,
                m == 1 ? std::optional<Date>{d("2025-01-01")} : std::nullopt});
        if (k < 3)
            c.situations.push_back(
                Situation{static_cast<SituationKind>(k), d("2020-01-01"),
                          k == 1 ? std::optional<Date>{} : d("2020-06-01")});
        out.push_back(c);
        ++k;
    }
    return out;
}

TEST(CaseSnapshot, HoldsExactlyTheStoredCasesIncludingUnusualOnes) {
    auto store = Store::open(":memory:");
    fill(store, 40);
    {
        auto tx = store.transaction("test");
        for (const auto& c : unusual_cases()) store.put_case(c);
        tx.commit();
    }
    const auto ids = store.person_ids();
    ASSERT_EQ(ids.size(), 40u + unusual_cases().size());
    std::vector<PersonCase> expected;
    for (const auto& id : ids) expected.push_back(store.person_case(id));  // point reads

    EXPECT_EQ(store.all_cases(), expected);
    // Streaming (one PersonCase reused: every field of each case is assigned).
    std::vector<PersonCase> streamed;
    store.for_each_case([&](const PersonCase& c) { streamed.push_back(c); });
    EXPECT_EQ(streamed, expected);

    const auto snap = store.case_snapshot();
    ASSERT_EQ(snap->size(), expected.size());
    for (std::uint32_t i = 0; i < snap->size(); ++i) {
        EXPECT_EQ((*snap)[i], expected[i]) << expected[i].person.id.str();
        EXPECT_EQ(snap->find(expected[i].person.id.str()), i);
        EXPECT_EQ(snap->facts(i), case_facts(expected[i], snap->policy()));
        const auto& f = expected[i].person.rejoining_family_of;
        EXPECT_EQ(snap->family(i), f ? snap->find(f->str()) : CaseSnapshot::npos);
    }
    for (const char* absent : {"", "P000", "P00000000000000000", "b", "Z"})
        EXPECT_EQ(snap->find(absent), CaseSnapshot::npos) << absent;
    // The person columns of the eligibility table come from the snapshot's own columns (not
    // the case objects): the same values as the cases', unknown and partial births included.
    const auto t = store.eligibility_table(d("2024-06-01"));
    ASSERT_EQ(t.size(), expected.size());
    std::size_t checked = 0;
    for (std::size_t k = 0; k < t.size(); ++k)
        for (const auto& c : expected)
            if (c.person.id.str() == t.person_id[k]) {
                EXPECT_EQ(t.sex[k], static_cast<std::uint8_t>(c.person.sex)) << t.person_id[k];
                EXPECT_EQ(t.birth_year[k], c.person.birth_date ? c.person.birth_date->first.year() : 0)
                    << t.person_id[k];
                ++checked;
            }
    EXPECT_EQ(checked, expected.size());
}

TEST(CaseSnapshot, FindsEveryIdOfALargeSnapshotAndNothingElse) {
    std::vector<PersonCase> cases;
    for (int k = 0; k < 5000; ++k) {
        // Ids sharing long prefixes, differing in one character, of several lengths.
        cases.push_back(test::french((k % 2 ? "PERSON-" : "") + std::to_string(k * 7919)));
    }
    const CaseSnapshot snap(cases, {}, Policy{});
    for (std::uint32_t i = 0; i < cases.size(); ++i) {
        ASSERT_EQ(snap.find(cases[i].person.id.str()), i);
        ASSERT_EQ(snap.find_to_evaluate(cases[i].person.id.str()), i);
    }
    for (int k = 0; k < 5000; ++k) {
        EXPECT_EQ(snap.find("X" + std::to_string(k)), CaseSnapshot::npos);
        EXPECT_EQ(snap.find_to_evaluate("X" + std::to_string(k)), CaseSnapshot::npos);
    }
    // The batch lookup: present and absent ids mixed, in an order unrelated to the index,
    // over several chunks, with repeats.
    std::vector<std::string> asked;
    std::vector<std::uint32_t> want;
    for (int k = 0; k < 1500; ++k) {
        const std::uint32_t i = static_cast<std::uint32_t>((k * 2741) % 5000);
        asked.push_back(k % 3 == 0 ? "X" + std::to_string(k) : cases[i].person.id.str());
        want.push_back(k % 3 == 0 ? CaseSnapshot::npos : i);
    }
    const std::vector<std::string_view> views(asked.begin(), asked.end());
    std::vector<std::uint32_t> got(views.size());
    snap.find(views, got);
    EXPECT_EQ(got, want);
    EXPECT_THROW(snap.find(views, std::span(got).first(3)), ValidationError);
    const CaseSnapshot empty({}, {}, Policy{});
    EXPECT_EQ(empty.size(), 0u);
    EXPECT_EQ(empty.find("P1"), CaseSnapshot::npos);
}

}  // namespace
}  // namespace ctai
