#pragma once
// Files embedded in the library at build time (cmake/CtaiEmbed.cmake).
#include <span>
#include <string_view>

namespace ctai::detail {

struct EmbeddedFile {
    std::string_view name;
    std::string_view content;
};

/// Schema migrations, libctai/src/storage/migrations/NNNN_what.sql, in order.
std::span<const EmbeddedFile> embedded_migrations();
/// Built-in contracts, libctai/data/contracts/*.json, in name order.
std::span<const EmbeddedFile> embedded_contracts();

}  // namespace ctai::detail
