// R9 retention: the persons past their retention period and their anonymisation (opaque
// ids, coarsened birth dates, redacted audit rows).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ctai/journeys.hpp>
#include <ctai/referrals.hpp>

#include "domain/journey_rules.hpp"
#include "storage/bulk_load.hpp"
#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

// SQL: the day number of 1 January of the year of day number `x`.
#define CTAI_YEAR_START(x) \
    "CAST(julianday(strftime('%Y-01-01', " x " + 2440587.5)) - 2440587.5 AS INTEGER)"

namespace ctai {
namespace detail {

}  // namespace detail

// ---- retention (R9) ---------------------------------------------------------------------

std::vector<PersonId> Store::retention_candidates(Date today) const {
    return detail::guard([&] {
        const auto& p = impl_->policy;
        std::vector<PersonId> out;
        auto q = impl_->query("SELECT person_id, last_contact FROM persons WHERE last_contact IS "
                              "NOT NULL AND anonymised_on IS NULL ORDER BY person_id");
        while (q.step())
            if (today >= period_end_years(q.date(1), p.retention_years, p.boundary, p.feb29))
                out.emplace_back(q.text(0));
        return out;
    });
}

AnonymizationReport Store::anonymize_expired(Date today) {
    return detail::guard([&] {
        AnonymizationReport report;
        report.today = today;
        impl_->end_bulk();
        auto tx = transaction("R9 retention: anonymisation");
        const auto candidates = retention_candidates(today);
        auto unused = [&](const std::string& table, const std::string& column,
                          const std::string& prefix) {
            for (;;) {
                auto id = detail::random_id(prefix);
                auto q = impl_->query("SELECT 1 FROM " + table + " WHERE " + column + " = ?");
                q.bind(id);
                if (!q.step()) return id;
            }
        };
        std::set<std::string> households;
        for (const auto& old_id : candidates) {
            const std::string old = old_id.str();
            const std::string fresh = unused("persons", "person_id", "ANON-");
            {
                auto q = impl_->query("SELECT household_id FROM persons WHERE person_id = ?");
                q.bind(old);
                if (q.step() && !q.null(0)) households.insert(q.text(0));
            }
            // ON UPDATE CASCADE re-keys permits, protections, situations, journeys,
            // AGIR supports, referrals, participations, volunteering and family links.
            impl_->query("UPDATE persons SET person_id = ? WHERE person_id = ?").bind(fresh, old).exec();
            impl_->query(
                     "UPDATE persons SET birth_date = CASE WHEN birth_date IS NULL THEN NULL ELSE "
                     "CAST(julianday(strftime('%Y-01-01', birth_date + 2440587.5)) - 2440587.5 "
                     "AS INTEGER) END, birth_precision = CASE WHEN birth_date IS NULL THEN NULL "
                     "ELSE 'year' END, last_contact = NULL, anonymised_on = ?, "
                     "rejoining_family_of = CASE WHEN rejoining_family_of IN (SELECT person_id "
                     "FROM persons WHERE anonymised_on IS NOT NULL) THEN rejoining_family_of "
                     "ELSE NULL END WHERE person_id = ?")
                .bind(today, fresh)
                .exec();
            // R9: dated nationalities keep their codes (the nationality class is a
            // statistical dimension) and their dates to the year only, as the birth date:
            // acquired_on -> 1 January of its year, lost_on -> 1 January of its year, or of
            // the next year when that would not come after the rounded acquired_on.
            impl_->query(
                     "UPDATE nationalities SET acquired_on = CASE WHEN acquired_on IS NULL THEN "
                     "NULL ELSE " CTAI_YEAR_START("acquired_on") " END WHERE person_id = ?")
                .bind(fresh)
                .exec();
            impl_->query(
                     "UPDATE nationalities SET lost_on = CASE WHEN lost_on IS NULL THEN NULL "
                     "WHEN acquired_on IS NOT NULL AND " CTAI_YEAR_START("lost_on") " <= "
                     "acquired_on THEN " CTAI_YEAR_START("(" CTAI_YEAR_START("lost_on") ") + 366") " ELSE "
                     CTAI_YEAR_START("lost_on") " END WHERE person_id = ?")
                .bind(fresh)
                .exec();
            impl_->query("UPDATE journeys SET override_reason = '[anonymised]' WHERE "
                         "person_id = ? AND override_reason IS NOT NULL")
                .bind(fresh)
                .exec();
            impl_->query("UPDATE referrals SET reason = '[anonymised]' WHERE person_id = ? AND "
                         "reason IS NOT NULL")
                .bind(fresh)
                .exec();
            auto count = [&](const char* table) {
                auto q = impl_->query(std::string("SELECT count(*) FROM ") + table +
                                      " WHERE person_id = ?");
                q.bind(fresh);
                q.step();
                return q.i64(0);
            };
            report.referrals += count("referrals");
            report.agir_supports += count("agir_supports");
            const auto journeys = count("journeys");
            report.journeys += journeys;
            report.audit_rows += impl_->query(
                    "UPDATE audit_log SET person_id = ?1, entity_id = CASE WHEN entity_id = ?2 "
                    "THEN ?1 ELSE entity_id END, change = '{\"redacted\":true}', reason = NULL "
                    "WHERE person_id = ?2")
                                     .bind(fresh, old)
                                     .exec();
            // Other rows mentioning the id (another person's family link).
            impl_->query("UPDATE audit_log SET change = replace(change, ?1, ?2) WHERE "
                         "instr(change, ?1) > 0")
                .bind("\"" + old + "\"", "\"" + fresh + "\"")
                .exec();
            impl_->audit("person", fresh, PersonId{fresh}, "anonymise",
                         detail::Json{{"anonymised_on", to_iso(today)}, {"journeys", journeys}});
            report.persons += 1;
        }
        // Households whose members are all anonymised get an opaque id too.
        for (const auto& h : households) {
            {
                auto q = impl_->query("SELECT count(*) FROM persons WHERE household_id = ? AND "
                                      "anonymised_on IS NULL");
                q.bind(h);
                q.step();
                if (q.i64(0) != 0) continue;
            }
            const std::string fresh = unused("persons", "household_id", "ANON-H-");
            impl_->query("UPDATE persons SET household_id = ? WHERE household_id = ?").bind(fresh, h).exec();
            impl_->query("UPDATE housing_moves SET household_id = ? WHERE household_id = ?")
                .bind(fresh, h)
                .exec();
            impl_->query("UPDATE audit_log SET entity_id = ? WHERE entity = 'housing_move' AND "
                         "entity_id = ?")
                .bind(fresh, h)
                .exec();
            report.households += 1;
        }
        tx.commit();
        return report;
    });
}

}  // namespace ctai
