#pragma once
/// \file nationality.hpp
/// R1: country codes and the nationality class of a person at a date.

#include <span>
#include <string>
#include <string_view>

#include <ctai/date.hpp>
#include <ctai/vocab.hpp>

namespace ctai {

/// Normalises a nationality code: ISO 3166-1 alpha-2 or alpha-3 (any case), the aliases
/// `EL` -> `GR` and `UK` -> `GB`, `STATELESS`, `UNKNOWN`. Returns the alpha-2 code (or
/// `STATELESS` / `UNKNOWN`). Throws ValidationError on an unknown code (R1: an input error,
/// never a silent `undetermined`).
std::string normalize_nationality(std::string_view code);

/// 2020-12-31, the last day of the Brexit transition period: the United Kingdom counts as an
/// EU member state up to that day included.
inline constexpr Date brexit_transition_end = Date::from_days(18627);

/// Whether `code` (normalised alpha-2) is an EU member state on `on` (EU27; GB until
/// 2020-12-31, the end of the Brexit transition).
bool is_eu_member(std::string_view code, Date on);

/// R1: the nationality class at `on` of a person holding `codes` (normalised codes).
NationalityClass nationality_class(std::span<const std::string> codes, Date on);

}  // namespace ctai
