// R2-R6: eligibility of one person at one date, with the reasons.
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <ctai/eligibility.hpp>
#include <ctai/household_rule.hpp>
#include <ctai/policy.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

std::optional<PersonCase> optional_case(const py::object& obj) {
    if (obj.is_none()) return std::nullopt;
    return person_case_from(obj);
}

std::string repr(const Eligibility& e) {
    std::ostringstream out;
    const auto text = [](bool b) { return b ? "True" : "False"; };
    out << "<ctai.Eligibility person_id=" << std::string(py::repr(py::str(e.person_id.str())))
        << " on=" << to_iso(e.on) << " public="
        << (e.public_category ? std::string(to_string(*e.public_category)) : "None")
        << " nationality_class=" << to_string(e.nationality_class)
        << " primo_arrivant=" << text(e.primo_arrivant) << " bpi=" << text(e.bpi)
        << " bpt=" << text(e.bpt) << " agir=" << text(e.agir)
        << " ctai_public=" << text(e.ctai_public);
    const auto date = [&](const char* name, const std::optional<Date>& d) {
        if (d) out << ' ' << name << '=' << to_iso(*d);
    };
    date("primo_anchor", e.primo_anchor);
    date("primo_window_end", e.primo_window_end);
    date("protection_date", e.protection_date);
    date("agir_window_end", e.agir_window_end);
    out << " reasons=" << std::string(py::repr(py::cast(e.reasons))) << '>';
    return out.str();
}

}  // namespace

void bind_eligibility(py::module_& m) {
    py::class_<Eligibility>(m, "Eligibility",
                            "The outcome of evaluating one person at one date (R1-R6).")
        .def_property_readonly("person_id", [](const Eligibility& e) { return e.person_id.str(); })
        .def_readonly("on", &Eligibility::on)
        .def_readonly("nationality_class", &Eligibility::nationality_class)
        .def_readonly("primo_arrivant", &Eligibility::primo_arrivant)
        .def_readonly("bpi", &Eligibility::bpi)
        .def_readonly("bpt", &Eligibility::bpt)
        .def_readonly("agir", &Eligibility::agir)
        .def_readonly("ctai_public", &Eligibility::ctai_public)
        .def_readonly("public", &Eligibility::public_category)
        .def_readonly("primo_anchor", &Eligibility::primo_anchor)
        .def_readonly("primo_window_end", &Eligibility::primo_window_end)
        .def_readonly("protection_date", &Eligibility::protection_date)
        .def_readonly("agir_window_end", &Eligibility::agir_window_end)
        .def_readonly("reasons", &Eligibility::reasons)
        .def_property_readonly(
            "reason_codes",
            [](const Eligibility& e) {
                py::list out;
                for (const auto& c : e.reason_codes) {
                    const auto code = to_string(c.code);
                    out.append(py::dict("code"_a = py::str(code.data(), code.size()),
                                        "date"_a = c.date ? py::cast(*c.date) : py::none()));
                }
                return out;
            },
            "The stable reason codes: a list of {'code': 'R3.window_ended', 'date': date or "
            "None}, one per dimension (docs/rules.md, \"Reason codes\").")
        .def(
            "to_dict",
            [](const Eligibility& e) {
                return py::module_::import("json").attr("loads")(ctai::to_json(e));
            },
            "The object of `ctai check --format json` (dates as ISO text).")
        .def("__repr__", &repr);
    m.attr("Eligibility").attr("__module__") = "ctai";  // shown and pickled as ctai.Eligibility
    m.def(
        "reason_code_spellings",
        [] {
            py::list out;
            for (const std::string_view s : reason_code_names()) out.append(py::str(s.data(), s.size()));
            return out;
        },
        "The stable reason codes, in C++ declaration order (the ReasonCode vocabulary of the "
        "reason columns of eligibility_table(explain=True)).");

    m.def(
        "evaluate",
        [](const py::object& c, Date on, const py::object& policy, const py::object& family_bpi,
           const py::object& household) {
            const PersonCase pc = person_case_from(c);
            const auto family = optional_case(family_bpi);
            const Policy p = policy_arg(policy);
            auto e = ctai::evaluate(pc, on, p, family ? &*family : nullptr);
            if (!household.is_none()) {
                // R3 minors_follow_household: the cases of the person's household.
                std::vector<PersonCase> members;
                for (const auto& member : household) members.push_back(person_case_from(member));
                std::vector<const PersonCase*> pointers;
                for (const auto& member : members) pointers.push_back(&member);
                ctai::follow_household(e, pc, p, pointers);
            }
            return e;
        },
        "case"_a, "on"_a, py::kw_only(), "policy"_a = py::none(), "family_bpi"_a = py::none(),
        "household"_a = py::none(),
        "R1-R6: full evaluation of a PersonCase at `on`, with the reasons; `household`: the "
        "cases of the person's household (policy minors_follow_household, R3).");
    m.def(
        "is_primo_arrivant",
        [](const py::object& c, Date on, const py::object& policy) {
            return ctai::is_primo_arrivant(person_case_from(c), on, policy_arg(policy));
        },
        "case"_a, "on"_a, py::kw_only(), "policy"_a = py::none(), "R3: primo-arrivant at `on`.");
    m.def(
        "is_bpi",
        [](const py::object& c, Date on, const py::object& policy) {
            return ctai::is_bpi(person_case_from(c), on, policy_arg(policy));
        },
        "case"_a, "on"_a, py::kw_only(), "policy"_a = py::none(), "R4: BPI at `on`.");
    m.def(
        "is_bpt",
        [](const py::object& c, Date on, const py::object& policy) {
            return ctai::is_bpt(person_case_from(c), on, policy_arg(policy));
        },
        "case"_a, "on"_a, py::kw_only(), "policy"_a = py::none(), "R5: BPT at `on`.");
    m.def(
        "is_agir_eligible",
        [](const py::object& c, Date on, const py::object& policy, const py::object& family_bpi) {
            const auto family = optional_case(family_bpi);
            return ctai::is_agir_eligible(person_case_from(c), on, policy_arg(policy),
                                          family ? &*family : nullptr);
        },
        "case"_a, "on"_a, py::kw_only(), "policy"_a = py::none(), "family_bpi"_a = py::none(),
        "R6: AGIR eligibility with `on` as the orientation date.");
    m.def(
        "primo_anchor",
        [](const py::object& c, const py::object& policy) {
            return ctai::primo_anchor(person_case_from(c), policy_arg(policy));
        },
        "case"_a, py::kw_only(), "policy"_a = py::none(),
        "R2: T1, the anchor of the five-year window, or None.");
    m.def(
        "protection_date",
        [](const py::object& c, const py::object& policy) {
            return ctai::protection_date(person_case_from(c), policy_arg(policy));
        },
        "case"_a, py::kw_only(), "policy"_a = py::none(),
        "R4: decision date of the first qualifying protection, or None.");
    m.def(
        "agir_window_end",
        [](Date protection, const py::object& policy) {
            return ctai::agir_window_end(protection, policy_arg(policy));
        },
        "protection"_a, py::kw_only(), "policy"_a = py::none(),
        "R6: first day outside the AGIR recency window of a protection date.");
    m.def(
        "agir_support_active",
        [](Date entry, Date d, const py::object& policy) {
            return ctai::agir_support_active(entry, d, policy_arg(policy));
        },
        "entry"_a, "d"_a, py::kw_only(), "policy"_a = py::none(),
        "R6: whether the 24-month AGIR support window from `entry` is active on `d`.");
    m.def(
        "agir_positive_exit",
        [](const py::object& s, const py::object& policy) {
            return ctai::agir_positive_exit(agir_support_from(s), policy_arg(policy));
        },
        "support"_a, py::kw_only(), "policy"_a = py::none(),
        "R6: lasting housing AND (CDI, CDD >= 6 months or qualifying training).");
    m.def(
        "is_lasting_housing",
        [](HousingType type, const py::object& policy) {
            return ctai::is_lasting_housing(type, policy_arg(policy));
        },
        "type"_a, py::kw_only(), "policy"_a = py::none(),
        "R6: whether a housing type is lasting housing under the policy.");
}

}  // namespace ctai::python
