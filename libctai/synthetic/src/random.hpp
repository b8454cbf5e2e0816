// Internal to ctai_synthetic: portable pseudo-random numbers (no std distribution, so the
// cohort is the same on every platform) and zero-padded identifiers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <ctai/date.hpp>

namespace ctai::synth {

// ---------------------------------------------------------------------------------------
// Portable pseudo-random numbers.

inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
}

// xoshiro256** (Blackman and Vigna), seeded with splitmix64 as its authors recommend.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept {
        for (auto& w : s_) w = splitmix64(seed);
    }
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n) for n >= 1 (modulo bias below n / 2^64: irrelevant here, and
    // deterministic, which is what matters).
    std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
    // Uniform in [lo, hi], both included; lo when hi < lo.
    int range(int lo, int hi) noexcept {
        if (hi <= lo) return lo;
        return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    // True with probability p (53-bit uniform, exact in IEEE double).
    bool chance(double p) noexcept {
        return static_cast<double>(next() >> 11) * 0x1.0p-53 < p;
    }
    std::size_t index(std::size_t n) noexcept {
        return static_cast<std::size_t>(below(static_cast<std::uint64_t>(n)));
    }

private:
    std::array<std::uint64_t, 4> s_{};
};

template <class T>
struct Weighted {
    T value;
    int weight;
};

template <class T>
const T& pick(Rng& rng, std::span<const Weighted<T>> table) {
    int total = 0;
    for (const auto& w : table) total += w.weight;
    int x = rng.range(0, total - 1);
    for (const auto& w : table) {
        if (x < w.weight) return w.value;
        x -= w.weight;
    }
    return table.back().value;
}

template <class T, std::size_t N>
const T& pick(Rng& rng, const std::array<Weighted<T>, N>& table) {
    return pick(rng, std::span<const Weighted<T>>(table));
}

template <class T, std::size_t N>
const T& pick_uniform(Rng& rng, const std::array<T, N>& values) {
    return values[rng.index(N)];
}

// Uniform date in [lo, hi]; lo when hi < lo.
inline Date rand_date(Rng& rng, Date lo, Date hi) {
    if (hi <= lo) return lo;
    return lo.plus_days(rng.range(0, hi.days_since(lo)));
}

// ---------------------------------------------------------------------------------------
// Identifiers: a prefix and a zero-padded number, so that ids sort like numbers.

inline int digit_count(std::size_t n) noexcept {
    int d = 1;
    while (n >= 10) {
        n /= 10;
        ++d;
    }
    return d;
}

inline std::string make_id(char prefix, std::size_t n, int width) {
    const int w = std::max(width, digit_count(n));
    std::string s(static_cast<std::size_t>(w) + 1, '0');
    s[0] = prefix;
    std::size_t pos = s.size();
    do {
        s[--pos] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n > 0);
    return s;
}

inline std::string numbered(std::string_view label, std::size_t n, int width) {
    std::string id = make_id('x', n, width);
    return std::string(label) + " " + id.substr(1);
}

}  // namespace ctai::synth
