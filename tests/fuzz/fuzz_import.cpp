// libFuzzer target: a whole exchange folder imported into a store that already holds the
// valid fixture (tests/data/exchange/valid), with the invariants of an import:
// - refused (ctai::Error) => the store is unchanged (same data fingerprint);
// - accepted => its export, imported into a new store and exported again, gives the same
//   files byte for byte (nothing the store accepted is refused or changed on the way back).
// Input: files one after the other, each introduced by a line `#FILE name` (the seed
// corpus packs the fixtures this way: tests/fuzz/pack_corpus.py).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include <ctai/ctai.hpp>

namespace fs = std::filesystem;

namespace {

fs::path scratch_root() {
    static const fs::path root = [] {
        const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        const fs::path dir = base / ("ctai-fuzz-import-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        return dir;
    }();
    return root;
}

void reset(const fs::path& dir) {
    fs::remove_all(dir);
    fs::create_directories(dir);
}

std::map<std::string, std::string> files_of(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        out[e.path().filename().string()] =
            std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

// Writes the `#FILE name` sections of `input` into `dir`; false when a name is unusable.
bool unpack(std::string_view input, const fs::path& dir) {
    std::size_t pos = 0;
    std::string name;
    std::string body;
    auto flush = [&]() -> bool {
        if (name.empty()) return true;
        if (name.find('/') != std::string::npos || name == "." || name == ".." || name.size() > 64)
            return false;
        std::ofstream(dir / name, std::ios::binary) << body;
        return true;
    };
    while (pos < input.size()) {
        std::size_t end = input.find('\n', pos);
        if (end == std::string_view::npos) end = input.size();
        const std::string_view line = input.substr(pos, end - pos);
        if (line.substr(0, 6) == "#FILE ") {
            if (!flush()) return false;
            name = std::string(line.substr(6));
            body.clear();
        } else if (!name.empty()) {
            body.append(line);
            if (end < input.size()) body.push_back('\n');
        }
        pos = end + 1;
    }
    return flush();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fs::path root = scratch_root();
    const fs::path in = root / "in", out1 = root / "out1", out2 = root / "out2";
    reset(in);
    if (!unpack(std::string_view(reinterpret_cast<const char*>(data), size), in)) return 0;

    auto store = ctai::Store::open(":memory:");
    ctai::import_dir(store, fs::path(CTAI_TEST_DATA_DIR) / "exchange" / "valid");
    const std::string before = store.fingerprint().sha256;
    try {
        ctai::import_dir(store, in);
    } catch (const ctai::Error&) {
        if (store.fingerprint().sha256 != before) std::abort();  // refused but changed
        return 0;
    }
    reset(out1);
    reset(out2);
    ctai::ExportOptions overwrite;
    overwrite.overwrite = true;
    ctai::export_dir(store, out1, overwrite);
    auto fresh = ctai::Store::open(":memory:");
    try {
        ctai::import_dir(fresh, out1);
    } catch (const ctai::Error&) {
        std::abort();  // the store accepted data whose own export is refused
    }
    ctai::export_dir(fresh, out2, overwrite);
    if (files_of(out1) != files_of(out2)) std::abort();
    return 0;
}
