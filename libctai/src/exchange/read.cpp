// Reading an exchange folder (interfaces.md section 1) into validated domain values, with
// every error of the folder collected at its file, line and column.
// Here: the run over the files and the final compaction of what can be written; the cells
// and files are read in rows.cpp, the tables in read_persons.cpp and read_records.cpp.

#include "exchange/read.hpp"

#include <unordered_set>
#include <utility>

#include <ctai/error.hpp>

#include "exchange/folder_reader.hpp"

namespace ctai {

namespace fs = std::filesystem;

namespace detail {

// Checks a person reference; false (and an issue) when unknown.
bool FolderReader::check_person(RowReader& r, std::string_view column) {
    const auto id = r.cell(column);
    if (id.empty() || !persons_known()) return true;
    if (person_index_.count(std::string(id))) return true;
    r.error(column, "unknown person_id " + quoted_id(id) + " (not in " +
                        table(Table::persons).file + ")");
    return false;
}

void FolderReader::reject_person(const std::string& id) {
    if (!id.empty()) rejected_persons_.insert(id);
}

void FolderReader::duplicate(RowReader& r, std::string_view column, std::string_view what,
                             long first) {
    r.error(column, "duplicate " + std::string(what) + " (first on line " +
                        std::to_string(first) + ")");
}

// Leaves out every record that depends on a refused one, then fills `out`.
void FolderReader::finish(ReadResult& out) {
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

    compact(cases_, out.data.cases, out.lines_of(Table::persons));
    for (std::size_t i = 0; i < journeys_.items.size(); ++i) {
        if (!journeys_.keep[i]) continue;
        out.data.journeys.push_back(std::move(journeys_.items[i]));
        out.lines_of(Table::journeys).push_back(journeys_.lines[i]);
        out.step_lines.push_back(std::move(step_lines_[i]));
    }
    compact(agir_, out.data.agir, out.lines_of(Table::agir));
    compact(referrals_, out.data.referrals, out.lines_of(Table::referrals));
    compact(activities_, out.data.activities, out.lines_of(Table::activities));
    compact(participations_, out.data.participations, out.lines_of(Table::participations));
    compact(volunteering_, out.data.volunteering, out.lines_of(Table::volunteering));
    compact(housing_, out.data.housing, out.lines_of(Table::housing));
    compact(partnerships_, out.data.partnerships, out.lines_of(Table::partnerships));
    compact(costs_, out.data.costs, out.lines_of(Table::costs));
}

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
