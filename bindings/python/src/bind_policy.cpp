// The Policy (domain: every option of the territory, defaults in ctai::Policy only).
// Python's ctai.Policy (ctai/_policy.py) is a pure-Python immutable value whose fields,
// kinds and defaults come from here; it holds a _NativePolicy built once, which every
// function taking `policy=` reads without conversion.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <ctai/policy.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

// Compile-time guard: adding a field to ctai::Policy breaks this line until the field is
// added to for_each_field below (and so to Python).
[[maybe_unused]] void policy_has_19_fields(const Policy& p) {
    [[maybe_unused]] const auto& [f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14,
                                  f15, f16, f17, f18, f19] = p;
}

template <class F>
void for_each_field(F&& f) {
    f("feb29", &Policy::feb29);
    f("boundary", &Policy::boundary);
    f("primo_anchor", &Policy::primo_anchor);
    f("excluded_motives", &Policy::excluded_motives);
    f("require_cir", &Policy::require_cir);
    f("accept_cir_proposed", &Policy::accept_cir_proposed);
    f("bpi_includes_stateless", &Policy::bpi_includes_stateless);
    f("agir_includes_stateless", &Policy::agir_includes_stateless);
    f("bpi_window_years", &Policy::bpi_window_years);
    f("require_regular_stay", &Policy::require_regular_stay);
    f("minors_follow_household", &Policy::minors_follow_household);
    f("bpt_end_dates", &Policy::bpt_end_dates);
    f("agir_start", &Policy::agir_start);
    f("agir_recency", &Policy::agir_recency);
    f("intermediated_rental_is_lasting", &Policy::intermediated_rental_is_lasting);
    f("pension_de_famille_is_lasting", &Policy::pension_de_famille_is_lasting);
    f("age_reference", &Policy::age_reference);
    f("suppression_k", &Policy::suppression_k);
    f("retention_years", &Policy::retention_years);
}

// How ctai/_policy.py normalises a field: "bool", "int", "enum:<Class>", "set:<Class>",
// "dates" (sequence of dates), "date_map" (str -> date).
template <class T>
std::string kind_of() {
    // Names appended to a std::string (not `std::string("enum:") + name`: g++ 12 at -O3
    // warns, a false positive, on that form).
    std::string kind;
    if constexpr (std::is_same_v<T, bool>) kind = "bool";
    else if constexpr (std::is_same_v<T, int>) kind = "int";
    else if constexpr (std::is_same_v<T, std::optional<int>>) kind = "optional_int";
    else if constexpr (py_detail::is_ctai_enum<T>) kind.append("enum:").append(py_detail::PyEnum<T>::name);
    else if constexpr (std::is_same_v<T, std::vector<Date>>) kind = "dates";
    else if constexpr (std::is_same_v<T, std::map<std::string, Date>>) kind = "date_map";
    else {
        static_assert(std::is_same_v<T, std::set<typename T::value_type>>);
        kind.append("set:").append(py_detail::PyEnum<typename T::value_type>::name);
    }
    return kind;
}

py::dict to_dict(const Policy& p) {
    py::dict d;
    for_each_field([&](const char* name, auto member) { d[name] = py::cast(p.*member); });
    return d;
}

Policy from_dict(const py::dict& d) {
    Policy p;
    std::size_t used = 0;
    for_each_field([&](const char* name, auto member) {
        using T = std::remove_reference_t<decltype(p.*member)>;
        if (!d.contains(name)) return;
        ++used;
        try {
            p.*member = d[name].template cast<T>();
        } catch (const py::cast_error&) {
            throw py::type_error(std::string("Policy.") + name + ": expected " + kind_of<T>() +
                                 ", got " +
                                 std::string(py::str(py::type::handle_of(d[name]).attr("__name__"))));
        }
    });
    if (used != d.size()) {
        for (auto item : d) {
            const auto key = item.first.cast<std::string>();
            bool known = false;
            for_each_field([&](const char* name, auto) { known = known || key == name; });
            if (!known) throw py::type_error("Policy has no option '" + key + "'");
        }
    }
    return p;
}

}  // namespace

const Policy& policy_arg(const py::handle& arg) {
    static const Policy default_policy{};
    if (arg.is_none()) return default_policy;
    if (py::isinstance<Policy>(arg)) return arg.cast<const Policy&>();
    if (py::hasattr(arg, "_native")) {
        // The native value is an attribute of `arg`: it outlives this call.
        const py::object native = arg.attr("_native");
        if (py::isinstance<Policy>(native)) return native.cast<const Policy&>();
    }
    throw py::type_error("policy: expected a ctai.Policy or None, got " +
                         std::string(py::str(py::type::handle_of(arg).attr("__name__"))));
}

py::object policy_to_python(const Policy& p) {
    return registered("Policy")(**to_dict(p));
}

void bind_policy(py::module_& m) {
    py::class_<Policy>(m, "_NativePolicy",
                       "The C++ ctai::Policy held by a ctai.Policy (private).")
        .def("to_dict", &to_dict, "Field name -> value (enum members, sets, lists, dicts).")
        .def("__eq__", [](const Policy& a, const Policy& b) { return a == b; }, py::is_operator())
        .def("__repr__", [](const Policy&) { return std::string("<ctai._core._NativePolicy>"); });
    m.def("_native_policy", &from_dict, "fields"_a,
          "Builds the C++ Policy from field name -> value (missing fields: defaults).");
    m.def(
        "_policy_fields",
        [] {
            const Policy defaults;
            py::list out;
            for_each_field([&](const char* name, auto member) {
                using T = std::remove_reference_t<decltype(defaults.*member)>;
                out.append(py::make_tuple(name, kind_of<std::remove_const_t<T>>(),
                                          py::cast(defaults.*member)));
            });
            return out;
        },
        "(name, kind, default) of every Policy option, in declaration order; the defaults "
        "are those of ctai::Policy.");
}

}  // namespace ctai::python
