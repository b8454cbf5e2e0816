// libFuzzer target: date parsing (ISO, lenient DD/MM/YYYY, partial birth dates) and the
// calendar arithmetic of domain R0. Parsed dates print back to what parses to them again;
// add_months never lands on a day that does not exist and is monotone in n.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <ctai/date.hpp>
#include <ctai/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto parse : {&ctai::parse_date, &ctai::parse_date_lenient}) {
        try {
            const ctai::Date d = parse(text);
            if (!d.ymd().ok()) std::abort();
            if (ctai::parse_date(ctai::to_iso(d)) != d) std::abort();
            // Calendar arithmetic from the parsed day, with n taken from the input.
            int n = 0;
            if (size >= sizeof(n)) std::memcpy(&n, data, sizeof(n));
            n %= 1200;
            const ctai::Date a = ctai::add_months(d, n);
            const ctai::Date b = ctai::add_months(d, n + 1);
            if (!a.ymd().ok() || !b.ymd().ok() || !(a < b)) std::abort();
        } catch (const ctai::Error&) {
        }
    }
    try {
        const auto p = ctai::parse_partial_date(text);
        if (ctai::parse_partial_date(ctai::to_string(p)) != p) std::abort();
    } catch (const ctai::Error&) {
    }
    return 0;
}
