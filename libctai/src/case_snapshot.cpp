// The in-memory case image behind the eligibility queries and the report (no SQL here).
#include <ctai/case_snapshot.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

#include <ctai/error.hpp>
#include <ctai/journeys.hpp>

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

/// A hint to load `p`'s cache line (no effect on the result).
inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}
}  // namespace

CaseSnapshot::CaseSnapshot(std::vector<PersonCase> cases, std::vector<AgirSupport> supports,
                           Policy policy)
    : policy_(std::move(policy)), cases_(std::move(cases)) {
    const auto n = static_cast<std::uint32_t>(cases_.size());
    std::size_t capacity = 8;
    while (capacity < 2 * static_cast<std::size_t>(n)) capacity *= 2;
    slots_.assign(capacity, empty_slot);
    facts_.reserve(n);
    // The ids packed in one buffer: what a lookup compares, a few bytes per person instead
    // of a random visit to a case object.
    id_end_.reserve(n);
    for (const auto& c : cases_) {
        id_bytes_.append(c.person.id.str());
        id_end_.push_back(id_bytes_.size());
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
        prefetch(&slots_[static_cast<std::size_t>(h) & mask]);
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
        std::uint64_t& slot = slots_[probe(id, h)];
        if (slot != empty_slot)
            throw ValidationError("case snapshot: person id '" + id + "' appears twice",
                                  "person_id");
        slot = (h & tag_bits) | i;
    }
    family_.assign(n, npos);
    for (std::uint32_t i = 0; i < n; ++i)
        if (const auto& f = cases_[i].person.rejoining_family_of) family_[i] = find(f->str());

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
}

std::size_t CaseSnapshot::probe(std::string_view person_id, std::uint64_t hash) const noexcept {
    const std::size_t mask = slots_.size() - 1;  // a power of two, never full
    const std::uint64_t tag = hash & tag_bits;
    for (std::size_t k = static_cast<std::size_t>(hash) & mask;; k = (k + 1) & mask) {
        const std::uint64_t slot = slots_[k];
        if (slot == empty_slot) return k;
        if ((slot & tag_bits) == tag && id(static_cast<std::uint32_t>(slot)) == person_id)
            return k;
    }
}

std::uint32_t CaseSnapshot::find(std::string_view person_id) const noexcept {
    const std::uint64_t slot = slots_[probe(person_id, hash_id(person_id))];
    return slot == empty_slot ? npos : static_cast<std::uint32_t>(slot);
}

std::span<const AgirSupport> CaseSnapshot::agir_supports(std::uint32_t i) const noexcept {
    return {supports_.data() + support_begin_[i], supports_.data() + support_begin_[i + 1]};
}

Eligibility CaseSnapshot::evaluate(std::uint32_t i, Date on, Explain explain) const {
    const PersonCase* family = family_[i] == npos ? nullptr : &cases_[family_[i]];
    return ctai::evaluate(cases_[i], facts_[i], on, policy_, family, explain);
}

bool CaseSnapshot::in_agir_support(std::uint32_t i, Date on) const {
    const auto s = agir_supports(i);
    return !s.empty() && ctai::in_agir_support(s, on, policy_);
}

void CaseSnapshot::append(EligibilityColumns& out, std::uint32_t i, Date on) const {
    const PersonCase& c = cases_[i];
    const Eligibility e = evaluate(i, on, Explain::none);
    out.person_id.push_back(c.person.id.str());
    out.nationality_class.push_back(code(e.nationality_class));
    out.primo_arrivant.push_back(e.primo_arrivant ? 1 : 0);
    out.bpi.push_back(e.bpi ? 1 : 0);
    out.bpt.push_back(e.bpt ? 1 : 0);
    out.agir.push_back(e.agir ? 1 : 0);
    out.ctai_public.push_back(e.ctai_public ? 1 : 0);
    out.public_category.push_back(e.public_category ? code(*e.public_category) : no_code);
    out.primo_anchor.push_back(days_or_none(e.primo_anchor));
    out.primo_window_end.push_back(days_or_none(e.primo_window_end));
    out.protection_date.push_back(days_or_none(e.protection_date));
    out.agir_window_end.push_back(days_or_none(e.agir_window_end));
    out.sex.push_back(code(c.person.sex));
    out.birth_year.push_back(c.person.birth_date ? c.person.birth_date->first.year() : 0);
    out.in_agir_support.push_back(in_agir_support(i, on) ? 1 : 0);
}

}  // namespace ctai
