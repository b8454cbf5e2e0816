#pragma once
// Output of the ctai command: aligned tables for a terminal, CSV, JSON. Thin: formatting
// only, no rules.
#include <iosfwd>
#include <string>
#include <vector>

namespace ctai::cli {

enum class Format { table, csv, json, md, html };

/// A rectangular result: a header and rows of already formatted cells.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

/// Writes `t` aligned in columns (table) or as RFC 4180 CSV.
void print_table(std::ostream& out, const Table& t);
void print_csv(std::ostream& out, const Table& t);

/// Whether standard error is a terminal (progress is shown only then).
bool stderr_is_terminal();
/// Whether standard input is a terminal (confirmations are asked only then).
bool stdin_is_terminal();

/// A progress line on a terminal ("stage  done/total  pct%"), silent when not a terminal.
class Progress {
public:
    explicit Progress(bool enabled);
    void update(const std::string& stage, std::size_t done, std::size_t total);
    void finish();
    ~Progress();

private:
    bool enabled_;
    bool drawn_ = false;
    std::string last_stage_;
    int last_pct_ = -1;
};

}  // namespace ctai::cli

namespace ctai::cli {

/// Whether the file at `path` starts like a SQLite database, a SQLite write-ahead log or a
/// rollback journal (a ctai store or one of its companions): `-o` never replaces those.
bool looks_like_store(const std::string& path);

/// The checks of write_file_atomically() on the target, done before any work (UsageError).
void check_output_target(const std::string& path, bool overwrite);

/// Writes `text` to `path` through a temporary file in the same folder, flushed and renamed
/// over `path` at the end: `path` is either untouched or complete, never partial. Refuses
/// (UsageError) an existing file unless `overwrite`, and a store file even then; a failed
/// write removes the temporary file and throws StorageError.
void write_file_atomically(const std::string& path, const std::string& text, bool overwrite);

/// Flushes standard output: 0 when every write to it succeeded, an errno value (or -1 when
/// unknown) otherwise.
int flush_stdout();

}  // namespace ctai::cli
