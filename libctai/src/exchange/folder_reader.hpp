#pragma once
// The reader of every file of an exchange folder (internal to libctai): the rows of each
// table with their lines, the keys seen, and what is left out because it depends on a
// refused record. Defined in read.cpp (the run and the final compaction),
// read_persons.cpp (persons, their lists, journeys and steps) and read_records.cpp (AGIR,
// referrals, activities and the contract's other tables).

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "exchange/rows.hpp"

namespace ctai::detail {

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

inline std::string composite(std::initializer_list<std::string_view> parts) {
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
        read_dated_nationalities();
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
        check_nationalities_agree(out);
        finish(out);
        // Non-blocking, located warnings (never a personal value), after the folder's own.
        out.summary.warnings.insert(out.summary.warnings.end(), warnings_.begin(), warnings_.end());
    }
private:
    /// Warnings of the rows read (ImportSummary::warnings).
    std::vector<ImportIssue> warnings_;
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
    bool check_person(RowReader& r, std::string_view column);
    void reject_person(const std::string& id);
    void duplicate(RowReader& r, std::string_view column, std::string_view what, long first);
    void read_persons();
    void read_nationalities(RowReader& r, Person& p);
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
    void read_permits();
    void read_protections();
    void read_situations();
    /// nationalities.csv (R1), then the agreement of each listed person's
    /// persons.nationalities (read_nationalities_file.cpp).
    void read_dated_nationalities();
    void check_nationalities_agree(ReadResult& out);
    void read_journeys();
    void read_steps();
    void read_agir();
    void endpoint(RowReader& r, std::string_view column, std::string& out);
    void read_referrals();
    void read_activities();
    void read_participations();
    void read_volunteering();
    void read_housing();
    void read_partnerships();
    void read_costs();
    void finish(ReadResult& out);

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
    std::unordered_set<std::string> listed_nationalities_;
    std::unordered_set<std::string> activity_ids_;
    std::unordered_set<std::string> rejected_persons_;
    /// Persons none of whose journeys are written (one of them or of their AGIR supports
    /// was refused, and the others may depend on it: prerequisites, R6).
    std::unordered_set<std::string> journey_blocked_;
    std::unordered_set<std::string> rejected_journeys_;
    std::unordered_set<std::string> rejected_referrals_;
    std::unordered_set<std::string> rejected_activities_;
};

}  // namespace ctai::detail
