#pragma once
/// \file csv.hpp
/// The CSV layer of the exchange format (interfaces.md section 1), internal to libctai.
/// Reading accepts what operators really have: UTF-8 with or without BOM or Windows-1252
/// (French Excel), comma or semicolon separator (detected from the header line), CRLF,
/// LF or CR line ends, RFC 4180 quoting. Writing produces RFC 4180 CSV: comma, LF, UTF-8
/// without BOM, quotes only where needed. Parsing is done by libcsv (strict mode).
///
/// Errors are ctai::ValidationError carrying file and line; their messages never contain
/// the content of a cell (domain R9: cells may hold personal data).

#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ctai::detail {

/// How the bytes of a file were encoded.
enum class TextEncoding {
    utf8,          ///< valid UTF-8 (or plain ASCII), no byte order mark
    utf8_bom,      ///< UTF-8 starting with the byte order mark EF BB BF
    windows_1252,  ///< not valid UTF-8: read as Windows-1252 (French Excel "CSV")
};

/// Returns `bytes` as UTF-8 and, when `detected` is not null, stores the encoding found.
/// A leading UTF-8 BOM is removed. Without a BOM, valid UTF-8 is returned unchanged;
/// anything else is decoded as Windows-1252 with its full table (0x80-0x9F included:
/// € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ). The five bytes Windows-1252
/// leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) become U+FFFD. After a BOM the text is
/// trusted to be UTF-8: an invalid byte there becomes U+FFFD. Never throws (but
/// std::bad_alloc).
std::string decode_to_utf8(std::string_view bytes, TextEncoding* detected = nullptr);

/// The separator of a header line: ';' when it holds more semicolons than commas outside
/// double quotes, ',' otherwise (including a one-column header).
char detect_separator(std::string_view header_line);

/// One record of a CSV file.
struct CsvRow {
    /// Physical line where the record starts (1 = first line of the file, normally the
    /// header). A quoted field spanning lines makes the following records start later.
    long line = 0;
    /// The fields, UTF-8; unquoted fields are trimmed of surrounding spaces and tabs,
    /// quoted fields are kept as written (quotes removed, doubled quotes undone).
    std::vector<std::string> fields;
};

/// A whole CSV file, header apart.
struct CsvTable {
    std::string file;          ///< the name given to parse_csv, used in errors
    char separator = ',';      ///< ',' or ';'
    TextEncoding encoding = TextEncoding::utf8;
    std::vector<std::string> header;  ///< column names, trimmed and lower-cased (ASCII)
    std::vector<CsvRow> rows;         ///< data records, in file order
};

/// Parses a CSV file held in memory. Decides its encoding (a file with a UTF-8 BOM, or
/// with at least one well-formed multi-byte UTF-8 sequence, is UTF-8 and any invalid byte
/// in it is refused at its line; a file whose non-ASCII bytes are all invalid UTF-8 is
/// Windows-1252), decodes it (decode_to_utf8), detects the separator
/// from the first non-blank line, which is the header, then reads every record.
/// Blank lines, and records whose fields are all empty (e.g. ";;;" rows left by Excel),
/// are skipped. Trailing empty fields beyond the header's width are dropped.
/// Throws ValidationError (file = file_name, line = where the problem is) on: an empty
/// file (no header), a UTF-16 file, an unterminated quoted field, a stray quote, a
/// header column named twice (field = the name), a record with non-empty fields beyond
/// the header's width, a record with fewer fields than the header (up to its last named
/// column), an invalid byte in a UTF-8 file. Columns whose header cell is empty are kept, unnamed.
CsvTable parse_csv(std::string_view bytes, std::string file_name);

/// Reads and parses a file; CsvTable::file and error file names are path.filename().
/// Throws ValidationError if the file cannot be read, and as parse_csv.
CsvTable read_csv_file(const std::filesystem::path& path);

/// Column name -> index, for reading the rows of a CsvTable by name.
class CsvColumns {
public:
    /// Indexes `table.header` (names already trimmed and lower-cased by parse_csv).
    explicit CsvColumns(const CsvTable& table);

    /// Index of the column `name` (compared after ASCII lower-casing), if present.
    std::optional<std::size_t> find(std::string_view name) const;

    /// Index of the column `name`; throws ValidationError("missing required column",
    /// field = name, file, line 1) when the header lacks it.
    std::size_t require(std::string_view name) const;

    /// Names present in the header that are not in `known` (e.g. to warn about typos).
    std::vector<std::string> unknown(std::span<const std::string_view> known) const;

private:
    std::string file_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::size_t> index_;
};

/// The cell of `row` at `index`, or empty when the row is shorter.
std::string_view cell(const CsvRow& row, std::size_t index) noexcept;

/// The cell of `row` at `index`, or empty when the column is absent or the row shorter.
/// Meant for optional columns: `cell(row, columns.find("sex"))`.
std::string_view cell(const CsvRow& row, std::optional<std::size_t> index) noexcept;

/// Writes RFC 4180 CSV to a stream: comma separator, LF line ends, UTF-8 without BOM
/// (fields are written as given: pass UTF-8). A field is quoted only when it contains a
/// comma, a double quote, CR or LF, a semicolon (so that a reader guessing the separator,
/// French Excel included, cannot split it), starts or ends with a space or tab (which the
/// reader would trim), or is the only field of a row and empty (which the reader would
/// skip as a blank line).
/// What CsvWriter writes, parse_csv reads back identically, except rows whose fields
/// are all empty, which the reader skips.
class CsvWriter {
public:
    explicit CsvWriter(std::ostream& out) : out_(&out) {}

    void write_row(std::span<const std::string> fields);
    void write_row(std::span<const std::string_view> fields);
    void write_row(std::initializer_list<std::string_view> fields) {
        write_row(std::span<const std::string_view>(fields.begin(), fields.size()));
    }

    /// The field as it would be written (quoted and escaped when needed).
    static std::string escape(std::string_view field, bool only_field = false);

private:
    void write_field(std::string_view field, bool only_field);
    std::ostream* out_;
};

}  // namespace ctai::detail
