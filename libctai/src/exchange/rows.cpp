// The cell parsers of the exchange format and the scan of a folder for its files.
//
// R9: no message built here quotes a cell, except the ids of duplicate keys and unknown
// references (ids are opaque keys chosen by the operator, not personal fields).

#include "exchange/rows.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <ctai/date.hpp>
#include <ctai/error.hpp>
#include <ctai/nationality.hpp>
#include <ctai/referrals.hpp>
#include <ctai/vocab.hpp>

namespace ctai::detail {

namespace fs = std::filesystem;

namespace {

std::string normalise_date_text(std::string_view s) {
    for (const std::string_view suffix : {" 00:00:00", " 00:00", "T00:00:00", "T00:00"}) {
        if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
            s.remove_suffix(suffix.size());
            break;
        }
    }
    const auto a = s.find('/');
    const auto b = a == std::string_view::npos ? a : s.find('/', a + 1);
    if (b != std::string_view::npos && s.find('/', b + 1) == std::string_view::npos) {
        auto d = s.substr(0, a), m = s.substr(a + 1, b - a - 1), y = s.substr(b + 1);
        if (all_digits(d) && all_digits(m) && d.size() <= 2 && m.size() <= 2 && y.size() == 4) {
            return (d.size() == 1 ? "0" : "") + std::string(d) + "/" +
                   (m.size() == 1 ? "0" : "") + std::string(m) + "/" + std::string(y);
        }
    }
    return std::string(s);
}

// Whether the text has the shape of an accepted full date (the day may still not exist).
bool full_date_shape(std::string_view s) {
    if (s.size() != 10) return false;
    if (s[4] == '-' && s[7] == '-')
        return all_digits(s.substr(0, 4)) && all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2));
    if (s[2] == '/' && s[5] == '/')
        return all_digits(s.substr(0, 2)) && all_digits(s.substr(3, 2)) && all_digits(s.substr(6, 4));
    return false;
}

std::string format_files() {
    std::string out;
    for (const auto& t : tables) {
        if (!out.empty()) out += ", ";
        out += t.file;
    }
    return out;
}

// R9, issue #21: the name of an unknown column is printed only when the first line is a
// real header (it names at least one column of the file) and the name looks like a column
// name (an ASCII letter, then letters, digits, '_', '-' or spaces, at most 40 bytes: never
// a date, a number or accented text). Otherwise — and always for a first line naming no
// known column, i.e. a file without its header whose first row is personal data — the
// column is named by its position.
bool printable_column_name(std::string_view name) {
    if (name.empty() || name.size() > 40 || !(name[0] >= 'a' && name[0] <= 'z')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ' ';
    });
}

void report_unknown_columns(const Loaded& t, const std::vector<std::string_view>& known,
                            const std::string& known_list, IssueSink& sink) {
    const auto& header = t.csv.header;
    std::size_t unknown = 0, found = 0;
    for (const auto& h : header) {
        if (h.empty()) continue;
        if (std::find(known.begin(), known.end(), h) != known.end())
            ++found;
        else
            ++unknown;
    }
    if (unknown == 0) return;
    if (found == 0)
        sink.add(t.file, 1, {},
                 "the first line does not look like a header: no column of this file is named "
                 "(expected names: " + known_list + ")");
    for (std::size_t c = 0; c < header.size(); ++c) {
        const auto& h = header[c];
        if (h.empty() || std::find(known.begin(), known.end(), h) != known.end()) continue;
        if (found != 0 && printable_column_name(h))
            sink.add(t.file, 1, h,
                     "unknown column (this file has: " + known_list + "; check the spelling)");
        else
            sink.add(t.file, 1, "column " + std::to_string(c + 1),
                     "unknown column name (not shown: it may be data; this file has: " +
                         known_list + ")");
    }
}

}  // namespace

Parsed<Date> parse_exchange_date(std::string_view text) {
    const auto s = normalise_date_text(text);
    if (!full_date_shape(s)) return {std::nullopt, "not a date (expected YYYY-MM-DD or DD/MM/YYYY)"};
    try {
        return {parse_date_lenient(s), {}};
    } catch (const ValidationError&) {
        return {std::nullopt, "not an existing calendar day (check the day and the month)"};
    }
}

Parsed<PartialDate> parse_exchange_partial_date(std::string_view text) {
    auto s = normalise_date_text(text);
    // MM/YYYY, as French spreadsheets write a month.
    if (s.size() == 7 && s[2] == '/' && all_digits(s.substr(0, 2)) && all_digits(s.substr(3, 4)))
        s = s.substr(3, 4) + "-" + s.substr(0, 2);
    const bool year_only = s.size() == 4 && all_digits(s);
    const bool year_month = s.size() == 7 && s[4] == '-' && all_digits(s.substr(0, 4)) &&
                            all_digits(s.substr(5, 2));
    if (!year_only && !year_month && !full_date_shape(s))
        return {std::nullopt,
                "not a date (expected YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY)"};
    try {
        return {parse_partial_date(s), {}};
    } catch (const ValidationError&) {
        return {std::nullopt, "not an existing calendar day or month (check the day and the month)"};
    }
}

// A decimal number: '.' or ',' as decimal mark, spaces (also no-break spaces) as thousands
// separators, as French spreadsheets write "180 000,50".
std::optional<double> parse_number(std::string_view text) {
    std::string s;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t') continue;
        if (text.substr(i, 2) == "\xC2\xA0") { ++i; continue; }
        if (text.substr(i, 3) == "\xE2\x80\xAF") { i += 2; continue; }
        s += c;
    }
    if (s.find('.') == std::string::npos && std::count(s.begin(), s.end(), ',') == 1)
        std::replace(s.begin(), s.end(), ',', '.');
    if (s.empty() || s[0] == '+') return std::nullopt;
    double v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<int> parse_int(std::string_view s) {
    int v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string encoding_name(TextEncoding e) {
    switch (e) {
        case TextEncoding::utf8: return "utf-8";
        case TextEncoding::utf8_bom: return "utf-8-bom";
        case TextEncoding::windows_1252: return "windows-1252";
    }
    return "utf-8";
}

std::array<Loaded, table_count> scan_folder(const fs::path& dir, IssueSink& sink,
                                            std::vector<ImportIssue>& warnings) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw ValidationError("'" + dir.string() + "' is not a folder", {}, dir.filename().string());
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec))
            files.push_back(it->path());
        else if (file_rank(it->path().filename().string()) < table_count)
            warnings.push_back({it->path().filename().string(), 0, {},
                                "not a regular file: ignored, its table is left as it was", {}});
    if (ec)
        throw ValidationError("cannot list the folder '" + dir.string() + "': " + ec.message(), {},
                              dir.filename().string());
    std::sort(files.begin(), files.end());

    std::array<Loaded, table_count> out;
    for (std::size_t i = 0; i < table_count; ++i) {
        out[i].spec = &tables[i];
        out[i].file = std::string(tables[i].file);
    }
    for (const auto& path : files) {
        const auto name = path.filename().string();
        const auto lower = lower_ascii(name);
        if (name.starts_with(".") || name.starts_with("~$")) {
            warnings.push_back({name, 0, {}, "ignored (hidden or lock file)", {}});
            continue;
        }
        if (lower == "settings.json") continue;  // the store's settings: settings_io.cpp (R10)
        if (!lower.ends_with(".csv")) {
            warnings.push_back({name, 0, {}, "ignored (not a .csv file)", {}});
            continue;
        }
        const auto rank = file_rank(name);
        if (rank == table_count) {
            sink.add(name, 0, {}, "unknown file: the exchange format has " + format_files() +
                                      " (check the spelling of the file name)");
            continue;
        }
        auto& t = out[rank];
        if (t.present) {
            sink.add(name, 0, {}, "a second file for table " + std::string(t.spec->name) +
                                      " (also '" + t.file + "'): keep only one");
            continue;
        }
        t.present = true;
        t.file = name;
        try {
            t.csv = read_csv_file(path);
        } catch (const ValidationError& e) {
            sink.add(name, e.line(), e.field(), e.what());
            continue;
        }
        const CsvColumns cols(t.csv);
        bool usable = true;
        for (const auto& c : t.spec->columns) {
            t.index.push_back(cols.find(c.name));
            if (c.required && !t.index.back()) {
                sink.add(name, 1, std::string(c.name), "missing required column");
                usable = false;
            }
        }
        std::vector<std::string_view> known;
        for (const auto& c : t.spec->columns) known.push_back(c.name);
        std::string known_list;
        for (const auto k : known) known_list += (known_list.empty() ? "" : ", ") + std::string(k);
        report_unknown_columns(t, known, known_list, sink);
        for (std::size_t c = 0; c < t.csv.header.size(); ++c) {
            if (!t.csv.header[c].empty()) continue;
            const bool has_data = std::any_of(t.csv.rows.begin(), t.csv.rows.end(),
                                              [c](const CsvRow& r) { return !cell(r, c).empty(); });
            if (has_data)
                warnings.push_back({name, 1, {},
                                    "column " + std::to_string(c + 1) +
                                        " has no name and was ignored, although it holds data",
                                    {}});
        }
        t.usable = usable;
    }
    return out;
}

}  // namespace ctai::detail
