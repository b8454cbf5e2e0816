// The in-memory case image behind the eligibility queries and the report (no SQL here).
#include <ctai/case_snapshot.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <ctai/error.hpp>
#include <ctai/journeys.hpp>
#include <ctai/nationality.hpp>

namespace ctai {

namespace {
template <class E>
std::uint8_t code(E e) {
    return static_cast<std::uint8_t>(e);
}
std::int32_t days_or_none(const std::optional<Date>& d) { return d ? d->days() : no_date; }

/// 64-bit hash of an id: 8 bytes at a time, multiply-xorshift, splitmix64's finaliser (ids
/// are short and often differ in their last characters only: every bit is mixed).
std::uint64_t hash_id(std::string_view s) noexcept {
    constexpr std::uint64_t m = 0xBF58476D1CE4E5B9ull;
    std::uint64_t h = s.size() * 0x9E3779B97F4A7C15ull;
    const char* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * m;
        h ^= h >> 29;
    }
    if (n > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = (h ^ w) * m;
        h ^= h >> 29;
    }
    h ^= h >> 30;
    h *= m;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
    return h;
}
constexpr std::uint64_t tag_bits = 0xFFFFFFFF00000000ull;
constexpr std::uint64_t empty_slot = detail::CaseIdIndex::empty_slot;

/// A hint to load `p`'s cache line (no effect on the result).
inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

/// Reserves room for n elements in the empty container `c`, asking the kernel to back that
/// memory with huge pages (Linux: transparent huge pages on request, `madvise`): the arrays
/// of a large snapshot are visited at random (lookups, verdicts, the report), and with
/// 4 KiB pages each visit also misses the TLB, whose page walk is a cache miss of its own
/// once the page tables of hundreds of MiB no longer fit in the caches. Call before the
/// memory is first written (the advice applies to the pages faulted in after it); a hint
/// only: without huge pages everything works the same.
template <class C>
void reserve_huge(C& c, std::size_t n) {
    c.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    const auto at = reinterpret_cast<std::uintptr_t>(c.data());
    const std::uintptr_t begin = (at + huge - 1) & ~(huge - 1);
    const std::uintptr_t end = (at + n * sizeof(typename C::value_type)) & ~(huge - 1);
    if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
}
}  // namespace

CaseSnapshot::CaseSnapshot(std::vector<PersonCase> cases, std::vector<AgirSupport> supports,
                           Policy policy)
    : policy_(std::move(policy)), cases_(std::move(cases)) {
    const auto n = static_cast<std::uint32_t>(cases_.size());
    std::size_t capacity = 8;
    while (capacity < 2 * static_cast<std::size_t>(n)) capacity *= 2;
    reserve_huge(ids_.slots, capacity);
    ids_.slots.assign(capacity, empty_slot);
    reserve_huge(facts_, n);
    // The ids packed in one buffer: what a lookup compares, a few bytes per person instead
    // of a random visit to a case object.
    std::size_t id_bytes = 0;
    for (const auto& c : cases_) id_bytes += c.person.id.str().size();
    reserve_huge(ids_.bytes, id_bytes);
    reserve_huge(ids_.end, n);
    for (const auto& c : cases_) {
        ids_.bytes.append(c.person.id.str());
        ids_.end.push_back(ids_.bytes.size());
    }
    // One pass: each case is touched once for its facts and its id. The id hash, the slot
    // it probes first and the case's nationalities, permits and protections are fetched
    // `ahead` cases in advance (the slots and the lists are spread over memory: a cache miss
    // per case otherwise).
    const std::size_t mask = capacity - 1;
    constexpr std::uint32_t ahead = 16;
    std::array<std::uint64_t, ahead> hashes{};
    const auto fetch = [&](std::uint32_t j) {
        const PersonCase& c = cases_[j];
        const std::uint64_t h = hash_id(c.person.id.str());
        hashes[j % ahead] = h;
        prefetch(&ids_.slots[static_cast<std::size_t>(h) & mask]);
        if (!c.person.nationalities.empty()) prefetch(c.person.nationalities.data());
        if (!c.permits.empty()) prefetch(c.permits.data());
        if (!c.protections.empty()) prefetch(c.protections.data());
    };
    for (std::uint32_t j = 0; j < std::min(ahead, n); ++j) fetch(j);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint64_t h = hashes[i % ahead];  // before fetch(i + ahead) reuses the entry
        if (n - i > ahead) fetch(i + ahead);
        const PersonCase& c = cases_[i];
        facts_.push_back(case_facts(c, policy_));
        const std::string& id = c.person.id.str();
        std::uint64_t& slot = ids_.slots[ids_.probe(id, h)];
        if (slot != empty_slot)
            throw ValidationError("case snapshot: person id '" + id + "' appears twice",
                                  "person_id");
        slot = (h & tag_bits) | i;
    }
    reserve_huge(family_, n);
    family_.assign(n, npos);
    for (std::uint32_t i = 0; i < n; ++i)
        if (const auto& f = cases_[i].person.rejoining_family_of) family_[i] = find(f->str());
    build_households();  // R3 minors_follow_household

    // Supports grouped by person (counting sort by dense index), by orientation date.
    std::vector<std::uint32_t> owner(supports.size(), npos);
    support_begin_.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::size_t k = 0; k < supports.size(); ++k) {
        owner[k] = find(supports[k].person_id.str());
        if (owner[k] != npos) ++support_begin_[owner[k] + 1];
    }
    std::partial_sum(support_begin_.begin(), support_begin_.end(), support_begin_.begin());
    supports_.resize(support_begin_[n]);
    std::vector<std::uint32_t> next(support_begin_.begin(), support_begin_.end() - 1);
    for (std::size_t k = 0; k < supports.size(); ++k)
        if (owner[k] != npos) supports_[next[owner[k]]++] = std::move(supports[k]);
    for (std::uint32_t i = 0; i < n; ++i)
        std::sort(supports_.begin() + support_begin_[i], supports_.begin() + support_begin_[i + 1],
                  [](const AgirSupport& a, const AgirSupport& b) {
                      return a.orientation_date < b.orientation_date;
                  });
    build_rules();
}

// ---- the rules as day numbers -------------------------------------------------------------
//
// evaluate() walks a case's lists and compares optional dates; verdict() reads one 64-byte
// row (and, for the few cases whose intervals of one kind are not a single interval, their
// list), laid out in snapshot order. Each rule of eligibility.cpp
// becomes bounds computed here once, with the same helpers (counts_as_bpi, counts_as_bpt,
// cir_condition, case_facts):
// - R4 BPI at d: a span_bpi interval [decision, end) contains d.
// - R5 BPT at d: a span_bpt interval contains d, clipped to [bpt_first_day, bpt_end].
// - R3 primo-arrivant at d: primo_from <= d < primo_end, where primo_from is the latest of
//   the anchor T1, the day the CIR condition starts to hold and (for a national of a
//   country whose class changed at the end of the Brexit transition) the first day of the
//   third-country era, and primo_end the earliest of the window end and the end of that
//   era; and no span_excluding interval contains d, nor a span_asylum one unless BPI at d.
// - R6 AGIR at d: not BPT, agir_deployed_on <= d, and the person's own right (BPI at d and
//   agir_from <= d < agir_end: the protection date and the recency window) or the own
//   right of the person they rejoin (row `family`).
// Tests compare verdict() with evaluate() on random cases at random dates and on the edges.
namespace {
constexpr std::int32_t always = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t never = std::numeric_limits<std::int32_t>::max();
bool is_third(NationalityClass c) { return c == NationalityClass::third_country; }
bool is_foreign(NationalityClass c) {
    return c == NationalityClass::third_country || c == NationalityClass::undetermined;
}

/// Replaces intervals [from, to) by their union: disjoint, not touching, by start.
template <class Span>
void merge_intervals(std::vector<Span>& v) {
    if (v.size() < 2) return;
    std::sort(v.begin(), v.end(), [](const Span& a, const Span& b) { return a.from < b.from; });
    std::size_t out = 0;
    for (std::size_t k = 1; k < v.size(); ++k) {
        if (v[k].from <= v[out].to) v[out].to = std::max(v[out].to, v[k].to);
        else v[++out] = v[k];
    }
    v.resize(out + 1);
}
}  // namespace

void CaseSnapshot::build_rules() {
    const auto n = static_cast<std::uint32_t>(cases_.size());
    std::array<std::vector<Span>, 4> by_kind;  // one case's intervals, reused
    reserve_huge(rules_, n);
    rules_.resize(n);
    reserve_huge(traits_, n);
    traits_.resize(n);
    const std::int32_t era_2021 = brexit_transition_end.days() + 1;
    const std::int32_t bpt_first = bpt_first_day.days();
    const std::int32_t bpt_after = policy_.bpt_end().days() + 1;
    // bpi_window_years below 3 could end the BPI status of the CTAI before the AGIR window
    // (which counts BPI without that limit): such cases take the slow path.
    const bool short_bpi_window = policy_.bpi_window_years && *policy_.bpi_window_years < 3;
    for (std::uint32_t i = 0; i < n; ++i) {
        const PersonCase& c = cases_[i];
        const CaseFacts& f = facts_[i];
        RuleRow& r = rules_[i];
        Traits& t = traits_[i];
        t.sex = c.person.sex;
        if (const auto& b = c.person.birth_date) {
            t.birth_first = b->first.days();
            t.birth_last = b->last().days();
        }
        r.family = family_[i];
        // The cases whose rules are not intervals of days are evaluated from the case object
        // (slow_verdict): dated nationalities (R1), regular stay required (R3.5), stateless
        // persons counted differently for the CTAI and AGIR (R4), a fallback window from the
        // protection date that ends before the first permit starts (R0.5, R3).
        bool slow = f.dated_nationality || policy_.require_regular_stay || in_household(i);
        if (policy_.agir_includes_stateless != policy_.bpi_includes_stateless || short_bpi_window)
            for (const Protection& pr : c.protections)
                slow = slow || pr.type == ProtectionType::stateless ||
                       (short_bpi_window && counts_as_bpi(pr.type, policy_));
        // R3 (R0.5): the anchor known at d is the case's own (permit, CIR) once it has started,
        // before it the protection date: the union of the two windows.
        std::int32_t from = never, end = always;
        if (f.own_anchor && f.protection_date && *f.protection_date < *f.own_anchor) {
            if (*f.fallback_window_end < *f.own_anchor) slow = true;
            from = f.protection_date->days();
            end = f.own_window_end->days();
        } else if (f.own_anchor) {
            from = f.own_anchor->days();
            end = f.own_window_end->days();
        } else if (f.protection_date) {
            from = f.protection_date->days();
            end = f.fallback_window_end->days();
        }
        if (slow) {
            r.primo_from = never;
            r.primo_end = always;
            r.agir_from = never;
            r.agir_end = always;
            r.agir_deployed_on = never;
            r.from.fill(never);
            r.to.fill(always);
            r.span_begin = r.span_end = slow_row;
            continue;
        }
        // The window, narrowed by the CIR condition and the nationality eras.
        const CirCondition cir = cir_condition(c.person, policy_);
        if (cir.kind == CirCondition::Kind::never) from = never;
        if (cir.kind == CirCondition::Kind::from) from = std::max(from, cir.from.days());
        const bool third_to_2020 = is_third(f.nationality_to_2020);
        const bool third_from_2021 = is_third(f.nationality_from_2021);
        if (!third_to_2020 && !third_from_2021) from = never;
        else if (!third_to_2020) from = std::max(from, era_2021);
        else if (!third_from_2021) end = std::min(end, era_2021);
        r.primo_from = from;
        r.primo_end = end;
        // R4/R5: the days the person is an étranger (R1), by era.
        const bool foreign_to_2020 = is_foreign(f.nationality_to_2020);
        const bool foreign_from_2021 = is_foreign(f.nationality_from_2021);
        const std::int32_t foreign_from = foreign_to_2020 ? always : foreign_from_2021 ? era_2021 : never;
        const std::int32_t foreign_end = foreign_from_2021 ? never : foreign_to_2020 ? era_2021 : always;
        const std::int32_t bpi_end =
            f.bpi_window_end ? std::min(foreign_end, f.bpi_window_end->days()) : foreign_end;
        // R6.
        r.agir_from = f.agir_protection_date ? f.agir_protection_date->days() : never;
        r.agir_end = f.agir_window_end ? f.agir_window_end->days() : always;
        r.agir_deployed_on = f.agir_deployed_on ? f.agir_deployed_on->days() : never;
        // The intervals, by kind (empty ones dropped), merged into their union.
        for (auto& k : by_kind) k.clear();
        const auto add = [&](std::int32_t a, std::int32_t b, std::uint32_t kind) {
            if (a < b) by_kind[kind].push_back({a, b, kind});
        };
        for (const Protection& pr : c.protections) {
            const std::int32_t a = std::max(pr.decision_date.days(), foreign_from);
            const std::int32_t b = pr.end_date ? pr.end_date->days() : never;
            if (counts_as_bpi(pr.type, policy_)) add(a, std::min(b, bpi_end), span_bpi);
            if (counts_as_bpt(pr))
                add(std::max(a, bpt_first), std::min({b, bpt_after, foreign_end}), span_bpt);
        }
        for (const Situation& st : c.situations)
            add(st.start.days(), st.end ? st.end->days() : never,
                st.kind == SituationKind::asylum_seeker ? span_asylum : span_excluding);
        bool one_each = true;
        for (auto& k : by_kind) {
            merge_intervals(k);
            one_each = one_each && k.size() <= 1;
        }
        r.span_begin = r.span_end = static_cast<std::uint32_t>(spans_.size());
        for (std::uint32_t kind = 0; kind < 4; ++kind) {
            const auto& k = by_kind[kind];
            r.from[kind] = k.empty() ? never : k[0].from;
            r.to[kind] = k.empty() ? always : k[0].to;
            if (!one_each) spans_.insert(spans_.end(), k.begin(), k.end());
        }
        r.span_end = static_cast<std::uint32_t>(spans_.size());
    }
}

// Inlined into the loop of verdicts() (a call per check otherwise).
[[gnu::always_inline]] inline Verdict CaseSnapshot::verdict_of(const RuleRow& r,
                                                               std::int32_t d) const noexcept {
    // The kinds in force at d, without a branch when the row holds one interval per kind.
    const auto in_force = [&](const RuleRow& row) {
        std::uint32_t bits = 0;
        const auto in = [&](std::size_t k) {  // `&`, not `&&`: no branch
            return static_cast<std::uint32_t>((row.from[k] <= d) & (d < row.to[k])) << k;
        };
        if (row.span_begin == row.span_end) {
            bits = in(0) | in(1) | in(2) | in(3);
        } else {
            for (std::uint32_t k = row.span_begin; k < row.span_end; ++k) {
                const Span& s = spans_[k];
                bits |= static_cast<std::uint32_t>(s.from <= d && d < s.to) << s.kind;
            }
        }
        return bits;
    };
    if (r.span_begin == slow_row) [[unlikely]]
        return slow_verdict(static_cast<std::uint32_t>(&r - rules_.data()), d);
    const std::uint32_t bits = in_force(r);
    const bool bpi = (bits & (1u << span_bpi)) != 0;
    const bool bpt = (bits & (1u << span_bpt)) != 0;
    const bool excluded = (bits & (1u << span_excluding)) != 0 ||
                          ((bits & (1u << span_asylum)) != 0 && !bpi);
    const bool primo = (r.primo_from <= d) & (d < r.primo_end) & !excluded;
    bool agir = bpi & (r.agir_from <= d) & (d < r.agir_end);
    if (!agir && r.family != npos) {
        const RuleRow& f = rules_[r.family];
        if (f.span_begin == slow_row) [[unlikely]]
            agir = has_own_agir_right(cases_[r.family], Date::from_days(d), policy_);
        else
            agir = f.agir_from <= d && d < f.agir_end && (in_force(f) & (1u << span_bpi)) != 0;
    }
    agir = agir && !bpt && r.agir_deployed_on <= d;
    Verdict v;
    v.flags = static_cast<std::uint8_t>((primo ? Verdict::primo_arrivant : 0) |
                                        (bpi ? Verdict::bpi : 0) | (bpt ? Verdict::bpt : 0) |
                                        (agir ? Verdict::agir : 0));
    return v;
}

Verdict CaseSnapshot::slow_verdict(std::uint32_t i, std::int32_t d) const noexcept {
    const PersonCase* family = family_[i] != npos ? &cases_[family_[i]] : nullptr;
    const Eligibility e =
        in_household(i) ? household_evaluate(i, Date::from_days(d), Explain::none)
                        : ctai::evaluate(cases_[i], facts_[i], Date::from_days(d), policy_, family,
                                         Explain::none);
    Verdict v;
    v.flags = static_cast<std::uint8_t>(
        (e.primo_arrivant ? Verdict::primo_arrivant : 0) | (e.bpi ? Verdict::bpi : 0) |
        (e.bpt ? Verdict::bpt : 0) | (e.agir ? Verdict::agir : 0));
    return v;
}

Verdict CaseSnapshot::verdict(std::uint32_t i, Date on) const noexcept {
    return verdict_of(rules_[i], on.days());
}

NationalityClass CaseSnapshot::nationality_class(std::uint32_t i, Date on) const noexcept {
    if (facts_[i].dated_nationality) [[unlikely]]
        return nationality_class_on(cases_[i], on);
    return on <= brexit_transition_end ? facts_[i].nationality_to_2020
                                       : facts_[i].nationality_from_2021;
}

void CaseSnapshot::verdicts(std::span<const std::uint32_t> index, std::span<const std::int32_t> on,
                            std::span<Verdict> out) const {
    if (index.size() != on.size() || index.size() != out.size())
        throw ValidationError("case snapshot: verdicts of " + std::to_string(index.size()) +
                                  " persons at " + std::to_string(on.size()) + " dates into " +
                                  std::to_string(out.size()) + " answers",
                              "on");
    const std::size_t n = index.size();
    const std::uint32_t size = static_cast<std::uint32_t>(rules_.size());
    // The largest index checked (a loop without a branch, vectorised), then the first bad one
    // found for the message.
    std::uint32_t largest = 0;
    for (std::size_t k = 0; k < n; ++k) largest = std::max(largest, index[k]);
    if (n > 0 && largest >= size) {
        const auto bad = std::find_if(index.begin(), index.end(),
                                      [&](std::uint32_t i) { return i >= size; });
        throw ValidationError("case snapshot: index " + std::to_string(*bad) +
                                  " is not below the number of persons (" +
                                  std::to_string(size) + ")",
                              "index");
    }
    // Rows fetched `ahead` checks in advance (random persons over a large snapshot: a cache
    // miss each otherwise, one after the other). The row of the person rejoined (read when
    // the person has no AGIR right of their own) is fetched in a second stage, half-way, once
    // the row that names it has arrived. Measurements: bench/analysis.md (W5).
    constexpr std::size_t ahead = 64, half = ahead / 2;
    const auto fetch_family = [&](std::size_t k) {
        const std::uint32_t f = rules_[index[k]].family;
        if (f != npos) prefetch(&rules_[f]);
    };
    for (std::size_t k = 0; k < std::min(ahead, n); ++k) prefetch(&rules_[index[k]]);
    for (std::size_t k = 0; k < std::min(half, n); ++k) fetch_family(k);
    for (std::size_t k = 0; k < n; ++k) {
        if (k + ahead < n) prefetch(&rules_[index[k + ahead]]);
        if (k + half < n) fetch_family(k + half);
        out[k] = verdict_of(rules_[index[k]], on[k]);
    }
}

std::size_t detail::CaseIdIndex::probe(std::string_view person_id,
                                          std::uint64_t hash) const noexcept {
    const std::size_t mask = slots.size() - 1;  // a power of two, never full
    const std::uint64_t tag = hash & tag_bits;
    for (std::size_t k = static_cast<std::size_t>(hash) & mask;; k = (k + 1) & mask) {
        const std::uint64_t slot = slots[k];
        if (slot == empty_slot) return k;
        if ((slot & tag_bits) == tag && id(static_cast<std::uint32_t>(slot)) == person_id)
            return k;
    }
}

std::uint32_t CaseSnapshot::find(std::string_view person_id) const noexcept {
    const std::uint64_t slot = ids_.slots[ids_.probe(person_id, hash_id(person_id))];
    return slot == empty_slot ? npos : static_cast<std::uint32_t>(slot);
}

std::uint32_t CaseSnapshot::find_to_evaluate(std::string_view person_id) const noexcept {
    const std::uint64_t hash = hash_id(person_id);
    // The candidate of the first slot (almost always the person when its tag matches): its
    // rule row and facts are fetched while its id is compared, instead of after.
    const std::uint64_t first = ids_.slots[static_cast<std::size_t>(hash) & (ids_.slots.size() - 1)];
    if (first != empty_slot && (first & tag_bits) == (hash & tag_bits)) {
        const auto i = static_cast<std::uint32_t>(first);
        prefetch(rules_.data() + i);
        prefetch(facts_.data() + i);
    }
    const std::uint64_t slot = ids_.slots[ids_.probe(person_id, hash)];
    return slot == empty_slot ? npos : static_cast<std::uint32_t>(slot);
}

void CaseSnapshot::find(std::span<const std::string_view> ids, std::span<std::uint32_t> out) const {
    if (ids.size() != out.size())
        throw ValidationError("case snapshot: " + std::to_string(ids.size()) + " ids for " +
                                  std::to_string(out.size()) + " answers",
                              "ids");
    const std::size_t mask = ids_.slots.size() - 1;
    constexpr std::size_t chunk = 256;
    std::array<std::uint64_t, chunk> hashes{};
    for (std::size_t base = 0; base < ids.size(); base += chunk) {
        const std::size_t n = std::min(chunk, ids.size() - base);
        // Stage 1: hashes; fetch each first slot. Stage 2: fetch the end offsets of the
        // ids those slots name. Stage 3: fetch those ids' bytes. Stage 4: the lookups, from
        // the cache.
        for (std::size_t k = 0; k < n; ++k) {
            hashes[k] = hash_id(ids[base + k]);
            prefetch(&ids_.slots[static_cast<std::size_t>(hashes[k]) & mask]);
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint64_t slot = ids_.slots[static_cast<std::size_t>(hashes[k]) & mask];
            if (slot == empty_slot) continue;
            const auto i = static_cast<std::uint32_t>(slot);
            prefetch(&ids_.end[i]);
            if (i > 0) prefetch(&ids_.end[i - 1]);
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint64_t slot = ids_.slots[static_cast<std::size_t>(hashes[k]) & mask];
            if (slot != empty_slot) prefetch(ids_.id(static_cast<std::uint32_t>(slot)).data());
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint64_t slot = ids_.slots[ids_.probe(ids[base + k], hashes[k])];
            out[base + k] = slot == empty_slot ? npos : static_cast<std::uint32_t>(slot);
        }
    }
}

std::span<const AgirSupport> CaseSnapshot::agir_supports(std::uint32_t i) const noexcept {
    return {supports_.data() + support_begin_[i], supports_.data() + support_begin_[i + 1]};
}

Eligibility CaseSnapshot::evaluate(std::uint32_t i, Date on, Explain explain) const {
    if (in_household(i)) [[unlikely]]
        return household_evaluate(i, on, explain);
    const CaseFacts& f = facts_[i];
    const Verdict v = verdict(i, on);
    Eligibility e;
    e.person_id = PersonId{ids_.id(i)};  // from the packed ids (the case object stays cold)
    e.on = on;
    e.nationality_class = nationality_class(i, on);
    e.primo_arrivant = v.is(Verdict::primo_arrivant);
    e.bpi = v.is(Verdict::bpi);
    e.bpt = v.is(Verdict::bpt);
    e.agir = v.is(Verdict::agir);
    e.ctai_public = v.ctai_public();
    e.public_category = v.public_category();
    const KnownDates k = known_on(f, on);  // R0.5
    e.primo_anchor = k.primo_anchor;
    e.primo_window_end = k.primo_window_end;
    e.protection_date = k.protection_date;
    e.agir_window_end = k.agir_window_end;
    if (explain == Explain::reasons) ctai::explain(e, cases_[i], policy_);
    return e;
}

void CaseSnapshot::append_reasons(EligibilityColumns& out, Date on) const {
    const auto n = cases_.size();
    for (auto* v : {&out.primo_reason, &out.bpi_reason, &out.bpt_reason, &out.agir_reason})
        v->assign(n, no_code);
    for (auto* v : {&out.primo_reason_date, &out.bpi_reason_date, &out.bpt_reason_date,
                    &out.agir_reason_date})
        v->assign(n, no_date);
    for (std::uint32_t i = 0; i < n; ++i) {
        for (const ReasonCode& rc : evaluate(i, on, Explain::reasons).reason_codes) {
            const auto put = [&](std::vector<std::uint8_t>& c, std::vector<std::int32_t>& d) {
                c[i] = code(rc.code);
                d[i] = days_or_none(rc.date);
            };
            switch (dimension(rc.code)) {
                case ReasonDimension::primo_arrivant: put(out.primo_reason, out.primo_reason_date); break;
                case ReasonDimension::bpi: put(out.bpi_reason, out.bpi_reason_date); break;
                case ReasonDimension::bpt: put(out.bpt_reason, out.bpt_reason_date); break;
                case ReasonDimension::agir: put(out.agir_reason, out.agir_reason_date); break;
                case ReasonDimension::nationality: break;
            }
        }
    }
}

bool CaseSnapshot::in_agir_support(std::uint32_t i, Date on) const {
    const auto s = agir_supports(i);
    return !s.empty() && ctai::in_agir_support(s, on, policy_);
}

void CaseSnapshot::append(EligibilityColumns& out, std::uint32_t i, Date on) const {
    if (in_household(i)) [[unlikely]]
        return append_evaluated(out, i, household_evaluate(i, on, Explain::none));
    // From the snapshot's columns only: the case object stays cold.
    const CaseFacts& f = facts_[i];
    const Traits& t = traits_[i];
    const Verdict v = verdict(i, on);
    const auto category = v.public_category();
    out.person_id.emplace_back(ids_.id(i));
    out.nationality_class.push_back(code(nationality_class(i, on)));
    out.primo_arrivant.push_back(v.is(Verdict::primo_arrivant) ? 1 : 0);
    out.bpi.push_back(v.is(Verdict::bpi) ? 1 : 0);
    out.bpt.push_back(v.is(Verdict::bpt) ? 1 : 0);
    out.agir.push_back(v.is(Verdict::agir) ? 1 : 0);
    out.ctai_public.push_back(v.ctai_public() ? 1 : 0);
    out.public_category.push_back(category ? code(*category) : no_code);
    const KnownDates k = known_on(f, on);  // R0.5
    out.primo_anchor.push_back(days_or_none(k.primo_anchor));
    out.primo_window_end.push_back(days_or_none(k.primo_window_end));
    out.protection_date.push_back(days_or_none(k.protection_date));
    out.agir_window_end.push_back(days_or_none(k.agir_window_end));
    out.sex.push_back(code(t.sex));
    out.birth_year.push_back(t.birth_first == no_date ? 0 : Date::from_days(t.birth_first).year());
    out.in_agir_support.push_back(in_agir_support(i, on) ? 1 : 0);
}

}  // namespace ctai
