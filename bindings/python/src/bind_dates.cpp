// R0: dates. Scalar functions take and return datetime.date; the vectorised ones
// (within_years, window_end_years) take any array-like of dates and return NumPy arrays,
// computed with the GIL released.
#include <algorithm>
#include <span>
#include <string>

#include <ctai/date.hpp>
#include <ctai/error.hpp>
#include <ctai/kernels.hpp>
#include <ctai/policy.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

// The range of datetime.date, as day numbers.
constexpr std::int64_t min_day = py_detail::days_from_civil(1, 1, 1);
constexpr std::int64_t max_day = py_detail::days_from_civil(9999, 12, 31);
// Periods longer than this are refused (they would leave the calendar's range).
constexpr int max_years = 1000;

Date load_date(py::handle h, const char* what) {
    py::detail::make_caster<Date> caster;
    if (!caster.load(h, true))
        throw py::type_error(std::string(what) + ": expected a datetime.date, got " +
                             std::string(py::str(py::type::handle_of(h).attr("__name__"))));
    return py::detail::cast_op<Date>(caster);
}

void check_years(int years) {
    if (years < -max_years || years > max_years)
        throw ctai::ValidationError("years out of range (|years| <= 1000)", "years");
}

struct Rule {
    Boundary boundary;
    Feb29 feb29;
};

Rule rule_from(const py::object& boundary, const py::object& feb29, const py::object& policy) {
    const Policy& p = policy_arg(policy);
    return {boundary.is_none() ? p.boundary : boundary.cast<Boundary>(),
            feb29.is_none() ? p.feb29 : feb29.cast<Feb29>()};
}

bool is_scalar_date(py::handle h) {
    py_detail::ensure_datetime_api();
    return PyDate_Check(h.ptr()) != 0;
}

std::string type_name(py::handle h) {
    return py::str(py::type::handle_of(h).attr("__name__"));
}

}  // namespace

DayArray day_array(py::handle obj) {
    DayArray out;
    const auto np = py::module_::import("numpy");
    py::array arr = py::isinstance<py::array>(obj) ? py::reinterpret_borrow<py::array>(obj)
                                                   : py::array(np.attr("asarray")(obj));
    out.shape.assign(arr.shape(), arr.shape() + arr.ndim());
    const char kind = arr.dtype().kind();
    if (kind == 'M' || kind == 'i' || kind == 'u' || kind == 'b') {
        if (kind == 'b') throw py::type_error("expected dates, got an array of booleans");
        if (kind == 'M' && !arr.dtype().equal(py::dtype("datetime64[D]")))
            arr = arr.attr("astype")("datetime64[D]");  // floors finer units, keeps NaT
        if (kind == 'M') arr = arr.attr("view")("int64");
        out.keep = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(
            arr.attr("ravel")());
        if (!out.keep) throw py::error_already_set();
        out.data = static_cast<const std::int64_t*>(out.keep.data());
        out.size = static_cast<std::size_t>(out.keep.size());
        return out;
    }
    if (kind == 'O') {
        const py::object flat = arr.attr("ravel")();
        const auto n = static_cast<std::size_t>(arr.size());
        out.owned.reserve(n);
        const auto datetime64 = np.attr("datetime64");
        for (py::handle item : flat) {
            const bool self_unequal = [&] {
                // Not PyObject_RichCompareBool: it answers "equal" for an object and itself.
                const auto ne = py::reinterpret_steal<py::object>(
                    PyObject_RichCompare(item.ptr(), item.ptr(), Py_NE));
                if (!ne) throw py::error_already_set();
                return PyObject_IsTrue(ne.ptr()) == 1;
            }();
            if (item.is_none() || self_unequal) {
                out.owned.push_back(nat);  // None, NaN, pandas.NaT (a datetime unequal to itself)
            } else if (is_scalar_date(item)) {
                out.owned.push_back(load_date(item, "starts").days());
            } else if (PyLong_Check(item.ptr()) && !PyBool_Check(item.ptr())) {
                out.owned.push_back(item.cast<std::int64_t>());
            } else if (py::isinstance(item, datetime64)) {
                out.owned.push_back(item.attr("astype")("datetime64[D]")
                                        .attr("astype")("int64")
                                        .cast<std::int64_t>());
            } else {
                throw py::type_error("expected datetime.date, None or NaT, got " + type_name(item));
            }
        }
        out.data = out.owned.data();
        out.size = out.owned.size();
        return out;
    }
    if (arr.size() == 0) {
        out.data = out.owned.data();
        return out;
    }
    throw py::type_error("expected dates (datetime.date sequence, datetime64 or integer day "
                         "numbers), got an array of dtype " +
                         std::string(py::str(arr.dtype())));
}

py::array new_datetime64(const std::vector<py::ssize_t>& shape, std::int64_t*& data) {
    py::array arr(py::dtype("datetime64[D]"), shape);
    data = static_cast<std::int64_t*>(arr.mutable_data());
    return arr;
}

py::array datetime64_from_days(std::span<const std::int32_t> days, std::int32_t missing) {
    std::int64_t* out = nullptr;
    py::array arr = new_datetime64({static_cast<py::ssize_t>(days.size())}, out);
    {
        py::gil_scoped_release nogil;
        for (std::size_t i = 0; i < days.size(); ++i)
            out[i] = days[i] == missing ? nat : static_cast<std::int64_t>(days[i]);
    }
    return arr;
}

void bind_dates(py::module_& m) {
    const Policy defaults;

    m.def("parse_date", &ctai::parse_date, "text"_a,
          "ISO `YYYY-MM-DD` -> datetime.date; ValidationError on an invalid date.");
    m.def("parse_date_lenient", &ctai::parse_date_lenient, "text"_a,
          "`YYYY-MM-DD` or `DD/MM/YYYY` -> datetime.date; ValidationError otherwise.");
    m.def("to_iso", &ctai::to_iso, "d"_a, "datetime.date -> `YYYY-MM-DD`.");
    m.def(
        "_normalize_partial_date",
        [](const std::string& text) -> py::object {
            const PartialDate pd = parse_partial_date(text);
            if (pd.precision == DatePrecision::day) return py::cast(pd.first);
            return py::str(to_string(pd));
        },
        "text"_a, "`YYYY-MM-DD` -> date; `YYYY-MM` or `YYYY` -> canonical text (R0.4).");

    m.def(
        "add_months",
        [](Date start, int n, Feb29 feb29) {
            check_years(n / 12);
            return ctai::add_months(start, n, feb29);
        },
        "start"_a, "n"_a, py::kw_only(), "feb29"_a = defaults.feb29,
        "R0.1: same day n months later, or the last day of the target month.");
    m.def(
        "add_years",
        [](Date start, int n, Feb29 feb29) {
            check_years(n);
            return ctai::add_years(start, n, feb29);
        },
        "start"_a, "n"_a, py::kw_only(), "feb29"_a = defaults.feb29,
        "R0.1: add_months(start, 12 * n).");
    m.def(
        "period_end_years",
        [](Date start, int years, Boundary boundary, Feb29 feb29) {
            check_years(years);
            return ctai::period_end_years(start, years, boundary, feb29);
        },
        "start"_a, "years"_a, py::kw_only(), "boundary"_a = defaults.boundary,
        "feb29"_a = defaults.feb29,
        "R0.2: first day no longer inside a period of `years` years from `start`.");
    m.def(
        "period_end_months",
        [](Date start, int months, Boundary boundary, Feb29 feb29) {
            check_years(months / 12);
            return ctai::period_end_months(start, months, boundary, feb29);
        },
        "start"_a, "months"_a, py::kw_only(), "boundary"_a = defaults.boundary,
        "feb29"_a = defaults.feb29,
        "R0.2: first day no longer inside a period of `months` months from `start`.");

    m.def(
        "within_years",
        [](py::handle starts, int years, Date on, const py::object& boundary,
           const py::object& feb29, const py::object& policy) -> py::object {
            check_years(years);
            const Rule r = rule_from(boundary, feb29, policy);
            if (is_scalar_date(starts))
                return py::bool_(ctai::within_years(load_date(starts, "starts"), years, on,
                                                    r.boundary, r.feb29));
            const DayArray in = day_array(starts);
            py::array_t<bool> result(in.shape);
            // NumPy bools are single bytes holding 0 or 1: the kernel writes them as uint8.
            const std::span<std::uint8_t> out(reinterpret_cast<std::uint8_t*>(result.mutable_data()),
                                              in.size);
            {
                py::gil_scoped_release nogil;
                if (years > 0) {
                    ctai::within_years(std::span<const std::int64_t>(in.data, in.size), years, on,
                                       r.boundary, r.feb29, out);
                } else {
                    // A period of 0 (or fewer) years ends on or before start + 1: only a start
                    // on `on` itself can be inside (inclusive boundary, 0 years).
                    const bool on_inside = ctai::within_years(on, years, on, r.boundary, r.feb29);
                    for (std::size_t i = 0; i < in.size; ++i)
                        out[i] = on_inside && in.data[i] == on.days();
                }
            }
            return result;
        },
        "starts"_a, "years"_a, py::kw_only(), "on"_a, "boundary"_a = py::none(),
        "feb29"_a = py::none(), "policy"_a = py::none(),
        "R0.2: whether `on` is inside the period of `years` years from each start.");

    m.def(
        "window_end_years",
        [](py::handle starts, int years, const py::object& boundary, const py::object& feb29,
           const py::object& policy) -> py::object {
            check_years(years);
            const Rule r = rule_from(boundary, feb29, policy);
            if (is_scalar_date(starts))
                return py::cast(
                    period_end_years(load_date(starts, "starts"), years, r.boundary, r.feb29));
            const DayArray in = day_array(starts);
            std::int64_t* out = nullptr;
            py::array result = new_datetime64(in.shape, out);
            const std::span<const std::int64_t> days(in.data, in.size);
            bool in_range = false;
            {
                py::gil_scoped_release nogil;
                // The calendar is only defined on datetime.date's range: refuse the rest.
                in_range = std::all_of(days.begin(), days.end(), [](std::int64_t s) {
                    return s == nat || (min_day <= s && s <= max_day);
                });
                if (in_range)
                    ctai::period_end_years(days, years, r.boundary, r.feb29,
                                           std::span<std::int64_t>(out, in.size));
            }
            if (!in_range)
                throw ctai::ValidationError(
                    "start outside the range of datetime.date (years 1 to 9999)", "starts");
            return result;
        },
        "starts"_a, "years"_a, py::kw_only(), "boundary"_a = py::none(),
        "feb29"_a = py::none(), "policy"_a = py::none(),
        "R0.2: first day outside the period of `years` years from each start.");

    m.def(
        "age_on",
        [](py::handle birth, Date on, Feb29 feb29) -> py::object {
            if (py::isinstance<py::str>(birth)) {
                const auto age = ctai::age_on(parse_partial_date(birth.cast<std::string>()), on, feb29);
                return age ? py::object(py::int_(*age)) : py::object(py::none());
            }
            return py::int_(ctai::age_on(load_date(birth, "birth"), on, feb29));
        },
        "birth"_a, "on"_a, py::kw_only(), "feb29"_a = defaults.feb29,
        "R0.3/R0.4: age in whole years at `on`; None when a partial birth date "
        "('YYYY', 'YYYY-MM') leaves it undecided.");
    m.def(
        "under_age",
        [](py::handle birth, int years, Date on, Feb29 feb29) -> py::object {
            check_years(years);
            const PartialDate pd = py::isinstance<py::str>(birth)
                                       ? parse_partial_date(birth.cast<std::string>())
                                       : PartialDate{load_date(birth, "birth"), DatePrecision::day};
            switch (ctai::under_age(pd, years, on, feb29)) {
                case Tri::yes: return py::bool_(true);
                case Tri::no: return py::bool_(false);
                case Tri::unknown: break;
            }
            return py::none();
        },
        "birth"_a, "years"_a, "on"_a, py::kw_only(), "feb29"_a = defaults.feb29,
        "R0.3/R0.4: 'moins de N ans' at `on`: True, False, or None when undecided.");
}

}  // namespace ctai::python
