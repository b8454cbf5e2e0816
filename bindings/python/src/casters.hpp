#pragma once
// pybind11 type casters shared by every bind_*.cpp:
// - ctai::Date <-> datetime.date, by the datetime C API (never pybind11/chrono.h, which goes
//   through local time and can shift a calendar date). datetime.datetime is refused with a
//   TypeError: ctai dates have no time of day. std::optional<Date> <-> date | None comes
//   with pybind11/stl.h.
// - every ctai enum (those with an EnumTraits spelling table) <-> the Python enum.Enum
//   classes of ctai/_enums.py, whose members are `str` subclasses valued by the spellings.
//   Loading accepts a member or its spelling (an unknown spelling raises
//   ctai.ValidationError naming the vocabulary); casting returns the member, once
//   ctai/__init__.py has registered the classes (the spelling string before that).

// Python.h first (pybind11 includes it), then datetime.h.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <datetime.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/vocab.hpp>

// Every ctai enum as exposed to Python, under its C++ type name (STYLE principle 2).
#define CTAI_PY_ENUMS(X)                                                                    \
    X(Feb29) X(Boundary) X(DatePrecision) X(Tri) X(Sex) X(CirStatus) X(PermitKind) X(Motive) \
    X(ProtectionType) X(Authority) X(SituationKind) X(NationalityClass) X(PublicCategory)    \
    X(PrimoAnchor) X(AgirRecency) X(AgeReference) X(AgirPolicy) X(Need) X(ReferralSource)   \
    X(StepKind) X(ReferralStatus) X(ActivityKind) X(VolunteeringKind) X(HousingType)        \
    X(ExitActivity) X(ReferralDirection) X(ReferralStep) X(WindowKind)

namespace ctai::py_detail {

/// The datetime C API capsule is per translation unit (datetime.h defines a static pointer).
inline void ensure_datetime_api() {
    if (!PyDateTimeAPI) {
        PyDateTime_IMPORT;
        if (!PyDateTimeAPI) throw pybind11::error_already_set();
    }
}

/// Python name of a ctai enum (specialised by CTAI_PY_ENUMS below).
template <class E>
struct PyEnum;

#define CTAI_PY_ENUM_NAME(E)                                                 \
    template <>                                                              \
    struct PyEnum<ctai::E> {                                                 \
        static constexpr const char* name = #E;                              \
        static constexpr auto descr = pybind11::detail::const_name("ctai." #E); \
    };
CTAI_PY_ENUMS(CTAI_PY_ENUM_NAME)
#undef CTAI_PY_ENUM_NAME

template <class E>
inline constexpr bool is_ctai_enum = std::is_enum_v<E> && requires { EnumTraits<E>::names; };

/// The members of the Python class of E, indexed by the C++ value (strong references,
/// intentionally never released: they live as long as the interpreter).
template <class E>
std::vector<PyObject*>& enum_members() {
    static std::vector<PyObject*> members;
    return members;
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int32_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int32_t>(doe) - 719468;
}

}  // namespace ctai::py_detail

namespace pybind11::detail {

template <>
struct type_caster<ctai::Date> {
public:
    PYBIND11_TYPE_CASTER(ctai::Date, const_name("datetime.date"));

    bool load(handle src, bool /*convert*/) {
        ctai::py_detail::ensure_datetime_api();
        PyObject* o = src.ptr();
        if (o == nullptr) return false;
        if (PyDateTime_Check(o))
            throw type_error(
                "expected a datetime.date, got a datetime.datetime: ctai dates are calendar "
                "days without time of day (use .date())");
        if (!PyDate_Check(o)) return false;
// CPython's accessor macros use C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
        const int y = PyDateTime_GET_YEAR(o);
        const int m = PyDateTime_GET_MONTH(o);
        const int d = PyDateTime_GET_DAY(o);
#pragma GCC diagnostic pop
        value = ctai::Date::from_days(ctai::py_detail::days_from_civil(
            y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
        return true;
    }

    static handle cast(ctai::Date d, return_value_policy /*policy*/, handle /*parent*/) {
        ctai::py_detail::ensure_datetime_api();
        const auto ymd = d.ymd();
        const int y = static_cast<int>(ymd.year());
        if (y < 1 || y > 9999)
            throw value_error("date outside the range of datetime.date (years 1 to 9999)");
        return PyDate_FromDate(y, static_cast<int>(static_cast<unsigned>(ymd.month())),
                               static_cast<int>(static_cast<unsigned>(ymd.day())));
    }
};

// Opt the ctai enums out of pybind11's own enum caster.
template <class E>
struct type_caster_enum_type_enabled<E, enable_if_t<ctai::py_detail::is_ctai_enum<E>>>
    : std::false_type {};

template <class E>
struct type_caster<E, enable_if_t<ctai::py_detail::is_ctai_enum<E>>> {
public:
    PYBIND11_TYPE_CASTER(E, ctai::py_detail::PyEnum<E>::descr);

    bool load(handle src, bool /*convert*/) {
        // Members of the Python enums are str subclasses: their text is the spelling.
        if (!src || !PyUnicode_Check(src.ptr())) return false;
        Py_ssize_t size = 0;
        const char* text = PyUnicode_AsUTF8AndSize(src.ptr(), &size);
        if (text == nullptr) throw error_already_set();
        value = ctai::from_string<E>(std::string_view(text, static_cast<std::size_t>(size)));
        return true;
    }

    static handle cast(E v, return_value_policy /*policy*/, handle /*parent*/) {
        const auto& members = ctai::py_detail::enum_members<E>();
        const auto i = static_cast<std::size_t>(v);
        if (i < members.size()) return handle(members[i]).inc_ref();
        const std::string_view s = ctai::to_string(v);
        return PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
    }
};

}  // namespace pybind11::detail
