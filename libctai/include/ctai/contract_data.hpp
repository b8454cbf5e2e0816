#pragma once
/// \file contract_data.hpp
/// The recorded activity of ONE contract, in memory and in columns: its journeys with their
/// steps, its activities with their participations, the volunteering and housing moves of
/// its persons, its partnerships and costs. Persons are dense indexes of the CaseSnapshot
/// the data comes with (read at the same moment), open vocabularies (exit reasons, activity
/// types, structures, association types, households) are small integer codes into a
/// dictionary. Built by Store::contract_data() in one ordered pass per table, kept by the
/// Store while the data is unchanged; the report (R8) is computed from it without any
/// object or string per row. No SQL here.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ctai/case_snapshot.hpp>
#include <ctai/columns.hpp>
#include <ctai/ids.hpp>
#include <ctai/model.hpp>

namespace ctai {

struct ContractData {
    ContractId contract_id;
    /// Every case of the store at the moment the rows below were read: `person` columns are
    /// its dense indexes.
    std::shared_ptr<const CaseSnapshot> cases;

    /// R7: the contract's journeys, in journey id order, then (R10) those of the contracts it
    /// continues that are still open on its start date, each under the action the
    /// succession maps it onto, in (contract, journey id) order. The steps of journey j are rows
    /// [step_begin[j], step_begin[j + 1]) of `steps`, in recorded order.
    struct Journeys {
        std::vector<std::uint32_t> person;
        std::vector<std::int32_t> action;
        std::vector<std::int32_t> entry;
        /// `no_date` when open.
        std::vector<std::int32_t> exit;
        /// Code of ReferralSource.
        std::vector<std::uint8_t> referral_source;
        /// Index in `exit_reasons`; `no_index` when open.
        std::vector<std::uint32_t> exit_reason;
        /// size() + 1 entries.
        std::vector<std::uint32_t> step_begin{0};
        std::size_t size() const noexcept { return entry.size(); }
    } journeys;
    /// The exit reason codes met (the contract's vocabulary), in order of first appearance.
    std::vector<std::string> exit_reasons;
    struct Steps {
        /// Code of StepKind.
        std::vector<std::uint8_t> kind;
        std::vector<std::int32_t> date;
        std::size_t size() const noexcept { return date.size(); }
    } steps;

    /// R8: the contract's activities, in activity id order. The participations of activity
    /// a are rows [participation_begin[a], participation_begin[a + 1]) of `participations`.
    struct Activities {
        std::vector<std::int32_t> action;
        /// Code of ActivityKind.
        std::vector<std::uint8_t> kind;
        /// Index in `activity_types`.
        std::vector<std::uint32_t> type;
        std::vector<std::int32_t> date;
        std::vector<double> hours;
        std::vector<std::uint8_t> co_animated;
        /// Index in `structures` ("" included).
        std::vector<std::uint32_t> structure;
        /// size() + 1 entries.
        std::vector<std::uint32_t> participation_begin{0};
        std::size_t size() const noexcept { return date.size(); }
    } activities;
    std::vector<std::string> activity_types;
    std::vector<std::string> structures;
    struct Participations {
        std::vector<std::uint32_t> person;
        /// 1 to 5; 0 when not recorded.
        std::vector<std::uint8_t> satisfaction;
        std::size_t size() const noexcept { return person.size(); }
    } participations;

    /// Volunteering of the persons who have a journey of the contract, in (person id, kind,
    /// start) order.
    struct Volunteering {
        std::vector<std::uint32_t> person;
        /// Code of VolunteeringKind.
        std::vector<std::uint8_t> kind;
        std::vector<std::int32_t> start;
        /// `no_date` when open.
        std::vector<std::int32_t> end;
        /// Index in `association_types` ("" included).
        std::vector<std::uint32_t> association_type;
        std::size_t size() const noexcept { return start.size(); }
    } volunteering;
    std::vector<std::string> association_types;

    /// The household code of every case of `cases` who has a journey of the contract and a
    /// household (`no_index` otherwise); codes are 0 .. household_count - 1.
    std::vector<std::uint32_t> person_household;
    std::uint32_t household_count = 0;
    /// By household code: the number of cases of `cases` (of the whole store, not only of
    /// the contract) that share the household's id, i.e. its members recorded in the store.
    std::vector<std::uint32_t> household_size;
    /// Housing moves of those households, in (household id, date) order (one move per
    /// household and date: the table's key).
    struct HousingMoves {
        std::vector<std::uint32_t> household;
        std::vector<std::int32_t> date;
        /// Code of HousingType.
        std::vector<std::uint8_t> housing_type;
        /// By household code: its moves are rows [begin[h], end[h]) (consecutive, in date
        /// order; begin[h] == end[h] when it has none).
        std::vector<std::uint32_t> begin, end;
        std::size_t size() const noexcept { return date.size(); }
    } housing;

    /// The contract's partnerships and costs (a few rows), in key order.
    std::vector<Partnership> partnerships;
    std::vector<Cost> costs;
};

}  // namespace ctai
