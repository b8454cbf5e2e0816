#include "exchange/csv.hpp"

#include <csv.h>

#include <array>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include <ctai/error.hpp>

namespace ctai::detail {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr char32_t replacement_character = 0xFFFD;

// Windows-1252 bytes 0x80-0x9F; 0 marks the five bytes the code page leaves undefined.
// 0xA0-0xFF are the Latin-1 code points of the same value.
constexpr std::array<char32_t, 32> cp1252_high = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

unsigned char byte_at(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]);
}

void append_utf8(std::string& out, char32_t c) {
    auto put = [&out](std::uint32_t b) { out.push_back(static_cast<char>(b)); };
    const auto u = static_cast<std::uint32_t>(c);
    if (u < 0x80) {
        put(u);
    } else if (u < 0x800) {
        put(0xC0 | (u >> 6));
        put(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        put(0xE0 | (u >> 12));
        put(0x80 | ((u >> 6) & 0x3F));
        put(0x80 | (u & 0x3F));
    } else {
        put(0xF0 | (u >> 18));
        put(0x80 | ((u >> 12) & 0x3F));
        put(0x80 | ((u >> 6) & 0x3F));
        put(0x80 | (u & 0x3F));
    }
}

// Length of the well-formed UTF-8 sequence starting at s[i] (Unicode table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const unsigned char b0 = byte_at(s, i);
    if (b0 < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (s.size() - i < n) return 0;
    const unsigned char b1 = byte_at(s, i + 1);
    if (b1 < lo || b1 > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
        const unsigned char b = byte_at(s, i + k);
        if (b < 0x80 || b > 0xBF) return 0;
    }
    return n;
}

bool is_valid_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string replace_invalid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) {
            append_utf8(out, replacement_character);
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string decode_windows_1252(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char ch : s) {
        const auto b = static_cast<unsigned char>(ch);
        if (b < 0x80) {
            out.push_back(ch);
        } else if (b < 0xA0) {
            const char32_t c = cp1252_high[static_cast<std::size_t>(b - 0x80)];
            append_utf8(out, c == 0 ? replacement_character : c);
        } else {
            append_utf8(out, static_cast<char32_t>(b));
        }
    }
    return out;
}

bool is_blank_char(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_blank(std::string_view s) noexcept {
    for (const char c : s) {
        if (!is_blank_char(c)) return false;
    }
    return true;
}

// Length of the physical line starting at `pos`, its terminator (LF, CRLF or a lone CR)
// included.
std::size_t physical_line_length(std::string_view text, std::size_t pos) noexcept {
    const std::size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) return text.size() - pos;
    if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
        return end + 2 - pos;
    }
    return end + 1 - pos;
}

std::string trim_lower_ascii(std::string_view s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && is_blank_char(s[b])) ++b;
    while (e > b && is_blank_char(s[e - 1])) --e;
    std::string out(s.substr(b, e - b));
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// What libcsv's callbacks fill. They must not throw through libcsv's C frames, so an
// exception (std::bad_alloc) is kept and rethrown once csv_parse returns.
struct ParseState {
    std::vector<std::string> fields;
    std::vector<CsvRow> records;
    long line = 0;              // physical line being fed to libcsv
    long record_start = 0;      // where the record in progress started
    bool in_record = false;
    std::exception_ptr error;
};

void on_field(void* data, std::size_t size, void* user) noexcept {
    auto* st = static_cast<ParseState*>(user);
    if (st->error) return;
    try {
        st->fields.emplace_back(data == nullptr ? "" : static_cast<const char*>(data), size);
    } catch (...) {
        st->error = std::current_exception();
    }
}

void on_record(int /*terminator*/, void* user) noexcept {
    auto* st = static_cast<ParseState*>(user);
    if (st->error) return;
    try {
        st->records.push_back(
            CsvRow{st->in_record ? st->record_start : st->line, std::move(st->fields)});
        st->fields.clear();
        st->in_record = false;
    } catch (...) {
        st->error = std::current_exception();
    }
}

class Parser {
public:
    explicit Parser(unsigned char options) {
        if (csv_init(&p_, options) != 0) throw std::bad_alloc();
    }
    ~Parser() { csv_free(&p_); }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
    csv_parser* get() noexcept { return &p_; }

private:
    csv_parser p_{};
};

[[noreturn]] void throw_libcsv_error(int code, const std::string& file, long line) {
    if (code == CSV_ENOMEM) throw std::bad_alloc();
    if (code == CSV_EPARSE) {
        throw ValidationError(
            "malformed quoted field: a quote inside a field must be doubled and the field "
            "enclosed in quotes",
            {}, file, line);
    }
    throw ValidationError(std::string("CSV parser error: ") + csv_strerror(code), {}, file,
                          line);
}

// Splits `text` into records with libcsv, feeding it one physical line at a time so that
// each record knows the line it starts on (libcsv itself does not count lines).
std::vector<CsvRow> read_records(std::string_view text, char separator,
                                 const std::string& file) {
    Parser parser(CSV_STRICT | CSV_STRICT_FINI);
    csv_set_delim(parser.get(), static_cast<unsigned char>(separator));
    ParseState st;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = physical_line_length(text, pos);
        const std::string_view chunk = text.substr(pos, len);
        ++st.line;
        if (!st.in_record && !is_blank(chunk)) {
            st.in_record = true;
            st.record_start = st.line;
        }
        const std::size_t done =
            csv_parse(parser.get(), chunk.data(), chunk.size(), on_field, on_record, &st);
        if (st.error) std::rethrow_exception(st.error);
        if (done != chunk.size()) throw_libcsv_error(csv_error(parser.get()), file, st.line);
        pos += len;
    }
    const long start = st.record_start;
    if (csv_fini(parser.get(), on_field, on_record, &st) != 0) {
        if (csv_error(parser.get()) == CSV_EPARSE) {
            throw ValidationError("unterminated quoted field (it runs to the end of the file)",
                                  {}, file, start);
        }
        throw_libcsv_error(csv_error(parser.get()), file, start);
    }
    if (st.error) std::rethrow_exception(st.error);
    return std::move(st.records);
}

bool all_empty(const std::vector<std::string>& fields) noexcept {
    for (const auto& f : fields) {
        if (!f.empty()) return false;
    }
    return true;
}

// Issue #21, encoding decided per file: the line (1-based) of the first byte that is not
// part of a well-formed UTF-8 sequence, when the bytes must be UTF-8 (after a BOM, or when
// they also hold well-formed multi-byte sequences: a UTF-8 file with a bad byte, never
// reinterpreted as Windows-1252); 0 when the file is UTF-8, or Windows-1252 (its non-ASCII
// bytes are all outside well-formed UTF-8 sequences).
long misencoded_line(std::string_view bytes) noexcept {
    const bool bom = bytes.starts_with(utf8_bom);
    std::size_t first_bad = std::string_view::npos;
    bool multibyte = false;
    for (std::size_t i = bom ? utf8_bom.size() : 0; i < bytes.size();) {
        const auto n = utf8_sequence_length(bytes, i);
        if (n == 0) {
            if (first_bad == std::string_view::npos) first_bad = i;
            ++i;
            continue;
        }
        if (n > 1) multibyte = true;
        i += n;
    }
    if (first_bad == std::string_view::npos || (!bom && !multibyte)) return 0;
    long line = 1;
    for (std::size_t i = 0; i < first_bad; ++i) {
        if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n')))
            ++line;
    }
    return line;
}

}  // namespace

std::string decode_to_utf8(std::string_view bytes, TextEncoding* detected) {
    TextEncoding enc = TextEncoding::utf8;
    std::string out;
    if (bytes.starts_with(utf8_bom)) {
        enc = TextEncoding::utf8_bom;
        out = replace_invalid_utf8(bytes.substr(utf8_bom.size()));
    } else if (is_valid_utf8(bytes)) {
        out = std::string(bytes);
    } else {
        enc = TextEncoding::windows_1252;
        out = decode_windows_1252(bytes);
    }
    if (detected != nullptr) *detected = enc;
    return out;
}

char detect_separator(std::string_view header_line) {
    std::size_t commas = 0;
    std::size_t semicolons = 0;
    bool quoted = false;
    for (const char c : header_line) {
        if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == ',') {
            ++commas;
        } else if (!quoted && c == ';') {
            ++semicolons;
        }
    }
    return semicolons > commas ? ';' : ',';
}

CsvTable parse_csv(std::string_view bytes, std::string file_name) {
    if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
        throw ValidationError(
            "UTF-16 text is not supported: save the file as CSV (UTF-8 or Windows-1252)", {},
            file_name, 1);
    }
    CsvTable table;
    table.file = std::move(file_name);
    if (const long bad = misencoded_line(bytes); bad != 0) {
        throw ValidationError(
            "invalid UTF-8 byte: the file is UTF-8 elsewhere (it has a byte order mark or "
            "well-formed accented letters), so it is not read as Windows-1252; save it again "
            "as UTF-8",
            {}, table.file, bad);
    }
    const std::string text = decode_to_utf8(bytes, &table.encoding);

    std::string_view header_line;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = physical_line_length(text, pos);
        const std::string_view line = std::string_view(text).substr(pos, len);
        if (!is_blank(line)) {
            header_line = line;
            break;
        }
        pos += len;
    }
    table.separator = detect_separator(header_line);

    std::vector<CsvRow> records = read_records(text, table.separator, table.file);
    auto it = records.begin();
    while (it != records.end() && all_empty(it->fields)) ++it;
    if (it == records.end()) {
        throw ValidationError("empty file: a header line is required", {}, table.file, 1);
    }
    const long header_line_number = it->line;
    table.header.reserve(it->fields.size());
    for (const auto& name : it->fields) {
        std::string n = trim_lower_ascii(name);
        if (!n.empty()) {
            for (const auto& seen : table.header) {
                if (seen == n) {
                    throw ValidationError("duplicate column in header", n, table.file,
                                          header_line_number);
                }
            }
        }
        table.header.push_back(std::move(n));
    }

    const std::size_t width = table.header.size();
    // Issue #21: a record shorter than the header (up to its last named column) is
    // refused; its missing cells would otherwise clear fields silently.
    std::size_t named_width = width;
    while (named_width > 0 && table.header[named_width - 1].empty()) --named_width;
    table.rows.reserve(static_cast<std::size_t>(std::distance(it, records.end())));
    for (++it; it != records.end(); ++it) {
        auto& fields = it->fields;
        while (fields.size() > width && fields.back().empty()) fields.pop_back();
        if (fields.size() > width) {
            throw ValidationError("record has " + std::to_string(fields.size()) +
                                      " fields but the header has " + std::to_string(width),
                                  {}, table.file, it->line);
        }
        if (all_empty(fields)) continue;
        if (fields.size() < named_width) {
            throw ValidationError("record has " + std::to_string(fields.size()) +
                                      " fields but the header has " + std::to_string(named_width) +
                                      " (a missing separator? every row needs every column, "
                                      "empty cells included)",
                                  {}, table.file, it->line);
        }
        table.rows.push_back(std::move(*it));
    }
    return table;
}

CsvTable read_csv_file(const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ValidationError("cannot open file", {}, name, 0);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw ValidationError("cannot read file", {}, name, 0);
    return parse_csv(std::move(buffer).str(), name);
}

CsvColumns::CsvColumns(const CsvTable& table) : file_(table.file), names_(table.header) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (!names_[i].empty()) index_.emplace(names_[i], i);
    }
}

std::optional<std::size_t> CsvColumns::find(std::string_view name) const {
    const auto it = index_.find(trim_lower_ascii(name));
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

std::size_t CsvColumns::require(std::string_view name) const {
    if (const auto i = find(name)) return *i;
    throw ValidationError("missing required column", trim_lower_ascii(name), file_, 1);
}

std::vector<std::string> CsvColumns::unknown(std::span<const std::string_view> known) const {
    std::vector<std::string> out;
    for (const auto& n : names_) {
        if (n.empty()) continue;
        bool found = false;
        for (const auto k : known) {
            if (trim_lower_ascii(k) == n) {
                found = true;
                break;
            }
        }
        if (!found) out.push_back(n);
    }
    return out;
}

std::string_view cell(const CsvRow& row, std::size_t index) noexcept {
    if (index >= row.fields.size()) return {};
    return row.fields[index];
}

std::string_view cell(const CsvRow& row, std::optional<std::size_t> index) noexcept {
    if (!index) return {};
    return cell(row, *index);
}

std::string CsvWriter::escape(std::string_view field, bool only_field) {
    const bool needs_quotes =
        field.find_first_of(",;\"\r\n") != std::string_view::npos ||
        (!field.empty() && (field.front() == ' ' || field.front() == '\t' ||
                            field.back() == ' ' || field.back() == '\t')) ||
        (only_field && field.empty());
    if (!needs_quotes) return std::string(field);
    std::string out;
    out.reserve(field.size() + 2);
    out.push_back('"');
    for (const char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

void CsvWriter::write_field(std::string_view field, bool only_field) {
    *out_ << escape(field, only_field);
}

void CsvWriter::write_row(std::span<const std::string> fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) *out_ << ',';
        write_field(fields[i], fields.size() == 1);
    }
    *out_ << '\n';
}

void CsvWriter::write_row(std::span<const std::string_view> fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) *out_ << ',';
        write_field(fields[i], fields.size() == 1);
    }
    *out_ << '\n';
}

}  // namespace ctai::detail
