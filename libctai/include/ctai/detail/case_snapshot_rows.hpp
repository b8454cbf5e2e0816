#pragma once
/// \file detail/case_snapshot_rows.hpp
/// Implementation details of CaseSnapshot (case_snapshot.hpp), not API: the rule row of a
/// case, the intervals of its protections and situations, and the id index. Here only so
/// that CaseSnapshot holds them by value (no indirection on the eligibility kernels).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ctai::detail {

/// The rules of one case as day numbers, built once from the case and its facts
/// (case_snapshot.cpp says how each rule maps to them), one cache line per case. A case is
/// primo-arrivant at d iff primo_from <= d < primo_end and no excluding situation is in
/// force; its own AGIR right holds iff it is BPI at d and agir_from <= d < agir_end. The
/// days each kind of protection or situation is in force (CaseSpan::bpi ...) are one
/// interval [from[k], to[k]) per kind (empty: from > to) when the union of its intervals is
/// one interval; otherwise every interval of the case is in the snapshot's spans
/// [span_begin, span_end) (span_begin == span_end when the row says it all).
struct alignas(64) CaseRuleRow {
    std::int32_t primo_from, primo_end, agir_from, agir_end, agir_deployed_on;
    std::uint32_t family;
    std::array<std::int32_t, 4> from, to;
    std::uint32_t span_begin, span_end;
};
static_assert(sizeof(CaseRuleRow) == 64);

/// An interval [from, to) during which a protection or a situation of a case is in force.
struct CaseSpan {
    static constexpr std::uint32_t bpi = 0, bpt = 1, excluding = 2, asylum = 3;
    std::int32_t from, to;
    std::uint32_t kind;  // bpi, bpt, excluding, asylum
};

/// The id index of a snapshot: open addressing with linear probing over a power-of-two
/// table at most half full; a slot holds (high 32 bits of the id's hash << 32) | dense
/// index, or empty_slot. The ids compared are the packed copies: id i is
/// bytes[end[i - 1] .. end[i]).
struct CaseIdIndex {
    static constexpr std::uint64_t empty_slot = ~std::uint64_t{0};
    std::vector<std::uint64_t> slots;
    std::string bytes;
    std::vector<std::size_t> end;

    std::string_view id(std::uint32_t i) const noexcept {
        const std::size_t begin = i == 0 ? 0 : end[i - 1];
        return {bytes.data() + begin, end[i] - begin};
    }
    /// The slot of `person_id` if present, else the empty slot where it would go.
    std::size_t probe(std::string_view person_id, std::uint64_t hash) const noexcept;
};

}  // namespace ctai::detail
