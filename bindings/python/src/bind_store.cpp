// The case store (store.hpp) as _core._Store, the base class of ctai.Store (ctai/_store.py
// adds only what Python adds: the context manager, the repr, Transaction, ...), and
// _core._Transaction. Values come back as the package's registered classes (Columns,
// Journey, Referral, AuditEntry, ImportSummary, ...: bind_registry.cpp).
//
// Threads: a C++ Store is one SQLite connection and must not be used by two threads at
// once. Every call releases the GIL (so other Python threads, e.g. on another Store, run)
// and then takes the Store's own mutex: two threads sharing one Store object are
// serialised instead of racing; two Store objects run in parallel.
#include <algorithm>
#include <array>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/windows.hpp>
#include <ctai/exchange.hpp>
#include <ctai/orientations.hpp>
#include <ctai/report.hpp>
#include <ctai/stats.hpp>
#include <ctai/store.hpp>

#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

struct PyTransaction;

struct PyStore {
    std::optional<ctai::Store> store;
    std::mutex mutex;
    std::vector<PyTransaction*> live;  // guarded by mutex

    /// Runs f(store) without the GIL and under the Store's mutex.
    template <class F>
    auto run(F&& f) {
        py::gil_scoped_release nogil;
        std::lock_guard lock(mutex);
        if (!store) throw ctai::StorageError("the store is closed");
        return f(*store);
    }
    void close();
};

/// `on` of the batch calls as day numbers: one datetime.date for every row, or an
/// array-like of dates (datetime64[D], datetime.date objects, ...) of `rows` dates.
std::vector<std::int32_t> batch_days(py::handle on, std::size_t rows, const char* what) {
    if (py::isinstance(on, py::module_::import("datetime").attr("date")))
        return std::vector<std::int32_t>(rows, on.cast<Date>().days());
    const DayArray days = day_array(on);
    if (days.size != rows)
        throw ctai::ValidationError(std::string(what) + ": " + std::to_string(days.size) +
                                        " dates for " + std::to_string(rows) + " rows",
                                    "on");
    // Checked as a whole (the bounds of the array), then narrowed: two loops without a
    // branch, which the compiler vectorises (a check per element cost ~1 ns per row).
    std::int64_t lo = 0, hi = 0;
    if (days.size > 0) lo = hi = days.data[0];
    for (std::size_t i = 0; i < days.size; ++i) {
        lo = std::min(lo, days.data[i]);
        hi = std::max(hi, days.data[i]);
    }
    if (lo < std::numeric_limits<std::int32_t>::min() + 1 ||
        hi > std::numeric_limits<std::int32_t>::max())
        throw ctai::ValidationError(std::string(what) + ": every date must be set (no NaT)", "on");
    std::vector<std::int32_t> out(days.size);
    for (std::size_t i = 0; i < days.size; ++i) out[i] = static_cast<std::int32_t>(days.data[i]);
    return out;
}

/// The UTF-8 view of a Python str without a copy (TypeError otherwise).
std::string_view utf8_view(py::handle item) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_Check(item.ptr()) ? PyUnicode_AsUTF8AndSize(item.ptr(), &size) : nullptr;
    if (data == nullptr) {
        PyErr_Clear();
        throw py::type_error("person ids must be str");
    }
    return {data, static_cast<std::size_t>(size)};
}

/// A case snapshot held by Python (immutable; shared with the Store that made it).
struct PyCaseSnapshot {
    std::shared_ptr<const ctai::CaseSnapshot> snap;
};

struct PyTransaction {
    PyStore* owner = nullptr;  // kept alive by py::keep_alive
    std::optional<ctai::Transaction> tx;

    void finish(bool commit) {
        py::gil_scoped_release nogil;
        std::lock_guard lock(owner->mutex);
        if (!tx) return;
        forget();
        auto t = std::move(*tx);
        tx.reset();
        if (commit)
            t.commit();
        else
            t.rollback();
    }
    void forget() {  // caller holds the mutex
        auto& v = owner->live;
        std::erase(v, this);
    }
    ~PyTransaction() {
        if (!owner) return;
        std::lock_guard lock(owner->mutex);
        if (tx) {
            forget();
            tx.reset();  // rolls back
        }
    }
};

void PyStore::close() {
    py::gil_scoped_release nogil;
    std::lock_guard lock(mutex);
    for (PyTransaction* t : live) t->tx.reset();  // roll back what is still pending
    live.clear();
    store.reset();
}

template <class Id>
py::object id_or_none(const std::optional<Id>& id) {
    return id ? py::object(py::str(id->str())) : py::object(py::none());
}

py::dict journey_dict(const ctai::Journey& j) {
    py::list steps;
    for (const auto& s : j.steps) steps.append(py::make_tuple(s.kind, s.date));
    return py::dict("id"_a = j.id.str(), "person_id"_a = j.person_id.str(),
                    "contract_id"_a = j.contract_id.str(), "action"_a = j.action,
                    "entry_date"_a = j.entry_date, "referral_source"_a = j.referral_source,
                    "exit_date"_a = j.exit_date, "exit_reason"_a = j.exit_reason,
                    "override_reason"_a = j.override_reason, "steps"_a = steps);
}

py::dict referral_dict(const ctai::Referral& r) {
    return py::dict("id"_a = r.id.str(), "person_id"_a = r.person_id.str(), "from_"_a = r.from,
                    "to"_a = r.to, "need"_a = r.need, "status"_a = r.status,
                    "proposed_on"_a = r.proposed_on, "decided_on"_a = r.decided_on,
                    "completed_on"_a = r.completed_on, "reason"_a = r.reason);
}

py::dict audit_dict(const ctai::AuditEntry& a) {
    return py::dict("seq"_a = a.seq, "at"_a = a.at, "actor"_a = a.actor, "entity"_a = a.entity,
                    "entity_id"_a = a.entity_id, "person_id"_a = id_or_none(a.person_id),
                    "operation"_a = a.operation, "change"_a = a.change, "reason"_a = a.reason);
}

// A Python progress callback as a ctai::ProgressFn: called from C++ without the GIL, it
// takes the GIL to call `callback(stage, done, total)`; an exception it raises stops the
// import or export (which then writes nothing).
ctai::ProgressFn progress_fn(const py::object& callback) {
    if (callback.is_none()) return {};
    auto held = std::make_shared<py::object>(callback);
    return [held](std::string_view stage, std::size_t done, std::size_t total) {
        py::gil_scoped_acquire gil;
        (*held)(py::str(stage.data(), stage.size()), done, total);
    };
}

py::dict stats_dict(ctai::JourneyStats&& s) {
    py::dict d("on"_a = s.on, "count"_a = s.count, "completed"_a = s.completed, "open"_a = s.open,
               "excluded_not_started"_a = s.excluded_not_started, "mean_days"_a = s.mean_days,
               "median_days"_a = s.median_days, "km_median_days"_a = s.km_median_days,
               "km_restricted_mean_days"_a = s.km_restricted_mean_days,
               "km_tau_days"_a = s.km_tau_days);
    d["km_median_lower_days"] = s.km_median_lower_days;
    d["km_median_upper_days"] = s.km_median_upper_days;
    std::vector<std::int32_t> time;
    std::vector<double> at_risk, events, censored, survival, lower, upper;
    for (const auto& p : s.km_curve) {
        time.push_back(p.time);
        at_risk.push_back(static_cast<double>(p.at_risk));
        events.push_back(static_cast<double>(p.events));
        censored.push_back(static_cast<double>(p.censored));
        survival.push_back(p.survival);
        lower.push_back(p.lower);
        upper.push_back(p.upper);
    }
    d["km_curve"] = py::dict("time"_a = to_numpy(std::move(time)),
                             "at_risk"_a = to_numpy(std::move(at_risk)).attr("astype")("int64"),
                             "events"_a = to_numpy(std::move(events)).attr("astype")("int64"),
                             "censored"_a = to_numpy(std::move(censored)).attr("astype")("int64"),
                             "survival"_a = to_numpy(std::move(survival)),
                             "lower"_a = to_numpy(std::move(lower)),
                             "upper"_a = to_numpy(std::move(upper)));
    d["completed_days"] = to_numpy(std::move(s.completed_days));
    d["open_days"] = to_numpy(std::move(s.open_days));
    return d;
}

std::optional<ContractId> contract_arg(const std::optional<std::string>& c) {
    if (!c) return std::nullopt;
    return ContractId{*c};
}

// The columns of Store.journeys in order, with the JourneyFields that fills each.
struct JourneyColumnName {
    const char* name;
    ctai::JourneyFields field;
};
constexpr JourneyColumnName journey_column_names[] = {
    {"journey_id", ctai::JourneyFields::ids},
    {"person_id", ctai::JourneyFields::ids},
    {"contract_id", ctai::JourneyFields::ids},
    {"action", ctai::JourneyFields::lengths},
    {"entry", ctai::JourneyFields::lengths},
    {"exit", ctai::JourneyFields::lengths},
    {"open", ctai::JourneyFields::lengths},
    {"referral_source", ctai::JourneyFields::referral_source},
    {"exit_reason", ctai::JourneyFields::exit_reason},
    {"positive", ctai::JourneyFields::exit_reason},
    {"length", ctai::JourneyFields::lengths},
    {"overridden", ctai::JourneyFields::overridden},
    {"steps", ctai::JourneyFields::steps},
    {"end_step_date", ctai::JourneyFields::steps},
};
constexpr std::size_t journey_column_count = std::size(journey_column_names);

// `columns` (None = all) -> which of journey_column_names to return, and the fields to read.
// Throws ValueError naming an unknown column.
std::pair<std::array<bool, journey_column_count>, ctai::JourneyFields> journey_selection(
    const std::optional<std::vector<std::string>>& columns) {
    std::array<bool, journey_column_count> wanted{};
    if (!columns) {
        wanted.fill(true);
        return {wanted, ctai::JourneyFields::all};
    }
    if (columns->empty()) throw py::value_error("journeys: columns names no column");
    auto fields = ctai::JourneyFields::lengths;
    for (const auto& c : *columns) {
        bool known = false;
        for (std::size_t i = 0; i < journey_column_count; ++i)
            if (c == journey_column_names[i].name) {
                wanted[i] = known = true;
                fields = fields | journey_column_names[i].field;
            }
        if (!known) {
            std::string all;
            for (const auto& n : journey_column_names) all += std::string(all.empty() ? "" : ", ") + n.name;
            throw py::value_error("journeys: unknown column '" + c + "' (columns: " + all + ")");
        }
    }
    return {wanted, fields};
}

py::tuple journey_columns(ctai::JourneyTable&& t,
                          const std::array<bool, journey_column_count>& wanted) {
    ColumnsBuilder b;
    ctai::JourneyColumns& c = t.columns;
    std::size_t i = 0;
    auto want = [&] { return wanted[i++]; };
    if (want()) b.string("journey_id", std::move(t.journey_id));
    if (want()) b.string("person_id", std::move(t.person_id));
    if (want()) b.string("contract_id", std::move(t.contract_id));
    if (want()) b.int32("action", std::move(c.action));
    if (want()) b.date("entry", std::move(c.entry));
    if (want()) b.date("exit", std::move(c.exit));
    if (want()) b.flag("open", std::move(c.open));
    if (want()) b.category("referral_source", vocabulary_name<ReferralSource>(), std::move(c.referral_source));
    if (want()) b.string("exit_reason", std::move(t.exit_reason));
    if (want()) b.flag("positive", std::move(c.positive));
    if (want()) b.int32("length", std::move(c.length));
    if (want()) b.flag("overridden", std::move(c.overridden));
    if (want()) b.int32("steps", std::move(c.steps));
    if (want()) b.date("end_step_date", std::move(c.end_step_date));
    return b.finish();
}

// The missing values of the Columns of eligibility: `public` is "not_eligible" (a category
// of its own), an unknown birth year (0) is null.
py::dict public_missing() { return py::dict("public"_a = "not_eligible"); }
py::dict eligibility_nulls() { return py::dict("public"_a = "not_eligible", "birth_year"_a = 0); }

py::tuple eligibility_columns(ctai::EligibilityColumns&& c,
                              std::vector<std::int32_t>* on = nullptr) {
    ColumnsBuilder b;
    b.string("person_id", std::move(c.person_id));
    if (on) b.date("on", std::move(*on));
    b.category("nationality_class", vocabulary_name<NationalityClass>(),
               std::move(c.nationality_class));
    b.flag("primo_arrivant", std::move(c.primo_arrivant));
    b.flag("bpi", std::move(c.bpi));
    b.flag("bpt", std::move(c.bpt));
    b.flag("agir", std::move(c.agir));
    b.flag("ctai_public", std::move(c.ctai_public));
    b.category("public", vocabulary_name<PublicCategory>(), std::move(c.public_category));
    b.date("primo_anchor", std::move(c.primo_anchor));
    b.date("primo_window_end", std::move(c.primo_window_end));
    b.date("protection_date", std::move(c.protection_date));
    b.date("agir_window_end", std::move(c.agir_window_end));
    b.category("sex", vocabulary_name<Sex>(), std::move(c.sex));
    b.int32("birth_year", std::move(c.birth_year));
    b.flag("in_agir_support", std::move(c.in_agir_support));
    if (!c.primo_reason.empty()) {  // eligibility_table(explain=True): the reason codes
        b.category("primo_reason", "ReasonCode", std::move(c.primo_reason));
        b.date("primo_reason_date", std::move(c.primo_reason_date));
        b.category("bpi_reason", "ReasonCode", std::move(c.bpi_reason));
        b.date("bpi_reason_date", std::move(c.bpi_reason_date));
        b.category("bpt_reason", "ReasonCode", std::move(c.bpt_reason));
        b.date("bpt_reason_date", std::move(c.bpt_reason_date));
        b.category("agir_reason", "ReasonCode", std::move(c.agir_reason));
        b.date("agir_reason_date", std::move(c.agir_reason_date));
    }
    return b.finish();
}

// Store.referrals: the columns of referral_columns, then direction and, as known on `on`,
// age_days, waiting_on, waiting_days (null without `on` / when waiting on nothing).
py::tuple referral_table_columns(ctai::ReferralTable&& t) {
    ColumnsBuilder b;
    ctai::ReferralColumns& c = t.columns;
    b.string("referral_id", std::move(c.referral_id));
    b.string("person_id", std::move(c.person_id));
    b.string("from", std::move(c.from));
    b.string("to", std::move(c.to));
    b.category("direction", vocabulary_name<ReferralDirection>(), std::move(t.direction));
    b.category("need", vocabulary_name<Need>(), std::move(c.need));
    b.category("status", vocabulary_name<ReferralStatus>(), std::move(c.status));
    b.date("proposed_on", std::move(c.proposed_on));
    b.date("decided_on", std::move(c.decided_on));
    b.date("completed_on", std::move(c.completed_on));
    b.int32("age_days", std::move(t.age_days));
    b.category("waiting_on", vocabulary_name<ReferralStep>(), std::move(t.waiting_on));
    b.int32("waiting_days", std::move(t.waiting_days));
    return b.finish();
}

py::tuple activity_columns(ctai::ActivityColumns&& c) {
    ColumnsBuilder b;
    b.string("activity_id", std::move(c.activity_id));
    b.string("contract_id", std::move(c.contract_id));
    b.int32("action", std::move(c.action));
    b.category("kind", vocabulary_name<ActivityKind>(), std::move(c.kind));
    b.string("type", std::move(c.type));
    b.date("date", std::move(c.date));
    b.float64("hours", std::move(c.hours));
    b.flag("co_animated", std::move(c.co_animated));
    b.string("structure", std::move(c.structure));
    b.int32("participants", std::move(c.participants));
    b.float64("mean_satisfaction", std::move(c.mean_satisfaction));
    return b.finish();
}

}  // namespace

void bind_store(py::module_& m) {
    const ctai::StoreOptions defaults;
    m.def(
        "_store_defaults",
        [defaults] {
            return py::dict("actor"_a = defaults.actor,
                            "busy_timeout_ms"_a = defaults.busy_timeout_ms,
                            "must_exist"_a = defaults.must_exist);
        },
        "Defaults of ctai::StoreOptions (actor, busy_timeout_ms, must_exist).");

    py::class_<PyTransaction>(m, "_Transaction", "A pending write transaction (private).")
        .def("commit", [](PyTransaction& t) { t.finish(true); },
             "Commits (or releases the savepoint).")
        .def("rollback", [](PyTransaction& t) { t.finish(false); }, "Rolls back (idempotent).")
        .def_property_readonly(
            "active",
            [](PyTransaction& t) {
                std::lock_guard lock(t.owner->mutex);
                return t.tx.has_value() && t.tx->active();
            },
            "Whether the transaction is still pending.");

    // Public as is (no Python wrapper: its point check is the fast path of W5).
    py::class_<PyCaseSnapshot>(m, "CaseSnapshot", R"doc(An immutable image of every case of a store at one moment, under the store policy of
that moment (from Store.case_snapshot()). Its answers never read the file: for loops of many
point checks. It does not follow later changes of the store: take a new one after them
(Store.eligibility always answers on the current data). len(snapshot) is the number of
persons; `person_id in snapshot` tells whether a person is in it.)doc")
        .def("__len__", [](const PyCaseSnapshot& s) { return s.snap->size(); })
        .def("__contains__", [](const PyCaseSnapshot& s, py::handle id) {
            return py::isinstance<py::str>(id) &&
                   s.snap->find(id.cast<std::string_view>()) != ctai::CaseSnapshot::npos;
        })
        .def("__repr__", [](const PyCaseSnapshot& s) {
            return "<ctai.CaseSnapshot of " + std::to_string(s.snap->size()) + " persons>";
        })
        // A hash lookup and a pure evaluation: cheaper than releasing the GIL.
        .def("eligibility", [](const PyCaseSnapshot& s, std::string_view id, Date on, bool explain) {
            const auto i = s.snap->find_to_evaluate(id);
            if (i == ctai::CaseSnapshot::npos)
                throw ctai::NotFoundError("unknown person '" + std::string(id) + "'", "person",
                                          std::string(id));
            return s.snap->evaluate(i, on, explain ? ctai::Explain::reasons : ctai::Explain::none);
        }, "person_id"_a, py::kw_only(), "on"_a, "explain"_a = true,
        "R1-R6 for one person at `on`: the Eligibility Store.eligibility gave when the snapshot "
        "was taken (with explain=False, its reasons are left empty: a faster check when only "
        "the answers matter). NotFoundError when the person is not in it.")
        .def("index", [](const PyCaseSnapshot& s, const py::iterable& ids) {
            std::vector<std::uint32_t> out;
            if (py::hasattr(ids, "__len__")) out.reserve(py::len(ids));
            for (const py::handle item : ids) {
                const std::string_view id = utf8_view(item);
                const auto i = s.snap->find(id);
                if (i == ctai::CaseSnapshot::npos)
                    throw ctai::NotFoundError("unknown person '" + std::string(id) + "'",
                                              "person", std::string(id));
                out.push_back(i);
            }
            return to_numpy(std::move(out));
        }, "person_ids"_a,
        "The position of each person in the snapshot (uint32 array): the `index` argument of "
        "verdicts(). NotFoundError for a person not in it.")
        .def("verdicts", [](const PyCaseSnapshot& s,
                            const py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>& index,
                            py::handle on) {
            if (index.ndim() != 1) throw py::value_error("verdicts: index must be one-dimensional");
            const auto rows = static_cast<std::size_t>(index.size());
            const std::vector<std::int32_t> days = batch_days(on, rows, "verdicts");
            // The columns allocated by NumPy (not zeroed: every element is written below).
            const auto n = static_cast<py::ssize_t>(rows);
            py::array_t<bool> primo(n), bpi(n), bpt(n), agir(n), pub(n);
            py::array_t<std::uint8_t> category(n);
            bool* const p_primo = primo.mutable_data();
            bool* const p_bpi = bpi.mutable_data();
            bool* const p_bpt = bpt.mutable_data();
            bool* const p_agir = agir.mutable_data();
            bool* const p_pub = pub.mutable_data();
            std::uint8_t* const p_cat = category.mutable_data();
            {
                py::gil_scoped_release nogil;
                std::vector<ctai::Verdict> v(rows);
                s.snap->verdicts({index.data(), rows}, days, v);
                // The category of each combination of the three public flags (a table:
                // the loop below has no branch and is vectorised).
                static const std::array<std::uint8_t, 8> category_of = [] {
                    std::array<std::uint8_t, 8> out{};
                    for (std::uint8_t f = 0; f < 8; ++f) {
                        const auto cat = ctai::Verdict{f}.public_category();
                        out[f] = cat ? static_cast<std::uint8_t>(*cat) : ctai::no_code;
                    }
                    return out;
                }();
                for (std::size_t k = 0; k < rows; ++k) {
                    const std::uint8_t f = v[k].flags;
                    p_primo[k] = (f & ctai::Verdict::primo_arrivant) != 0;
                    p_bpi[k] = (f & ctai::Verdict::bpi) != 0;
                    p_bpt[k] = (f & ctai::Verdict::bpt) != 0;
                    p_agir[k] = (f & ctai::Verdict::agir) != 0;
                    p_pub[k] = v[k].ctai_public();
                    p_cat[k] = category_of[f & 7u];
                }
            }
            ColumnsBuilder b;
            b.flag("primo_arrivant", std::move(primo));
            b.flag("bpi", std::move(bpi));
            b.flag("bpt", std::move(bpt));
            b.flag("agir", std::move(agir));
            b.flag("ctai_public", std::move(pub));
            b.category("public", vocabulary_name<PublicCategory>(), std::move(category));
            return registered("Columns")(b.finish(), py::dict(), "nulls"_a = public_missing());
        }, "index"_a, py::kw_only(), "on"_a,
        "R1-R6 for many (person, date) pairs in one call, without the GIL: `index` from "
        "index(), `on` one date or one per row. Columns primo_arrivant, bpi, bpt, agir, "
        "ctai_public and public, the answers of eligibility() row by row.");

    py::class_<PyStore>(m, "_Store",
                        "One connection to a case store: the base class of ctai.Store (open it "
                        "with ctai.Store.open).")
        .def(
            py::init([](const std::filesystem::path& path, const py::object& policy, std::string actor,
               int busy_timeout_ms, bool must_exist) {
                ctai::StoreOptions o;
                o.actor = std::move(actor);
                if (!policy.is_none()) o.policy = policy_arg(policy);  // else the store's settings (R10)
                o.busy_timeout_ms = busy_timeout_ms;
                o.must_exist = must_exist;
                auto s = std::make_unique<PyStore>();
                {
                    py::gil_scoped_release nogil;
                    s->store.emplace(ctai::Store::open(path, std::move(o)));
                }
                return s;
            }),
            "path"_a, py::kw_only(), "policy"_a = py::none(), "actor"_a = defaults.actor,
            "busy_timeout_ms"_a = defaults.busy_timeout_ms, "must_exist"_a = defaults.must_exist,
            "Opens or creates the store at `path` (see ctai.Store.open).")
        .def("close", &PyStore::close,
             "Closes the connection (pending transactions are rolled back). Idempotent.")
        .def_property_readonly("closed",
                               [](PyStore& s) {
                                   std::lock_guard lock(s.mutex);
                                   return !s.store.has_value();
                               }, "Whether the store is closed.")
        .def_static("latest_schema_version", &ctai::Store::latest_schema_version,
                    "The schema version this library writes.")
        .def_property_readonly("schema_version", [](PyStore& s) { return s.run([](auto& st) { return st.schema_version(); }); },
                               "The schema version of the open file (PRAGMA user_version).")
        .def_property_readonly("path", [](PyStore& s) { return s.run([](auto& st) { return st.path().string(); }); },
                               "The file path (\":memory:\" for an in-memory store).")
        .def_property("policy", [](PyStore& s) {
            return policy_to_python(s.run([](auto& st) { return st.policy(); }));
        }, [](PyStore& s, const py::object& p) {
            ctai::Policy policy = policy_arg(p);
            s.run([&](auto& st) { st.set_policy(std::move(policy)); return 0; });
        }, "The policy of the rules and queries; assignable.")
        .def_property("actor", [](PyStore& s) { return s.run([](auto& st) { return st.actor(); }); },
                      [](PyStore& s, std::string a) {
            s.run([&](auto& st) { st.set_actor(std::move(a)); return 0; });
        }, "The actor recorded in the following audit rows (R9); assignable.")
        .def_property_readonly("in_transaction", [](PyStore& s) { return s.run([](auto& st) { return st.in_transaction(); }); },
                               "Whether a transaction of this Store is pending.")
        .def(
            "transaction",
            [](PyStore& s, std::string reason) {
                auto t = std::make_unique<PyTransaction>();
                t->owner = &s;
                py::gil_scoped_release nogil;
                std::lock_guard lock(s.mutex);
                if (!s.store) throw ctai::StorageError("the store is closed");
                t->tx.emplace(s.store->transaction(std::move(reason)));
                s.live.push_back(t.get());
                return t;
            },
            "reason"_a = "", py::keep_alive<0, 1>())
        // ---- contracts
        .def("contract", [](PyStore& s, const std::string& id) {
            return contract_to_python(s.run([&](auto& st) { return st.contract(ContractId{id}); }));
        }, "contract_id"_a, "A built-in or loaded contract (ctai.Contract). NotFoundError.")
        .def("contracts", [](PyStore& s) {
            py::list out;
            for (const auto& c : s.run([](auto& st) { return st.contracts(); }))
                out.append(contract_to_python(c));
            return out;
        }, "The built-in contracts followed by the loaded ones.")
        .def("put_contract", [](PyStore& s, const py::object& c) {
            const ctai::Contract contract = contract_from_python(c);
            return s.run([&](auto& st) { return st.put_contract(contract); });
        }, "contract"_a,
        "Loads (or replaces) a user contract, a ctai.Contract or the dict of its JSON file "
        "(see load_contract), validated by the C++ reader. Returns whether something changed.")
        // ---- contracts over time (R10): avenants and conventions as the dicts of their files
        .def("put_avenant", [](PyStore& s, const py::dict& d) {
            const auto doc = contract_document_from_python(d);
            const auto* a = std::get_if<ctai::Avenant>(&doc);
            if (!a) throw ctai::ValidationError("<dict>: kind: expected an avenant", "kind");
            return s.run([&](auto& st) { return st.put_avenant(*a); });
        }, "avenant"_a,
        "Loads (or replaces) an avenant, the dict of its JSON file (docs/contracts.md, kind "
        "'avenant'). NotFoundError for an unknown contract. Returns whether something changed.")
        .def("put_convention", [](PyStore& s, const py::dict& d) {
            const auto doc = contract_document_from_python(d);
            const auto* v = std::get_if<ctai::Convention>(&doc);
            if (!v) throw ctai::ValidationError("<dict>: kind: expected a convention", "kind");
            return s.run([&](auto& st) { return st.put_convention(*v); });
        }, "convention"_a,
        "Loads (or replaces) a local AGIR convention, the dict of its JSON file (kind "
        "'convention'). Returns whether something changed.")
        .def("avenant", [](PyStore& s, const std::string& id) {
            return json_loads(ctai::avenant_to_json(s.run([&](auto& st) { return st.avenant(id); })));
        }, "avenant_id"_a, "The avenant with that id, as the dict of its file. NotFoundError.")
        .def("convention", [](PyStore& s, const std::string& id) {
            return json_loads(ctai::convention_to_json(s.run([&](auto& st) { return st.convention(id); })));
        }, "convention_id"_a, "The convention with that id, as the dict of its file. NotFoundError.")
        .def("avenants", [](PyStore& s, std::optional<std::string> contract) {
            py::list out;
            for (const auto& a : s.run([&](auto& st) { return st.avenants(contract_arg(contract)); }))
                out.append(json_loads(ctai::avenant_to_json(a)));
            return out;
        }, "contract"_a = py::none(), "The avenants (of one contract), by contract, date and id.")
        .def("conventions", [](PyStore& s, std::optional<std::string> contract) {
            py::list out;
            for (const auto& v : s.run([&](auto& st) { return st.conventions(contract_arg(contract)); }))
                out.append(json_loads(ctai::convention_to_json(v)));
            return out;
        }, "contract"_a = py::none(), "The local conventions (of one contract), by contract, date and id.")
        .def("contract_on", [](PyStore& s, const std::string& id, Date on) {
            const auto c = s.run([&](auto& st) { return st.contract_on(ContractId{id}, on); });
            py::dict out;
            out["contract"] = contract_to_python(c.contract);
            out["amended_by"] = c.amended_by;
            out["convention"] = c.convention ? py::object(py::str(*c.convention)) : py::object(py::none());
            return out;
        }, "contract_id"_a, py::kw_only(), "on"_a,
        "R10: the contract as amended on `on`: {'contract': ctai.Contract, 'amended_by': [ids], "
        "'convention': id or None}.")
        // ---- writes
        .def("put_person", [](PyStore& s, const py::object& p) {
            const ctai::Person person = person_from(p);
            return s.run([&](auto& st) { return st.put_person(person); });
        }, "person"_a, "Upserts the person row only. Returns whether something changed (audited).")
        .def("put_case", [](PyStore& s, const py::object& c) {
            const ctai::PersonCase pc = person_case_from(c);
            return s.run([&](auto& st) { return st.put_case(pc); });
        }, "case"_a,
        "Upserts the person and replaces their permits, protections and situations. Returns "
        "whether something changed (audited).")
        .def("put_agir_support", [](PyStore& s, const py::object& a) {
            const ctai::AgirSupport support = agir_support_from(a);
            return s.run([&](auto& st) { return st.put_agir_support(support); });
        }, "support"_a, "Upserts an AGIR support period (keyed by person and orientation date, R6).")
        .def(
            "enroll",
            [](PyStore& s, const std::string& person, const std::string& contract, int action,
               Date on, ReferralSource source, std::optional<std::string> override_reason,
               std::optional<Need> need, std::optional<std::string> id) {
                ctai::EnrollOptions o;
                if (id) o.id = JourneyId{*id};
                o.override_reason = std::move(override_reason);
                o.need = need;
                return s.run([&](auto& st) {
                    return st.enroll(PersonId{person}, ContractId{contract}, action, on, source, o)
                        .str();
                });
            },
            "person_id"_a, "contract_id"_a, "action"_a, py::kw_only(), "on"_a, "source"_a,
            "override_reason"_a = py::none(), "need"_a = py::none(), "id"_a = py::none(),
            "R6/R7: enrolls a person in an action on `on` (a new open journey with an intake "
            "step) after checking the public, prerequisite and AGIR rules; returns the journey "
            "id. `override_reason` (non-blank) overrides the rules and is audited. "
            "ConflictError names the rule broken.")
        .def("add_step", [](PyStore& s, const std::string& j, StepKind step, Date on) {
            s.run([&](auto& st) { st.add_step(JourneyId{j}, step, on); return 0; });
        }, "journey_id"_a, "step"_a, py::kw_only(), "on"_a,
        "R7: adds a dated step to a journey (inside entry..exit).")
        .def("exit_journey", [](PyStore& s, const std::string& j, Date on, const std::string& reason) {
            s.run([&](auto& st) { st.exit_journey(JourneyId{j}, on, reason); return 0; });
        }, "journey_id"_a, py::kw_only(), "on"_a, "reason"_a,
        "R7: closes an open journey with an exit reason of the contract's vocabulary.")
        .def(
            "propose_referral",
            [](PyStore& s, const std::string& person, const std::string& from,
               const std::string& to, Need need, Date on, std::optional<std::string> id) {
                std::optional<ReferralId> rid;
                if (id) rid = ReferralId{*id};
                return s.run([&](auto& st) {
                    return st.propose_referral(PersonId{person}, from, to, need, on, rid).str();
                });
            },
            "person_id"_a, "from_"_a, "to"_a, "need"_a, py::kw_only(), "on"_a, "id"_a = py::none(),
            "R6: records a proposed referral; `from_`/`to` are `agir` or "
            "`<contract_id>:<action>`. Returns the referral id.")
        .def("accept_referral", [](PyStore& s, const std::string& id, Date on) {
            s.run([&](auto& st) { st.accept_referral(ReferralId{id}, on); return 0; });
        }, "referral_id"_a, py::kw_only(), "on"_a, "R6: proposed -> accepted.")
        .def("complete_referral", [](PyStore& s, const std::string& id, Date on) {
            s.run([&](auto& st) { st.complete_referral(ReferralId{id}, on); return 0; });
        }, "referral_id"_a, py::kw_only(), "on"_a, "R6: accepted -> completed.")
        .def("decline_referral", [](PyStore& s, const std::string& id, Date on, const std::string& reason) {
            s.run([&](auto& st) { st.decline_referral(ReferralId{id}, on, reason); return 0; });
        }, "referral_id"_a, py::kw_only(), "on"_a, "reason"_a, "R6: proposed -> declined, with a reason.")
        .def("cancel_referral", [](PyStore& s, const std::string& id, Date on, const std::string& reason) {
            s.run([&](auto& st) { st.cancel_referral(ReferralId{id}, on, reason); return 0; });
        }, "referral_id"_a, py::kw_only(), "on"_a, "reason"_a,
        "R6: accepted -> cancelled, with a reason (ConflictError \"R6.referral_transition\" "
        "when out of order).")
        // ---- reads
        .def("person", [](PyStore& s, const std::string& id) {
            return to_python(s.run([&](auto& st) { return st.person(PersonId{id}); }));
        }, "person_id"_a, "The person (ctai.Person). NotFoundError when unknown.")
        .def("find_person", [](PyStore& s, const std::string& id) -> py::object {
            auto p = s.run([&](auto& st) { return st.find_person(PersonId{id}); });
            return p ? to_python(*p) : py::object(py::none());
        }, "person_id"_a, "The person, or None when unknown.")
        .def("person_case", [](PyStore& s, const std::string& id) {
            return to_python(s.run([&](auto& st) { return st.person_case(PersonId{id}); }));
        }, "person_id"_a,
        "The person with permits, protections and situations (ctai.PersonCase). NotFoundError.")
        .def("nationalities", [](PyStore& s, const std::string& id) {
            py::list out;
            for (const auto& n : s.run([&](auto& st) { return st.nationalities(PersonId{id}); }))
                out.append(to_python(n));
            return out;
        }, "person_id"_a,
        "R1: the person's dated nationalities (ctai.DatedNationality), empty when none. "
        "NotFoundError when unknown.")
        // R10: the store's settings, as ctai.StoreSettings named tuples (_store.py).
        .def("settings", [](PyStore& s, std::optional<Date> on) -> py::object {
            const auto v = s.run([&](auto& st) { return st.settings(on); });
            if (!v) return py::none();
            return registered("StoreSettings")(v->effective, v->territory, policy_to_python(v->policy));
        }, py::kw_only(), "on"_a = py::none(),
        "R10: the settings in force on `on` (default today, UTC): the entry with the latest "
        "effective date on or before it, or None.")
        .def("settings_history", [](PyStore& s) {
            py::list out;
            for (const auto& v : s.run([](auto& st) { return st.settings_history(); }))
                out.append(registered("StoreSettings")(v.effective, v.territory, policy_to_python(v.policy)));
            return out;
        }, "R10: every dated settings entry (ctai.StoreSettings), by effective date.")
        .def("put_settings", [](PyStore& s, const py::object& settings) {
            ctai::StoreSettings v{settings.attr("effective").cast<Date>(),
                                  settings.attr("territory").cast<std::optional<std::string>>(),
                                  policy_arg(settings.attr("policy"))};
            return s.run([&](auto& st) { return st.put_settings(v); });
        }, "settings"_a,
        "R10: records a dated settings entry (ctai.StoreSettings), in force from its effective "
        "date (an entry of the same day is replaced, the others kept). Audited. ValidationError "
        "for a territory that is not a département code. True when something changed. A Store "
        "opened without policy= takes the new policy when it is in force today.")
        .def("put_nationalities", [](PyStore& s, const std::string& id, const py::list& dated) {
            std::vector<ctai::DatedNationality> list;
            for (const auto& n : dated) list.push_back(dated_nationality_from(n));
            return s.run([&](auto& st) { return st.put_nationalities(PersonId{id}, list); });
        }, "person_id"_a, "nationalities"_a,
        "R1: replaces the person's dated nationalities (an empty list: none); their undated "
        "codes follow (kept when the same set, else the dated codes). True when something "
        "changed. NotFoundError when unknown.")
        .def("person_ids", [](PyStore& s) {
            py::list out;
            for (const auto& id : s.run([](auto& st) { return st.person_ids(); })) out.append(id.str());
            return out;
        }, "All person ids, sorted.")
        .def("person_count", [](PyStore& s) { return s.run([](auto& st) { return st.person_count(); }); },
             "The number of persons.")
        .def("journey", [](PyStore& s, const std::string& id) {
            return build("Journey", journey_dict(s.run([&](auto& st) { return st.journey(JourneyId{id}); })));
        }, "journey_id"_a, "The journey (ctai.Journey). NotFoundError when unknown.")
        .def("journeys_of", [](PyStore& s, const std::string& id) {
            py::list out;
            for (const auto& j : s.run([&](auto& st) { return st.journeys_of(PersonId{id}); }))
                out.append(build("Journey", journey_dict(j)));
            return out;
        }, "person_id"_a, "The person's journeys (ctai.Journey), by entry date then id.")
        .def("agir_supports_of", [](PyStore& s, const std::string& id) {
            py::list out;
            for (const auto& a : s.run([&](auto& st) { return st.agir_supports_of(PersonId{id}); }))
                out.append(to_python(a));
            return out;
        }, "person_id"_a, "The person's AGIR support periods (ctai.AgirSupport).")
        .def("referral", [](PyStore& s, const std::string& id) {
            return build("Referral", referral_dict(s.run([&](auto& st) { return st.referral(ReferralId{id}); })));
        }, "referral_id"_a, "The referral (ctai.Referral). NotFoundError when unknown.")
        .def("referrals_of", [](PyStore& s, const std::string& id) {
            py::list out;
            for (const auto& r : s.run([&](auto& st) { return st.referrals_of(PersonId{id}); }))
                out.append(build("Referral", referral_dict(r)));
            return out;
        }, "person_id"_a, "The person's referrals (ctai.Referral).")
        .def("eligibility", [](PyStore& s, const std::string& id, Date on) {
            return s.run([&](auto& st) { return st.eligibility(PersonId{id}, on); });
        }, "person_id"_a, py::kw_only(), "on"_a,
        "R1-R6: evaluates one stored person at `on` under the store policy (the same "
        "Eligibility as ctai.evaluate). NotFoundError when unknown.")
        // ---- columns
        .def("journeys", [](PyStore& s, std::optional<std::string> contract, std::optional<int> action,
                            std::optional<Date> censor_on, std::optional<std::vector<std::string>> columns) {
            const auto [wanted, fields] = journey_selection(columns);
            return registered("Columns")(
                journey_columns(s.run([&](auto& st) { return ctai::journeys_as_of(st, contract_arg(contract), action, censor_on, fields); }),
                                wanted),
                py::dict(), "nulls"_a = py::dict("length"_a = -1, "exit_reason"_a = ""));
        }, py::kw_only(), "contract"_a = py::none(), "action"_a = py::none(), "censor_on"_a = py::none(),
           "columns"_a = py::none())
        .def("eligibility_table", [](PyStore& s, Date on, bool explain) {
            auto c = s.run([&](auto& st) {
                return st.eligibility_table(on, explain ? ctai::Explain::reasons : ctai::Explain::none);
            });
            return registered("Columns")(eligibility_columns(std::move(c)), py::dict("on"_a = on),
                                         "nulls"_a = eligibility_nulls());
        }, py::kw_only(), "on"_a, "explain"_a = false,
        "R1-R6 for every person at `on`, by person id, as Columns: person_id, "
        "nationality_class, primo_arrivant, bpi, bpt, agir, ctai_public, public, primo_anchor, "
        "primo_window_end, protection_date, agir_window_end, sex, birth_year (null when unknown), "
        "in_agir_support; with explain=True also the reason code that decided each dimension "
        "and its date: primo_reason, primo_reason_date, bpi_reason, bpi_reason_date, "
        "bpt_reason, bpt_reason_date, agir_reason, agir_reason_date (slower).")
        .def("windows", [](PyStore& s, Date on, int within, const std::vector<ctai::WindowKind>& kinds) {
            auto w = s.run([&](auto& st) { return ctai::windows_ending(st, on, within, kinds); });
            ColumnsBuilder b;
            b.string("person_id", std::move(w.person_id));
            b.category("kind", vocabulary_name<ctai::WindowKind>(), std::move(w.kind));
            b.date("end", std::move(w.end));
            b.int32("days_left", std::move(w.days_left));
            b.category("public", vocabulary_name<PublicCategory>(), std::move(w.public_category));
            b.flag("stays", std::move(w.stays));
            b.category("stays_as", vocabulary_name<PublicCategory>(), std::move(w.stays_as));
            return registered("Columns")(b.finish(), py::dict("on"_a = on),
                                         "nulls"_a = py::dict("public"_a = "not_eligible",
                                                              "stays_as"_a = "not_eligible"));
        }, py::kw_only(), "on"_a, "within"_a, "kinds"_a = std::vector<ctai::WindowKind>{},
        "What ends in (on, on + within days] (`ctai windows`), as Columns by end: person_id, "
        "kind, end (first day outside), days_left, public (at `on`), stays (still in the CTAI "
        "public on `end`, from the facts known on `on`), stays_as.")
        .def("eligibility_for", [](PyStore& s, const std::vector<std::string>& ids, py::handle on) {
            // `on`: one date for every person, or one date per person (any array-like).
            std::vector<PersonId> persons;
            persons.reserve(ids.size());
            for (const auto& id : ids) persons.emplace_back(id);
            std::vector<Date> dates;
            std::vector<std::int32_t> days = batch_days(on, persons.size(), "eligibility_for");
            for (const std::int32_t day : days) dates.push_back(Date::from_days(day));
            auto c = s.run([&](auto& st) { return st.eligibility_for(persons, dates); });
            return registered("Columns")(eligibility_columns(std::move(c), &days), py::dict(),
                                         "nulls"_a = eligibility_nulls());
        }, "person_ids"_a, py::kw_only(), "on"_a,
        "R1-R6 for many (person, date) checks in one call: `on` is one date for every person, "
        "or one date per person (a sequence of dates or a datetime64 array). The columns of "
        "eligibility_table and `on` (after person_id), one row per check, in the order given. NotFoundError for an "
        "unknown person.")
        .def("referrals", [](PyStore& s, std::optional<Date> on, std::optional<ReferralStatus> status,
                             std::optional<Need> need) {
            ctai::ReferralFilter filter;
            filter.status = status;
            filter.need = need;
            return registered("Columns")(
                referral_table_columns(s.run([&](auto& st) { return ctai::referrals_as_of(st, on, filter); })),
                py::dict(), "nulls"_a = py::dict("age_days"_a = -1, "waiting_days"_a = -1));
        }, py::kw_only(), "on"_a = py::none(), "status"_a = py::none(), "need"_a = py::none(),
           "R6, R0.5: the referrals as Columns, by referral id: referral_id, person_id, from, to, "
           "direction, need, status, proposed_on, decided_on, completed_on, age_days, waiting_on, "
           "waiting_days. With `on`: as known on that date (referrals proposed later left out; "
           "status and dates as on `on`; age_days = on - proposed_on; waiting_on `decision` or "
           "`entry`, null once closed; waiting_days since the proposal or the acceptance). Without "
           "`on`: as stored, age_days and waiting_days null. `status` (on that date) and `need` "
           "filter the rows.")
        .def("activities", [](PyStore& s, std::optional<std::string> contract) {
            return registered("Columns")(activity_columns(s.run([&](auto& st) { return st.activities(contract_arg(contract)); })), py::dict());
        }, py::kw_only(), "contract"_a = py::none(),
        "R8: activities as Columns: activity_id, contract_id, action, kind, type, date, hours, "
        "co_animated, structure, participants, mean_satisfaction (NaN when none).")
        // ---- statistics (R7)
        .def("journey_stats", [](PyStore& s, std::optional<std::string> contract, std::optional<int> action, Date on) {
            return build("JourneyStats", stats_dict(s.run([&](auto& st) { return ctai::journey_stats(st, contract_arg(contract), action, on); })));
        }, py::kw_only(), "contract"_a = py::none(), "action"_a = py::none(), "on"_a,
        "R7: journey-length statistics at `on` (open journeys censored there): completed-only "
        "mean/median and the Kaplan-Meier median and restricted mean (ctai.JourneyStats).")
        .def("journey_stats_by_public", [](PyStore& s, std::optional<std::string> contract, std::optional<int> action, Date on) {
            py::dict out;
            for (auto& [key, value] : s.run([&](auto& st) { return ctai::journey_stats_by_public(st, contract_arg(contract), action, on); }))
                out[py::str(key)] = build("JourneyStats", stats_dict(std::move(value)));
            return out;
        }, py::kw_only(), "contract"_a = py::none(), "action"_a = py::none(), "on"_a,
        "R7: journey_stats split by the public category at entry: keys \"bpi\", \"bpt\", "
        "\"primo_arrivant\", \"not_eligible\" (only those with journeys).")
        // ---- exchange
        .def("import_dir", [](PyStore& s, const std::filesystem::path& dir, std::optional<std::string> actor,
                              std::optional<std::string> reason, const py::object& progress) {
            ctai::ImportOptions o;
            o.progress = progress_fn(progress);
            o.actor = std::move(actor);
            if (reason) o.reason = std::move(*reason);
            return build("ImportSummary", summary_dict(s.run([&](auto& st) { return ctai::import_dir(st, dir, o); })));
        }, "dir"_a, py::kw_only(), "actor"_a = py::none(), "reason"_a = py::none(), "progress"_a = py::none(),
        "Imports an exchange folder, all or nothing (one transaction). Raises "
        "ExchangeImportError (`.issues`: every problem, as ImportIssue tuples) and writes "
        "nothing when any row is invalid or refused by a rule. Importing the same folder "
        "again changes nothing (`summary.changed == 0`).")
        .def("export_dir", [](PyStore& s, const std::filesystem::path& dir, const std::optional<std::string>& key,
                              const std::string& birth_precision, bool overwrite, const py::object& progress) {
            auto o = export_options(key, birth_precision, overwrite);
            o.progress = progress_fn(progress);
            return build("ExportSummary", summary_dict(s.run([&](auto& st) { return ctai::export_dir(st, dir, o); })));
        }, "dir"_a, py::kw_only(), "pseudonymization_key"_a = py::none(), "birth_precision"_a = "year",
           "overwrite"_a = false, "progress"_a = py::none())
        // ---- audit, retention, fingerprint
        .def("audit_log", [](PyStore& s, std::optional<std::string> entity, std::optional<std::string> entity_id,
                             std::optional<std::string> person_id, std::int64_t after_seq) {
            ctai::AuditQuery q;
            q.entity = std::move(entity);
            q.entity_id = std::move(entity_id);
            if (person_id) q.person_id = PersonId{*person_id};
            q.after_seq = after_seq;
            py::list out;
            for (const auto& a : s.run([&](auto& st) { return st.audit_log(q); }))
                out.append(build("AuditEntry", audit_dict(a)));
            return out;
        }, py::kw_only(), "entity"_a = py::none(), "entity_id"_a = py::none(), "person_id"_a = py::none(),
           "after_seq"_a = 0, "R9: audit rows in order (ctai.AuditEntry), optionally filtered.")
        .def("retention_candidates", [](PyStore& s, Date today) {
            py::list out;
            for (const auto& id : s.run([&](auto& st) { return st.retention_candidates(today); }))
                out.append(id.str());
            return out;
        }, "today"_a, "R9: persons whose retention period from their last contact has ended.")
        .def("anonymize_expired", [](PyStore& s, Date today) {
            const auto r = s.run([&](auto& st) { return st.anonymize_expired(today); });
            return build("AnonymizationReport",
                         py::dict("today"_a = r.today, "persons"_a = r.persons, "households"_a = r.households,
                                  "journeys"_a = r.journeys, "referrals"_a = r.referrals,
                                  "agir_supports"_a = r.agir_supports, "audit_rows"_a = r.audit_rows));
        }, "today"_a,
        "R9: anonymizes every retention candidate, keeping the statistical dimensions "
        "(ctai.AnonymizationReport).")
        .def("fingerprint", [](PyStore& s) {
            const auto f = s.run([](auto& st) { return st.fingerprint(); });
            return registered("DataFingerprint")(f.sha256, f.change_counter);
        }, "The data version for report reproducibility (R8): ctai.DataFingerprint.")
        .def("integrity_check", [](PyStore& s) { return s.run([](auto& st) { return st.integrity_check(); }); },
             "SQLite PRAGMA integrity_check (\"ok\" when sound).")
        .def("case_snapshot", [](PyStore& s) {
            return PyCaseSnapshot{s.run([](auto& st) { return st.case_snapshot(); })};
        }, "Every case of the store (persons with permits, protections, situations, and AGIR "
           "supports) in memory, read in one pass per table: see CaseSnapshot. The Store keeps "
           "it too: while the data is unchanged, eligibility, eligibility_for, "
           "eligibility_table and report use it instead of reading the file. A write through "
           "this Store, a commit by another connection or a new policy makes it stale; it is "
           "read again when needed.")
        .def("drop_case_snapshot", [](PyStore& s) { s.run([](auto& st) { st.drop_case_snapshot(); }); },
             "Frees the Store's case snapshot (snapshots already handed out stay valid).");

    m.def(
        "_build_report",
        [](PyStore& s, const std::string& contract, std::optional<Date> start, std::optional<Date> end,
           std::optional<Date> evaluated_on, bool publish, std::optional<int> k) {
            ctai::ReportOptions o;
            o.from = start;
            o.to = end;
            o.evaluated_on = evaluated_on;
            o.publish = publish;
            o.k = k;
            return s.run([&](auto& st) { return ctai::build_report(st, ContractId{contract}, o); });
        },
        "store"_a, "contract_id"_a, py::kw_only(), "start"_a = py::none(), "end"_a = py::none(),
        "evaluated_on"_a = py::none(), "publish"_a = false, "k"_a = py::none(),
        "R8: ctai::build_report(store, contract, options) (ctai.build_report).");

    m.def(
        "_journey_stats_days",
        [](py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> entry,
           py::array_t<std::int32_t, py::array::c_style | py::array::forcecast> exit, Date on) {
            if (entry.ndim() != 1 || exit.ndim() != 1)
                throw py::value_error("journey_stats: entry and exit must be one-dimensional");
            ctai::JourneyStats stats;
            {
                const std::span<const std::int32_t> e(entry.data(), static_cast<std::size_t>(entry.size()));
                const std::span<const std::int32_t> x(exit.data(), static_cast<std::size_t>(exit.size()));
                py::gil_scoped_release release;
                stats = ctai::journey_stats(e, x, on);
            }
            return build("JourneyStats", stats_dict(std::move(stats)));
        },
        "entry"_a, "exit"_a, "on"_a,
        "R7: ctai::journey_stats over day numbers (int32; exit INT32_MIN when open) "
        "(ctai.journey_stats).");
}

}  // namespace ctai::python
