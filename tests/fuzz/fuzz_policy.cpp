// libFuzzer target: the policy file reader (docs/rules.md). Any input either gives a
// policy or throws ctai::Error; a policy read writes back to JSON that reads to the same
// policy.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <ctai/error.hpp>
#include <ctai/policy.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto p = ctai::policy_from_json(text, "fuzz.json");
        if (ctai::policy_from_json(ctai::policy_to_json(p), "round-trip") != p) std::abort();
    } catch (const ctai::Error&) {
    }
    return 0;
}
