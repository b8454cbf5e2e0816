// Exchange folders without a store (read_exchange_dir, write_exchange_dir), the synthetic
// cohort generator (a Dataset) and contracts (ctai.Contract, ctai/_contract.py, built from
// the contract's JSON and its whole exit-reason vocabulary).
#include <ctai/contract.hpp>
#include <ctai/exchange.hpp>
#include <ctai/synthetic.hpp>

#include <pybind11/stl/filesystem.h>

#include "bindings.hpp"

namespace ctai::python {
using namespace pybind11::literals;

py::object json_loads(const std::string& text) {
    return py::module_::import("json").attr("loads")(text);
}

namespace {

py::dict table_dict(const ctai::TableSummary& t) {
    return py::dict("table"_a = t.table, "file"_a = t.file, "present"_a = t.present,
                    "encoding"_a = t.encoding.empty() ? py::object(py::none())
                                                      : py::object(py::str(t.encoding)),
                    "separator"_a = std::string(1, t.separator), "rows_read"_a = t.rows_read,
                    "changed"_a = t.changed, "unchanged"_a = t.unchanged);
}

}  // namespace

py::dict summary_dict(const ctai::ImportSummary& s) {
    py::list tables, warnings;
    for (const auto& t : s.tables) tables.append(table_dict(t));
    for (const auto& w : s.warnings) warnings.append(import_issue(w));
    return py::dict("tables"_a = tables, "warnings"_a = warnings, "settings_changed"_a = s.settings_changed);
}

py::dict summary_dict(const ctai::ExportSummary& s) {
    py::list files;
    for (const auto& f : s.files) files.append(py::make_tuple(f.file, f.rows));
    return py::dict("files"_a = files, "pseudonymized"_a = s.pseudonymized);
}

ctai::ExportOptions export_options(const std::optional<std::string>& key,
                                   const std::string& birth_precision, bool overwrite) {
    ctai::ExportOptions o;
    o.pseudonymization_key = key;
    if (birth_precision == "year")
        o.birth_precision = ctai::BirthPrecision::year;
    else if (birth_precision == "month")
        o.birth_precision = ctai::BirthPrecision::month;
    else
        throw ctai::ValidationError("birth_precision: expected 'year' or 'month'",
                                    "birth_precision");
    o.overwrite = overwrite;
    return o;
}

namespace {

py::list exit_reasons_list(const std::vector<ctai::ExitReason>& reasons) {
    py::list out;
    for (const auto& r : reasons)
        out.append(py::dict("code"_a = r.code, "label_fr"_a = r.label_fr,
                            "positive"_a = r.positive));
    return out;
}

}  // namespace

py::object contract_to_python(const ctai::Contract& c) {
    py::dict fields = json_loads(ctai::contract_to_json(c));
    fields["_exit_reasons"] = exit_reasons_list(c.exit_reasons);
    return registered("Contract").attr("_from_json")(fields);
}

ctai::Contract contract_from_python(const py::handle& obj) {
    // A ctai.Contract (its to_dict()) or the dict of a contract file.
    const py::object fields =
        py::isinstance<py::dict>(obj) ? py::reinterpret_borrow<py::object>(obj)
                                      : py::object(obj.attr("to_dict")());
    const std::string text = py::str(py::module_::import("json").attr("dumps")(fields));
    return ctai::parse_contract(text, "<dict>");
}

ctai::ContractDocument contract_document_from_python(const py::handle& obj) {
    const std::string text = py::str(py::module_::import("json").attr("dumps")(obj));
    return ctai::parse_contract_document(text, "<dict>");
}

void bind_exchange(py::module_& m) {
    py::class_<ctai::Dataset>(
        m, "Dataset",
        "A whole set of case files in memory: what an exchange folder holds, what "
        "generate_cohort makes. Write it with write_exchange_dir, then Store.import_dir.")
        .def(py::init<>())
        .def_property_readonly(
            "cases",
            [](const ctai::Dataset& d) {
                py::list out;
                for (const auto& c : d.cases) out.append(to_python(c));
                return out;
            },
            "The persons with their permits, protections and situations (ctai.PersonCase, "
            "built on each access).")
        .def(
            "counts",
            [](const ctai::Dataset& d) {
                return py::dict("persons"_a = d.cases.size(), "journeys"_a = d.journeys.size(),
                                "agir_supports"_a = d.agir.size(),
                                "referrals"_a = d.referrals.size(),
                                "activities"_a = d.activities.size(),
                                "participations"_a = d.participations.size(),
                                "volunteering"_a = d.volunteering.size(),
                                "housing_moves"_a = d.housing.size(),
                                "partnerships"_a = d.partnerships.size(),
                                "costs"_a = d.costs.size());
            },
            "Number of records of each table.")
        .def("__len__", [](const ctai::Dataset& d) { return d.cases.size(); },
             "Number of persons.")
        .def("__eq__", [](const ctai::Dataset& a, const ctai::Dataset& b) { return a == b; })
        .def("__repr__", [](const ctai::Dataset& d) {
            return "<ctai.Dataset persons=" + std::to_string(d.cases.size()) +
                   " journeys=" + std::to_string(d.journeys.size()) + ">";
        });
    m.attr("Dataset").attr("__module__") = "ctai";

    const ctai::CohortOptions defaults;
    m.def(
        "generate_cohort",
        [](std::size_t persons, std::uint64_t seed, const std::string& contract,
           std::optional<Date> evaluated_on, const py::object& policy) {
            ctai::CohortOptions o;
            o.persons = persons;
            o.seed = seed;
            o.contract = ContractId{contract};
            o.evaluated_on = evaluated_on;
            const ctai::Policy p = policy_arg(policy);
            py::gil_scoped_release nogil;
            return ctai::generate_cohort(o, p);
        },
        "persons"_a = defaults.persons, py::kw_only(), "seed"_a = defaults.seed,
        "contract"_a = defaults.contract.str(), "evaluated_on"_a = py::none(),
        "policy"_a = py::none(),
        "A deterministic synthetic cohort (made-up people) through the actions of a built-in "
        "contract; the same arguments give the same Dataset everywhere. evaluated_on: the day "
        "the data is known as of (default: the contract's last day).");

    m.def(
        "read_exchange_dir",
        [](const std::filesystem::path& dir) {
            py::gil_scoped_release nogil;
            return ctai::read_exchange_dir(dir);
        },
        "dir"_a,
        "Reads and validates an exchange folder into a Dataset, without a store. Raises "
        "ExchangeImportError listing every issue.");
    m.def(
        "write_exchange_dir",
        [](const ctai::Dataset& data, const std::filesystem::path& dir,
           const std::optional<std::string>& key, const std::string& birth_precision,
           bool overwrite) {
            const auto options = export_options(key, birth_precision, overwrite);
            ctai::ExportSummary s;
            {
                py::gil_scoped_release nogil;
                s = ctai::write_exchange_dir(data, dir, options);
            }
            return summary_dict(s);
        },
        "data"_a, "dir"_a, py::kw_only(), "pseudonymization_key"_a = py::none(),
        "birth_precision"_a = "year", "overwrite"_a = false,
        "Writes a Dataset as an exchange folder (the format of export_dir).");

    m.def(
        "builtin_contracts",
        [] {
            py::list out;
            for (const auto& c : ctai::builtin_contracts()) out.append(contract_to_python(c));
            return out;
        },
        "The built-in contracts (dijon-2022, dijon-2023-2024) as ctai.Contract values.");
    m.def(
        "load_contract",
        [](const std::filesystem::path& path) { return contract_to_python(ctai::load_contract(path)); },
        "path"_a,
        "Loads and validates a contract file; returns the ctai.Contract.");
    m.def(
        "_normalize_contract",
        [](const py::object& obj) { return contract_to_python(contract_from_python(obj)); },
        "contract"_a, "dict or Contract -> C++ Contract (validated) -> ctai.Contract.");
    m.def(
        "_contract_json",
        [](const py::object& obj) { return json_loads(ctai::contract_to_json(contract_from_python(obj))); },
        "contract"_a, "dict or Contract -> C++ Contract -> the dict of its JSON (tests to_dict).");
    m.def(
        "_default_exit_reasons", [] { return exit_reasons_list(ctai::default_exit_reasons()); },
        "The exit reasons every contract has unless it redefines them (R7), as dicts.");
}

}  // namespace ctai::python
