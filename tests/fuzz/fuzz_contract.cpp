// libFuzzer target: the contract file reader (docs/contracts.md). Any input either gives a
// contract or throws ctai::Error; a contract read writes back to JSON that reads to the
// same contract. The same for any document of the format (contract, avenant or local
// convention, domain R10).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <ctai/contract.hpp>
#include <ctai/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto c = ctai::parse_contract(text, "fuzz.json");
        if (ctai::parse_contract(ctai::contract_to_json(c), "round-trip") != c) std::abort();
    } catch (const ctai::Error&) {
    }
    try {
        const auto d = ctai::parse_contract_document(text, "fuzz.json");
        if (ctai::parse_contract_document(ctai::contract_document_to_json(d), "round-trip") != d)
            std::abort();
    } catch (const ctai::Error&) {
    }
    return 0;
}
