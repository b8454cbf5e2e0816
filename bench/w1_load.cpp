// W1: bulk load of the exchange folder into a new store (import_dir) against a raw
// SQLite C API prepared-insert loop of the same rows into the same schema: both stores are
// created by the library (ctai::Store::open, its migrations), never by re-typed DDL.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common.hpp"
#include "raw_sqlite.hpp"

namespace bench {
namespace {

std::size_t dataset_rows(const ctai::Dataset& d) {
    std::size_t n = d.cases.size() + d.journeys.size() + d.agir.size() + d.referrals.size() +
                    d.activities.size() + d.participations.size() + d.volunteering.size() +
                    d.housing.size() + d.partnerships.size() + d.costs.size();
    for (const auto& c : d.cases) n += c.permits.size() + c.protections.size() + c.situations.size();
    for (const auto& j : d.journeys) n += j.steps.size();
    return n;
}

const char* const w1_tables[] = {"persons", "permits", "protections", "situations", "journeys",
                                 "steps", "agir_supports", "referrals", "activities",
                                 "participations", "volunteering", "housing_moves",
                                 "partnerships", "costs"};

std::map<std::string, std::int64_t> table_counts(const fs::path& path) {
    Db db(path);
    std::map<std::string, std::int64_t> out;
    for (const char* t : w1_tables) out[t] = db.scalar(std::string("SELECT count(*) FROM ") + t);
    return out;
}

// A new empty store (the schema) at `path`.
void new_store(const fs::path& path) {
    remove_db(path);
    fs::create_directories(path.parent_path());
    (void)ctai::Store::open(path);
}

template <class E>
std::string_view name(E e) {
    return ctai::to_string(e);
}

std::string_view name(ctai::DatePrecision p) {
    switch (p) {
        case ctai::DatePrecision::day: return "day";
        case ctai::DatePrecision::month: return "month";
        case ctai::DatePrecision::year: return "year";
    }
    return "day";
}

// The floor: the same rows, already parsed, through prepared INSERTs in one transaction on
// the same schema with the store's pragmas (WAL, foreign keys), without rules or audit.
void w1_raw_insert(const fs::path& path, const ctai::Dataset& d) {
    Db db(path);
    db.exec("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;");
    db.exec("BEGIN IMMEDIATE");
    {
        Stmt person(db,
                    "INSERT INTO persons (person_id, sex, birth_date, birth_precision, "
                    "nationalities, household_id, department, cir_status, cir_date, "
                    "rejoining_family_of, last_contact) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        Stmt permit(db,
                    "INSERT INTO permits (person_id, position, kind, motive, valid_from, valid_to) "
                    "VALUES (?,?,?,?,?,?)");
        Stmt protection(db,
                        "INSERT INTO protections (person_id, position, type, authority, "
                        "decision_date, notification_date, displaced_on, end_date) "
                        "VALUES (?,?,?,?,?,?,?,?)");
        Stmt situation(db,
                       "INSERT INTO situations (person_id, position, situation, start, \"end\") "
                       "VALUES (?,?,?,?,?)");
        std::string nat;
        for (const auto& c : d.cases) {
            const auto& p = c.person;
            nat.clear();
            for (std::size_t i = 0; i < p.nationalities.size(); ++i) {
                if (i) nat += '|';
                nat += p.nationalities[i];
            }
            person.text(p.id.str()).text(name(p.sex));
            if (p.birth_date)
                person.integer(p.birth_date->first.days()).text(name(p.birth_date->precision));
            else
                person.null().null();
            person.text(nat);
            if (p.household_id) person.text(p.household_id->str());
            else person.null();
            person.text(p.department).text(name(p.cir_status)).date(p.cir_date);
            if (p.rejoining_family_of) person.text(p.rejoining_family_of->str());
            else person.null();
            person.date(p.last_contact).exec();
            std::int64_t pos = 0;
            for (const auto& x : c.permits)
                permit.text(p.id.str()).integer(pos++).text(name(x.kind)).text(name(x.motive))
                    .integer(x.valid_from.days()).date(x.valid_to).exec();
            pos = 0;
            for (const auto& x : c.protections)
                protection.text(p.id.str()).integer(pos++).text(name(x.type))
                    .text(name(x.authority)).integer(x.decision_date.days())
                    .date(x.notification_date).date(x.displaced_on).date(x.end_date).exec();
            pos = 0;
            for (const auto& x : c.situations)
                situation.text(p.id.str()).integer(pos++).text(name(x.kind))
                    .integer(x.start.days()).date(x.end).exec();
        }
    }
    {
        Stmt agir(db,
                  "INSERT INTO agir_supports (person_id, orientation_date, entry_date, exit_date, "
                  "exit_housing, exit_activity, cdd_months) VALUES (?,?,?,?,?,?,?)");
        for (const auto& a : d.agir) {
            agir.text(a.person_id.str()).integer(a.orientation_date.days()).date(a.entry_date)
                .date(a.exit_date);
            if (a.exit_housing) agir.text(name(*a.exit_housing));
            else agir.null();
            if (a.exit_activity) agir.text(name(*a.exit_activity));
            else agir.null();
            if (a.cdd_months) agir.integer(*a.cdd_months);
            else agir.null();
            agir.exec();
        }
        Stmt ref(db,
                 "INSERT INTO referrals (referral_id, person_id, \"from\", \"to\", need, status, "
                 "proposed_on, decided_on, completed_on, reason) VALUES (?,?,?,?,?,?,?,?,?,?)");
        for (const auto& r : d.referrals)
            ref.text(r.id.str()).text(r.person_id.str()).text(r.from).text(r.to)
                .text(name(r.need)).text(name(r.status)).integer(r.proposed_on.days())
                .date(r.decided_on).date(r.completed_on).opt_text(r.reason).exec();
        Stmt journey(db,
                     "INSERT INTO journeys (journey_id, person_id, contract_id, action, "
                     "entry_date, referral_source, exit_date, exit_reason, override_reason) "
                     "VALUES (?,?,?,?,?,?,?,?,?)");
        Stmt step(db, "INSERT INTO steps (journey_id, position, step, date) VALUES (?,?,?,?)");
        for (const auto& j : d.journeys) {
            journey.text(j.id.str()).text(j.person_id.str()).text(j.contract_id.str())
                .integer(j.action).integer(j.entry_date.days()).text(name(j.referral_source))
                .date(j.exit_date).opt_text(j.exit_reason).opt_text(j.override_reason).exec();
            std::int64_t pos = 0;
            for (const auto& s : j.steps)
                step.text(j.id.str()).integer(pos++).text(name(s.kind)).integer(s.date.days()).exec();
        }
        Stmt act(db,
                 "INSERT INTO activities (activity_id, contract_id, action, kind, type, date, "
                 "hours, co_animated, structure) VALUES (?,?,?,?,?,?,?,?,?)");
        for (const auto& a : d.activities)
            act.text(a.id.str()).text(a.contract_id.str()).integer(a.action).text(name(a.kind))
                .text(a.type).integer(a.date.days()).real(a.hours).integer(a.co_animated)
                .text(a.structure).exec();
        Stmt part(db,
                  "INSERT INTO participations (activity_id, person_id, satisfaction) VALUES (?,?,?)");
        for (const auto& p : d.participations) {
            part.text(p.activity_id.str()).text(p.person_id.str());
            if (p.satisfaction) part.integer(*p.satisfaction);
            else part.null();
            part.exec();
        }
        Stmt vol(db,
                 "INSERT INTO volunteering (person_id, kind, start, \"end\", association_type) "
                 "VALUES (?,?,?,?,?)");
        for (const auto& v : d.volunteering)
            vol.text(v.person_id.str()).text(name(v.kind)).integer(v.start.days()).date(v.end)
                .text(v.association_type).exec();
        Stmt housing(db, "INSERT INTO housing_moves (household_id, date, housing_type) VALUES (?,?,?)");
        for (const auto& h : d.housing)
            housing.text(h.household_id.str()).integer(h.date.days()).text(name(h.housing_type)).exec();
        Stmt partner(db,
                     "INSERT INTO partnerships (contract_id, action, partner, theme, date) "
                     "VALUES (?,?,?,?,?)");
        for (const auto& p : d.partnerships)
            partner.text(p.contract_id.str()).integer(p.action).text(p.partner).text(p.theme)
                .integer(p.date.days()).exec();
        Stmt cost(db,
                  "INSERT INTO costs (contract_id, action, total_cost, subsidy_p104) VALUES (?,?,?,?)");
        for (const auto& c : d.costs)
            cost.text(c.contract_id.str()).integer(c.action).real(c.total_cost).real(c.subsidy_p104).exec();
    }
    db.exec("COMMIT");
}

void w1_check() {
    const auto expected = table_counts(g.db());
    const auto data = ctai::read_exchange_dir(g.folder());
    const fs::path a = g.scratch("w1_check_import.db");
    new_store(a);
    {
        auto store = ctai::Store::open(a);
        ctai::import_dir(store, g.folder());
    }
    expect(table_counts(a) == expected, "W1 import_dir: table row counts differ from the cohort store");
    {
        auto s1 = open_store();
        ctai::StoreOptions o;
        o.must_exist = true;
        auto s2 = ctai::Store::open(a, o);
        expect(s1.fingerprint().sha256 == s2.fingerprint().sha256,
               "W1 import_dir: data fingerprint differs from the cohort store");
    }
    const fs::path b = g.scratch("w1_check_raw.db");
    new_store(b);
    w1_raw_insert(b, data);
    expect(table_counts(b) == expected, "W1 raw insert: table row counts differ from the cohort store");
    std::int64_t total = 0;
    for (const auto& [t, n] : expected) total += n;
    expect(static_cast<std::size_t>(total) == dataset_rows(data), "W1: row count of the folder");
    remove_db(a);
    remove_db(b);
}

void BM_W1_import(benchmark::State& state) {
    const fs::path path = g.scratch("w1_import.db");
    const std::size_t rows = dataset_rows(ctai::read_exchange_dir(g.folder()));
    for (auto _ : state) {
        state.PauseTiming();
        new_store(path);
        {
            auto store = ctai::Store::open(path);
            state.ResumeTiming();
            ctai::import_dir(store, g.folder());
            state.PauseTiming();
        }
        remove_db(path);
        state.ResumeTiming();
    }
    set_rows(state, rows);
}

void BM_W1_read_only(benchmark::State& state) {
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto d = ctai::read_exchange_dir(g.folder());
        rows = dataset_rows(d);
        benchmark::DoNotOptimize(d.cases.data());
    }
    set_rows(state, rows);
}

void BM_W1_floor(benchmark::State& state) {
    const fs::path path = g.scratch("w1_raw.db");
    const auto data = ctai::read_exchange_dir(g.folder());
    for (auto _ : state) {
        state.PauseTiming();
        new_store(path);
        state.ResumeTiming();
        w1_raw_insert(path, data);
        state.PauseTiming();
        remove_db(path);
        state.ResumeTiming();
    }
    set_rows(state, dataset_rows(data));
}

}  // namespace

void check_w1() { w1_check(); }

void register_w1() {
    using benchmark::kMillisecond;
    benchmark::RegisterBenchmark("W1/ctai_import_dir", BM_W1_import)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
    benchmark::RegisterBenchmark("W1/ctai_read_exchange_dir", BM_W1_read_only)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
    benchmark::RegisterBenchmark("W1/floor_raw_insert", BM_W1_floor)->Unit(kMillisecond)->Iterations(1)->Repetitions(3);
}

}  // namespace bench
