#pragma once
// Private to the storage layer: the pieces of the audit encodings of the records. Each table
// file (persons_table.cpp, journeys_table.cpp, ...) owns its record's encoding, written twice
// to the same text: as a DOM (to_json, store_impl.hpp) for the diff of an update, and as flat
// text (FlatJson) for the inserts of a bulk load, which builds no DOM per row.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/store_impl.hpp"

namespace ctai::detail {

inline Json date_json(const std::optional<Date>& d) { return d ? Json(to_iso(*d)) : Json(); }
inline Json date_json(Date d) { return Json(to_iso(d)); }
template <class E>
Json enum_json(const std::optional<E>& e) {
    return e ? Json(std::string(to_string(*e))) : Json();
}
template <class T>
Json opt_json(const std::optional<T>& v) {
    return v ? Json(*v) : Json();
}

inline std::string join(const std::vector<std::string>& v, char sep) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

// The audit JSON of the bulk path, written by hand: the same text as nlohmann's dump() of
// to_json() (compact, same key order, same escapes), without building a DOM per row.
class FlatJson {
public:
    std::string out;
    void begin_object() {
        comma();
        out += '{';
        first_ = true;
    }
    void end_object() { out += '}'; first_ = false; }
    void begin_array() {
        comma();
        out += '[';
        first_ = true;
    }
    void end_array() { out += ']'; first_ = false; }
    FlatJson& key(std::string_view k) {
        comma();
        out += '"';
        out += k;
        out += "\":";
        first_ = true;  // the value follows without a comma
        return *this;
    }
    void str(std::string_view v) {
        comma();
        for (const char c : v)
            if (static_cast<unsigned char>(c) >= 0x80) {  // UTF-8: nlohmann validates it (and throws on bad bytes)
                out += Json(std::string(v)).dump();
                return;
            }
        out += '"';
        for (const char ch : v) {
            switch (ch) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (const auto u = static_cast<unsigned char>(ch); u <= 0x1F) {
                        static constexpr char hex[] = "0123456789abcdef";
                        out += "\\u00";
                        out += hex[u >> 4];
                        out += hex[u & 0xF];
                    } else {
                        out += ch;
                    }
            }
        }
        out += '"';
    }
    void null() { comma(); out += "null"; }
    void integer(std::int64_t v) { comma(); out += std::to_string(v); }
    void date(Date d) {
        comma();
        out += '"';
        out += to_iso(d);
        out += '"';
    }
    void date(const std::optional<Date>& d) { d ? date(*d) : null(); }
    void opt_str(const std::optional<std::string>& v) { v ? str(*v) : null(); }
    template <class E>
    void enumv(E e) { str(to_string(e)); }
    template <class E>
    void opt_enum(const std::optional<E>& e) { e ? enumv(*e) : null(); }

private:
    void comma() {
        if (!first_) out += ',';
        first_ = false;
    }
    bool first_ = true;
};

}  // namespace ctai::detail
