#pragma once
// Reading the cells of one exchange file (internal to libctai): the cell parsers, the
// files found in a folder (Loaded) and RowReader, which reads the values of one row and
// records every problem at its line.
//
// R9: no message built here quotes a cell, except the ids of duplicate keys and unknown
// references (ids are opaque keys chosen by the operator, not personal fields).

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/vocab.hpp>

#include "exchange/csv.hpp"
#include "exchange/guards.hpp"
#include "exchange/read.hpp"

namespace ctai::detail {

template <class T>
struct Parsed {
    std::optional<T> value;
    std::string error;
};

inline std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Excel variants of a date: a midnight time after the date ("2024-03-01 00:00:00") and
// single-digit day or month ("1/3/2024") are brought back to the two accepted forms.

// Position of a file name in the format (files of the format first, in format order).
inline std::size_t file_rank(const std::string& file) {
    const auto lower = lower_ascii(file);
    for (std::size_t i = 0; i < table_count; ++i)
        if (tables[i].file == lower) return i;
    return table_count;
}

Parsed<Date> parse_exchange_date(std::string_view text);
Parsed<PartialDate> parse_exchange_partial_date(std::string_view text);
std::optional<double> parse_number(std::string_view text);
std::optional<int> parse_int(std::string_view s);

template <class E>
std::string expected_codes() {
    std::string out = "expected one of: ";
    bool first = true;
    for (const auto name : enum_names<E>()) {
        if (!first) out += ", ";
        out += name;
        first = false;
    }
    return out;
}

inline std::string quoted_id(std::string_view id) { return "'" + std::string(id) + "'"; }

// ---- tables --------------------------------------------------------------------------------

struct Loaded {
    const TableSpec* spec = nullptr;
    std::string file;
    bool present = false;
    /// Parsed and every required column present: the rows can be read.
    bool usable = false;
    CsvTable csv;
    /// Column index in the CSV of each column of spec->columns.
    std::vector<std::optional<std::size_t>> index;
};

// Reads the values of one row, recording every problem at this row's line.
class RowReader {
public:
    RowReader(const Loaded& t, const CsvRow& row, IssueSink& sink)
        : t_(t), row_(row), sink_(sink) {
        for (std::size_t i = 0; i < t.spec->columns.size(); ++i)
            if (t.spec->columns[i].required && cell_at(i).empty())
                error(t.spec->columns[i].name, "missing value (this column must be filled)");
        check_cells();
    }

    bool ok() const noexcept { return ok_; }
    long line() const noexcept { return row_.line; }

    void error(std::string_view column, std::string message) {
        sink_.add(t_.file, row_.line, std::string(column), std::move(message));
        ok_ = false;
    }

    std::string_view cell(std::string_view column) const { return cell_at(pos(column)); }
    std::string text(std::string_view column) const { return std::string(cell(column)); }
    std::optional<std::string> opt_text(std::string_view column) const {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        return std::string(c);
    }

    std::optional<Date> date(std::string_view column) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        auto p = parse_exchange_date(c);
        if (!p.value) error(column, std::move(p.error));
        if (p.value && !plausible_year(column, p.value->year())) return std::nullopt;
        return p.value;
    }

    std::optional<PartialDate> partial_date(std::string_view column) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        auto p = parse_exchange_partial_date(c);
        if (!p.value) error(column, std::move(p.error));
        if (p.value && !plausible_year(column, p.value->first.year())) return std::nullopt;
        return p.value;
    }

    /// A closed vocabulary, any case.
    template <class E>
    std::optional<E> vocab(std::string_view column) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        auto v = try_from_string<E>(lower_ascii(c));
        if (!v) error(column, "unknown value (" + expected_codes<E>() + ")");
        return v;
    }

    std::optional<int> integer(std::string_view column, int lo, int hi) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        const auto v = parse_int(c);
        if (!v || *v < lo || *v > hi) {
            error(column, "not a whole number from " + std::to_string(lo) +
                              (hi == std::numeric_limits<int>::max() ? " up"
                                                                      : " to " + std::to_string(hi)));
            return std::nullopt;
        }
        return v;
    }

    std::optional<double> number(std::string_view column) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        const auto v = parse_number(c);
        if (!v || *v < 0 || *v > max_number) {
            error(column, "not a number from 0 to 1000000000 (e.g. 1.5 or 1,5)");
            return std::nullopt;
        }
        return v;
    }

    std::optional<bool> flag(std::string_view column) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        if (c == "0") return false;
        if (c == "1") return true;
        error(column, "expected 0 or 1");
        return std::nullopt;
    }

    /// `later` must not be before `earlier` (both optional).
    void not_before(std::optional<Date> later, std::string_view later_column,
                    std::optional<Date> earlier, std::string_view earlier_column) {
        if (later && earlier && *later < *earlier)
            error(later_column, "is before " + std::string(earlier_column));
    }

private:
    // Issue #21: every identifier is printable ASCII of a sane length, every cell of a
    // sane length (no message quotes the cell).
    void check_cells() {
        for (std::size_t i = 0; i < t_.spec->columns.size(); ++i) {
            const auto name = t_.spec->columns[i].name;
            const auto c = cell_at(i);
            if (c.empty()) continue;
            if (is_id_column(name)) {
                if (auto problem = identifier_problem(c); !problem.empty())
                    error(name, std::move(problem));
            } else if (c.size() > max_text_bytes) {
                error(name, "value too long (" + std::to_string(c.size()) + " bytes; at most " +
                                std::to_string(max_text_bytes) + ")");
            }
        }
    }
    static bool is_id_column(std::string_view name) {
        return name.ends_with("_id") || name == "rejoining_family_of";
    }
    bool plausible_year(std::string_view column, int year) {
        if (year >= min_year && year <= max_year) return true;
        error(column, "date outside the accepted range " + std::to_string(min_year) +
                          "-01-01 to " + std::to_string(max_year) + "-12-31");
        return false;
    }
    std::size_t pos(std::string_view column) const {
        for (std::size_t i = 0; i < t_.spec->columns.size(); ++i)
            if (t_.spec->columns[i].name == column) return i;
        throw std::logic_error("exchange: no column " + std::string(column));
    }
    // A cell that export_dir protected against formula injection reads back as written.
    std::string_view cell_at(std::size_t i) const {
        return strip_formula_guard(detail::cell(row_, t_.index[i]));
    }

    const Loaded& t_;
    const CsvRow& row_;
    IssueSink& sink_;
    bool ok_ = true;
};

std::string encoding_name(TextEncoding e);

// Finds the files of the format in `dir`.
std::array<Loaded, table_count> scan_folder(const std::filesystem::path& dir, IssueSink& sink,
                                            std::vector<ImportIssue>& warnings);

}  // namespace ctai::detail
