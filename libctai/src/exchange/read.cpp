// Reading an exchange folder (interfaces.md section 1) into validated domain values, with
// every error of the folder collected at its file, line and column.
//
// R9: no message built here quotes a cell, except the ids of duplicate keys and unknown
// references (ids are opaque keys chosen by the operator, not personal fields).

#include "exchange/read.hpp"

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

#include "exchange/csv.hpp"

namespace ctai {

namespace fs = std::filesystem;

// ---- public helpers of exchange.hpp --------------------------------------------------------

std::string to_string(const ImportIssue& issue) {
    std::string out = issue.file;
    if (issue.line > 0) out += ":" + std::to_string(issue.line);
    out += ": ";
    if (!issue.column.empty()) out += issue.column + ": ";
    out += issue.message;
    return out;
}

namespace {

constexpr std::size_t max_listed_issues = 1000;

std::string list_issues(const std::vector<ImportIssue>& issues) {
    std::string out = issues.size() == 1 ? "1 error in the exchange folder (nothing imported):"
                                         : std::to_string(issues.size()) +
                                               " errors in the exchange folder (nothing imported):";
    std::size_t n = 0;
    for (const auto& issue : issues) {
        if (n++ == max_listed_issues) {
            out += "\n... and " + std::to_string(issues.size() - max_listed_issues) + " more";
            break;
        }
        out.append("\n").append(to_string(issue));  // not `"\n" + ...`: g++ 12 -O3 -Wrestrict
    }
    return out;
}

ImportIssue first_or_empty(const std::vector<ImportIssue>& issues) {
    return issues.empty() ? ImportIssue{} : issues.front();
}

}  // namespace

ImportError::ImportError(std::vector<ImportIssue> issues)
    : ValidationError(list_issues(issues), first_or_empty(issues).column,
                      first_or_empty(issues).file, first_or_empty(issues).line),
      issues_(std::move(issues)) {}

std::size_t ImportSummary::changed() const noexcept {
    std::size_t n = 0;
    for (const auto& t : tables) n += t.changed;
    return n;
}

std::size_t ImportSummary::rows_read() const noexcept {
    std::size_t n = 0;
    for (const auto& t : tables) n += t.rows_read;
    return n;
}

const TableSummary& ImportSummary::table(std::string_view name) const {
    for (const auto& t : tables)
        if (t.table == name) return t;
    throw NotFoundError("no table '" + std::string(name) + "' in the exchange format", "table",
                        std::string(name));
}

namespace detail {

// ---- issues ------------------------------------------------------------------------------

void IssueSink::add(std::string file, long line, std::string column, std::string message,
                    std::string rule) {
    issues_.push_back(ImportIssue{std::move(file), line, std::move(column), std::move(message),
                                  std::move(rule)});
}

namespace {

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Position of a file name in the format (files of the format first, in format order).
std::size_t file_rank(const std::string& file) {
    const auto lower = lower_ascii(file);
    for (std::size_t i = 0; i < table_count; ++i)
        if (tables[i].file == lower) return i;
    return table_count;
}

}  // namespace

std::vector<ImportIssue> IssueSink::sorted() const {
    std::vector<ImportIssue> out = issues_;
    std::stable_sort(out.begin(), out.end(), [](const ImportIssue& a, const ImportIssue& b) {
        return std::make_tuple(file_rank(a.file), std::string_view(a.file), a.line) <
               std::make_tuple(file_rank(b.file), std::string_view(b.file), b.line);
    });
    return out;
}

namespace {

// ---- cell parsers ------------------------------------------------------------------------

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Excel variants of a date: a midnight time after the date ("2024-03-01 00:00:00") and
// single-digit day or month ("1/3/2024") are brought back to the two accepted forms.
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

// A parse result: the value, or the message of an error (never quoting the text).
template <class T>
struct Parsed {
    std::optional<T> value;
    std::string error;
};

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

std::string quoted_id(std::string_view id) { return "'" + std::string(id) + "'"; }

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
        return p.value;
    }

    std::optional<PartialDate> partial_date(std::string_view column) {
        const auto c = cell(column);
        if (c.empty()) return std::nullopt;
        auto p = parse_exchange_partial_date(c);
        if (!p.value) error(column, std::move(p.error));
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
        if (!v || *v < 0) error(column, "not a number of 0 or more (e.g. 1.5 or 1,5)");
        return v && *v >= 0 ? v : std::nullopt;
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
    std::size_t pos(std::string_view column) const {
        for (std::size_t i = 0; i < t_.spec->columns.size(); ++i)
            if (t_.spec->columns[i].name == column) return i;
        throw std::logic_error("exchange: no column " + std::string(column));
    }
    std::string_view cell_at(std::size_t i) const { return detail::cell(row_, t_.index[i]); }

    const Loaded& t_;
    const CsvRow& row_;
    IssueSink& sink_;
    bool ok_ = true;
};

std::string encoding_name(TextEncoding e) {
    switch (e) {
        case TextEncoding::utf8: return "utf-8";
        case TextEncoding::utf8_bom: return "utf-8-bom";
        case TextEncoding::windows_1252: return "windows-1252";
    }
    return "utf-8";
}

std::string format_files() {
    std::string out;
    for (const auto& t : tables) {
        if (!out.empty()) out += ", ";
        out += t.file;
    }
    return out;
}

// Finds the files of the format in `dir`.
std::array<Loaded, table_count> scan_folder(const fs::path& dir, IssueSink& sink,
                                            std::vector<ImportIssue>& warnings) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw ValidationError("'" + dir.string() + "' is not a folder", {}, dir.filename().string());
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) files.push_back(it->path());
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
        for (const auto& unknown : cols.unknown(known))
            sink.add(name, 1, unknown,
                     "unknown column (this file has: " + known_list + "; check the spelling)");
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

// Keys seen in a file: key -> first line.
class KeySet {
public:
    /// Records `key` at `line`; returns the line of the first occurrence if it was seen.
    std::optional<long> insert(const std::string& key, long line) {
        const auto [it, fresh] = first_.emplace(key, line);
        if (fresh) return std::nullopt;
        return it->second;
    }
    bool contains(const std::string& key) const { return first_.count(key) != 0; }

private:
    std::unordered_map<std::string, long> first_;
};

// A record with its line and whether it is kept for writing.
template <class T>
struct Rows {
    std::vector<T> items;
    std::vector<long> lines;
    std::vector<bool> keep;
    std::size_t add(T item, long line, bool ok) {
        items.push_back(std::move(item));
        lines.push_back(line);
        keep.push_back(ok);
        return items.size() - 1;
    }
};

template <class T>
void compact(Rows<T>& rows, std::vector<T>& out, std::vector<long>& lines) {
    for (std::size_t i = 0; i < rows.items.size(); ++i) {
        if (!rows.keep[i]) continue;
        out.push_back(std::move(rows.items[i]));
        lines.push_back(rows.lines[i]);
    }
}

std::string composite(std::initializer_list<std::string_view> parts) {
    std::string key;
    for (const auto p : parts) {
        key += p;
        key += '\x1F';
    }
    return key;
}

// Reads the rows of every file.
class FolderReader {
public:
    FolderReader(std::array<Loaded, table_count>& loaded, const ImportOptions& options,
                 IssueSink& sink)
        : t_(loaded), options_(options), sink_(sink) {}

    void run(ReadResult& out) {
        read_persons();
        read_permits();
        read_protections();
        read_situations();
        read_journeys();
        read_steps();
        read_agir();
        read_referrals();
        read_activities();
        read_participations();
        read_volunteering();
        read_housing();
        read_partnerships();
        read_costs();
        finish(out);
    }

private:
    Loaded& table(Table t) { return t_[static_cast<std::size_t>(t)]; }

    // Calls f(RowReader&) for each row of a usable table, with progress.
    template <class F>
    void for_rows(Table t, F&& f) {
        auto& l = table(t);
        if (!l.usable) return;
        const std::string stage = "read " + l.file;
        const auto total = l.csv.rows.size();
        report_progress(options_.progress, stage, 0, total);
        for (std::size_t i = 0; i < total; ++i) {
            RowReader r(l, l.csv.rows[i], sink_);
            f(r);
            if ((i + 1) % progress_every == 0) report_progress(options_.progress, stage, i + 1, total);
        }
        report_progress(options_.progress, stage, total, total);
    }

    // Whether persons.csv could be read, so that person references can be checked.
    bool persons_known() { return table(Table::persons).usable; }
    // Whether references to table `t` can be checked: it was read, or it is absent (and
    // then every reference to it is unknown). A file that could not be read is not
    // checked against, to avoid one error per referencing row.
    bool checkable(Table t) { return table(t).usable || !table(t).present; }

    // Checks a person reference; false (and an issue) when unknown.
    bool check_person(RowReader& r, std::string_view column) {
        const auto id = r.cell(column);
        if (id.empty() || !persons_known()) return true;
        if (person_index_.count(std::string(id))) return true;
        r.error(column, "unknown person_id " + quoted_id(id) + " (not in " +
                            table(Table::persons).file + ")");
        return false;
    }

    void reject_person(const std::string& id) {
        if (!id.empty()) rejected_persons_.insert(id);
    }

    void duplicate(RowReader& r, std::string_view column, std::string_view what, long first) {
        r.error(column, "duplicate " + std::string(what) + " (first on line " +
                            std::to_string(first) + ")");
    }

    // ---- persons and their lists ----

    void read_persons() {
        KeySet keys;
        for_rows(Table::persons, [&](RowReader& r) {
            PersonCase c;
            Person& p = c.person;
            const auto id = r.text("person_id");
            p.id = PersonId{id};
            if (!id.empty()) {
                if (const auto first = keys.insert(id, r.line())) {
                    duplicate(r, "person_id", "person_id " + quoted_id(id), *first);
                    reject_person(id);
                }
            }
            const auto sex = lower_ascii(r.cell("sex"));
            if (sex.empty() || sex == "unknown")
                p.sex = Sex::unknown;
            else if (sex == "f" || sex == "female")
                p.sex = Sex::female;
            else if (sex == "m" || sex == "male")
                p.sex = Sex::male;
            else
                r.error("sex", "unknown value (expected F, M or empty)");
            p.birth_date = r.partial_date("birth_date");
            read_nationalities(r, p);
            if (auto h = r.opt_text("household_id")) {
                households_.insert(*h);
                p.household_id = HouseholdId{*h};
            }
            p.department = r.text("department");
            // Excel drops the leading zero of départements 01 to 09.
            if (p.department.size() == 1 && all_digits(p.department)) p.department.insert(0, "0");
            p.cir_status = r.vocab<CirStatus>("cir_status").value_or(CirStatus::none);
            p.cir_date = r.date("cir_date");
            if (auto f = r.opt_text("rejoining_family_of")) p.rejoining_family_of = PersonId{*f};
            p.last_contact = r.date("last_contact");
            if (!r.ok()) reject_person(id);
            if (!id.empty() && !person_index_.count(id))
                person_index_.emplace(id, cases_.add(std::move(c), r.line(), r.ok()));
            else
                cases_.add(std::move(c), r.line(), false);
        });
        // rejoining_family_of must name a person of the file.
        if (!persons_known()) return;
        for (std::size_t i = 0; i < cases_.items.size(); ++i) {
            const auto& p = cases_.items[i].person;
            if (!p.rejoining_family_of) continue;
            const auto& target = p.rejoining_family_of->str();
            std::string problem;
            if (target == p.id.str())
                problem = "a person cannot rejoin themselves";
            else if (!person_index_.count(target))
                problem = "unknown person_id " + quoted_id(target) + " (not in " +
                          table(Table::persons).file + ")";
            if (problem.empty()) continue;
            sink_.add(table(Table::persons).file, cases_.lines[i], "rejoining_family_of", problem);
            cases_.keep[i] = false;
            reject_person(p.id.str());
        }
    }

    void read_nationalities(RowReader& r, Person& p) {
        const auto cellv = r.cell("nationalities");
        if (cellv.empty()) return;
        std::size_t item = 0, count = static_cast<std::size_t>(std::count(cellv.begin(), cellv.end(), '|')) + 1;
        std::size_t start = 0;
        while (true) {
            const auto bar = cellv.find('|', start);
            auto code = cellv.substr(start, bar == std::string_view::npos ? std::string_view::npos
                                                                          : bar - start);
            ++item;
            while (!code.empty() && (code.front() == ' ' || code.front() == '\t')) code.remove_prefix(1);
            while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.remove_suffix(1);
            const std::string where =
                count > 1 ? " (code " + std::to_string(item) + " of " + std::to_string(count) + ")" : "";
            if (code.empty()) {
                r.error("nationalities", "empty nationality code" + where +
                                             " (separate codes with |, e.g. DZ|FR)");
            } else {
                try {
                    auto n = normalize_nationality(code);
                    if (std::find(p.nationalities.begin(), p.nationalities.end(), n) ==
                        p.nationalities.end())
                        p.nationalities.push_back(std::move(n));
                } catch (const ValidationError&) {
                    r.error("nationalities",
                            "unknown nationality code" + where +
                                " (expected ISO 3166-1 codes such as DZ or DZA, STATELESS or "
                                "UNKNOWN, separated by |)");
                }
            }
            if (bar == std::string_view::npos) break;
            start = bar + 1;
        }
    }

    // Attaches a list row to its person's case.
    template <class T, class Member>
    void attach_to_person(RowReader& r, T item, Member member) {
        const auto id = r.text("person_id");
        const bool known = check_person(r, "person_id");
        if (!r.ok()) {
            if (known) reject_person(id);
            return;
        }
        const auto it = person_index_.find(id);
        if (it != person_index_.end()) (cases_.items[it->second].*member).push_back(std::move(item));
    }

    void read_permits() {
        for_rows(Table::permits, [&](RowReader& r) {
            Permit p;
            p.kind = r.vocab<PermitKind>("kind").value_or(PermitKind::card);
            p.motive = r.vocab<Motive>("motive").value_or(Motive::other);
            const auto from = r.date("valid_from");
            p.valid_from = from.value_or(Date{});
            p.valid_to = r.date("valid_to");
            r.not_before(p.valid_to, "valid_to", from, "valid_from");
            attach_to_person(r, std::move(p), &PersonCase::permits);
        });
    }

    void read_protections() {
        for_rows(Table::protections, [&](RowReader& r) {
            Protection p;
            p.type = r.vocab<ProtectionType>("type").value_or(ProtectionType::refugee);
            p.authority = r.vocab<Authority>("authority").value_or(Authority::ofpra);
            const auto decision = r.date("decision_date");
            p.decision_date = decision.value_or(Date{});
            p.notification_date = r.date("notification_date");
            p.displaced_on = r.date("displaced_on");
            p.end_date = r.date("end_date");
            r.not_before(p.notification_date, "notification_date", decision, "decision_date");
            r.not_before(p.end_date, "end_date", decision, "decision_date");
            if (p.displaced_on && p.type != ProtectionType::temporary && r.ok())
                r.error("displaced_on", "only for type temporary (temporary protection)");
            attach_to_person(r, std::move(p), &PersonCase::protections);
        });
    }

    void read_situations() {
        for_rows(Table::situations, [&](RowReader& r) {
            Situation s;
            s.kind = r.vocab<SituationKind>("situation").value_or(SituationKind::asylum_seeker);
            const auto start = r.date("start");
            s.start = start.value_or(Date{});
            s.end = r.date("end");
            r.not_before(s.end, "end", start, "start");
            attach_to_person(r, std::move(s), &PersonCase::situations);
        });
    }

    // ---- journeys and steps ----

    void read_journeys() {
        KeySet keys;
        for_rows(Table::journeys, [&](RowReader& r) {
            Journey j;
            const auto id = r.text("journey_id");
            j.id = JourneyId{id};
            const auto person = r.text("person_id");
            j.person_id = PersonId{person};
            const bool known = check_person(r, "person_id");
            j.contract_id = ContractId{r.text("contract_id")};
            j.action = r.integer("action", 1, 999).value_or(0);
            j.entry_date = r.date("entry_date").value_or(Date{});
            j.referral_source = r.vocab<ReferralSource>("referral_source").value_or(ReferralSource::other);
            j.exit_date = r.date("exit_date");
            if (auto reason = r.opt_text("exit_reason")) j.exit_reason = lower_ascii(*reason);
            j.override_reason = r.opt_text("override_reason");
            bool fresh = true;
            if (!id.empty()) {
                if (const auto first = keys.insert(id, r.line())) {
                    duplicate(r, "journey_id", "journey_id " + quoted_id(id), *first);
                    fresh = false;
                    rejected_journeys_.insert(id);
                }
            }
            if (!r.ok() && known) journey_blocked_.insert(person);
            if (!r.ok()) rejected_journeys_.insert(id);
            const auto index = journeys_.add(std::move(j), r.line(), r.ok());
            if (fresh && !id.empty()) journey_index_.emplace(id, index);
            step_lines_.emplace_back();
        });
    }

    void read_steps() {
        const bool journeys_known = checkable(Table::journeys);
        for_rows(Table::steps, [&](RowReader& r) {
            Step s;
            const auto id = r.text("journey_id");
            s.kind = r.vocab<StepKind>("step").value_or(StepKind::intake);
            s.date = r.date("date").value_or(Date{});
            const auto it = journey_index_.find(id);
            if (!id.empty() && journeys_known && it == journey_index_.end()) {
                r.error("journey_id", "unknown journey_id " + quoted_id(id) + " (not in " +
                                          table(Table::journeys).file + ")");
                return;
            }
            if (it == journey_index_.end()) return;
            if (!r.ok()) {
                rejected_journeys_.insert(id);
                journey_blocked_.insert(journeys_.items[it->second].person_id.str());
                return;
            }
            journeys_.items[it->second].steps.push_back(s);
            step_lines_[it->second].push_back(r.line());
        });
    }

    // ---- the other tables ----

    void read_agir() {
        KeySet keys;
        for_rows(Table::agir, [&](RowReader& r) {
            AgirSupport s;
            const auto person = r.text("person_id");
            s.person_id = PersonId{person};
            const bool known = check_person(r, "person_id");
            const auto orientation = r.date("orientation_date");
            s.orientation_date = orientation.value_or(Date{});
            s.entry_date = r.date("entry_date");
            s.exit_date = r.date("exit_date");
            s.exit_housing = r.vocab<HousingType>("exit_housing");
            s.exit_activity = r.vocab<ExitActivity>("exit_activity");
            s.cdd_months = r.integer("cdd_months", 0, 1200);
            r.not_before(s.entry_date, "entry_date", orientation, "orientation_date");
            r.not_before(s.exit_date, "exit_date", s.entry_date, "entry_date");
            if (s.exit_date && !s.entry_date && r.ok())
                r.error("exit_date", "an exit needs an entry_date");
            if (orientation) {
                if (const auto first = keys.insert(composite({person, to_iso(*orientation)}), r.line()))
                    duplicate(r, "orientation_date", "AGIR support (same person_id and orientation_date)",
                              *first);
            }
            // A journey may depend on the AGIR supports (R6): no journey of this person is
            // written when one of their supports is refused.
            if (!r.ok() && known) journey_blocked_.insert(person);
            agir_.add(std::move(s), r.line(), r.ok());
        });
    }

    void endpoint(RowReader& r, std::string_view column, std::string& out) {
        const auto c = r.cell(column);
        if (c.empty()) return;
        const auto text = lower_ascii(c) == "agir" ? std::string("agir") : std::string(c);
        try {
            out = to_string(parse_referral_endpoint(text, column));
        } catch (const ValidationError&) {
            r.error(column, "expected agir or <contract_id>:<action> (e.g. dijon-2023-2024:4)");
        }
    }

    void read_referrals() {
        KeySet keys;
        for_rows(Table::referrals, [&](RowReader& r) {
            Referral f;
            const auto id = r.text("referral_id");
            f.id = ReferralId{id};
            f.person_id = PersonId{r.text("person_id")};
            check_person(r, "person_id");
            endpoint(r, "from", f.from);
            endpoint(r, "to", f.to);
            f.need = r.vocab<Need>("need").value_or(Need::rights);
            f.status = r.vocab<ReferralStatus>("status").value_or(ReferralStatus::proposed);
            f.proposed_on = r.date("proposed_on").value_or(Date{});
            f.decided_on = r.date("decided_on");
            f.completed_on = r.date("completed_on");
            f.reason = r.opt_text("reason");
            if (!id.empty()) {
                if (const auto first = keys.insert(id, r.line())) {
                    duplicate(r, "referral_id", "referral_id " + quoted_id(id), *first);
                    rejected_referrals_.insert(id);
                }
            }
            referrals_.add(std::move(f), r.line(), r.ok());
        });
    }

    void read_activities() {
        KeySet keys;
        for_rows(Table::activities, [&](RowReader& r) {
            Activity a;
            const auto id = r.text("activity_id");
            a.id = ActivityId{id};
            a.contract_id = ContractId{r.text("contract_id")};
            a.action = r.integer("action", 1, 999).value_or(0);
            a.kind = r.vocab<ActivityKind>("kind").value_or(ActivityKind::workshop);
            a.type = r.text("type");
            a.date = r.date("date").value_or(Date{});
            a.hours = r.number("hours").value_or(0.0);
            a.co_animated = r.flag("co_animated").value_or(false);
            a.structure = r.text("structure");
            if (!id.empty()) {
                activity_ids_.insert(id);
                if (const auto first = keys.insert(id, r.line())) {
                    duplicate(r, "activity_id", "activity_id " + quoted_id(id), *first);
                    rejected_activities_.insert(id);
                }
            }
            if (!r.ok()) rejected_activities_.insert(id);
            activities_.add(std::move(a), r.line(), r.ok());
        });
    }

    void read_participations() {
        KeySet keys;
        const bool activities_known = checkable(Table::activities);
        for_rows(Table::participations, [&](RowReader& r) {
            Participation p;
            const auto activity = r.text("activity_id");
            const auto person = r.text("person_id");
            p.activity_id = ActivityId{activity};
            p.person_id = PersonId{person};
            if (!activity.empty() && activities_known && !activity_ids_.count(activity))
                r.error("activity_id", "unknown activity_id " + quoted_id(activity) + " (not in " +
                                           table(Table::activities).file + ")");
            check_person(r, "person_id");
            p.satisfaction = r.integer("satisfaction", 1, 5);
            if (!activity.empty() && !person.empty()) {
                if (const auto first = keys.insert(composite({activity, person}), r.line()))
                    duplicate(r, "person_id", "participation (same activity_id and person_id)", *first);
            }
            participations_.add(std::move(p), r.line(), r.ok());
        });
    }

    void read_volunteering() {
        KeySet keys;
        for_rows(Table::volunteering, [&](RowReader& r) {
            Volunteering v;
            const auto person = r.text("person_id");
            v.person_id = PersonId{person};
            check_person(r, "person_id");
            const auto kind = r.vocab<VolunteeringKind>("kind");
            v.kind = kind.value_or(VolunteeringKind::engagement);
            const auto start = r.date("start");
            v.start = start.value_or(Date{});
            v.end = r.date("end");
            r.not_before(v.end, "end", start, "start");
            v.association_type = r.text("association_type");
            if (kind && start) {
                if (const auto first = keys.insert(
                        composite({person, to_string(*kind), to_iso(*start)}), r.line()))
                    duplicate(r, "start", "volunteering (same person_id, kind and start)", *first);
            }
            volunteering_.add(std::move(v), r.line(), r.ok());
        });
    }

    void read_housing() {
        KeySet keys;
        for_rows(Table::housing, [&](RowReader& r) {
            HousingMove m;
            const auto household = r.text("household_id");
            m.household_id = HouseholdId{household};
            if (!household.empty() && persons_known() && !households_.count(household))
                r.error("household_id", "unknown household_id " + quoted_id(household) +
                                            " (no person of " + table(Table::persons).file +
                                            " has it)");
            const auto d = r.date("date");
            m.date = d.value_or(Date{});
            m.housing_type = r.vocab<HousingType>("housing_type").value_or(HousingType::other);
            if (d) {
                if (const auto first = keys.insert(composite({household, to_iso(*d)}), r.line()))
                    duplicate(r, "date", "housing move (same household_id and date)", *first);
            }
            housing_.add(std::move(m), r.line(), r.ok());
        });
    }

    void read_partnerships() {
        KeySet keys;
        for_rows(Table::partnerships, [&](RowReader& r) {
            Partnership p;
            p.contract_id = ContractId{r.text("contract_id")};
            p.action = r.integer("action", 1, 999).value_or(0);
            p.partner = r.text("partner");
            p.theme = r.text("theme");
            const auto d = r.date("date");
            p.date = d.value_or(Date{});
            if (r.ok()) {
                if (const auto first = keys.insert(
                        composite({p.contract_id.str(), std::to_string(p.action), p.partner,
                                   p.theme, to_iso(p.date)}),
                        r.line()))
                    duplicate(r, "partner", "partnership (same row)", *first);
            }
            partnerships_.add(std::move(p), r.line(), r.ok());
        });
    }

    void read_costs() {
        KeySet keys;
        for_rows(Table::costs, [&](RowReader& r) {
            Cost c;
            c.contract_id = ContractId{r.text("contract_id")};
            const auto action = r.integer("action", 1, 999);
            c.action = action.value_or(0);
            const auto total = r.number("total_cost");
            const auto subsidy = r.number("subsidy_p104");
            c.total_cost = total.value_or(0.0);
            c.subsidy_p104 = subsidy.value_or(0.0);
            if (total && subsidy && *subsidy > *total)
                r.error("subsidy_p104", "is greater than total_cost");
            if (action) {
                if (const auto first = keys.insert(
                        composite({c.contract_id.str(), std::to_string(*action)}), r.line()))
                    duplicate(r, "action", "cost (same contract_id and action)", *first);
            }
            costs_.add(std::move(c), r.line(), r.ok());
        });
    }

    // Leaves out every record that depends on a refused one, then fills `out`.
    void finish(ReadResult& out) {
        // A person rejoining a refused person cannot be written either (transitively).
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& c : cases_.items) {
                const auto& f = c.person.rejoining_family_of;
                if (f && rejected_persons_.count(f->str()) && !rejected_persons_.count(c.person.id.str())) {
                    rejected_persons_.insert(c.person.id.str());
                    grew = true;
                }
            }
        }
        auto person_ok = [&](const PersonId& id) { return !rejected_persons_.count(id.str()); };
        for (std::size_t i = 0; i < cases_.items.size(); ++i)
            cases_.keep[i] = cases_.keep[i] && person_ok(cases_.items[i].person.id);
        for (std::size_t i = 0; i < journeys_.items.size(); ++i) {
            const auto& j = journeys_.items[i];
            journeys_.keep[i] = journeys_.keep[i] && person_ok(j.person_id) &&
                                !journey_blocked_.count(j.person_id.str()) &&
                                !rejected_journeys_.count(j.id.str());
        }
        for (std::size_t i = 0; i < agir_.items.size(); ++i)
            agir_.keep[i] = agir_.keep[i] && person_ok(agir_.items[i].person_id);
        for (std::size_t i = 0; i < referrals_.items.size(); ++i)
            referrals_.keep[i] = referrals_.keep[i] && person_ok(referrals_.items[i].person_id) &&
                                 !rejected_referrals_.count(referrals_.items[i].id.str());
        for (std::size_t i = 0; i < activities_.items.size(); ++i)
            activities_.keep[i] =
                activities_.keep[i] && !rejected_activities_.count(activities_.items[i].id.str());
        for (std::size_t i = 0; i < participations_.items.size(); ++i) {
            const auto& p = participations_.items[i];
            participations_.keep[i] = participations_.keep[i] && person_ok(p.person_id) &&
                                      !rejected_activities_.count(p.activity_id.str());
        }
        for (std::size_t i = 0; i < volunteering_.items.size(); ++i)
            volunteering_.keep[i] = volunteering_.keep[i] && person_ok(volunteering_.items[i].person_id);

        compact(cases_, out.data.cases, out.case_line);
        for (std::size_t i = 0; i < journeys_.items.size(); ++i) {
            if (!journeys_.keep[i]) continue;
            out.data.journeys.push_back(std::move(journeys_.items[i]));
            out.journey_line.push_back(journeys_.lines[i]);
            out.step_lines.push_back(std::move(step_lines_[i]));
        }
        compact(agir_, out.data.agir, out.agir_line);
        compact(referrals_, out.data.referrals, out.referral_line);
        compact(activities_, out.data.activities, out.activity_line);
        compact(participations_, out.data.participations, out.participation_line);
        compact(volunteering_, out.data.volunteering, out.volunteering_line);
        compact(housing_, out.data.housing, out.housing_line);
        compact(partnerships_, out.data.partnerships, out.partnership_line);
        compact(costs_, out.data.costs, out.cost_line);
    }

    std::array<Loaded, table_count>& t_;
    const ImportOptions& options_;
    IssueSink& sink_;

    Rows<PersonCase> cases_;
    Rows<Journey> journeys_;
    std::vector<std::vector<long>> step_lines_;
    Rows<AgirSupport> agir_;
    Rows<Referral> referrals_;
    Rows<Activity> activities_;
    Rows<Participation> participations_;
    Rows<Volunteering> volunteering_;
    Rows<HousingMove> housing_;
    Rows<Partnership> partnerships_;
    Rows<Cost> costs_;

    std::unordered_map<std::string, std::size_t> person_index_;
    std::unordered_map<std::string, std::size_t> journey_index_;
    std::unordered_set<std::string> households_;
    std::unordered_set<std::string> activity_ids_;
    std::unordered_set<std::string> rejected_persons_;
    /// Persons none of whose journeys are written (one of them or of their AGIR supports
    /// was refused, and the others may depend on it: prerequisites, R6).
    std::unordered_set<std::string> journey_blocked_;
    std::unordered_set<std::string> rejected_journeys_;
    std::unordered_set<std::string> rejected_referrals_;
    std::unordered_set<std::string> rejected_activities_;
};

}  // namespace

ReadResult read_exchange(const fs::path& dir, const ImportOptions& options, IssueSink& sink) {
    ReadResult out;
    auto loaded = scan_folder(dir, sink, out.summary.warnings);
    auto& persons = loaded[static_cast<std::size_t>(Table::persons)];
    if (!persons.present)
        sink.add(persons.file, 0, {},
                 "missing file: persons.csv is required (the other files are optional)");
    for (std::size_t i = 0; i < table_count; ++i) {
        const auto& l = loaded[i];
        out.file[i] = l.file;
        if (l.present && !l.usable) out.complete = false;
        TableSummary s;
        s.table = std::string(tables[i].name);
        s.file = l.file;
        s.present = l.present;
        if (l.present) {
            s.encoding = encoding_name(l.csv.encoding);
            s.separator = l.csv.separator;
            s.rows_read = l.csv.rows.size();
        }
        out.summary.tables.push_back(std::move(s));
    }
    if (!persons.present) out.complete = false;
    FolderReader(loaded, options, sink).run(out);
    return out;
}

}  // namespace detail

Dataset read_exchange_dir(const fs::path& dir, const ImportOptions& options,
                          ImportSummary* summary) {
    detail::IssueSink sink;
    auto result = detail::read_exchange(dir, options, sink);
    if (!sink.empty()) throw ImportError(sink.sorted());
    if (summary) *summary = std::move(result.summary);
    return std::move(result.data);
}

}  // namespace ctai
