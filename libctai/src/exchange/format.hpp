#pragma once
// The exchange format v1 as data (interfaces.md section 1): its files and their columns,
// in one place for the reader and the writer. Internal to libctai.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ctai::detail {

/// A column of an exchange file. `required`: the header must name it and every row must
/// fill it; other columns may be absent, and an empty cell is "no value".
struct ColumnSpec {
    std::string_view name;
    bool required = false;
};

/// The tables of the format, in the order they are read, written and reported.
enum class Table : std::size_t {
    persons, permits, protections, situations, journeys, steps, agir, referrals, activities,
    participations, volunteering, housing, partnerships, costs,
    /// R1 dated nationalities (schema version 4): last, so that the tables before it keep
    /// their place in summaries; read right after situations (a person's lists).
    nationalities
};
inline constexpr std::size_t table_count = 15;

struct TableSpec {
    Table table;
    std::string_view name;  ///< e.g. "persons"
    std::string_view file;  ///< e.g. "persons.csv"
    std::span<const ColumnSpec> columns;
    bool required_file = false;
    /// Written by export only when it has rows (a file added after format v1's fourteen:
    /// an export without such rows is the same as before).
    bool only_with_rows = false;
};

namespace columns {
inline constexpr std::array<ColumnSpec, 10> persons{{
    {"person_id", true}, {"sex"}, {"birth_date"}, {"nationalities"}, {"household_id"},
    {"department"}, {"cir_status"}, {"cir_date"}, {"rejoining_family_of"}, {"last_contact"}}};
inline constexpr std::array<ColumnSpec, 5> permits{{
    {"person_id", true}, {"kind", true}, {"motive", true}, {"valid_from", true},
    {"valid_to"}}};
inline constexpr std::array<ColumnSpec, 7> protections{{
    {"person_id", true}, {"type", true}, {"authority", true}, {"decision_date", true},
    {"notification_date"}, {"displaced_on"}, {"end_date"}}};
inline constexpr std::array<ColumnSpec, 4> situations{{
    {"person_id", true}, {"situation", true}, {"start", true}, {"end"}}};
inline constexpr std::array<ColumnSpec, 9> journeys{{
    {"journey_id", true}, {"person_id", true}, {"contract_id", true}, {"action", true},
    {"entry_date", true}, {"referral_source", true}, {"exit_date"}, {"exit_reason"},
    {"override_reason"}}};
inline constexpr std::array<ColumnSpec, 3> steps{{
    {"journey_id", true}, {"step", true}, {"date", true}}};
inline constexpr std::array<ColumnSpec, 7> agir{{
    {"person_id", true}, {"orientation_date", true}, {"entry_date"}, {"exit_date"},
    {"exit_housing"}, {"exit_activity"}, {"cdd_months"}}};
inline constexpr std::array<ColumnSpec, 10> referrals{{
    {"referral_id", true}, {"person_id", true}, {"from", true}, {"to", true},
    {"need", true}, {"status", true}, {"proposed_on", true}, {"decided_on"},
    {"completed_on"}, {"reason"}}};
inline constexpr std::array<ColumnSpec, 9> activities{{
    {"activity_id", true}, {"contract_id", true}, {"action", true}, {"kind", true},
    {"type"}, {"date", true}, {"hours"}, {"co_animated"}, {"structure"}}};
inline constexpr std::array<ColumnSpec, 3> participations{{
    {"activity_id", true}, {"person_id", true}, {"satisfaction"}}};
inline constexpr std::array<ColumnSpec, 5> volunteering{{
    {"person_id", true}, {"kind", true}, {"start", true}, {"end"}, {"association_type"}}};
inline constexpr std::array<ColumnSpec, 3> housing{{
    {"household_id", true}, {"date", true}, {"housing_type", true}}};
inline constexpr std::array<ColumnSpec, 5> partnerships{{
    {"contract_id", true}, {"action", true}, {"partner", true}, {"theme", true},
    {"date", true}}};
inline constexpr std::array<ColumnSpec, 4> costs{{
    {"contract_id", true}, {"action", true}, {"total_cost", true}, {"subsidy_p104", true}}};
inline constexpr std::array<ColumnSpec, 4> nationalities{{
    {"person_id", true}, {"nationality", true}, {"acquired_on"}, {"lost_on"}}};
}  // namespace columns

inline constexpr std::array<TableSpec, table_count> tables{{
    {Table::persons, "persons", "persons.csv", columns::persons, true},
    {Table::permits, "permits", "permits.csv", columns::permits},
    {Table::protections, "protections", "protections.csv", columns::protections},
    {Table::situations, "situations", "situations.csv", columns::situations},
    {Table::journeys, "journeys", "journeys.csv", columns::journeys},
    {Table::steps, "steps", "steps.csv", columns::steps},
    {Table::agir, "agir", "agir.csv", columns::agir},
    {Table::referrals, "referrals", "referrals.csv", columns::referrals},
    {Table::activities, "activities", "activities.csv", columns::activities},
    {Table::participations, "participations", "participations.csv", columns::participations},
    {Table::volunteering, "volunteering", "volunteering.csv", columns::volunteering},
    {Table::housing, "housing", "housing.csv", columns::housing},
    {Table::partnerships, "partnerships", "partnerships.csv", columns::partnerships},
    {Table::costs, "costs", "costs.csv", columns::costs},
    {Table::nationalities, "nationalities", "nationalities.csv", columns::nationalities, false, true},
}};

constexpr const TableSpec& spec(Table t) noexcept { return tables[static_cast<std::size_t>(t)]; }

/// How often the progress hook is called inside a stage.
inline constexpr std::size_t progress_every = 1000;

}  // namespace ctai::detail
