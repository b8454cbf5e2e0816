// Internal to libctai: the one `split` of the library (codecs, exchange, storage).
#pragma once

#include <string_view>
#include <vector>

namespace ctai::detail {

/// The parts of `s` between the separators, empty parts included: "a||b" gives "a", "",
/// "b"; "a|" gives "a", ""; the empty string gives no part.
inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    if (s.empty()) return out;
    for (;;) {
        const auto pos = s.find(sep);
        out.push_back(s.substr(0, pos));
        if (pos == std::string_view::npos) break;
        s.remove_prefix(pos + 1);
    }
    return out;
}

/// `s` without the leading and trailing characters of `blanks`.
inline std::string_view trim(std::string_view s, std::string_view blanks = " \t") {
    while (!s.empty() && blanks.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
    while (!s.empty() && blanks.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
    return s;
}

}  // namespace ctai::detail
