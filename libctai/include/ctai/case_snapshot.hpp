#pragma once
/// \file case_snapshot.hpp
/// An immutable in-memory image of every case of a store (persons with their permits,
/// protections and situations, and their AGIR supports), indexed by person id. Built by
/// Store::case_snapshot() in one pass over each table; used by the eligibility queries and
/// the report so that a check costs a hash lookup and a few comparisons instead of reads
/// from the file: the rules R3 to R6 are also held as day numbers, one 64-byte row per case
/// (verdict(), verdicts()), and give the same answers as evaluate() on the case objects. No
/// SQL here: it can also be built from cases held in memory.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ctai/columns.hpp>
#include <ctai/detail/case_snapshot_rows.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>

namespace ctai {

/// The answer of the rules R1 to R6 for one person at one date, without the dates and
/// reasons of an Eligibility: what counts and batches need (CaseSnapshot::verdict).
struct Verdict {
    static constexpr std::uint8_t primo_arrivant = 1, bpi = 2, bpt = 4, agir = 8;
    /// Bits above, set when the person is so at the date.
    std::uint8_t flags = 0;
    bool is(std::uint8_t flag) const noexcept { return (flags & flag) != 0; }
    bool ctai_public() const noexcept { return (flags & (primo_arrivant | bpi | bpt)) != 0; }
    /// The exclusive category bpi > bpt > primo_arrivant, as Eligibility::public_category.
    std::optional<PublicCategory> public_category() const noexcept {
        if (flags & bpi) return PublicCategory::bpi;
        if (flags & bpt) return PublicCategory::bpt;
        if (flags & primo_arrivant) return PublicCategory::primo_arrivant;
        return std::nullopt;
    }
};

class CaseSnapshot {
public:
    /// Returned by find() and family() for "no such person": the index sentinel of the
    /// columns (columns.hpp), as the index is a column value.
    static constexpr std::uint32_t npos = no_index;

    /// `cases` in any order (kept in that order; ids must be unique: ValidationError
    /// otherwise); `supports` in any order (each attached to its person, by orientation
    /// date; a support of an unknown person is ignored); `policy`: the policy every
    /// evaluation of this snapshot applies (the date-independent facts of each case,
    /// case_facts(), are computed once under it).
    CaseSnapshot(std::vector<PersonCase> cases, std::vector<AgirSupport> supports,
                 Policy policy);
    CaseSnapshot(const CaseSnapshot&) = delete;
    CaseSnapshot& operator=(const CaseSnapshot&) = delete;

    std::size_t size() const noexcept { return cases_.size(); }
    /// The case at dense index i (0 <= i < size()).
    const PersonCase& operator[](std::uint32_t i) const { return cases_[i]; }
    /// The dense index of a person, or npos.
    std::uint32_t find(std::string_view person_id) const noexcept;
    /// find() before a point check of the person (evaluate(), verdict()): the same answer;
    /// also starts fetching the person's rule row and facts while their id is compared (on
    /// a large snapshot, cache misses that then overlap instead of following each other).
    std::uint32_t find_to_evaluate(std::string_view person_id) const noexcept;
    /// find() of many ids: out[k] = find(ids[k]) (the sizes must match). Hashes and fetches
    /// a chunk of ids at a time, stage by stage: for random ids over a large snapshot, the
    /// cache misses of the lookups overlap instead of following each other.
    void find(std::span<const std::string_view> ids, std::span<std::uint32_t> out) const;
    /// The index of the person that case i rejoins (person.rejoining_family_of), or npos
    /// when none or not in the snapshot.
    std::uint32_t family(std::uint32_t i) const noexcept { return family_[i]; }
    /// R3 minors_follow_household (policy option set): the cases of case i's household
    /// (itself included) when the household has several members in the snapshot, else
    /// empty. Such cases are evaluated from the case objects (case_snapshot_household.cpp).
    std::span<const PersonCase* const> household(std::uint32_t i) const noexcept;
    /// The AGIR supports of case i, by orientation date.
    std::span<const AgirSupport> agir_supports(std::uint32_t i) const noexcept;

    /// The policy of every evaluation.
    const Policy& policy() const noexcept { return policy_; }
    /// case_facts() of case i under policy().
    const CaseFacts& facts(std::uint32_t i) const noexcept { return facts_[i]; }
    /// evaluate() of case i at `on` under policy(), with the case of the person they
    /// rejoin: exactly Store::eligibility's answer.
    Eligibility evaluate(std::uint32_t i, Date on, Explain explain = Explain::reasons) const;
    /// Fills the reason code columns of `out` (EligibilityColumns::primo_reason ...) for
    /// every case at `on`, in snapshot order: the codes of evaluate(i, on).
    void append_reasons(EligibilityColumns& out, Date on) const;
    /// The rules for case i at `on` from the snapshot's rule columns (day numbers; no case
    /// object visited): the same answers as evaluate(i, on).
    Verdict verdict(std::uint32_t i, Date on) const noexcept;
    /// What the report counts of case i besides the rules, without visiting the case: its
    /// sex, and the earliest and the latest birth day compatible with its (possibly partial)
    /// birth date, as day numbers (`no_date` when the birth date is unknown).
    struct Traits {
        std::int32_t birth_first = no_date, birth_last = no_date;
        Sex sex = Sex::unknown;
    };
    const Traits& traits(std::uint32_t i) const noexcept { return traits_[i]; }
    /// R1: the nationality class of case i at `on` (from its facts).
    NationalityClass nationality_class(std::uint32_t i, Date on) const noexcept;
    /// verdict() for many (index, date) pairs: out[k] = verdict(index[k], on[k]) (day
    /// numbers; the sizes must match, every index < size()). Fetches ahead: for random
    /// indexes over a large snapshot, several times faster than a loop of verdict().
    void verdicts(std::span<const std::uint32_t> index, std::span<const std::int32_t> on,
                  std::span<Verdict> out) const;
    /// in_agir_support() of case i at `on` under policy().
    bool in_agir_support(std::uint32_t i, Date on) const;

    /// Appends to `out` the row of case i evaluated at `on` (without reasons), with its
    /// in_agir_support flag: the rows of Store::eligibility_table and eligibility_for.
    void append(EligibilityColumns& out, std::uint32_t i, Date on) const;

private:
    Policy policy_;
    std::vector<PersonCase> cases_;
    std::vector<CaseFacts> facts_;
    std::vector<std::uint32_t> family_;
    /// supports_[support_begin_[i] .. support_begin_[i + 1]) belong to case i.
    std::vector<AgirSupport> supports_;
    std::vector<std::uint32_t> support_begin_;
    /// The rules of each case as day numbers, one cache line per case, and the intervals
    /// of its protections and situations (detail/case_snapshot_rows.hpp).
    using RuleRow = detail::CaseRuleRow;
    using Span = detail::CaseSpan;
    static constexpr std::uint32_t span_bpi = Span::bpi, span_bpt = Span::bpt,
                                   span_excluding = Span::excluding, span_asylum = Span::asylum;
    std::vector<RuleRow> rules_;
    std::vector<Traits> traits_;
    std::vector<Span> spans_;
    /// span_begin == span_end == slow_row: the case's rules are not intervals of days (dated
    /// nationalities, ...): verdict() evaluates the case object (slow_verdict).
    static constexpr std::uint32_t slow_row = 0xFFFFFFFFu;
    void build_rules();
    /// R3 minors_follow_household: households_[household_of_[i]] are the cases of case i's
    /// household (household_of_ empty when the option is off; npos: alone or none).
    std::vector<std::vector<const PersonCase*>> households_;
    std::vector<std::uint32_t> household_of_;
    void build_households();
    bool in_household(std::uint32_t i) const noexcept {
        return !household_of_.empty() && household_of_[i] != npos;
    }
    /// evaluate() of the case object with the household rule (the slow path of such cases).
    Eligibility household_evaluate(std::uint32_t i, Date on, Explain explain) const;
    void append_evaluated(EligibilityColumns& out, std::uint32_t i, const Eligibility& e) const;
    Verdict verdict_of(const RuleRow& r, std::int32_t d) const noexcept;
    Verdict slow_verdict(std::uint32_t i, std::int32_t d) const noexcept;

    /// The id index (a hash table over the packed ids; detail/case_snapshot_rows.hpp).
    detail::CaseIdIndex ids_;
};

}  // namespace ctai
