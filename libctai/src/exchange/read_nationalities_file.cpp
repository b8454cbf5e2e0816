// Reading nationalities.csv (domain R1, dated nationalities; an optional file): each row a
// nationality of a person of persons.csv, held from acquired_on (included; always when
// empty) until lost_on (the first day it no longer counts; never when empty). A person it
// lists takes their nationalities from it: their persons.nationalities cell must then be
// empty (filled here with the codes of the rows) or hold the same set of codes.
//
// R9: nationalities are personal data: no message quotes a code or a date, only the
// file, line and column (and the person id of an unknown reference, an opaque key).

#include <string>

#include <ctai/error.hpp>
#include <ctai/nationality.hpp>

#include "codec/text.hpp"
#include "domain/journey_rules.hpp"
#include "exchange/folder_reader.hpp"
#include "exchange/read.hpp"

namespace ctai::detail {

void FolderReader::read_dated_nationalities() {
    KeySet rows;
    for_rows(Table::nationalities, [&](RowReader& r) {
        DatedNationality n;
        if (const auto code = detail::trim(r.cell("nationality"), " \t"); !code.empty()) {
            try {
                n.code = normalize_nationality(code);
            } catch (const ValidationError&) {
                r.error("nationality",
                        "unknown nationality code (expected an ISO 3166-1 code such as DZ or "
                        "DZA, STATELESS or UNKNOWN)");
            }
        }
        n.acquired_on = r.date("acquired_on");
        n.lost_on = r.date("lost_on");
        if (n.acquired_on && n.lost_on && !(*n.acquired_on < *n.lost_on))
            r.error("lost_on", "is not after acquired_on (lost_on is the first day the "
                               "nationality no longer counts)");
        const auto id = r.text("person_id");
        if (r.ok()) {
            const auto key = composite({id, n.code, n.acquired_on ? to_iso(*n.acquired_on) : "",
                                        n.lost_on ? to_iso(*n.lost_on) : ""});
            if (const auto first = rows.insert(key, r.line()))
                duplicate(r, "nationality", "row of person_id " + quoted_id(id), *first);
        }
        if (!id.empty()) listed_nationalities_.insert(id);
        attach_to_person(r, std::move(n), &PersonCase::nationalities);
    });
}

void FolderReader::check_nationalities_agree(ReadResult& out) {
    if (!table(Table::nationalities).usable || !persons_known()) return;
    for (std::size_t i = 0; i < cases_.items.size(); ++i) {
        auto& c = cases_.items[i];
        if (c.nationalities.empty()) continue;
        out.nationality_persons.insert(c.person.id.str());
        if (c.person.nationalities.empty()) {
            c.person.nationalities = rules::dated_codes(c.nationalities);
        } else if (!rules::same_codes(c.person.nationalities, c.nationalities)) {
            sink_.add(table(Table::persons).file, cases_.lines[i], "nationalities",
                      "does not agree with " + table(Table::nationalities).file +
                          " (a person listed there needs the same set of codes here, or an "
                          "empty cell)");
            cases_.keep[i] = false;
            reject_person(c.person.id.str());
        }
    }
    // A listed person whose rows were all refused is still listed: their stored dated
    // nationalities are not kept silently (the import fails on the refused rows anyway).
    for (const auto& id : listed_nationalities_) out.nationality_persons.insert(id);
}

}  // namespace ctai::detail
