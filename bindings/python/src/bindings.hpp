#pragma once
// Shared declarations of the ctai._core extension: one bind_<concept>(m) per bind_*.cpp,
// called in order by module.cpp, and the conversion helpers later bindings (store, report)
// reuse instead of re-implementing them.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/contract.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/exchange.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

#include "casters.hpp"

namespace ctai::python {

namespace py = pybind11;

// --- One function per bind_*.cpp, in the order module.cpp calls them. ----------------
void bind_errors(py::module_& m);       // bind_errors.cpp: exception classes + translator
void bind_registry(py::module_& m);     // bind_registry.cpp: _register (the package's classes)
void bind_enums(py::module_& m);        // bind_enums.cpp: spellings, enum registration
void bind_dates(py::module_& m);        // bind_dates.cpp: R0 scalar and vectorised
void bind_nationality(py::module_& m);  // bind_nationality.cpp: R1
void bind_policy(py::module_& m);       // bind_policy.cpp: _NativePolicy, defaults
void bind_model(py::module_& m);        // bind_model.cpp: Python dataclasses <-> structs
void bind_eligibility(py::module_& m);  // bind_eligibility.cpp: R2-R6, Eligibility
void bind_columns(py::module_& m);      // bind_columns.cpp: string-column helpers
void bind_exchange(py::module_& m);     // bind_exchange.cpp: Dataset, cohorts, contracts, folders
void bind_store(py::module_& m);        // bind_store.cpp: _Store, _Transaction, queries
void bind_report(py::module_& m);       // bind_report.cpp: R8 Report and its renderers

// --- Registry (bind_registry.cpp) ---------------------------------------------------------
/// The Python class registered under `name` by ctai/__init__.py (_core._register), e.g.
/// "Policy", "Columns", "Contract", "Person". Throws ImportError when not registered yet:
/// the compiled module never imports the package.
py::object registered(const char* name);
/// An instance of the registered class `name` from its fields: `cls._from_core(fields)`
/// when the class has one (nested values to convert), else `cls(**fields)`.
py::object build(const char* name, const py::dict& fields);

// --- Errors (bind_errors.cpp) -------------------------------------------------------------
/// A ctai.ImportIssue named tuple (file, line, column, message, rule; empty -> None).
py::object import_issue(const ctai::ImportIssue& issue);

// --- Exchange and contracts (bind_exchange.cpp) ------------------------------------------
/// Summaries as dicts (wrapped in dataclasses by ctai/_exchange.py).
py::dict summary_dict(const ctai::ImportSummary& s);
py::dict summary_dict(const ctai::ExportSummary& s);
/// ExportOptions from the keyword arguments of export_dir / write_exchange_dir.
ctai::ExportOptions export_options(const std::optional<std::string>& key,
                                   const std::string& birth_precision, bool overwrite);
/// A contract as the dict of its JSON file (json.loads(contract_to_json(c))), and back.
py::object contract_to_python(const ctai::Contract& c);
ctai::Contract contract_from_python(const py::handle& obj);
/// R10: a contract, avenant or convention from the dict of its file (the C++ reader).
ctai::ContractDocument contract_document_from_python(const py::handle& obj);
/// json.loads of a JSON text.
py::object json_loads(const std::string& text);

// --- Policy (bind_policy.cpp) ------------------------------------------------------------
/// The C++ Policy behind a Python argument: None -> the default Policy, a ctai.Policy (its
/// cached `_native`) or a _NativePolicy. The reference lives as long as `arg`. Throws
/// TypeError otherwise.
const ctai::Policy& policy_arg(const py::handle& arg);
/// The Python ctai.Policy equal to `p` (ctai.Policy(**fields)).
py::object policy_to_python(const ctai::Policy& p);

// --- Model (bind_model.cpp) --------------------------------------------------------------
/// Python dataclass (ctai.PersonCase, ctai.Person, ...) -> C++ struct. Fields are read by
/// name; a wrong type raises TypeError naming Class.field; bad values ValidationError.
ctai::PersonCase person_case_from(py::handle obj);
ctai::Person person_from(py::handle obj);
ctai::AgirSupport agir_support_from(py::handle obj);
/// C++ struct -> the registered Python dataclass.
py::object to_python(const ctai::PersonCase& c);
py::object to_python(const ctai::Person& p);
py::object to_python(const ctai::AgirSupport& s);
/// R1 dated nationalities (bind_model.cpp).
ctai::DatedNationality dated_nationality_from(py::handle obj);
py::object to_python(const ctai::DatedNationality& n);

// --- Arrays of dates (bind_dates.cpp) ----------------------------------------------------
/// NumPy's NaT as an int64 day number.
inline constexpr std::int64_t nat = std::numeric_limits<std::int64_t>::min();

/// Dates from Python as a contiguous int64 day-number buffer (NaT = `nat`): a NumPy
/// datetime64 array of any unit (floored to days), an integer array (day numbers), or any
/// sequence of datetime.date / None / NaT / int day numbers. `shape` is the input's shape.
struct DayArray {
    py::array keep;  ///< owns `data` when it comes from NumPy
    std::vector<std::int64_t> owned;
    const std::int64_t* data = nullptr;
    std::size_t size = 0;
    std::vector<py::ssize_t> shape;
};
DayArray day_array(py::handle obj);

/// A new datetime64[D] array of `shape` and a pointer to its int64 storage.
py::array new_datetime64(const std::vector<py::ssize_t>& shape, std::int64_t*& data);

/// int32 day numbers (store columns; missing = `missing`) -> datetime64[D] (missing = NaT).
py::array datetime64_from_days(std::span<const std::int32_t> days, std::int32_t missing);

/// Moves a vector into a 1-D NumPy array without copying (the array owns the vector).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
    auto* heap = new std::vector<T>(std::move(v));
    py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>({static_cast<py::ssize_t>(heap->size())}, {sizeof(T)}, heap->data(),
                          owner);
}

// --- Columnar results (bind_columns.cpp) --------------------------------------------------
/// Builds the payload of a ctai.Columns (ctai/_columns.py) from C++ column vectors, moving
/// them into NumPy arrays without a Python object per row: `specs` is a list of
/// (name, kind, vocabulary) with kind "date" (datetime64[D], NaT when missing), "bool",
/// "int32", "float64", "category" (uint8 codes of the enum class named by `vocabulary`,
/// 255 = missing) or "string" (Arrow layout: int32 or int64 offsets + uint8 UTF-8 data).
class ColumnsBuilder {
public:
    void date(const char* name, std::vector<std::int32_t>&& days);
    void flag(const char* name, std::vector<std::uint8_t>&& v);
    void flag(const char* name, py::array_t<bool>&& v);
    void int32(const char* name, std::vector<std::int32_t>&& v);
    void float64(const char* name, std::vector<double>&& v);
    void category(const char* name, const char* vocabulary, std::vector<std::uint8_t>&& codes);
    void category(const char* name, const char* vocabulary, py::array_t<std::uint8_t>&& codes);
    void string(const char* name, std::vector<std::string>&& v);
    /// Packed strings: the offsets (int64) and the bytes become the arrays, no copy.
    void string(const char* name, ctai::StringColumn&& v);
    /// (specs, {name: data}) where data is an array, or (offsets, data) for strings.
    py::tuple finish();

private:
    py::list specs_;
    py::dict data_;
};

/// Names of the Python enum classes of the ctai enums (for ColumnsBuilder::category).
template <class E>
const char* vocabulary_name() {
    return py_detail::PyEnum<E>::name;
}

}  // namespace ctai::python
