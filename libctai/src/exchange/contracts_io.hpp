#pragma once
// The exchange folder's `contracts/` (interfaces.md, domain R10): the contracts, avenants and
// local AGIR conventions of a store, one JSON document each. Internal to libctai.

#include <filesystem>
#include <string>
#include <vector>

#include <ctai/contract.hpp>
#include <ctai/store.hpp>

#include "exchange/read.hpp"

namespace ctai::detail {

/// The sub-folder of an exchange folder holding the contract documents.
inline constexpr const char* contracts_folder = "contracts";

/// One document of `contracts/`, with the file it came from (e.g. "contracts/x.json").
struct ContractFile {
    std::string file;
    ContractDocument document;
};

/// Whether `dir/contracts/` holds a .json file (an export refuses to mix without overwrite).
bool has_contract_files(const std::filesystem::path& dir);

/// Writes the non-built-in contracts, the avenants and the conventions of `store` into
/// `dir/contracts/` (created when there is something to write; the .json files already
/// there are replaced): `<id>.json` for a contract, `<id>.avenant.json` and
/// `<id>.convention.json` for the others. Returns the files written, relative to `dir`.
std::vector<std::string> write_contract_files(const Store& store,
                                              const std::filesystem::path& dir);

/// Reads every `dir/contracts/*.json` (none when the folder is absent), in the order they
/// can be loaded: contracts (a contract after the one it continues), then avenants, then
/// conventions, each by id. A malformed file is an issue of `sink` (file, the JSON path as
/// column) and is left out.
std::vector<ContractFile> read_contract_files(const std::filesystem::path& dir, IssueSink& sink);

/// Loads the documents into the store (inside the caller's transaction); a refused one is an
/// issue of `sink`.
void put_contract_files(Store& store, const std::vector<ContractFile>& files, IssueSink& sink);

}  // namespace ctai::detail
