// libFuzzer target: the CSV reader of the exchange format (decoding, separator detection,
// quoting). Any input either parses or throws ctai::Error; a parsed table keeps the
// documented shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <ctai/error.hpp>

#include "exchange/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto table = ctai::detail::parse_csv(bytes, "fuzz.csv");
        if (table.separator != ',' && table.separator != ';') std::abort();
        for (const auto& row : table.rows)
            if (row.fields.size() > table.header.size() || row.line < 2) std::abort();
    } catch (const ctai::Error&) {
    }
    return 0;
}
