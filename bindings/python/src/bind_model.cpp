// The case-file records (model.hpp) cross the boundary as the Python dataclasses of
// ctai/_model.py (Person, Permit, Protection, Situation, PersonCase, AgirSupport): read
// here field by field into the C++ structs, and built back from dicts. The classes are
// registered by ctai/__init__.py (bind_registry.cpp).
#include <map>
#include <string>

#include <ctai/date.hpp>
#include <ctai/model.hpp>
#include <ctai/nationality.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

py::object make(const char* cls, const py::dict& fields) { return registered(cls)(**fields); }

std::string type_name(py::handle h) {
    return py::str(py::type::handle_of(h).attr("__name__"));
}

template <class T>
T field(py::handle obj, const char* cls, const char* name) {
    if (!py::hasattr(obj, name))
        throw py::type_error(std::string("expected a ctai.") + cls + ", got " + type_name(obj));
    const py::object value = obj.attr(name);
    try {
        return value.cast<T>();
    } catch (const py::cast_error&) {
        throw py::type_error(std::string(cls) + "." + name + ": unexpected " + type_name(value));
    }
}

template <class Id>
std::optional<Id> optional_id(py::handle obj, const char* cls, const char* name) {
    auto s = field<std::optional<std::string>>(obj, cls, name);
    if (!s) return std::nullopt;
    return Id{std::move(*s)};
}

template <class T, class F>
std::vector<T> list_of(py::handle obj, const char* cls, const char* name, F&& convert) {
    const py::object value = obj.attr(name);
    if (!py::isinstance<py::sequence>(value) || py::isinstance<py::str>(value))
        throw py::type_error(std::string(cls) + "." + name + ": expected a list, got " +
                             type_name(value));
    std::vector<T> out;
    for (py::handle item : value) out.push_back(convert(item));
    return out;
}

std::optional<PartialDate> birth_date_from(py::handle obj) {
    const py::object b = obj.attr("birth_date");
    if (b.is_none()) return std::nullopt;
    if (py::isinstance<py::str>(b)) return parse_partial_date(b.cast<std::string>());
    return PartialDate{field<Date>(obj, "Person", "birth_date"), DatePrecision::day};
}

py::object birth_date_to_python(const std::optional<PartialDate>& b) {
    if (!b) return py::none();
    if (b->precision == DatePrecision::day) return py::cast(b->first);
    return py::str(to_string(*b));
}

template <class Id>
py::object id_or_none(const std::optional<Id>& id) {
    return id ? py::object(py::str(id->str())) : py::object(py::none());
}

Permit permit_from(py::handle o) {
    return {field<PermitKind>(o, "Permit", "kind"), field<Motive>(o, "Permit", "motive"),
            field<Date>(o, "Permit", "valid_from"),
            field<std::optional<Date>>(o, "Permit", "valid_to")};
}

Protection protection_from(py::handle o) {
    return {field<ProtectionType>(o, "Protection", "type"),
            field<Authority>(o, "Protection", "authority"),
            field<Date>(o, "Protection", "decision_date"),
            field<std::optional<Date>>(o, "Protection", "notification_date"),
            field<std::optional<Date>>(o, "Protection", "displaced_on"),
            field<std::optional<Date>>(o, "Protection", "end_date")};
}

Situation situation_from(py::handle o) {
    return {field<SituationKind>(o, "Situation", "kind"), field<Date>(o, "Situation", "start"),
            field<std::optional<Date>>(o, "Situation", "end")};
}

py::dict to_dict(const DatedNationality& n) {
    return py::dict("code"_a = n.code, "acquired_on"_a = n.acquired_on, "lost_on"_a = n.lost_on);
}

py::dict to_dict(const Person& p) {
    py::list nationalities;
    for (const auto& n : p.nationalities) nationalities.append(n);
    return py::dict("id"_a = p.id.str(), "sex"_a = p.sex,
                    "birth_date"_a = birth_date_to_python(p.birth_date),
                    "nationalities"_a = nationalities, "household_id"_a = id_or_none(p.household_id),
                    "department"_a = p.department, "cir_status"_a = p.cir_status,
                    "cir_date"_a = p.cir_date,
                    "rejoining_family_of"_a = id_or_none(p.rejoining_family_of),
                    "last_contact"_a = p.last_contact);
}

py::dict to_dict(const Permit& p) {
    return py::dict("kind"_a = p.kind, "motive"_a = p.motive, "valid_from"_a = p.valid_from,
                    "valid_to"_a = p.valid_to);
}

py::dict to_dict(const Protection& p) {
    return py::dict("type"_a = p.type, "authority"_a = p.authority,
                    "decision_date"_a = p.decision_date,
                    "notification_date"_a = p.notification_date,
                    "displaced_on"_a = p.displaced_on, "end_date"_a = p.end_date);
}

py::dict to_dict(const Situation& s) {
    return py::dict("kind"_a = s.kind, "start"_a = s.start, "end"_a = s.end);
}

py::dict to_dict(const AgirSupport& s) {
    return py::dict("person_id"_a = s.person_id.str(), "orientation_date"_a = s.orientation_date,
                    "entry_date"_a = s.entry_date, "exit_date"_a = s.exit_date,
                    "exit_housing"_a = s.exit_housing, "exit_activity"_a = s.exit_activity,
                    "cdd_months"_a = s.cdd_months);
}

}  // namespace

DatedNationality dated_nationality_from(py::handle o) {
    return {normalize_nationality(field<std::string>(o, "DatedNationality", "code")),
            field<std::optional<Date>>(o, "DatedNationality", "acquired_on"),
            field<std::optional<Date>>(o, "DatedNationality", "lost_on")};
}

Person person_from(py::handle o) {
    Person p;
    p.id = PersonId{field<std::string>(o, "Person", "id")};
    p.sex = field<Sex>(o, "Person", "sex");
    p.birth_date = birth_date_from(o);
    for (const auto& code : field<std::vector<std::string>>(o, "Person", "nationalities"))
        p.nationalities.push_back(normalize_nationality(code));
    p.household_id = optional_id<HouseholdId>(o, "Person", "household_id");
    p.department = field<std::string>(o, "Person", "department");
    p.cir_status = field<CirStatus>(o, "Person", "cir_status");
    p.cir_date = field<std::optional<Date>>(o, "Person", "cir_date");
    p.rejoining_family_of = optional_id<PersonId>(o, "Person", "rejoining_family_of");
    p.last_contact = field<std::optional<Date>>(o, "Person", "last_contact");
    return p;
}

PersonCase person_case_from(py::handle o) {
    if (!py::hasattr(o, "person"))
        throw py::type_error("expected a ctai.PersonCase, got " + type_name(o));
    PersonCase c;
    c.person = person_from(o.attr("person"));
    c.permits = list_of<Permit>(o, "PersonCase", "permits", permit_from);
    c.protections = list_of<Protection>(o, "PersonCase", "protections", protection_from);
    c.situations = list_of<Situation>(o, "PersonCase", "situations", situation_from);
    // R1: dated nationalities (a PersonCase of an older caller without the field has none).
    if (py::hasattr(o, "nationalities"))
        c.nationalities = list_of<DatedNationality>(o, "PersonCase", "nationalities",
                                                    dated_nationality_from);
    return c;
}

AgirSupport agir_support_from(py::handle o) {
    AgirSupport s;
    s.person_id = PersonId{field<std::string>(o, "AgirSupport", "person_id")};
    s.orientation_date = field<Date>(o, "AgirSupport", "orientation_date");
    s.entry_date = field<std::optional<Date>>(o, "AgirSupport", "entry_date");
    s.exit_date = field<std::optional<Date>>(o, "AgirSupport", "exit_date");
    s.exit_housing = field<std::optional<HousingType>>(o, "AgirSupport", "exit_housing");
    s.exit_activity = field<std::optional<ExitActivity>>(o, "AgirSupport", "exit_activity");
    s.cdd_months = field<std::optional<int>>(o, "AgirSupport", "cdd_months");
    return s;
}

py::object to_python(const Person& p) { return make("Person", to_dict(p)); }

py::object to_python(const PersonCase& c) {
    py::list permits, protections, situations;
    for (const auto& p : c.permits) permits.append(make("Permit", to_dict(p)));
    for (const auto& p : c.protections) protections.append(make("Protection", to_dict(p)));
    for (const auto& s : c.situations) situations.append(make("Situation", to_dict(s)));
    py::list nationalities;
    for (const auto& n : c.nationalities) nationalities.append(make("DatedNationality", to_dict(n)));
    return make("PersonCase", py::dict("person"_a = to_python(c.person), "permits"_a = permits,
                                       "protections"_a = protections,
                                       "situations"_a = situations,
                                       "nationalities"_a = nationalities));
}

py::object to_python(const AgirSupport& s) { return make("AgirSupport", to_dict(s)); }

py::object to_python(const DatedNationality& n) { return make("DatedNationality", to_dict(n)); }

void bind_model(py::module_& m) {
    m.def(
        "_model_defaults",
        [] {
            return py::dict("Person"_a = to_dict(Person{}), "Permit"_a = to_dict(Permit{}),
                            "Protection"_a = to_dict(Protection{}),
                            "Situation"_a = to_dict(Situation{}),
                            "AgirSupport"_a = to_dict(AgirSupport{}));
        },
        "Field values of default-constructed C++ records (the defaults of the optional "
        "fields of the Python dataclasses).");
    m.def(
        "_roundtrip_case", [](py::handle c) { return to_python(person_case_from(c)); }, "case"_a,
        "PersonCase -> C++ -> PersonCase (tests the conversions).");
    m.def(
        "_roundtrip_agir_support", [](py::handle s) { return to_python(agir_support_from(s)); },
        "support"_a, "AgirSupport -> C++ -> AgirSupport (tests the conversions).");
}

}  // namespace ctai::python
