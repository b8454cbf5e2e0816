// The exchange folder's `contracts/` (domain R10): writing the contract documents of a store
// and reading them back before the data rows, so that the journeys that name them validate.
#include "exchange/contracts_io.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <ctai/error.hpp>

namespace fs = std::filesystem;

namespace ctai::detail {
namespace {

bool is_json_file(const fs::directory_entry& e) {
    std::error_code ec;
    return e.is_regular_file(ec) && e.path().extension() == ".json";
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw StorageError("cannot write '" + path.string() + "' (permissions? disk full?)");
}

bool is_builtin(const ContractId& id) {
    const auto b = builtin_contracts();
    return std::any_of(b.begin(), b.end(), [&](const Contract& c) { return c.id == id; });
}

// The reader's message without the "<file>: <field>: " the issue already shows.
std::string bare_message(const std::string& what, const std::string& file, const std::string& field) {
    std::string_view m = what;
    for (const auto& prefix : {file + ": ", field + ": "})
        if (m.substr(0, prefix.size()) == prefix) m.remove_prefix(prefix.size());
    return std::string(m);
}

}  // namespace

bool has_contract_files(const fs::path& dir) {
    std::error_code ec;
    const fs::path sub = dir / contracts_folder;
    if (!fs::is_directory(sub, ec)) return false;
    for (const auto& e : fs::directory_iterator(sub, ec))
        if (is_json_file(e)) return true;
    return false;
}

std::vector<std::string> write_contract_files(const Store& store, const fs::path& dir) {
    std::vector<std::pair<std::string, std::string>> out;  // name, text
    for (const auto& c : store.loaded_contracts())
        if (!is_builtin(c.id)) out.emplace_back(c.id.str() + ".json", contract_to_json(c));
    for (const auto& a : store.avenants()) out.emplace_back(a.id + ".avenant.json", avenant_to_json(a));
    for (const auto& v : store.conventions())
        out.emplace_back(v.id + ".convention.json", convention_to_json(v));
    const fs::path sub = dir / contracts_folder;
    std::error_code ec;
    // Stale documents of an earlier export would come back at the next import.
    if (fs::is_directory(sub, ec))
        for (const auto& e : fs::directory_iterator(sub, ec))
            if (is_json_file(e)) fs::remove(e.path(), ec);
    std::vector<std::string> written;
    if (out.empty()) return written;
    fs::create_directories(sub, ec);
    if (ec) throw StorageError("cannot create the folder '" + sub.string() + "': " + ec.message());
    for (const auto& [name, text] : out) {
        write_text(sub / name, text);
        written.push_back(std::string(contracts_folder) + "/" + name);
    }
    return written;
}

std::vector<ContractFile> read_contract_files(const fs::path& dir, IssueSink& sink) {
    std::vector<ContractFile> contracts, avenants, conventions;
    const fs::path sub = dir / contracts_folder;
    std::error_code ec;
    if (!fs::is_directory(sub, ec)) return {};
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(sub, ec))
        if (is_json_file(e)) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
        const std::string file = std::string(contracts_folder) + "/" + p.filename().string();
        try {
            std::ifstream in(p, std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            ContractFile f{file, parse_contract_document(text.str(), file)};
            auto& list = f.document.index() == 0   ? contracts
                         : f.document.index() == 1 ? avenants
                                                   : conventions;
            list.push_back(std::move(f));
        } catch (const ValidationError& e) {
            const std::string field = e.field().empty() ? "json" : e.field();
            sink.add(file, 0, field, bare_message(e.what(), file, field));
        }
    }
    // A contract after the one it continues (when that one is in the folder too).
    std::vector<ContractFile> ordered;
    std::set<std::string> placed;
    while (!contracts.empty()) {
        const std::size_t before = contracts.size();
        for (auto it = contracts.begin(); it != contracts.end();) {
            const auto& c = std::get<Contract>(it->document);
            const bool waits = c.continues && !placed.count(c.continues->contract.str()) &&
                               std::any_of(contracts.begin(), contracts.end(), [&](const ContractFile& o) {
                                   return std::get<Contract>(o.document).id == c.continues->contract;
                               });
            if (waits) {
                ++it;
                continue;
            }
            placed.insert(c.id.str());
            ordered.push_back(std::move(*it));
            it = contracts.erase(it);
        }
        if (contracts.size() == before) {  // a cycle of `continues`: the store refuses it
            for (auto& f : contracts) ordered.push_back(std::move(f));
            break;
        }
    }
    for (auto* list : {&avenants, &conventions})
        for (auto& f : *list) ordered.push_back(std::move(f));
    return ordered;
}

void put_contract_files(Store& store, const std::vector<ContractFile>& files, IssueSink& sink) {
    for (const auto& f : files) {
        try {
            std::visit(
                [&](const auto& x) {
                    using T = std::decay_t<decltype(x)>;
                    if constexpr (std::is_same_v<T, Contract>) store.put_contract(x);
                    else if constexpr (std::is_same_v<T, Avenant>) store.put_avenant(x);
                    else store.put_convention(x);
                },
                f.document);
        } catch (const ValidationError& e) {
            sink.add(f.file, 0, e.field().empty() ? "json" : e.field(), e.what());
        } catch (const ConflictError& e) {
            sink.add(f.file, 0, e.column().empty() ? "id" : e.column(), e.what(), e.rule());
        } catch (const NotFoundError& e) {
            sink.add(f.file, 0, "contract", e.what());
        }
    }
}

}  // namespace ctai::detail
