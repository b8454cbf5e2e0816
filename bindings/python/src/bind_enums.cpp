// The closed vocabularies. The Python enum.Enum classes are built by ctai/_enums.py from
// the spelling tables exposed here (one source of truth: ctai::EnumTraits), then handed
// back with _register (bind_registry.cpp) so that C++ -> Python conversions return members.
#include "bindings.hpp"

namespace ctai::python {
namespace {

template <class E>
py::list spellings() {
    py::list out;
    for (std::string_view s : ctai::enum_names<E>()) out.append(py::str(s.data(), s.size()));
    return out;
}

}  // namespace

void bind_enums(py::module_& m) {
    m.def(
        "enum_spellings",
        [] {
            py::dict out;
#define CTAI_PY_ENUM_SPELLINGS(E) out[py_detail::PyEnum<ctai::E>::name] = spellings<ctai::E>();
            CTAI_PY_ENUMS(CTAI_PY_ENUM_SPELLINGS)
#undef CTAI_PY_ENUM_SPELLINGS
            return out;
        },
        "The spelling table of every vocabulary: enum class name -> spellings in C++ "
        "declaration order (the values of the ctai enum members).");
    m.def(
        "enum_vocabularies",
        [] {
            py::dict out;
#define CTAI_PY_ENUM_VOCABULARY(E)                                     \
    out[py_detail::PyEnum<ctai::E>::name] =                            \
        py::str(ctai::EnumTraits<ctai::E>::name.data(), ctai::EnumTraits<ctai::E>::name.size());
            CTAI_PY_ENUMS(CTAI_PY_ENUM_VOCABULARY)
#undef CTAI_PY_ENUM_VOCABULARY
            return out;
        },
        "Enum class name -> vocabulary name used in error messages and files (e.g. "
        "'Situation' -> 'situation').");
}

}  // namespace ctai::python
