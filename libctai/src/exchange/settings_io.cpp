// The exchange folder's settings.json (domain R10, docs/exchange-format.md): written by
// export_dir when the store has settings in force, read by import_dir (absent: the store's
// settings are left as they were; present: recorded as a dated entry, audited).
#include "exchange/settings_io.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "exchange/read.hpp"

namespace ctai::detail {

namespace fs = std::filesystem;

namespace {

// The line of the first occurrence of the key a value error names ("territory",
// "policy.boundary" -> "territory", "boundary"'s own line), 0 when not found.
long line_of_key(std::string_view text, const std::string& field) {
    if (field.empty()) return 0;
    std::string key = field.substr(field.find_last_of('.') == std::string::npos ? 0 : field.find_last_of('.') + 1);
    key = key.substr(0, key.find('['));
    std::string quoted = "\"";  // appended: g++ 12 -O3 -Wrestrict
    quoted += key;
    quoted += '"';
    const auto pos = text.find(quoted);
    if (pos == std::string_view::npos) return 0;
    return 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}

}  // namespace

std::optional<StoreSettings> read_settings_file(const fs::path& dir, IssueSink& sink) {
    const auto path = dir / settings_file;
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;
    const std::string name(settings_file);
    std::ifstream in(path, std::ios::binary);
    if (!fs::is_regular_file(path, ec) || !in) {
        sink.add(name, 0, {}, "cannot read the file (the store's settings are left as they were)");
        return std::nullopt;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
        return settings_from_json(text, name);
    } catch (const ValidationError& e) {
        // The message already starts with "settings.json:"; the issue says it once.
        std::string message = e.what();
        const auto prefix = name + ":";
        if (message.starts_with(prefix)) message.erase(0, prefix.size());
        // "<line>: invalid JSON ..." (syntax) or " <key path>: ..." (a value).
        long line = e.line();
        if (line == 0 && !message.empty() && message.front() != ' ') {
            std::size_t used = 0;
            try {
                line = std::stol(message, &used);
                if (used < message.size() && message[used] == ':') message.erase(0, used + 1);
                else line = 0;
            } catch (const std::exception&) {
                line = 0;
            }
        }
        while (!message.empty() && message.front() == ' ') message.erase(0, 1);
        if (!e.field().empty() && message.starts_with(e.field() + ": "))  // the column says it
            message.erase(0, e.field().size() + 2);
        if (line == 0) line = line_of_key(text, e.field());
        sink.add(name, line, e.field(), message);
        return std::nullopt;
    }
}

bool apply_settings(Store& store, const StoreSettings& settings) { return store.put_settings(settings); }

void check_settings_target(const fs::path& dir, bool overwrite) {
    std::error_code ec;
    const auto path = dir / settings_file;
    if (!overwrite && fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0)
        throw ValidationError("'" + dir.string() + "' already holds exchange files (" + std::string(settings_file) +
                                  "): choose an empty folder or overwrite them",
                              "dir");
}

bool write_settings_file(const Store& store, const fs::path& dir) {
    const auto path = dir / settings_file;
    std::error_code ec;
    const auto settings = store.settings();
    if (!settings) {
        fs::remove(path, ec);  // a settings.json of an earlier export (overwrite) would lie
        if (ec) throw StorageError("cannot remove '" + path.string() + "': " + ec.message());
        return false;
    }
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << settings_to_json(*settings) << '\n';
        out.flush();
        if (!out) {
            fs::remove(tmp, ec);
            throw StorageError("cannot write '" + tmp.string() + "' (permissions? disk full?)");
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) throw StorageError("cannot rename '" + tmp.string() + "': " + ec.message());
    return true;
}

}  // namespace ctai::detail
