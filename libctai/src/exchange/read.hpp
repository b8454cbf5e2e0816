#pragma once
// Reading an exchange folder into domain values with the location of every record, for
// read_exchange_dir and import_dir. Internal to libctai.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <ctai/exchange.hpp>
#include <ctai/model.hpp>

#include "exchange/format.hpp"

namespace ctai::detail {

/// Collects the issues of a folder.
class IssueSink {
public:
    void add(std::string file, long line, std::string column, std::string message,
             std::string rule = {});
    bool empty() const noexcept { return issues_.empty(); }
    std::size_t size() const noexcept { return issues_.size(); }
    /// The issues sorted by file (format order), line, then order of discovery.
    std::vector<ImportIssue> sorted() const;

private:
    std::vector<ImportIssue> issues_;
};

/// What read_exchange found. `data` holds only the records that can be written: a record
/// with an error, and every record depending on it (a person's journeys, a rejected
/// activity's participations, ...), is left out so that the store phase reports only
/// genuine rule violations. The `*_line` vectors are parallel to the Dataset vectors.
struct ReadResult {
    Dataset data;
    std::vector<long> case_line;
    std::vector<long> journey_line;
    /// Parallel to data.journeys[i].steps.
    std::vector<std::vector<long>> step_lines;
    std::vector<long> agir_line;
    std::vector<long> referral_line;
    std::vector<long> activity_line;
    std::vector<long> participation_line;
    std::vector<long> volunteering_line;
    std::vector<long> housing_line;
    std::vector<long> partnership_line;
    std::vector<long> cost_line;
    /// The file name used in issues, per table (the name found in the folder, or the
    /// format's name when absent).
    std::array<std::string, table_count> file;
    ImportSummary summary;
    /// False when a file could not be read at all (parse error, missing required column,
    /// missing persons.csv): the store phase is then skipped.
    bool complete = true;

    const std::string& file_of(Table t) const { return file[static_cast<std::size_t>(t)]; }
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
