// Internal to libctai: the exchange folder's settings.json (domain R10), the store's
// settings in force as `ctai settings --format json` prints them (settings_to_json).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include <ctai/settings.hpp>
#include <ctai/store.hpp>

namespace ctai::detail {

class IssueSink;

inline constexpr std::string_view settings_file = "settings.json";

/// DIR/settings.json: none when absent; when malformed, an issue located by file, line (of
/// a JSON syntax error; 0 otherwise) and key, and none.
std::optional<StoreSettings> read_settings_file(const std::filesystem::path& dir, IssueSink& sink);

/// Records the settings read from the folder in the store (inside the import's transaction:
/// Store::put_settings, audited). Returns whether they changed the store's settings.
bool apply_settings(Store& store, const StoreSettings& settings);

/// Before an export writes anything: refuses (ValidationError) an existing non-empty
/// DIR/settings.json unless `overwrite`.
void check_settings_target(const std::filesystem::path& dir, bool overwrite);

/// Writes DIR/settings.json (through a temporary file renamed) when the store has settings
/// in force today; otherwise removes a settings.json left in DIR by an earlier export (the
/// folder must not carry settings the store does not have). Returns whether it wrote it.
bool write_settings_file(const Store& store, const std::filesystem::path& dir);

}  // namespace ctai::detail
