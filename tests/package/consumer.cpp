// Links ctai::ctai (from an install prefix with find_package, or from the source tree with
// add_subdirectory: subdirectory/) and evaluates one synthetic person.
#include <ctai/ctai.hpp>

#include <iostream>

int main() {
    ctai::PersonCase c;
    c.person.id = ctai::PersonId{"P-SYNTH-1"};
    c.person.nationalities = {"MA"};
    c.permits.push_back({ctai::PermitKind::card, ctai::Motive::family,
                         ctai::parse_date("2020-03-15"), std::nullopt});
    const auto e = ctai::evaluate(c, ctai::parse_date("2025-03-14"), ctai::Policy{});
    std::cout << "ctai " << ctai::version << " primo_arrivant="
              << (e.primo_arrivant ? "true" : "false") << " window_end="
              << ctai::to_iso(*e.primo_window_end) << '\n';
    return e.primo_arrivant ? 0 : 1;
}
