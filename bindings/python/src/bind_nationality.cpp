// R1: nationality codes and classes.
#include <string>
#include <vector>

#include <ctai/nationality.hpp>

#include "bindings.hpp"

namespace ctai::python {

void bind_nationality(py::module_& m) {
    using namespace pybind11::literals;
    m.def("normalize_nationality", &ctai::normalize_nationality, "code"_a,
          "R1: ISO alpha-2/alpha-3 (any case), EL/UK aliases, STATELESS, UNKNOWN -> the "
          "stored code; ValidationError on an unknown code.");
    m.def("is_eu_member", &ctai::is_eu_member, "code"_a, "on"_a,
          "R1: whether a normalised code is an EU member state on `on` (GB until "
          "2020-12-31).");
    m.def(
        "nationality_class",
        [](const std::vector<std::string>& codes, Date on) {
            std::vector<std::string> normalised;
            normalised.reserve(codes.size());
            for (const auto& c : codes) normalised.push_back(ctai::normalize_nationality(c));
            return ctai::nationality_class(normalised, on);
        },
        "codes"_a, "on"_a,
        "R1: nationality class at `on` of a person holding `codes` (normalised first).");
}

}  // namespace ctai::python
