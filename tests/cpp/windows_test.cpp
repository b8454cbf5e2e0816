// What ends soon (windows.hpp, `ctai windows`): each kind of end, its date (the first day
// outside), whether the person stays in the CTAI public after it, from the facts known on
// the date of the question only (R0.5), the kind filter and the horizon.
#include <ctai/windows.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include <ctai/error.hpp>

namespace {

using namespace ctai;

Date d(const char* iso) { return parse_date(iso); }
const Date on = d("2024-06-01");

PersonCase person(const char* id, const char* nat) {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.nationalities = {nat};
    c.person.department = "21";
    return c;
}

Permit permit(PermitKind k, const char* from, std::optional<const char*> to, Motive m = Motive::family) {
    return Permit{k, m, d(from), to ? std::optional<Date>(d(*to)) : std::nullopt};
}

Protection protection(ProtectionType t, const char* decided) {
    Protection p;
    p.type = t;
    p.decision_date = d(decided);
    return p;
}

/// The rows as "person kind end days_left public stays stays_as" lines.
std::vector<std::string> rows(const WindowColumns& w) {
    std::vector<std::string> out;
    const auto cat = [](std::uint8_t c) {
        return c == no_code ? std::string("-") : std::string(to_string(static_cast<PublicCategory>(c)));
    };
    for (std::size_t i = 0; i < w.size(); ++i)
        out.push_back(w.person_id[i] + " " + std::string(to_string(static_cast<WindowKind>(w.kind[i]))) +
                      " " + to_iso(Date::from_days(w.end[i])) + " " + std::to_string(w.days_left[i]) +
                      " " + cat(w.public_category[i]) + " " + (w.stays[i] ? "stays" : "leaves") +
                      " " + cat(w.stays_as[i]));
    return out;
}

std::vector<PersonCase> cohort() {
    // A: a refugee whose primo window (from the protection card) ends: stays, as BPI.
    auto a = person("A", "AF");
    a.protections.push_back(protection(ProtectionType::refugee, "2019-06-20"));
    a.permits.push_back(permit(PermitKind::card, "2019-07-01", std::nullopt, Motive::protection));
    // B: a primo-arrivant whose window ends: leaves the public.
    auto b = person("B", "MA");
    b.permits.push_back(permit(PermitKind::card, "2019-07-15", std::nullopt));
    // C: protected 2022-07-20: the AGIR recency window ends 2024-07-20, still BPI after it.
    auto c = person("C", "SY");
    c.protections.push_back(protection(ProtectionType::refugee, "2022-07-20"));
    // E: a card expiring 2024-06-30, a new one from 2024-07-01 (not known on 2024-06-01).
    auto e = person("E", "TN");
    e.permits.push_back(permit(PermitKind::card, "2021-01-01", "2024-06-30"));
    e.permits.push_back(permit(PermitKind::card, "2024-07-01", "2028-06-30"));
    // F: a card expiring, covered by a receipt already in force: only the receipt is listed.
    auto f = person("F", "TN");
    f.permits.push_back(permit(PermitKind::card, "2021-02-01", "2024-06-15"));
    f.permits.push_back(permit(PermitKind::receipt, "2024-05-20", "2024-08-19"));
    // G: a BPT whose APS expires: stays, as BPT.
    auto g = person("G", "UA");
    g.protections.push_back(protection(ProtectionType::temporary, "2022-05-02"));
    g.permits.push_back(permit(PermitKind::aps, "2024-01-11", "2024-07-10", Motive::temporary_protection));
    // H: a card that ended before the date: nothing ends.
    auto h = person("H", "TN");
    h.permits.push_back(permit(PermitKind::card, "2021-01-01", "2024-05-31"));
    return {a, b, c, e, f, g, h};
}

std::vector<AgirSupport> supports() {
    const auto support = [](const char* entry, std::optional<const char*> exit) {
        AgirSupport s;
        s.person_id = PersonId{"C"};
        s.orientation_date = d(entry);
        s.entry_date = d(entry);
        if (exit) s.exit_date = d(*exit);
        return s;
    };
    return {support("2022-08-01", std::nullopt),   // ends 2024-08-01
            support("2022-07-01", "2024-05-01"),   // exit recorded: nothing ends
            support("2022-07-05", "2024-06-20")};  // exit after the date: not known, ends 2024-07-05
}

TEST(Windows, EachKindWithItsEndAndWhetherThePersonStays) {
    const CaseSnapshot snap(cohort(), supports(), Policy{});
    EXPECT_EQ(rows(windows_ending(snap, on, 90)), (std::vector<std::string>{
        "A primo_window 2024-07-01 30 bpi stays bpi",
        "E permit 2024-07-01 30 primo_arrivant stays primo_arrivant",
        "C agir_support 2024-07-05 34 bpi stays bpi",
        "G aps 2024-07-11 40 bpt stays bpt",
        "B primo_window 2024-07-15 44 primo_arrivant leaves -",
        "C agir_window 2024-07-20 49 bpi stays bpi",
        "C agir_support 2024-08-01 61 bpi stays bpi",
        "F receipt 2024-08-20 80 primo_arrivant stays primo_arrivant",
    }));
}

TEST(Windows, StaysIsJudgedOnTheFactsKnownOnTheDate) {
    // Regular stay required: E's new card starts after the date (R0.5: not known yet), so E
    // leaves the public when the card in force ends; F's receipt keeps F covered.
    Policy regular;
    regular.require_regular_stay = true;
    const CaseSnapshot snap(cohort(), supports(), regular);
    const auto w = rows(windows_ending(snap, on, 90, std::vector<WindowKind>{WindowKind::permit}));
    EXPECT_EQ(w, (std::vector<std::string>{"E permit 2024-07-01 30 primo_arrivant leaves -"}));
}

TEST(Windows, KindFilterAndHorizon) {
    const CaseSnapshot snap(cohort(), supports(), Policy{});
    const std::vector<WindowKind> two{WindowKind::receipt, WindowKind::aps};
    EXPECT_EQ(rows(windows_ending(snap, on, 90, two)), (std::vector<std::string>{
        "G aps 2024-07-11 40 bpt stays bpt",
        "F receipt 2024-08-20 80 primo_arrivant stays primo_arrivant",
    }));
    EXPECT_EQ(windows_ending(snap, on, 30).size(), 2u);  // both end on day 30 (inclusive)
    EXPECT_EQ(windows_ending(snap, on, 29).size(), 0u);
    EXPECT_EQ(windows_ending(snap, on, 0).size(), 0u);
    EXPECT_THROW(windows_ending(snap, on, -1), ValidationError);
    EXPECT_THROW(windows_ending(snap, on, max_window_horizon_days + 1), ValidationError);
    EXPECT_NO_THROW(windows_ending(snap, on, max_window_horizon_days));
}

TEST(Windows, CaseAsKnownOnDropsLaterFacts) {
    auto c = person("K", "AF");
    c.protections.push_back(protection(ProtectionType::refugee, "2024-03-12"));
    c.protections.push_back(protection(ProtectionType::subsidiary, "2020-01-01"));
    c.protections.back().end_date = d("2025-01-01");
    c.permits.push_back(permit(PermitKind::card, "2024-07-01", std::nullopt));
    c.situations.push_back({SituationKind::asylum_seeker, d("2019-01-01"), d("2024-08-01")});
    c.nationalities = {{"AF", std::nullopt, d("2024-09-01")}, {"FR", d("2024-09-01"), std::nullopt}};
    c.person.cir_status = CirStatus::signed_;
    c.person.cir_date = d("2024-06-02");
    const PersonCase k = case_as_known_on(c, d("2024-01-01"));
    ASSERT_EQ(k.protections.size(), 1u);
    EXPECT_FALSE(k.protections[0].end_date);
    EXPECT_TRUE(k.permits.empty());
    ASSERT_EQ(k.situations.size(), 1u);
    EXPECT_FALSE(k.situations[0].end);
    ASSERT_EQ(k.nationalities.size(), 1u);
    EXPECT_FALSE(k.nationalities[0].lost_on);
    EXPECT_EQ(k.person.cir_status, CirStatus::none);
}

}  // namespace
