// ctai._core: the compiled part of the Python package `ctai`. The public surface is
// ctai/__init__.py; this module is private and thin (STYLE: bindings are shells over the
// public C++ API).
#include <ctai/version.hpp>

#include "bindings.hpp"

namespace ctai::python {
void bind_arrow(py::module_& m);  // bind_arrow.cpp: the Arrow C stream of ctai.Columns
}

PYBIND11_MODULE(_core, m) {
    m.doc() = "libctai compiled core (private: import ctai instead)";
    m.attr("__version__") = ctai::version;
    using namespace ctai::python;
    bind_errors(m);  // first: every later binding may raise these
    bind_registry(m);
    bind_enums(m);
    bind_dates(m);
    bind_nationality(m);
    bind_policy(m);
    bind_model(m);
    bind_eligibility(m);
    bind_columns(m);
    bind_arrow(m);
    bind_exchange(m);
    bind_report(m);
    bind_store(m);
}
