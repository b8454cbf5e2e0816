// The synthetic cohort generator: deterministic, sized as the benchmarks ask, and every
// record respects the rules the store enforces (R6, R7), checked here independently of the
// generator (and cross-checked with the library's own enrollment and referral checks).
#include <ctai/synthetic.hpp>

#include <ctai/eligibility.hpp>
#include <ctai/journeys.hpp>
#include <ctai/nationality.hpp>
#include <ctai/referrals.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace {

using namespace ctai;

Date d(const char* iso) { return parse_date(iso); }

Dataset cohort(std::size_t persons, std::uint64_t seed = 20231015,
               std::optional<Date> on = std::nullopt) {
    CohortOptions o;
    o.seed = seed;
    o.persons = persons;
    o.evaluated_on = on;
    return generate_cohort(o);
}

bool is_leap_day(Date x) { return x.month() == 2 && x.day() == 29; }

// Collects rule violations as readable lines; the tests expect none.
class Violations {
public:
    void add(const std::string& what) {
        ++count_;
        if (lines_.size() < 20) lines_.push_back(what);
    }
    std::size_t count() const { return count_; }
    std::string text() const {
        std::string s;
        for (const auto& l : lines_) s += l + "\n";
        return s;
    }

private:
    std::size_t count_ = 0;
    std::vector<std::string> lines_;
};

// Everything the store will refuse, and the generator's own promises, for a whole dataset.
class Checker {
public:
    Checker(const Dataset& data, const Contract& contract, const Policy& policy, Date on)
        : data_(data), contract_(contract), policy_(policy), on_(on) {
        for (std::size_t i = 0; i < data.cases.size(); ++i)
            case_of_[data.cases[i].person.id.str()] = i;
        for (const auto& a : data.agir) agir_of_[a.person_id.str()].push_back(a);
        for (const auto& j : data.journeys) journeys_of_[j.person_id.str()].push_back(&j);
    }

    Violations run() {
        check_ids();
        check_cases();
        check_journeys();
        check_agir();
        check_referrals();
        check_other_records();
        return std::move(v_);
    }

private:
    const PersonCase* person(const PersonId& id) const {
        auto it = case_of_.find(id.str());
        return it == case_of_.end() ? nullptr : &data_.cases[it->second];
    }

    const PersonCase* family_of(const PersonCase& c) const {
        return c.person.rejoining_family_of ? person(*c.person.rejoining_family_of) : nullptr;
    }

    template <class Range, class Key>
    void unique_sorted(const Range& range, Key key, const char* what) {
        for (std::size_t i = 1; i < range.size(); ++i)
            if (!(key(range[i - 1]) < key(range[i])))
                v_.add(std::string(what) + " ids not strictly increasing at " + key(range[i]));
    }

    void check_ids() {
        unique_sorted(data_.cases, [](const PersonCase& c) { return c.person.id.str(); }, "person");
        unique_sorted(data_.journeys, [](const Journey& j) { return j.id.str(); }, "journey");
        unique_sorted(data_.referrals, [](const Referral& r) { return r.id.str(); }, "referral");
        unique_sorted(data_.activities, [](const Activity& a) { return a.id.str(); }, "activity");
    }

    void check_cases() {
        for (const auto& c : data_.cases) {
            const std::string who = c.person.id.str();
            if (c.person.nationalities.empty()) v_.add(who + ": no nationality");
            for (const auto& n : c.person.nationalities) {
                try {
                    if (normalize_nationality(n) != n) v_.add(who + ": code not normalised " + n);
                } catch (const ValidationError&) {
                    v_.add(who + ": invalid nationality code " + n);
                }
            }
            if (c.person.rejoining_family_of && !family_of(c))
                v_.add(who + ": rejoins an unknown person");
            for (const auto& pm : c.permits) {
                if (pm.valid_from > on_) v_.add(who + ": permit starts after the evaluation date");
                if (pm.valid_to && *pm.valid_to < pm.valid_from) v_.add(who + ": permit ends before it starts");
            }
            for (const auto& pr : c.protections) {
                if (pr.decision_date > on_) v_.add(who + ": protection decided after the evaluation date");
                if (pr.notification_date && *pr.notification_date < pr.decision_date)
                    v_.add(who + ": notified before the decision");
                if ((pr.type == ProtectionType::temporary) != pr.displaced_on.has_value())
                    v_.add(who + ": displaced_on iff temporary protection");
                if (pr.end_date && (*pr.end_date < pr.decision_date || *pr.end_date > on_))
                    v_.add(who + ": protection end out of range");
            }
            for (const auto& s : c.situations) {
                if (s.start > on_) v_.add(who + ": situation starts after the evaluation date");
                if (s.end && *s.end < s.start) v_.add(who + ": situation ends before it starts");
            }
            if ((c.person.cir_status == CirStatus::none) == c.person.cir_date.has_value())
                v_.add(who + ": CIR date iff CIR status");
            if (c.person.last_contact && *c.person.last_contact > on_)
                v_.add(who + ": last contact after the evaluation date");
        }
    }

    void check_steps(const Journey& j) {
        const std::string who = j.id.str();
        if (j.steps.empty() || j.steps.front().kind != StepKind::intake ||
            j.steps.front().date != j.entry_date)
            v_.add(who + ": does not start with an intake on the entry date");
        const Date last = j.exit_date.value_or(on_);
        for (std::size_t i = 0; i < j.steps.size(); ++i) {
            const Step& s = j.steps[i];
            if (s.date < j.entry_date || last < s.date) v_.add(who + ": step outside the journey");
            if (i > 0 && (s.kind <= j.steps[i - 1].kind || s.date < j.steps[i - 1].date))
                v_.add(who + ": steps out of order");
        }
    }

    bool prerequisite_met(const Prerequisite& pre, const Journey& j) const {
        for (const Journey* o : journeys_of_.at(j.person_id.str())) {
            if (o->action != pre.action || o->contract_id != j.contract_id) continue;
            if (pre.exited_counts && o->exit_date && *o->exit_date < j.entry_date) return true;
            for (const auto& s : o->steps)
                if (s.date < j.entry_date &&
                    std::find(pre.steps.begin(), pre.steps.end(), s.kind) != pre.steps.end())
                    return true;
        }
        return false;
    }

    bool agir_window_on(const std::string& person_id, Date day) const {
        auto it = agir_of_.find(person_id);
        if (it == agir_of_.end()) return false;
        return std::any_of(it->second.begin(), it->second.end(), [&](const AgirSupport& s) {
            return s.entry_date && agir_support_active(*s.entry_date, day, policy_);
        });
    }

    void check_journeys() {
        std::map<std::pair<std::string, int>, std::vector<const Journey*>> by_action;
        for (const auto& j : data_.journeys) {
            const std::string who = j.id.str();
            const PersonCase* c = person(j.person_id);
            if (!c) {
                v_.add(who + ": unknown person");
                continue;
            }
            if (j.contract_id != contract_.id || !contract_.has_action(j.action)) {
                v_.add(who + ": not an action of the contract");
                continue;
            }
            const Action& action = contract_.action(j.action);
            if (j.override_reason) v_.add(who + ": carries an override");
            if (j.entry_date > on_) v_.add(who + ": entry after the evaluation date");
            if (j.exit_date && (*j.exit_date < j.entry_date || *j.exit_date > on_))
                v_.add(who + ": exit out of range");
            if (j.exit_date.has_value() != j.exit_reason.has_value())
                v_.add(who + ": exit reason iff exit date");
            if (j.exit_reason &&
                std::none_of(contract_.exit_reasons.begin(), contract_.exit_reasons.end(),
                             [&](const ExitReason& r) { return r.code == *j.exit_reason; }))
                v_.add(who + ": exit reason outside the vocabulary");
            check_steps(j);
            // R7: public at entry, except actions open to the general population.
            if (!action.open_to_general_population &&
                !evaluate(*c, j.entry_date, policy_, family_of(*c)).ctai_public)
                v_.add(who + ": person not in the public at entry (action " +
                       std::to_string(j.action) + ")");
            // R7: prerequisite reached strictly before entry.
            if (action.prerequisite && !prerequisite_met(*action.prerequisite, j))
                v_.add(who + ": prerequisite not met");
            // R6: no entry into an excluded action inside an AGIR support window.
            if (action.agir_policy == AgirPolicy::excluded &&
                agir_window_on(j.person_id.str(), j.entry_date))
                v_.add(who + ": excluded action entered inside an AGIR support window");
            if (j.referral_source == ReferralSource::agir) {
                if (action.agir_policy == AgirPolicy::excluded)
                    v_.add(who + ": referred by AGIR to an excluded action");
                const bool referred = std::any_of(
                    data_.referrals.begin(), data_.referrals.end(), [&](const Referral& r) {
                        return r.person_id == j.person_id && r.from == "agir" &&
                               r.to == contract_.id.str() + ":" + std::to_string(j.action) &&
                               r.status == ReferralStatus::completed &&
                               r.completed_on == j.entry_date;
                    });
                if (!referred) v_.add(who + ": AGIR source without a completed referral");
            }
            by_action[{j.person_id.str(), j.action}].push_back(&j);
            // Cross-check with the rules the store applies, in dataset (= write) order.
            std::vector<Journey> others;
            for (const Journey* o : journeys_of_.at(j.person_id.str())) {
                if (o == &j) break;
                others.push_back(*o);
            }
            try {
                const auto check = check_enrollment(contract_, j, *c, others,
                                                    agir_of(j.person_id.str()), policy_,
                                                    std::nullopt, family_of(*c));
                if (!check.overridden_rules.empty()) v_.add(who + ": needs an override");
                if (check.counted_apart && !action.open_to_general_population)
                    v_.add(who + ": counted apart outside an open action");
            } catch (const Error& e) {
                v_.add(who + ": refused by check_enrollment: " + e.what());
            }
        }
        // R7: per person and action, no overlap and at most one open journey.
        for (auto& [key, list] : by_action) {
            std::sort(list.begin(), list.end(), [](const Journey* a, const Journey* b) {
                return a->entry_date < b->entry_date;
            });
            for (std::size_t i = 1; i < list.size(); ++i)
                if (!list[i - 1]->exit_date || list[i]->entry_date < *list[i - 1]->exit_date)
                    v_.add(list[i]->id.str() + ": overlaps a previous journey in the same action");
        }
    }

    std::vector<AgirSupport> agir_of(const std::string& person_id) const {
        auto it = agir_of_.find(person_id);
        return it == agir_of_.end() ? std::vector<AgirSupport>{} : it->second;
    }

    void check_agir() {
        for (const auto& s : data_.agir) {
            const std::string who = "AGIR " + s.person_id.str();
            const PersonCase* c = person(s.person_id);
            if (!c) {
                v_.add(who + ": unknown person");
                continue;
            }
            if (!is_agir_eligible(*c, s.orientation_date, policy_, family_of(*c)))
                v_.add(who + ": not AGIR-eligible on the orientation date");
            if (s.orientation_date > on_) v_.add(who + ": oriented after the evaluation date");
            if (s.entry_date && (*s.entry_date < s.orientation_date || *s.entry_date > on_))
                v_.add(who + ": entry out of range");
            if (s.exit_date) {
                if (!s.entry_date || *s.exit_date < *s.entry_date || *s.exit_date > on_ ||
                    !agir_support_active(*s.entry_date, *s.exit_date, policy_))
                    v_.add(who + ": exit out of range");
                if (!s.exit_housing || !s.exit_activity) v_.add(who + ": exit without its situation");
            } else if (s.exit_housing || s.exit_activity || s.cdd_months) {
                v_.add(who + ": exit situation without exit");
            }
            if (s.cdd_months.has_value() != (s.exit_activity == ExitActivity::cdd))
                v_.add(who + ": cdd_months iff a CDD");
        }
    }

    void check_referrals() {
        for (const auto& r : data_.referrals) {
            const std::string who = r.id.str();
            if (!person(r.person_id)) v_.add(who + ": unknown person");
            const bool decided = r.status != ReferralStatus::proposed;
            const bool closed =
                r.status == ReferralStatus::completed || r.status == ReferralStatus::cancelled;
            const bool needs_reason =
                r.status == ReferralStatus::declined || r.status == ReferralStatus::cancelled;
            if (r.decided_on.has_value() != decided) v_.add(who + ": decided_on iff decided");
            if (r.completed_on.has_value() != closed) v_.add(who + ": completed_on iff closed");
            if (needs_reason != (r.reason.has_value() && !r.reason->empty()))
                v_.add(who + ": reason iff declined or cancelled");
            if (r.proposed_on > on_ || (r.decided_on && *r.decided_on < r.proposed_on) ||
                (r.completed_on && (!r.decided_on || *r.completed_on < *r.decided_on)) ||
                (r.decided_on && *r.decided_on > on_) || (r.completed_on && *r.completed_on > on_))
                v_.add(who + ": dates out of order");
            if (r.from == r.to) v_.add(who + ": from == to");
            if (r.from != "agir" && r.to != "agir") v_.add(who + ": neither end is AGIR");
            for (const auto& end : {r.from, r.to}) {
                if (end == "agir") continue;
                const auto ep = parse_referral_endpoint(end);
                if (ep.contract_id != contract_.id || !contract_.has_action(ep.action)) {
                    v_.add(who + ": unknown endpoint " + end);
                    continue;
                }
                const Action& a = contract_.action(ep.action);
                if (r.from == "agir" && a.agir_policy == AgirPolicy::partner &&
                    std::find(a.agir_needs.begin(), a.agir_needs.end(), r.need) == a.agir_needs.end())
                    v_.add(who + ": AGIR referral to a partner action for another need");
            }
            try {
                check_referral(r);
            } catch (const Error& e) {
                v_.add(who + ": refused by check_referral: " + e.what());
            }
        }
    }

    void check_other_records() {
        std::set<std::string> activities;
        for (const auto& a : data_.activities) {
            activities.insert(a.id.str());
            if (a.date > on_ || !contract_.has_action(a.action) || a.hours <= 0)
                v_.add(a.id.str() + ": bad activity");
            if ((a.kind == ActivityKind::actor_training) == a.structure.empty())
                v_.add(a.id.str() + ": structure iff actor training");
        }
        std::set<std::pair<std::string, std::string>> seen;
        for (const auto& p : data_.participations) {
            if (!activities.contains(p.activity_id.str()) || !person(p.person_id))
                v_.add("participation with an unknown activity or person");
            if (p.satisfaction && (*p.satisfaction < 1 || *p.satisfaction > 5))
                v_.add("satisfaction outside 1-5");
            if (!seen.insert({p.activity_id.str(), p.person_id.str()}).second)
                v_.add("duplicate participation " + p.activity_id.str() + " " + p.person_id.str());
        }
        // Keys of the store: volunteering (person, kind, start), partnership (whole row).
        std::set<std::tuple<std::string, VolunteeringKind, Date>> volunteering_keys;
        for (const auto& v : data_.volunteering) {
            if (!person(v.person_id) || v.start > on_ || (v.end && *v.end < v.start) ||
                v.association_type.empty())
                v_.add("bad volunteering of " + v.person_id.str());
            if (!volunteering_keys.insert({v.person_id.str(), v.kind, v.start}).second)
                v_.add("duplicate volunteering key for " + v.person_id.str());
        }
        std::set<std::string> households;
        for (const auto& c : data_.cases)
            if (c.person.household_id) households.insert(c.person.household_id->str());
        std::map<std::string, Date> last_move;
        for (const auto& h : data_.housing) {
            if (!households.contains(h.household_id.str()) || h.date > on_)
                v_.add("bad housing move of " + h.household_id.str());
            auto [it, inserted] = last_move.emplace(h.household_id.str(), h.date);
            if (!inserted) {
                if (h.date <= it->second) v_.add("housing moves out of order for " + it->first);
                it->second = h.date;
            }
        }
        for (const auto& c : data_.costs)
            if (!contract_.has_action(c.action) || c.subsidy_p104 > c.total_cost || c.total_cost <= 0)
                v_.add("bad cost row for action " + std::to_string(c.action));
        for (std::size_t i = 0; i < data_.partnerships.size(); ++i) {
            const Partnership& p = data_.partnerships[i];
            if (!contract_.has_action(p.action) || p.partner.empty() || p.theme.empty() || p.date > on_)
                v_.add("bad partnership");
            if (std::find(data_.partnerships.begin(), data_.partnerships.begin() +
                              static_cast<std::ptrdiff_t>(i), p) !=
                data_.partnerships.begin() + static_cast<std::ptrdiff_t>(i))
                v_.add("duplicate partnership");
        }
    }

    const Dataset& data_;
    const Contract& contract_;
    const Policy& policy_;
    Date on_;
    std::unordered_map<std::string, std::size_t> case_of_;
    std::unordered_map<std::string, std::vector<AgirSupport>> agir_of_;
    std::unordered_map<std::string, std::vector<const Journey*>> journeys_of_;
    Violations v_;
};

Violations check(const Dataset& data, const Contract& contract, const Policy& policy, Date on) {
    return Checker(data, contract, policy, on).run();
}

TEST(Synthetic, SameSeedGivesTheSameCohortAndAnotherSeedAnotherOne) {
    const Dataset a = cohort(500);
    const Dataset b = cohort(500);
    EXPECT_TRUE(a == b);
    const Dataset c = cohort(500, 7);
    EXPECT_FALSE(a == c);
    EXPECT_NE(a.journeys, c.journeys);
    EXPECT_NE(a.cases, c.cases);
    EXPECT_EQ(c.cases.size(), 500u);
}

TEST(Synthetic, DemoCohortGoesThroughTheFourActions) {
    const Dataset data = generate_cohort({});
    const Contract& k = builtin_contract("dijon-2023-2024");
    ASSERT_EQ(data.cases.size(), 300u);
    EXPECT_EQ(data.cases.front().person.id.str(), "P000001");
    EXPECT_EQ(data.cases.back().person.id.str(), "P000300");
    EXPECT_EQ(data.journeys.front().id.str(), "J0000001");
    const auto v = check(data, k, Policy{}, k.end);
    EXPECT_EQ(v.count(), 0u) << v.text();

    std::map<int, int> per_action;
    int positive = 0, negative = 0;
    for (const auto& j : data.journeys) {
        ++per_action[j.action];
        if (j.exit_date) (k.is_positive_exit(*j.exit_reason) ? positive : negative)++;
    }
    for (int a = 1; a <= 4; ++a) EXPECT_GT(per_action[a], 10) << "action " << a;
    EXPECT_GT(positive, 0);
    EXPECT_GT(negative, 0);

    EXPECT_FALSE(data.agir.empty());
    std::set<ReferralStatus> statuses;
    for (const auto& r : data.referrals) statuses.insert(r.status);
    EXPECT_EQ(statuses.size(), 5u);
    std::set<ActivityKind> kinds;
    for (const auto& a : data.activities) kinds.insert(a.kind);
    EXPECT_EQ(kinds.size(), 4u);
    std::set<ProtectionType> protections;
    std::set<DatePrecision> precisions;
    std::map<std::string, int> household_sizes;
    bool unknown_sex = false;
    for (const auto& c : data.cases) {
        for (const auto& p : c.protections) protections.insert(p.type);
        if (c.person.birth_date) precisions.insert(c.person.birth_date->precision);
        if (c.person.household_id) ++household_sizes[c.person.household_id->str()];
        unknown_sex = unknown_sex || c.person.sex == Sex::unknown;
    }
    EXPECT_EQ(protections.size(), 4u);
    EXPECT_EQ(precisions.size(), 3u);
    EXPECT_TRUE(unknown_sex);
    EXPECT_TRUE(std::any_of(household_sizes.begin(), household_sizes.end(),
                            [](const auto& h) { return h.second > 1; }));
    EXPECT_EQ(data.costs.size(), 4u);
    EXPECT_FALSE(data.participations.empty());
    EXPECT_FALSE(data.volunteering.empty());
    EXPECT_FALSE(data.housing.empty());
    EXPECT_FALSE(data.partnerships.empty());
}

TEST(Synthetic, TenThousandPersonsHaveTheBenchmarkShape) {
    const std::size_t n = 10000;
    const Dataset data = cohort(n);
    const Contract& k = builtin_contract("dijon-2023-2024");
    const Policy p;
    ASSERT_EQ(data.cases.size(), n);
    const auto v = check(data, k, p, k.end);
    EXPECT_EQ(v.count(), 0u) << v.text();

    const double journeys = static_cast<double>(data.journeys.size()) / n;
    EXPECT_GT(journeys, 2.6);
    EXPECT_LT(journeys, 3.4);
    const auto open = std::count_if(data.journeys.begin(), data.journeys.end(),
                                    [](const Journey& j) { return j.open(); });
    const double open_share = static_cast<double>(open) / static_cast<double>(data.journeys.size());
    EXPECT_GT(open_share, 0.07);
    EXPECT_LT(open_share, 0.13);
    std::size_t status_rows = 0, leap_anchors = 0, leap_decisions = 0, eu = 0, undetermined = 0;
    for (const auto& c : data.cases) {
        status_rows += c.permits.size() + c.protections.size() + c.situations.size();
        const auto t1 = primo_anchor(c, p);
        if (t1 && is_leap_day(*t1)) ++leap_anchors;
        for (const auto& pr : c.protections) leap_decisions += is_leap_day(pr.decision_date);
        const auto cls = nationality_class(c.person.nationalities, k.end);
        eu += cls == NationalityClass::french || cls == NationalityClass::eu_eea_ch;
        undetermined += cls == NationalityClass::undetermined;
    }
    const double rows = static_cast<double>(status_rows) / n;
    EXPECT_GT(rows, 4.0);
    EXPECT_LT(rows, 6.0);
    EXPECT_GE(leap_anchors, 5u);
    EXPECT_GE(leap_decisions, 1u);
    EXPECT_GT(eu, n / 50);
    EXPECT_GT(undetermined, 0u);
    // Non-eligible participants appear in the action open to the general population only.
    std::unordered_map<std::string, const PersonCase*> by_id;
    for (const auto& c : data.cases) by_id[c.person.id.str()] = &c;
    const auto apart = std::count_if(data.journeys.begin(), data.journeys.end(), [&](const Journey& j) {
        return j.action == 2 && !evaluate(*by_id.at(j.person_id.str()), j.entry_date, p).ctai_public;
    });
    EXPECT_GT(apart, 100);
    // AGIR: orientations, and journeys in the partner action referred by AGIR.
    EXPECT_GT(data.agir.size(), n / 20);
    EXPECT_TRUE(std::any_of(data.journeys.begin(), data.journeys.end(), [](const Journey& j) {
        return j.action == 4 && j.referral_source == ReferralSource::agir;
    }));
    // Re-entries: some person has two journeys in the same action.
    std::set<std::pair<std::string, int>> seen;
    bool reentry = false;
    for (const auto& j : data.journeys)
        reentry = reentry || !seen.insert({j.person_id.str(), j.action}).second;
    EXPECT_TRUE(reentry);
}

TEST(Synthetic, EverySeedRespectsTheRules) {
    const Contract& k = builtin_contract("dijon-2023-2024");
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        const auto v = check(cohort(1500, seed), k, Policy{}, k.end);
        EXPECT_EQ(v.count(), 0u) << "seed " << seed << "\n" << v.text();
    }
}

TEST(Synthetic, MidContractEvaluationDateBoundsEveryDate) {
    const Date on = d("2024-03-01");
    const Dataset data = cohort(2000, 11, on);
    const Contract& k = builtin_contract("dijon-2023-2024");
    const auto v = check(data, k, Policy{}, on);
    EXPECT_EQ(v.count(), 0u) << v.text();
    EXPECT_TRUE(std::any_of(data.journeys.begin(), data.journeys.end(),
                            [](const Journey& j) { return j.open(); }));
    EXPECT_FALSE(data.agir.empty());  // AGIR deployed in Côte-d'Or on 2024-01-01
}

TEST(Synthetic, AnyContractAndPolicy) {
    Policy p;
    p.boundary = Boundary::inclusive;
    p.agir_recency = AgirRecency::calendar_n_minus_1;
    const Contract& k = builtin_contract("dijon-2022");
    CohortOptions o;
    o.persons = 1500;
    o.contract = k.id;
    const Dataset data = generate_cohort(o, p);
    const auto v = check(data, k, p, k.end);
    EXPECT_EQ(v.count(), 0u) << v.text();
    std::set<int> actions;
    for (const auto& j : data.journeys) {
        EXPECT_EQ(j.contract_id, k.id);
        actions.insert(j.action);
    }
    EXPECT_EQ(actions.size(), k.actions.size());
}

TEST(Synthetic, ProgressIsReportedUpToTheTotal) {
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    CohortOptions o;
    o.persons = 1000;
    o.progress = [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); };
    generate_cohort(o);
    ASSERT_GE(calls.size(), 2u);
    for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_LE(calls[i - 1].first, calls[i].first);
    EXPECT_EQ(calls.back(), std::make_pair(std::size_t{1000}, std::size_t{1000}));
}

TEST(Synthetic, UnknownContractIsNotFound) {
    CohortOptions o;
    o.contract = ContractId{"no-such-contract"};
    EXPECT_THROW(generate_cohort(o), NotFoundError);
}

}  // namespace
