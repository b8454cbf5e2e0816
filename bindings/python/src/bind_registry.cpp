// The one hand-over between the package and the compiled module. ctai/__init__.py imports
// _core, builds its Python classes (the enums of _enums.py, the records of _model.py,
// Policy, Columns, Contract...) and registers them here once with _core._register; the
// compiled module never imports the package (no import-time cycle: `ctai._core` loads on
// its own, and a conversion asking for a class not registered yet raises ImportError).
#include <map>
#include <string>

#include "bindings.hpp"

namespace ctai::python {
namespace {

std::map<std::string, PyObject*>& classes() {
    static std::map<std::string, PyObject*> registry;  // strong references, never released
    return registry;
}

template <class E>
void register_members(const py::handle& cls) {
    std::vector<PyObject*> members;
    for (std::string_view s : ctai::enum_names<E>())
        members.push_back(cls(py::str(s.data(), s.size())).release().ptr());
    auto& slot = py_detail::enum_members<E>();
    for (PyObject* old : slot) Py_DECREF(old);
    slot = std::move(members);
}

}  // namespace

py::object registered(const char* name) {
    const auto it = classes().find(name);
    if (it == classes().end())
        throw py::import_error(std::string("ctai.") + name + " is not registered: import ctai");
    return py::reinterpret_borrow<py::object>(it->second);
}

py::object build(const char* name, const py::dict& fields) {
    const py::object cls = registered(name);
    if (py::hasattr(cls, "_from_core")) return cls.attr("_from_core")(fields);
    return cls(**fields);
}

void bind_registry(py::module_& m) {
    m.def(
        "_register",
        [](const py::dict& named) {
            for (auto item : named) {
                const auto name = item.first.cast<std::string>();
                auto& slot = classes()[name];
                Py_XDECREF(slot);
                slot = py::reinterpret_borrow<py::object>(item.second).release().ptr();
#define CTAI_PY_ENUM_REGISTER(E) \
    if (name == py_detail::PyEnum<ctai::E>::name) register_members<ctai::E>(item.second);
                CTAI_PY_ENUMS(CTAI_PY_ENUM_REGISTER)
#undef CTAI_PY_ENUM_REGISTER
            }
        },
        py::arg("classes"),
        "Registers the package's Python classes (name -> class: the enum classes, the "
        "records, Policy, Columns, Contract, ...) that values returned by C++ are built "
        "with. Called once by ctai/__init__.py; the compiled module never imports the "
        "package.");
    m.def(
        "_registered", [] {
            py::list out;
            for (const auto& [name, cls] : classes()) out.append(name);
            return out;
        },
        "The names registered so far (sorted).");
}

}  // namespace ctai::python
