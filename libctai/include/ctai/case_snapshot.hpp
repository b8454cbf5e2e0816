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
    /// The AGIR supports of case i, by orientation date.
    std::span<const AgirSupport> agir_supports(std::uint32_t i) const noexcept;

    /// The policy of every evaluation.
    const Policy& policy() const noexcept { return policy_; }
    /// case_facts() of case i under policy().
    const CaseFacts& facts(std::uint32_t i) const noexcept { return facts_[i]; }
    /// evaluate() of case i at `on` under policy(), with the case of the person they
    /// rejoin: exactly Store::eligibility's answer.
    Eligibility evaluate(std::uint32_t i, Date on, Explain explain = Explain::reasons) const;
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
    /// The rules of each case as day numbers, built once from the cases and their facts
    /// (case_snapshot.cpp says how each rule maps to them), one cache line per case. A case
    /// is primo-arrivant at d iff primo_from <= d < primo_end and no excluding situation is
    /// in force; its own AGIR right holds iff it is BPI at d and agir_from <= d < agir_end.
    /// The days each kind of protection or situation is in force (span_bpi ...) are one
    /// interval [from[k], to[k]) per kind (empty: from > to) when the union of its
    /// intervals is one interval; otherwise every interval of the case is in
    /// spans_[span_begin .. span_end) (span_begin == span_end when the row says it all).
    struct alignas(64) RuleRow {
        std::int32_t primo_from, primo_end, agir_from, agir_end, agir_deployed_on;
        std::uint32_t family;
        std::array<std::int32_t, 4> from, to;
        std::uint32_t span_begin, span_end;
    };
    static_assert(sizeof(RuleRow) == 64);
    /// An interval [from, to) during which a protection or a situation of a case is in force.
    struct Span {
        std::int32_t from, to;
        std::uint32_t kind;  // span_bpi, span_bpt, span_excluding, span_asylum
    };
    static constexpr std::uint32_t span_bpi = 0, span_bpt = 1, span_excluding = 2,
                                   span_asylum = 3;
    std::vector<RuleRow> rules_;
    std::vector<Traits> traits_;
    std::vector<Span> spans_;
    void build_rules();
    Verdict verdict_of(const RuleRow& r, std::int32_t d) const noexcept;

    /// The id index: open addressing with linear probing over a power-of-two table at most
    /// half full; a slot holds (high 32 bits of the id's hash << 32) | dense index, or
    /// empty_slot. The ids compared are the packed copies below.
    std::vector<std::uint64_t> slots_;
    static constexpr std::uint64_t empty_slot = ~std::uint64_t{0};
    /// The ids of cases_, packed: id i is id_bytes_[id_end_[i - 1] .. id_end_[i]).
    std::string id_bytes_;
    std::vector<std::size_t> id_end_;
    std::string_view id(std::uint32_t i) const noexcept {
        const std::size_t begin = i == 0 ? 0 : id_end_[i - 1];
        return {id_bytes_.data() + begin, id_end_[i] - begin};
    }
    /// The slot of `person_id` if present, else the empty slot where it would go.
    std::size_t probe(std::string_view person_id, std::uint64_t hash) const noexcept;
};

}  // namespace ctai
