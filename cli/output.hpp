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
