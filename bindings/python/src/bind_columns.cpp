// Columnar query results (columns.hpp) -> NumPy arrays without a Python object per row:
// numbers and flags are moved (zero-copy, the array owns the vector), dates are widened
// once to datetime64[D], strings are laid out as Arrow string buffers (offsets + UTF-8
// bytes), from which ctai/_columns.py builds pyarrow arrays without copying, or NumPy
// text arrays with _utf8_to_numpy.
#include <cstring>
#include <limits>

#include <ctai/columns.hpp>

#include "bindings.hpp"

namespace ctai::python {
namespace {

using namespace pybind11::literals;

template <class Offset>
py::tuple string_buffers(const std::vector<std::string>& v, std::size_t total) {
    py::array_t<Offset> offsets(static_cast<py::ssize_t>(v.size() + 1));
    py::array_t<std::uint8_t> data(static_cast<py::ssize_t>(total));
    Offset* o = offsets.mutable_data();
    auto* d = reinterpret_cast<char*>(data.mutable_data());
    {
        py::gil_scoped_release nogil;
        Offset at = 0;
        o[0] = 0;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].empty()) std::memcpy(d + at, v[i].data(), v[i].size());
            at = static_cast<Offset>(at + static_cast<Offset>(v[i].size()));
            o[i + 1] = at;
        }
    }
    return py::make_tuple(offsets, data);
}

/// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes give U+FFFD.
char32_t next_code_point(const unsigned char* s, std::size_t n, std::size_t& i) {
    const unsigned char c = s[i++];
    if (c < 0x80) return c;
    int extra = 0;
    char32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07u;
    } else {
        return 0xFFFD;
    }
    for (int k = 0; k < extra; ++k) {
        if (i >= n || (s[i] & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (s[i++] & 0x3Fu);
    }
    return cp;
}

template <class Offset>
py::array utf8_to_numpy(const py::array_t<Offset, py::array::c_style>& offsets,
                        const py::array_t<std::uint8_t, py::array::c_style>& data) {
    const auto n = static_cast<std::size_t>(offsets.size() > 0 ? offsets.size() - 1 : 0);
    const Offset* o = offsets.data();
    const unsigned char* d = data.data();
    const auto size = static_cast<std::size_t>(data.size());
    std::size_t width = 1;
    {
        py::gil_scoped_release nogil;
        for (std::size_t r = 0; r < n; ++r) {
            std::size_t count = 0;
            for (auto i = static_cast<std::size_t>(o[r]); i < static_cast<std::size_t>(o[r + 1]);
                 ++i)
                count += (d[i] & 0xC0) != 0x80;
            width = std::max(width, count);
        }
    }
    py::array out(py::dtype("U" + std::to_string(width)),
                  std::vector<py::ssize_t>{static_cast<py::ssize_t>(n)});
    auto* u = static_cast<char32_t*>(out.mutable_data());
    {
        py::gil_scoped_release nogil;
        std::memset(u, 0, n * width * sizeof(char32_t));
        for (std::size_t r = 0; r < n; ++r) {
            std::size_t i = static_cast<std::size_t>(o[r]);
            const std::size_t end = std::min(static_cast<std::size_t>(o[r + 1]), size);
            char32_t* row = u + r * width;
            for (std::size_t k = 0; i < end && k < width; ++k) row[k] = next_code_point(d, end, i);
        }
    }
    return out;
}

}  // namespace

void ColumnsBuilder::date(const char* name, std::vector<std::int32_t>&& days) {
    specs_.append(py::make_tuple(name, "date", py::none()));
    data_[name] = datetime64_from_days(days, no_date);
    days = {};
}

void ColumnsBuilder::flag(const char* name, std::vector<std::uint8_t>&& v) {
    specs_.append(py::make_tuple(name, "bool", py::none()));
    // 0/1 bytes are valid NumPy booleans: a view, no copy.
    data_[name] = to_numpy(std::move(v)).attr("view")("bool");
}

void ColumnsBuilder::flag(const char* name, py::array_t<bool>&& v) {
    specs_.append(py::make_tuple(name, "bool", py::none()));
    data_[name] = std::move(v);
}

void ColumnsBuilder::int32(const char* name, std::vector<std::int32_t>&& v) {
    specs_.append(py::make_tuple(name, "int32", py::none()));
    data_[name] = to_numpy(std::move(v));
}

void ColumnsBuilder::float64(const char* name, std::vector<double>&& v) {
    specs_.append(py::make_tuple(name, "float64", py::none()));
    data_[name] = to_numpy(std::move(v));
}

void ColumnsBuilder::category(const char* name, const char* vocabulary,
                              std::vector<std::uint8_t>&& codes) {
    specs_.append(py::make_tuple(name, "category", vocabulary));
    data_[name] = to_numpy(std::move(codes));
}

void ColumnsBuilder::string(const char* name, std::vector<std::string>&& v) {
    specs_.append(py::make_tuple(name, "string", py::none()));
    std::size_t total = 0;
    for (const auto& s : v) total += s.size();
    if (total <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        data_[name] = string_buffers<std::int32_t>(v, total);
    else
        data_[name] = string_buffers<std::int64_t>(v, total);
    v = {};
}

void ColumnsBuilder::string(const char* name, StringColumn&& v) {
    specs_.append(py::make_tuple(name, "string", py::none()));
    auto* bytes = new std::string(std::move(v.bytes));
    py::capsule owner(bytes, [](void* p) { delete static_cast<std::string*>(p); });
    py::array_t<std::uint8_t> data({static_cast<py::ssize_t>(bytes->size())}, {sizeof(std::uint8_t)},
                                   reinterpret_cast<const std::uint8_t*>(bytes->data()), owner);
    data_[name] = py::make_tuple(to_numpy(std::move(v.offsets)), data);
    v = {};
}

void ColumnsBuilder::category(const char* name, const char* vocabulary,
                              py::array_t<std::uint8_t>&& codes) {
    specs_.append(py::make_tuple(name, "category", vocabulary));
    data_[name] = std::move(codes);
}

py::tuple ColumnsBuilder::finish() { return py::make_tuple(specs_, data_); }

void bind_columns(py::module_& m) {
    m.def("_utf8_to_numpy", &utf8_to_numpy<std::int32_t>, "offsets"_a, "data"_a,
          "Arrow string buffers (offsets, UTF-8 bytes) -> a NumPy fixed-width text array "
          "(dtype 'U<n>'), decoded in C++ without a Python object per row.");
    m.def("_utf8_to_numpy", &utf8_to_numpy<std::int64_t>, "offsets"_a, "data"_a);
}

}  // namespace ctai::python
