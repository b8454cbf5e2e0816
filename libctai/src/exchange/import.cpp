// import_dir: an exchange folder -> the store, all or nothing, in one transaction.
// Only the Store API is used here (no SQL): the store applies the R6/R7 rules on each write
// and reports a refused row by exception, which becomes an issue at the row's file and line.

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>

#include <ctai/contract.hpp>
#include <ctai/error.hpp>
#include <ctai/exchange.hpp>
#include <ctai/referrals.hpp>
#include <ctai/store.hpp>

#include "domain/journey_rules.hpp"
#include "exchange/contracts_io.hpp"
#include "exchange/guards.hpp"
#include "exchange/read.hpp"
#include "exchange/settings_io.hpp"

namespace ctai {
namespace detail {
namespace {

std::string column_for_entity(std::string_view entity, std::string_view fallback) {
    if (entity == "person") return "person_id";
    if (entity == "contract") return "contract_id";
    if (entity == "journey") return "journey_id";
    if (entity == "activity") return "activity_id";
    if (entity == "referral") return "referral_id";
    return std::string(fallback);
}

// Restores the store's actor when the import ends.
class ActorScope {
public:
    ActorScope(Store& store, const std::optional<std::string>& actor) : store_(store) {
        if (!actor) return;
        previous_ = store.actor();
        store.set_actor(*actor);
    }
    ~ActorScope() {
        if (previous_) store_.set_actor(std::move(*previous_));
    }
    ActorScope(const ActorScope&) = delete;
    ActorScope& operator=(const ActorScope&) = delete;

private:
    Store& store_;
    std::optional<std::string> previous_;
};

class Writer {
public:
    Writer(Store& store, ReadResult& read, const ImportOptions& options, IssueSink& sink,
           const std::vector<ContractFile>& contract_files = {})
        : store_(store), read_(read), data_(read.data), options_(options), sink_(sink),
          contract_files_(contract_files) {}

    void run() {
        ActorScope actor(store_, options_.actor);
        auto tx = store_.transaction(options_.reason);
        // R10: the folder's contracts, avenants and conventions first (contracts_io.cpp).
        put_contract_files(store_, contract_files_, sink_);
        check_contracts();
        // Into a store without data: the store checks the rules against what it has written
        // in memory instead of reading rows back (same results, much faster).
        bulk_ = detail::begin_bulk_load(store_);
        // An optional file of a later format version (nationalities.csv) absent from an
        // import into a store without data left nothing as it was: not listed as kept.
        if (bulk_ && !present(Table::nationalities)) summary(Table::nationalities).kept = false;
        write_cases();
        write_agir();
        write_referrals();
        write_journeys();
        write_activities();
        write_participations();
        write_volunteering();
        write_table(Table::housing, data_.housing, read_.lines_of(Table::housing), "household_id",
                    [&](const HousingMove& m) { return store_.put_housing_move(m); });
        write_table(Table::partnerships, data_.partnerships, read_.lines_of(Table::partnerships), "contract_id",
                    [&](const Partnership& p) { return store_.put_partnership(p); },
                    &skip_partnership_);
        write_table(Table::costs, data_.costs, read_.lines_of(Table::costs), "contract_id",
                    [&](const Cost& c) { return store_.put_cost(c); }, &skip_cost_);
        // Into a store that had data, the journeys already stored of a person whose case (or
        // AGIR supports, referrals) changed are checked again. A bulk load checked every
        // journey in this order against memory already.
        if (sink_.empty() && !bulk_) recheck_touched_persons();
        if (read_.settings) read_.summary.settings_changed = apply_settings(store_, *read_.settings);  // R10
        if (sink_.empty() && !options_.dry_run)
            tx.commit();
        else
            tx.rollback();
    }

private:
    TableSummary& summary(Table t) { return read_.summary.tables[static_cast<std::size_t>(t)]; }
    const std::string& file(Table t) const { return read_.file_of(t); }

    // ---- contracts and actions named by the folder ----

    // The contract, if the store knows it (built in or loaded).
    const Contract* contract(const ContractId& id) {
        auto it = contracts_.find(id.str());
        if (it == contracts_.end()) {
            std::optional<Contract> c;
            try {
                // R10: every version of it (an avenant may add an action).
                c = store_.contract_on(id, Date(9999, 12, 31)).contract;
            } catch (const NotFoundError&) {
            }
            it = contracts_.emplace(id.str(), std::move(c)).first;
        }
        return it->second ? &*it->second : nullptr;
    }

    // Checks a contract id and an action number; false (and an issue) when unknown.
    bool check_action(Table t, long line, std::string_view contract_column,
                      std::string_view action_column, const ContractId& id, int action) {
        const Contract* c = contract(id);
        if (!c) {
            sink_.add(file(t), line, std::string(contract_column),
                      "unknown contract '" + id.str() +
                          "' (neither built in nor loaded in the store; see `ctai contracts`)");
            return false;
        }
        if (!c->has_action(action)) {
            sink_.add(file(t), line, std::string(action_column),
                      "contract '" + id.str() + "' has no action " + std::to_string(action));
            return false;
        }
        return true;
    }

    bool check_endpoint(Table t, long line, std::string_view column, const std::string& text) {
        const auto e = parse_referral_endpoint(text, column);  // validated by the reader
        if (e.is_agir()) return true;
        return check_action(t, line, column, column, e.contract_id, e.action);
    }

    void check_contracts() {
        skip_journey_.assign(data_.journeys.size(), false);
        for (std::size_t i = 0; i < data_.journeys.size(); ++i) {
            const auto& j = data_.journeys[i];
            if (!check_action(Table::journeys, read_.line(Table::journeys, i), "contract_id", "action",
                              j.contract_id, j.action))
                blocked_persons_.insert(j.person_id.str());
        }
        // The other journeys of the person may depend on the refused one (R7 prerequisite).
        for (std::size_t i = 0; i < data_.journeys.size(); ++i)
            skip_journey_[i] = blocked_persons_.count(data_.journeys[i].person_id.str()) != 0;

        skip_referral_.assign(data_.referrals.size(), false);
        for (std::size_t i = 0; i < data_.referrals.size(); ++i) {
            const auto& r = data_.referrals[i];
            const bool from = check_endpoint(Table::referrals, read_.line(Table::referrals, i), "from", r.from);
            const bool to = check_endpoint(Table::referrals, read_.line(Table::referrals, i), "to", r.to);
            skip_referral_[i] = !(from && to);
        }
        skip_activity_.assign(data_.activities.size(), false);
        for (std::size_t i = 0; i < data_.activities.size(); ++i) {
            const auto& a = data_.activities[i];
            if (!check_action(Table::activities, read_.line(Table::activities, i), "contract_id", "action",
                              a.contract_id, a.action)) {
                skip_activity_[i] = true;
                skipped_activities_.insert(a.id.str());
            }
        }
        skip_partnership_.assign(data_.partnerships.size(), false);
        for (std::size_t i = 0; i < data_.partnerships.size(); ++i) {
            const auto& p = data_.partnerships[i];
            skip_partnership_[i] = !check_action(Table::partnerships, read_.line(Table::partnerships, i),
                                                 "contract_id", "action", p.contract_id, p.action);
        }
        skip_cost_.assign(data_.costs.size(), false);
        for (std::size_t i = 0; i < data_.costs.size(); ++i) {
            const auto& c = data_.costs[i];
            skip_cost_[i] = !check_action(Table::costs, read_.line(Table::costs, i), "contract_id", "action",
                                          c.contract_id, c.action);
        }
    }

    // ---- writing ----

    // Writes one record; a refusal of the store becomes an issue at (t, line).
    // Returns false when the store refused the record.
    template <class F>
    bool put(Table t, long line, std::string_view column, F&& write,
             const std::function<void(const ConflictError&)>& on_conflict = {}) {
        auto& s = summary(t);
        try {
            if (write())
                ++s.changed;
            else
                ++s.unchanged;
            return true;
        } catch (const ConflictError& e) {
            if (on_conflict)
                on_conflict(e);
            else
                sink_.add(file(t), line, e.column().empty() ? std::string(column) : e.column(),
                          e.rule() + ": " + e.what(), e.rule());
        } catch (const NotFoundError& e) {
            sink_.add(file(t), line, column_for_entity(e.entity(), column), e.what());
        } catch (const ImportError&) {
            throw;
        } catch (const ValidationError& e) {
            sink_.add(file(t), line, e.field().empty() ? std::string(column) : e.field(), e.what());
        } catch (const StorageError& e) {
            if (!e.constraint_violation()) throw;
            sink_.add(file(t), line, std::string(column),
                      std::string("refused by the store: ") + e.what());
        }
        return false;
    }

    // Indices in writing order, with progress.
    template <class F>
    void each(Table t, const std::vector<std::size_t>& order, F&& f) {
        const std::string stage = "write " + std::string(spec(t).name);
        const auto total = order.size();
        report_progress(options_.progress, stage, 0, total);
        for (std::size_t n = 0; n < total; ++n) {
            f(order[n]);
            if ((n + 1) % progress_every == 0) report_progress(options_.progress, stage, n + 1, total);
        }
        report_progress(options_.progress, stage, total, total);
    }

    static std::vector<std::size_t> identity(std::size_t n) {
        std::vector<std::size_t> v(n);
        std::iota(v.begin(), v.end(), std::size_t{0});
        return v;
    }

    // Writes every record not skipped; `refused(item)` is called for each record the
    // store refuses.
    template <class T, class F, class R>
    void write_table(Table t, const std::vector<T>& items, const std::vector<long>& lines,
                     std::string_view column, F&& write, const std::vector<bool>* skip,
                     R&& refused) {
        each(t, identity(items.size()), [&](std::size_t i) {
            if (skip && (*skip)[i]) return;
            if (!put(t, lines[i], column, [&] { return write(items[i]); })) refused(items[i]);
        });
    }
    template <class T, class F>
    void write_table(Table t, const std::vector<T>& items, const std::vector<long>& lines,
                     std::string_view column, F&& write, const std::vector<bool>* skip = nullptr) {
        write_table(t, items, lines, column, std::forward<F>(write), skip, [](const T&) {});
    }

    // Whether a record of this person may be written: their case was not refused.
    bool person_written(const PersonId& id) const { return !refused_persons_.count(id.str()); }
    std::vector<bool> skip_unwritten_persons(const auto& items, const std::vector<bool>* also = nullptr) const {
        std::vector<bool> skip(items.size(), false);
        for (std::size_t i = 0; i < items.size(); ++i)
            skip[i] = !person_written(items[i].person_id) || (also && (*also)[i]);
        return skip;
    }

    void write_cases() {
        // A person rejoining another is written after them.
        auto order = identity(data_.cases.size());
        std::stable_partition(order.begin(), order.end(), [&](std::size_t i) {
            return !data_.cases[i].person.rejoining_family_of.has_value();
        });
        // Everything recorded about a person whose case the store refuses is left out, so
        // that only genuine errors are reported (a person rejoining them is refused too).
        each(Table::persons, order, [&](std::size_t i) {
            const auto& c = data_.cases[i];
            if (c.person.rejoining_family_of && !person_written(*c.person.rejoining_family_of)) {
                refused_persons_.insert(c.person.id.str());
                return;
            }
            touched_.insert(c.person.id.str());
            const PersonCase merged = with_kept_lists(c);
            if (!put(Table::persons, read_.line(Table::persons, i), "person_id",
                     [&] { return store_.put_case(merged); }))
                refused_persons_.insert(c.person.id.str());
        });
    }

    bool present(Table t) { return summary(t).present; }

    // Counts the records of `old` that `next` no longer has (removed by the import).
    template <class T>
    static std::size_t count_removed(const std::vector<T>& old, const std::vector<T>& next) {
        std::size_t n = 0;
        for (const auto& o : old)
            if (std::find(next.begin(), next.end(), o) == next.end()) ++n;
        return n;
    }

    // An absent file never deletes anything: the lists of a person already in the store
    // whose file is absent are kept as stored; removals by a present file are counted.
    PersonCase with_kept_lists(const PersonCase& c) {
        PersonCase out = c;
        if (bulk_) return out;  // the store had no data
        const auto old = store_.find_person(c.person.id);
        if (!old) return out;
        const auto stored = store_.person_case(c.person.id);
        if (present(Table::permits))
            summary(Table::permits).removed += count_removed(stored.permits, c.permits);
        else
            out.permits = stored.permits;
        if (present(Table::protections))
            summary(Table::protections).removed += count_removed(stored.protections, c.protections);
        else
            out.protections = stored.protections;
        if (present(Table::situations))
            summary(Table::situations).removed += count_removed(stored.situations, c.situations);
        else
            out.situations = stored.situations;
        // R1: nationalities.csv replaces the dated nationalities of the persons it lists
        // only; the others keep theirs (persons.nationalities must agree: put_case checks).
        if (read_.nationality_persons.count(c.person.id.str()))
            summary(Table::nationalities).removed +=
                count_removed(stored.nationalities, c.nationalities);
        else
            out.nationalities = stored.nationalities;
        return out;
    }

    // The steps of a journey already in the store are kept when steps.csv is absent.
    Journey with_kept_steps(const Journey& j) {
        Journey out = j;
        if (bulk_) return out;
        std::optional<Journey> stored;
        try {
            stored = store_.journey(j.id);
        } catch (const NotFoundError&) {
            return out;
        }
        if (present(Table::steps))
            summary(Table::steps).removed += count_removed(stored->steps, j.steps);
        else
            out.steps = stored->steps;
        return out;
    }

    // ---- the rules of every person touched, after the writes ----

    // R7/R6: every journey of a touched person, in entry order, passes the enrollment rules
    // against the earlier ones and the person's case, AGIR supports and referrals as they
    // are now (what a fresh store importing this store's export would check).
    void recheck_touched_persons() {
        std::map<std::string, std::size_t> journey_at;
        for (std::size_t i = 0; i < data_.journeys.size(); ++i) journey_at.emplace(data_.journeys[i].id.str(), i);
        std::map<std::string, std::size_t> person_at;
        for (std::size_t i = 0; i < data_.cases.size(); ++i) person_at.emplace(data_.cases[i].person.id.str(), i);
        std::vector<std::string> persons(touched_.begin(), touched_.end());
        std::sort(persons.begin(), persons.end());
        for (const auto& pid : persons) {
            const PersonId id(pid);
            if (!store_.find_person(id)) continue;
            const auto c = store_.person_case(id);
            std::optional<PersonCase> family;
            if (c.person.rejoining_family_of && store_.find_person(*c.person.rejoining_family_of))
                family = store_.person_case(*c.person.rejoining_family_of);
            auto js = store_.journeys_of(id);
            if (js.empty()) continue;
            std::stable_sort(js.begin(), js.end(), [](const Journey& a, const Journey& b) {
                return std::tie(a.entry_date, a.action, a.id) < std::tie(b.entry_date, b.action, b.id);
            });
            const auto agir = store_.agir_supports_of(id);
            const auto refs = store_.referrals_of(id);
            for (std::size_t k = 0; k < js.size(); ++k) {
                const auto& j = js[k];
                const Contract* contract = this->contract(j.contract_id);
                if (!contract) continue;
                std::optional<Need> need;
                if (j.referral_source == ReferralSource::agir) need = rules::inferred_need(j, refs);
                // R10: judged under the contract as it stood on the entry date, with the
                // contracts it continues.
                const auto earlier =
                    lineage(*contract, [&](const ContractId& e) { return this->contract(e); });
                const auto v = rules::check_journey_enrollment(
                    store_.contract_on(j.contract_id, j.entry_date).contract, j, c,
                    std::span<const Journey>(js.data(), k), agir, store_.policy(), need,
                    family ? &*family : nullptr, earlier);
                if (v.verdict.allowed()) continue;
                const auto& rule = v.verdict.rule;
                const std::string prefix = rule.empty() ? std::string() : rule + ": ";
                if (const auto it = journey_at.find(j.id.str()); it != journey_at.end()) {
                    sink_.add(file(Table::journeys), read_.line(Table::journeys, it->second),
                              v.verdict.column.empty() ? std::string("journey_id") : v.verdict.column,
                              prefix + v.verdict.message, rule);
                } else {
                    const auto pt = person_at.find(pid);
                    sink_.add(pt == person_at.end() ? file(Table::journeys) : file(Table::persons),
                              pt == person_at.end() ? 0 : read_.line(Table::persons, pt->second),
                              "person_id",
                              prefix + "journey '" + j.id.str() + "' of person '" + pid +
                                  "', already in the store, would break this rule after this "
                                  "import: " + v.verdict.message,
                              rule);
                }
                break;  // the person's later journeys may depend on this one
            }
        }
    }

    // A journey may depend on the person's AGIR supports (R6 articulation) and, when sent
    // by AGIR, on their referrals (the need): when one of these is refused, the journeys
    // that depend on it are not written.
    void write_agir() {
        const auto skip = skip_unwritten_persons(data_.agir);
        write_table(Table::agir, data_.agir, read_.lines_of(Table::agir), "person_id",
                    [&](const AgirSupport& s) {
                        touched_.insert(s.person_id.str());
                        return store_.put_agir_support(s);
                    },
                    &skip,
                    [&](const AgirSupport& s) { blocked_persons_.insert(s.person_id.str()); });
    }

    void write_referrals() {
        const auto skip = skip_unwritten_persons(data_.referrals, &skip_referral_);
        for (std::size_t i = 0; i < skip_referral_.size(); ++i)
            if (skip_referral_[i]) agir_blocked_persons_.insert(data_.referrals[i].person_id.str());
        each(Table::referrals, identity(data_.referrals.size()), [&](std::size_t i) {
            if (skip[i]) return;
            const auto& r = data_.referrals[i];
            if (!put(Table::referrals, read_.line(Table::referrals, i), "referral_id",
                     [&] {
                         touched_.insert(r.person_id.str());
                         return store_.put_referral(r);
                     },
                     [&](const ConflictError& e) { referral_conflict(i, e); }))
                agir_blocked_persons_.insert(r.person_id.str());
        });
    }

    // R6.referral_transition: dates out of order are reported at the first date that goes
    // back, a forbidden status change at the status.
    void referral_conflict(std::size_t i, const ConflictError& e) {
        const auto& r = data_.referrals[i];
        std::string column = e.column().empty() ? std::string("referral_id") : e.column();
        if (e.rule() == "R6.referral_transition") {
            if (r.decided_on && *r.decided_on < r.proposed_on)
                column = "decided_on";
            else if (r.completed_on && (*r.completed_on < r.proposed_on ||
                                        (r.decided_on && *r.completed_on < *r.decided_on)))
                column = "completed_on";
        }
        sink_.add(file(Table::referrals), read_.line(Table::referrals, i), column,
                  e.rule() + ": " + e.what(), e.rule());
    }

    void write_journeys() {
        // In entry order, so that a prerequisite journey (R7) is in the store before the
        // journeys that depend on it, and a closed journey before its re-entry.
        auto order = identity(data_.journeys.size());
        const auto& js = data_.journeys;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::tie(js[a].entry_date, js[a].action, js[a].id) <
                   std::tie(js[b].entry_date, js[b].action, js[b].id);
        });
        each(Table::journeys, order, [&](std::size_t i) {
            const auto& j = js[i];
            const auto& person = j.person_id.str();
            if (skip_journey_[i] || !person_written(j.person_id) || blocked_persons_.count(person) ||
                (j.referral_source == ReferralSource::agir && agir_blocked_persons_.count(person)))
                return;
            touched_.insert(person);
            const Journey kept = with_kept_steps(j);
            // A refused journey may be the prerequisite of the person's later ones (R7).
            if (!put(Table::journeys, read_.line(Table::journeys, i), "journey_id",
                     [&] { return store_.put_journey(kept); },
                     [&](const ConflictError& e) { journey_conflict(i, e); }))
                blocked_persons_.insert(person);
        });
    }

    // A step outside its journey is reported at the step's line in steps.csv.
    void journey_conflict(std::size_t i, const ConflictError& e) {
        const auto& j = data_.journeys[i];
        if (e.rule() == "R7.step_outside_journey") {
            for (std::size_t s = 0; s < j.steps.size(); ++s) {
                const auto d = j.steps[s].date;
                if (d < j.entry_date || (j.exit_date && d > *j.exit_date)) {
                    sink_.add(file(Table::steps), read_.step_lines[i][s], "date",
                              e.rule() + ": " + e.what(), e.rule());
                    return;
                }
            }
        }
        sink_.add(file(Table::journeys), read_.line(Table::journeys, i), e.column().empty() ? std::string("journey_id") : e.column(),
                  e.rule() + ": " + e.what(), e.rule());
    }

    void write_activities() {
        write_table(Table::activities, data_.activities, read_.lines_of(Table::activities), "activity_id",
                    [&](const Activity& a) { return store_.put_activity(a); }, &skip_activity_,
                    [&](const Activity& a) { skipped_activities_.insert(a.id.str()); });
    }

    void write_participations() {
        auto skip = skip_unwritten_persons(data_.participations);
        for (std::size_t i = 0; i < skip.size(); ++i)
            skip[i] = skip[i] || skipped_activities_.count(data_.participations[i].activity_id.str());
        write_table(Table::participations, data_.participations, read_.lines_of(Table::participations),
                    "activity_id",
                    [&](const Participation& p) { return store_.put_participation(p); }, &skip);
    }

    void write_volunteering() {
        const auto skip = skip_unwritten_persons(data_.volunteering);
        write_table(Table::volunteering, data_.volunteering, read_.lines_of(Table::volunteering), "person_id",
                    [&](const Volunteering& v) { return store_.put_volunteering(v); }, &skip);
    }

    Store& store_;
    ReadResult& read_;
    const Dataset& data_;
    const ImportOptions& options_;
    IssueSink& sink_;
    const std::vector<ContractFile>& contract_files_;
    std::map<std::string, std::optional<Contract>> contracts_;
    /// Persons whose case the store refused: nothing about them is written.
    std::unordered_set<std::string> refused_persons_;
    /// Persons none of whose (further) journeys are written.
    std::unordered_set<std::string> blocked_persons_;
    /// Persons whose journeys sent by AGIR are not written (a referral was refused).
    std::unordered_set<std::string> agir_blocked_persons_;
    std::unordered_set<std::string> skipped_activities_;
    /// Persons whose case, journeys, AGIR supports or referrals this import wrote.
    std::unordered_set<std::string> touched_;
    /// The store had no data: begin_bulk_load took the bulk path.
    bool bulk_ = false;
    std::vector<bool> skip_journey_, skip_referral_, skip_activity_, skip_partnership_, skip_cost_;
};

}  // namespace
}  // namespace detail

ImportSummary import_dir(Store& store, const std::filesystem::path& dir,
                         const ImportOptions& options) {
    detail::IssueSink sink;
    auto read = detail::read_exchange(dir, options, sink);
    read.settings = detail::read_settings_file(dir, sink);
    // The store phase runs even when some rows had errors (they are left out), so that the
    // rule violations of the other rows are reported in the same run. It is skipped when a
    // file could not be read at all: the rules would then see a partial folder.
    detail::check_pseudonymized(dir, options, sink);
    for (auto& t : read.summary.tables) t.kept = !t.present;
    const auto contract_files = detail::read_contract_files(dir, sink);
    if (read.complete) detail::Writer(store, read, options, sink, contract_files).run();
    detail::refresh_settings_policy(store);  // R10: settings.json may have changed them
    if (!sink.empty()) throw ImportError(sink.sorted());
    read.summary.dry_run = options.dry_run;
    return std::move(read.summary);
}

}  // namespace ctai
