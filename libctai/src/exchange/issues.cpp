// The issues of an exchange folder: the public helpers of exchange.hpp (ImportIssue,
// ImportError, ImportSummary) and the IssueSink of the reader.

#include "exchange/read.hpp"
#include "exchange/rows.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include <ctai/error.hpp>

namespace ctai {

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

constexpr std::size_t max_listed_issues = detail::IssueSink::max_kept + 1;

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

std::size_t ImportSummary::removed() const noexcept {
    std::size_t n = 0;
    for (const auto& t : tables) n += t.removed;
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
    if (issues_.size() >= max_kept) {
        ++more_;
        return;
    }
    issues_.push_back(ImportIssue{std::move(file), line, std::move(column), std::move(message),
                                  std::move(rule)});
}

std::vector<ImportIssue> IssueSink::sorted() const {
    std::vector<ImportIssue> out = issues_;
    std::stable_sort(out.begin(), out.end(), [](const ImportIssue& a, const ImportIssue& b) {
        return std::make_tuple(file_rank(a.file), std::string_view(a.file), a.line) <
               std::make_tuple(file_rank(b.file), std::string_view(b.file), b.line);
    });
    if (more_ != 0)
        out.push_back(ImportIssue{"...", 0, {},
                                  "and " + std::to_string(more_) + " more issue" +
                                      (more_ == 1 ? "" : "s") + " not listed (the first " +
                                      std::to_string(max_kept) + " found are)",
                                  {}});
    return out;
}


}  // namespace detail
}  // namespace ctai
