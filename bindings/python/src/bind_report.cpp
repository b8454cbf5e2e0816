// R8: the evaluation report of a contract (report.hpp) and its renderers. The report is
// built by Store.report (bind_store.cpp); the renderers run without the GIL.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <ctai/report.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

template <std::string (*Render)(const ctai::Report&)>
std::string render(const ctai::Report& r) {
    py::gil_scoped_release nogil;
    return Render(r);
}

/// ctai::report_rows as columns (a few hundred rows: plain lists and arrays), for
/// Report.to_pandas() (ctai/_report.py).
py::dict report_columns(const ctai::Report& r) {
    const std::vector<ctai::ReportRow> rows = ctai::report_rows(r);
    const auto n = static_cast<py::ssize_t>(rows.size());
    py::array_t<std::int64_t> action(n);
    py::array_t<double> target(n), realised(n);
    py::list block(n), key(n), entry(n), label(n);
    auto a = action.mutable_unchecked<1>();
    auto t = target.mutable_unchecked<1>();
    auto v = realised.mutable_unchecked<1>();
    constexpr double missing = std::numeric_limits<double>::quiet_NaN();
    for (py::ssize_t i = 0; i < n; ++i) {
        const ctai::ReportRow& x = rows[static_cast<std::size_t>(i)];
        a(i) = x.action;
        block[static_cast<std::size_t>(i)] = py::str(x.block);
        key[static_cast<std::size_t>(i)] = py::str(x.key);
        entry[static_cast<std::size_t>(i)] = x.entry ? py::object(py::str(*x.entry)) : py::none();
        label[static_cast<std::size_t>(i)] = py::str(x.label_fr);
        t(i) = x.target.value_or(missing);
        v(i) = x.realised.value_or(missing);
    }
    py::dict columns;
    columns["action"] = action;
    columns["block"] = block;
    columns["key"] = key;
    columns["entry"] = entry;
    columns["label"] = label;
    columns["target"] = target;
    columns["realised"] = realised;
    return columns;
}

}  // namespace

void bind_report(py::module_& m) {
    py::class_<ctai::Report>(
        m, "Report",
        "R8: the evaluation report of a contract (Store.report). Read-only; to_dict() is the "
        "object of `ctai report --format json`.")
        .def_property_readonly("contract_id", [](const ctai::Report& r) { return r.contract_id.str(); })
        .def_readonly("contract_title", &ctai::Report::contract_title)
        .def_readonly("amended_by", &ctai::Report::amended_by,
                      "R10: the avenants applied (the contract as amended on evaluated_on).")
        .def_readonly("convention", &ctai::Report::convention,
                      "R10: the local AGIR convention in force on evaluated_on, or None.")
        .def_readonly("start", &ctai::Report::from, "First day of the period (included).")
        .def_readonly("end", &ctai::Report::to, "Last day of the period (included).")
        .def_readonly("evaluated_on", &ctai::Report::evaluated_on,
                      "The date open journeys are censored at.")
        .def_property_readonly("policy", [](const ctai::Report& r) { return policy_to_python(r.policy); })
        .def_readonly("publish", &ctai::Report::publish)
        .def_readonly("k", &ctai::Report::k, "Small-cell suppression threshold.")
        .def_readonly("fingerprint", &ctai::Report::fingerprint,
                      "SHA-256 of the store's data when the report was built (R8).")
        .def_readonly("library_version", &ctai::Report::library_version)
        .def_readonly("notes", &ctai::Report::notes)
        .def_property_readonly(
            "suppressed",
            [](const ctai::Report& r) {
                py::list out;
                for (const auto& c : r.suppressed) out.append(py::make_tuple(c.path, c.reason));
                return out;
            },
            "(path, reason) of every cell hidden by small-cell suppression.")
        .def("to_json", &render<&ctai::to_json>,
             "The JSON of `ctai report --format json` (byte-identical for the same report).")
        .def("to_markdown", &render<&ctai::to_markdown>,
             "The questionnaire tables in Markdown (French labels, Objectif / Réalisé).")
        .def("to_csv", &render<&ctai::to_csv>,
             "Long CSV: action, indicator key, label, target, realised.")
        .def("to_html", &render<&ctai::to_html>,
             "A standalone HTML page (inline CSS and SVG charts), in French.")
        .def("_rows", &report_columns,
             "ctai::report_rows as a dict of columns (private: Report.to_pandas()).")
        .def(
            "to_dict",
            [](const ctai::Report& r) {
                const std::string text = render<&ctai::to_json>(r);
                return py::module_::import("json").attr("loads")(text);
            },
            "json.loads(to_json()): the object of `ctai report --format json`.")
        .def("__eq__", [](const ctai::Report& a, const ctai::Report& b) { return a == b; })
        .def("__repr__", [](const ctai::Report& r) {
            return "<ctai.Report contract_id='" + r.contract_id.str() + "' " + to_iso(r.from) +
                   ".." + to_iso(r.to) + " evaluated_on=" + to_iso(r.evaluated_on) +
                   " publish=" + (r.publish ? "True" : "False") +
                   " actions=" + std::to_string(r.actions.size()) + ">";
        });
    m.attr("Report").attr("__module__") = "ctai";
}

}  // namespace ctai::python
