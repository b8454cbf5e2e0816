#pragma once
/// \file exchange.hpp
/// Import and export of case files in the exchange format v1 (interfaces.md section 1,
/// docs/exchange-format.md): a folder of CSV files, one per table, of which only
/// `persons.csv` is required.
///
/// Reading accepts what operators really have: UTF-8 with or without BOM or Windows-1252,
/// comma or semicolon separator, CRLF or LF, dates `YYYY-MM-DD` or `DD/MM/YYYY`, column
/// names and vocabulary values in any case. An empty cell is "no value". Every error of a
/// folder is collected and reported at once as `file:line: column: message`, where line 1
/// is the header; messages name ids, columns and expected codes, never the content of a
/// personal field (R9).
///
/// Decisions (documented for operators in docs/exchange-format.md):
/// - a named column that the format does not know is an error (a misspelt optional column
///   would otherwise be silently ignored); columns with an empty header cell are ignored;
/// - a `.csv` file whose name is not one of the format's files is an error (e.g.
///   `person.csv`); other files (README, .xlsx, hidden and `~$` lock files) are ignored and
///   listed as warnings;
/// - a folder is self-contained: every reference (person_id, journey_id, activity_id,
///   household_id, rejoining_family_of) must name a row of the same folder;
/// - importing adds and updates, never deletes: a row absent from the folder stays in the
///   store. A person's permits, protections and situations, and a journey's steps, are
///   replaced as a whole by the folder's when their file is PRESENT (the removals are
///   counted in TableSummary::removed); an ABSENT file (or a name that is not a regular
///   file) changes nothing of its table (TableSummary::kept);
/// - after an import every rule holds for every person it touched: the R7/R6 enrollment
///   rules of all their journeys (those already in the store included) are checked again
///   against their cases as imported, or the import is refused and nothing is written.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/error.hpp>
#include <ctai/model.hpp>

namespace ctai {

class Store;

/// One problem found in an exchange folder.
struct ImportIssue {
    /// File name inside the folder (e.g. "persons.csv"), or the folder name for folder-level
    /// problems.
    std::string file;
    /// Physical line in the file, the header being line 1; 0 when the problem is about the
    /// whole file.
    long line = 0;
    /// Column name, or empty.
    std::string column;
    /// What is wrong and what is expected. Never the content of a personal field.
    std::string message;
    /// The domain rule broken, when the store refused the row (e.g. "R7.exit_before_entry"),
    /// else empty.
    std::string rule;
    friend bool operator==(const ImportIssue&, const ImportIssue&) = default;
};

/// `file:line: column: message` (`:line` omitted when 0, `column: ` when empty).
std::string to_string(const ImportIssue& issue);

/// An exchange folder could not be imported: every issue found, in file order then line
/// order. Nothing was written. file()/line()/field() of the ValidationError base are those
/// of the first issue. what() lists the issues one per line (at most the first 1000,
/// then a count of the others); issues() holds them all.
class ImportError : public ValidationError {
public:
    explicit ImportError(std::vector<ImportIssue> issues);
    const std::vector<ImportIssue>& issues() const noexcept { return issues_; }

private:
    std::vector<ImportIssue> issues_;
};

/// Progress hook: `stage` names the work ("read persons.csv", "write journeys",
/// "export persons"); `done` out of `total` records of that stage. Called when a stage
/// starts (done = 0), every 1000 records, and when it ends (done = total). Stages come
/// one after the other, in the order of the format's files.
using ProgressFn = std::function<void(std::string_view stage, std::size_t done, std::size_t total)>;

/// Options of import_dir and read_exchange_dir.
struct ImportOptions {
    ProgressFn progress;
    /// Actor recorded in the audit rows of this import (R9); the store's actor when absent.
    /// The store's actor is restored afterwards.
    std::optional<std::string> actor;
    /// Reason recorded in the audit rows of this import (R9).
    std::string reason = "import of an exchange folder";
    /// Validate and count every change (the summary, or the ImportError) exactly as a real
    /// import would, then roll the transaction back: nothing is written.
    bool dry_run = false;
    /// Accept a pseudonymised export (a folder holding the marker file
    /// `PSEUDONYMIZED.txt`, see export_dir). Without it such a folder is refused: its
    /// pseudonyms would duplicate every person of the store it came from.
    bool allow_pseudonymized = false;
};

/// What one file / table of the folder gave.
struct TableSummary {
    /// Table name, e.g. "persons", "permits", "steps".
    std::string table;
    /// File name, e.g. "persons.csv" (the name found in the folder when present).
    std::string file;
    /// Whether the file was in the folder.
    bool present = false;
    /// "utf-8", "utf-8-bom" or "windows-1252"; empty when absent.
    std::string encoding;
    /// ',' or ';' (',' when absent).
    char separator = ',';
    /// Data rows read (header, blank lines and all-empty rows excluded).
    std::size_t rows_read = 0;
    /// Records inserted or changed in the store, and records already equal (import_dir).
    /// permits, protections and situations are written with their person, and steps with
    /// their journey: their counts are 0 and the changes count in "persons" / "journeys".
    std::size_t changed = 0;
    std::size_t unchanged = 0;
    /// The file was absent: nothing of this table was changed or removed (a person's
    /// permits, protections and situations and a journey's steps were kept as stored).
    bool kept = false;
    /// permits, protections, situations, steps: records that were in the store for a
    /// person (journey) of the folder and are not in the present file, hence removed.
    std::size_t removed = 0;
};

/// What import_dir did (or read_exchange_dir read).
struct ImportSummary {
    /// One entry per table of the format, in format order (persons first).
    std::vector<TableSummary> tables;
    /// Things ignored on purpose (files that are not CSV, unnamed columns holding data).
    std::vector<ImportIssue> warnings;
    /// Sum of TableSummary::changed: 0 when the store already held the folder.
    std::size_t changed() const noexcept;
    /// Sum of TableSummary::removed.
    std::size_t removed() const noexcept;
    /// ImportOptions::dry_run was set: nothing was written.
    bool dry_run = false;
    /// settings.json (R10): absent from the folder (none: the store's settings were left as
    /// they were), else whether it changed the store's settings (a new dated entry).
    std::optional<bool> settings_changed;
    std::size_t rows_read() const noexcept;
    /// The entry of `table`; throws NotFoundError for an unknown table name.
    const TableSummary& table(std::string_view table) const;
};

/// Reads and validates every file of an exchange folder into domain values, without a
/// store: vocabularies, dates (R0.4 partial birth dates), nationality codes (R1,
/// normalised to alpha-2), numbers and ranges, duplicate keys, references between files.
/// Store-side rules (R6/R7 journeys and referrals, contract ids) are not checked here.
/// Records keep file order; a person's permits, protections and situations and a
/// journey's steps keep their file order. When `summary` is given it receives the files
/// read (changed/unchanged stay 0).
/// Throws ImportError listing every issue of the folder; ValidationError when `dir` is not
/// a readable folder.
Dataset read_exchange_dir(const std::filesystem::path& dir, const ImportOptions& options = {},
                          ImportSummary* summary = nullptr);

/// Imports an exchange folder into `store`, all or nothing (R9 audit): reads and validates
/// the folder, checks every contract and action named, then writes every record in ONE
/// store transaction (put_case, put_agir_support, put_referral, put_journey, ... which
/// apply the R6/R7 rules). A row refused by the store (ConflictError, NotFoundError,
/// ValidationError) becomes an issue at its file and line, message prefixed with the rule;
/// collection continues. On any issue the transaction is rolled back and ImportError is
/// thrown: nothing is written. Importing the same folder again changes nothing
/// (summary.changed() == 0, no audit row). StorageError other than a constraint failure
/// (I/O, lock) propagates after the rollback.
ImportSummary import_dir(Store& store, const std::filesystem::path& dir,
                         const ImportOptions& options = {});

/// How much of a birth date a pseudonymised export keeps.
enum class BirthPrecision { year, month };

/// Options of export_dir.
struct ExportOptions {
    /// When set, the export is pseudonymised with this key (see export_dir). The key is
    /// used in memory only, never written anywhere. At least 16 bytes.
    std::optional<std::string> pseudonymization_key;
    /// Pseudonymised export: birth dates reduced to the year (default) or the month.
    BirthPrecision birth_precision = BirthPrecision::year;
    /// Replace exchange files that already exist in `dir` and are not empty.
    bool overwrite = false;
    /// The file the key was read from (read_key_file), when known: the export is refused
    /// (ValidationError, field "key_file") when it is inside `dir`.
    std::optional<std::filesystem::path> key_file;
    ProgressFn progress;
};

/// What export_dir wrote.
struct ExportSummary {
    struct File {
        std::string file;
        std::size_t rows = 0;
    };
    /// Every file written, in format order.
    std::vector<File> files;
    bool pseudonymized = false;
    /// Rows of `file` (0 when unknown).
    std::size_t rows(std::string_view file) const noexcept;
};

/// Writes every table of `store` to `dir` (created if needed) in the exchange format v1:
/// UTF-8 without BOM, comma separator, LF, ISO dates, a header line in every file (all
/// fourteen files are written, empty tables included), rows in key order. Importing the
/// folder into an empty store gives an equal store (all_cases(), all_journeys(), ... equal).
///
/// Files are first written as `<name>.csv.tmp` then renamed, so an interrupted export
/// leaves no half-written `.csv`. Refuses (ValidationError, nothing written) when an
/// exchange file already exists in `dir` and is not empty, unless options.overwrite.
///
/// Pseudonymised export (R9, options.pseudonymization_key): every person_id (also in
/// rejoining_family_of), household_id, journey_id and referral_id is replaced by a keyed
/// hash, consistently across files: HMAC-SHA-256(key, kind + ":" + id) with kind `person`,
/// `household`, `journey` or `referral`, written as a prefix letter (`X` person, `H`
/// household, `J` journey, `R` referral) and the first 20 hexadecimal digits (80 bits) of
/// the MAC. Birth dates are reduced to options.birth_precision; last_contact is dropped;
/// the free-text reasons (override_reason, referral reason) are replaced by the word
/// `redacted` (the text is dropped, the fact that there was one is kept, so that the
/// folder stays importable); rows are sorted by their pseudonymised keys. The folder also
/// receives the marker file `PSEUDONYMIZED.txt` (import_dir refuses such a folder unless
/// ImportOptions::allow_pseudonymized); a plain export removes a stale marker. Throws
/// ValidationError for a weak key (shorter than 16 bytes, white space only, fewer than 8
/// distinct bytes) and for options.key_file inside `dir`; Error if two ids get the same
/// pseudonym (probability about n^2 / 2^81).
///
/// Every cell that a spreadsheet would run as a formula (it starts with = + - @ TAB or CR,
/// after any single quotes) is written with one more leading single quote (OWASP, CSV
/// injection); the reader removes it again, so the round trip is exact.
ExportSummary export_dir(const Store& store, const std::filesystem::path& dir,
                         const ExportOptions& options = {});

/// Writes a Dataset (e.g. a synthetic cohort, synthetic.hpp) as an exchange folder, in the
/// same format and with the same options as export_dir; records are written in the
/// Dataset's order (export_dir writes the store's key order).
ExportSummary write_exchange_dir(const Dataset& data, const std::filesystem::path& dir,
                                 const ExportOptions& options = {});

/// Reads a pseudonymisation key file: its bytes, without the trailing line end (CR/LF)
/// that editors and `openssl rand -hex 32 > key` add. Throws ValidationError when the file
/// cannot be read, is empty, holds fewer than 16 bytes, or is weak (white space only,
/// fewer than 8 distinct bytes). The message never contains the
/// key or part of it.
std::string read_key_file(const std::filesystem::path& path);

}  // namespace ctai
