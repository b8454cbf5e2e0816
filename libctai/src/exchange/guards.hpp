#pragma once
// The hardening checks of the exchange format (internal to libctai, issue #21): formula
// cells neutralised on export and restored on import, the marker of a pseudonymised
// export, the strength of a pseudonymisation key, identifiers and plausible values.

#include <filesystem>
#include <string>
#include <string_view>

#include <ctai/exchange.hpp>

namespace ctai::detail {

class IssueSink;

/// The marker file export_dir writes into a pseudonymised export.
inline constexpr std::string_view pseudonymized_marker = "PSEUDONYMIZED.txt";

/// OWASP "CSV injection": a cell that a spreadsheet would run as a formula (it starts with
/// = + - @ TAB or CR, after any number of single quotes) is written with one more leading
/// single quote. strip_formula_guard undoes exactly that, so the round trip is exact.
std::string neutralize_formula(std::string_view cell);
std::string_view strip_formula_guard(std::string_view cell) noexcept;

/// Refuses (an issue) a folder holding the pseudonymised marker unless
/// options.allow_pseudonymized.
void check_pseudonymized(const std::filesystem::path& dir, const ImportOptions& options,
                         IssueSink& sink);

/// Throws ValidationError (field `field`) for a weak key: shorter than 16 bytes, only
/// white space, or fewer than 8 distinct bytes. Never quotes the key.
void check_key_strength(std::string_view key, std::string_view field);

/// Throws ValidationError when `key_file` is inside `dir` (the key would travel with the
/// data it protects).
void check_key_outside(const std::filesystem::path& key_file, const std::filesystem::path& dir);

/// Why `id` is not an acceptable identifier, or empty: 1 to 64 bytes of printable ASCII
/// (0x21-0x7E) — no space, control, invisible (NBSP, BOM, zero-width) or full-width
/// character. Never quotes the id.
std::string identifier_problem(std::string_view id);

/// A French département code: 01 to 95 (not 20), 2A, 2B, 971 to 978, 984, 986 to 989.
bool valid_department(std::string_view code) noexcept;

/// Limits of plausible values (docs/exchange-format.md, "Limits").
inline constexpr int min_year = 1900;
inline constexpr int max_year = 2100;
inline constexpr double max_number = 1e9;
inline constexpr std::size_t max_text_bytes = 2000;

}  // namespace ctai::detail
