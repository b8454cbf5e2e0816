#pragma once
// Reading an exchange folder into domain values with the location of every record, for
// read_exchange_dir and import_dir. Internal to libctai.

#include <array>
#include <optional>
#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

#include <ctai/exchange.hpp>
#include <ctai/model.hpp>
#include <ctai/settings.hpp>

#include "exchange/format.hpp"

namespace ctai::detail {

/// Collects the issues of a folder: the first max_kept, and the count of the others (a
/// folder with 100 000 unknown columns lists 200 of them and "and N more").
class IssueSink {
public:
    static constexpr std::size_t max_kept = 200;
    void add(std::string file, long line, std::string column, std::string message,
             std::string rule = {});
    bool empty() const noexcept { return issues_.empty(); }
    std::size_t size() const noexcept { return issues_.size() + more_; }
    /// The issues kept sorted by file (format order), line, then order of discovery, then
    /// (when some were not kept) a last issue of file "..." counting the others.
    std::vector<ImportIssue> sorted() const;

private:
    std::vector<ImportIssue> issues_;
    std::size_t more_ = 0;
};

/// What read_exchange found. `data` holds only the records that can be written: a record
/// with an error, and every record depending on it (a person's journeys, a rejected
/// activity's participations, ...), is left out so that the store phase reports only
/// genuine rule violations. `lines` is parallel to the Dataset vectors, one per table.
struct ReadResult {
    Dataset data;
    /// The line of each record kept, per table: lines_of(Table::journeys)[i] is the line of
    /// data.journeys[i] (Table::persons: data.cases; the steps: step_lines).
    std::array<std::vector<long>, table_count> lines;
    /// Parallel to data.journeys[i].steps.
    std::vector<std::vector<long>> step_lines;
    /// The file name used in issues, per table (the name found in the folder, or the
    /// format's name when absent).
    std::array<std::string, table_count> file;
    ImportSummary summary;
    /// The persons nationalities.csv lists (their dated nationalities are replaced; the
    /// others keep what the store holds).
    std::unordered_set<std::string> nationality_persons;
    /// False when a file could not be read at all (parse error, missing required column,
    /// missing persons.csv): the store phase is then skipped.
    bool complete = true;
    /// settings.json (R10, settings_io.cpp), when present and valid.
    std::optional<StoreSettings> settings;

    const std::string& file_of(Table t) const { return file[static_cast<std::size_t>(t)]; }
    std::vector<long>& lines_of(Table t) { return lines[static_cast<std::size_t>(t)]; }
    const std::vector<long>& lines_of(Table t) const {
        return lines[static_cast<std::size_t>(t)];
    }
    /// The line of the i-th record kept of table `t`.
    long line(Table t, std::size_t i) const { return lines_of(t)[i]; }
};

/// Reads every file of `dir`. Issues go to `sink`; never throws ImportError itself.
/// Throws ValidationError when `dir` is not a readable folder.
ReadResult read_exchange(const std::filesystem::path& dir, const ImportOptions& options,
                         IssueSink& sink);

/// Calls the progress hook, if any.
inline void report_progress(const ProgressFn& progress, std::string_view stage,
                            std::size_t done, std::size_t total) {
    if (progress) progress(stage, done, total);
}

}  // namespace ctai::detail
