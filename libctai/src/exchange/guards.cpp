// The hardening checks of the exchange format (guards.hpp).

#include "exchange/guards.hpp"

#include <algorithm>
#include <array>
#include <system_error>

#include <ctai/error.hpp>

#include "exchange/read.hpp"

namespace ctai::detail {

namespace fs = std::filesystem;

namespace {

bool formula_lead(char c) noexcept {
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// Whether `cell` is some single quotes (maybe none) then a formula-leading character.
bool quoted_formula(std::string_view cell) noexcept {
    const auto i = cell.find_first_not_of('\'');
    return i != std::string_view::npos && formula_lead(cell[i]);
}

}  // namespace

std::string neutralize_formula(std::string_view cell) {
    if (!quoted_formula(cell)) return std::string(cell);
    std::string out = "'";
    out += cell;
    return out;
}

std::string_view strip_formula_guard(std::string_view cell) noexcept {
    if (cell.starts_with('\'') && quoted_formula(cell)) cell.remove_prefix(1);
    return cell;
}

void check_pseudonymized(const fs::path& dir, const ImportOptions& options, IssueSink& sink) {
    std::error_code ec;
    if (options.allow_pseudonymized || !fs::exists(dir / pseudonymized_marker, ec)) return;
    sink.add(std::string(pseudonymized_marker), 0, {},
             "this folder is a pseudonymised export: its ids are pseudonyms, so importing it into "
             "the store it came from would duplicate every person. Import it only into a store "
             "meant for pseudonymised data (option allow_pseudonymized, `--allow-pseudonymized`)");
}

void check_key_strength(std::string_view key, std::string_view field) {
    constexpr std::size_t min_bytes = 16;
    constexpr std::size_t min_distinct = 8;
    if (key.size() < min_bytes)
        throw ValidationError("the pseudonymisation key is too short: at least " +
                                  std::to_string(min_bytes) + " bytes are needed",
                              std::string(field));
    std::array<bool, 256> seen{};
    std::size_t distinct = 0;
    bool blank = true;
    for (const char ch : key) {
        const auto b = static_cast<unsigned char>(ch);
        if (!seen[b]) ++distinct;
        seen[b] = true;
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n') blank = false;
    }
    if (blank || distinct < min_distinct)
        throw ValidationError("the pseudonymisation key is too weak (white space only, or fewer "
                              "than " + std::to_string(min_distinct) +
                                  " distinct bytes): use e.g. `openssl rand -hex 32`",
                              std::string(field));
}

void check_key_outside(const fs::path& key_file, const fs::path& dir) {
    std::error_code ec;
    const auto key = fs::weakly_canonical(fs::absolute(key_file, ec), ec);
    const auto folder = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    const auto rel = key.lexically_relative(folder);
    if (rel.empty() || rel.is_absolute() || *rel.begin() == "..") return;
    throw ValidationError("the key file is inside the export folder: the key would travel "
                          "with the data it protects; keep it elsewhere",
                          "key_file");
}

bool valid_department(std::string_view code) noexcept {
    auto digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (code == "2A" || code == "2B" || code == "2a" || code == "2b") return true;
    if (code.size() == 2 && digits(code)) return code != "00" && code != "20" && code <= "95";
    if (code.size() == 3 && digits(code))
        return (code >= "971" && code <= "978") || code == "984" || (code >= "986" && code <= "989");
    return false;
}

std::string identifier_problem(std::string_view id) {
    constexpr std::size_t max_bytes = 64;
    if (id.size() > max_bytes)
        return "identifier too long (" + std::to_string(id.size()) + " bytes; at most " +
               std::to_string(max_bytes) + ")";
    for (std::size_t i = 0; i < id.size(); ++i) {
        const auto b = static_cast<unsigned char>(id[i]);
        if (b < 0x21 || b > 0x7E)
            return "identifier with a space, control, invisible or non-ASCII character at "
                   "byte " + std::to_string(i + 1) +
                   " (ids are printable ASCII: letters, digits and - _ . : / etc.)";
    }
    return {};
}

}  // namespace ctai::detail
