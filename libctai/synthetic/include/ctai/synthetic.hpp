#pragma once
/// \file synthetic.hpp
/// A deterministic synthetic cohort: made-up people helped by a CTAI, with their permits,
/// protections, situations, AGIR supports, referrals, journeys through the actions of a
/// contract, activities, participations, volunteering, household housing moves,
/// partnerships and costs. One generator serves `ctai demo` (a few hundred people), the
/// tests and the benchmarks (10^4 to 10^6 people).
///
/// Synthetic data only: the model holds no names, and every code, date and id is drawn
/// from a seeded pseudo-random generator of the library's own (no std distribution), so
/// the same options give the same Dataset on every platform and standard library.
///
/// The cohort respects the rules the store enforces, so it can be written without any
/// override (no journey carries an override_reason):
/// - R7 shape: exit >= entry, steps inside [entry, exit] in the order intake, diagnosis,
///   support, follow_on, end_of_support; an exit reason from the contract's vocabulary iff
///   an exit date; journeys of one person in one action never overlap (a re-entry starts
///   after the previous exit, so at most one is open);
/// - R7 public: the person is in the contract's public (primo-arrivant, BPI or BPT, i.e.
///   evaluate(...).ctai_public) at entry, except in actions open to the general population
///   (where non-eligible participants appear and are counted apart);
/// - R7 prerequisite: entry strictly after the prerequisite action's journey reached one of
///   the prerequisite steps (or exited, when that counts);
/// - R6: no entry into an `excluded` action while an AGIR support window is active
///   (agir_support_active from any AGIR entry, exits ignored); a `partner` action entered
///   from AGIR only for one of its declared needs; AGIR supports only for persons
///   AGIR-eligible on the orientation date;
/// - R6 referrals follow the lifecycle with non-decreasing dates and a reason for declined
///   and cancelled ones;
/// - every event (entry, exit, step, decision, orientation, referral, activity, move) is
///   dated on or before the evaluation date: the data as known on that day (validity ends
///   of permits may be later). A journey still running on that day is open (about 10%).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include <ctai/contract.hpp>
#include <ctai/date.hpp>
#include <ctai/ids.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai {

/// Progress of a long generation: `done` persons out of `total`. Called from the
/// generating thread, with non-decreasing `done`, and last with done == total.
using CohortProgress = std::function<void(std::size_t done, std::size_t total)>;

/// What generate_cohort makes.
struct CohortOptions {
    /// Seed of the generator: the same options give the same Dataset everywhere.
    std::uint64_t seed = 20231015;
    /// Number of persons (ids `P000001`, ... zero-padded to at least 6 digits).
    std::size_t persons = 300;
    /// The contract whose actions the journeys go through (a built-in contract id for
    /// the overload without a Contract).
    ContractId contract{"dijon-2023-2024"};
    /// The day the data is known as of: no event of the cohort is after it, and journeys
    /// still running on it are open. Default (nullopt): the contract's last day.
    std::optional<Date> evaluated_on;
    /// Optional progress callback (e.g. for 10^6 persons); empty = none.
    CohortProgress progress;
};

/// Generates a synthetic cohort through the actions of the built-in contract
/// `options.contract` (see builtin_contract). Eligibility (public at entry, AGIR) is
/// decided under `policy`. Throws NotFoundError for an unknown contract id.
/// Sizes per person: about 3 journeys, 4.5 status rows (permits, protections, situations),
/// 5 participations, 0.15 AGIR supports and 0.2 referrals; some permits, card starts and
/// protection decisions fall on 29 February. Generation time and memory are linear in
/// `persons` (10^6 persons: about 2 GB).
Dataset generate_cohort(const CohortOptions& options, const Policy& policy = {});

/// Same as above, through the actions of `contract` (e.g. a contract loaded from a file);
/// `options.contract` is ignored and `contract.id` is used for the journeys.
Dataset generate_cohort(const CohortOptions& options, const Contract& contract,
                        const Policy& policy = {});

}  // namespace ctai
