// The one strict JSON reader of the codecs (json_reader.hpp).
#include "codec/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <vector>

namespace ctai::codec {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
            diag = up;
        }
    }
    return row[b.size()];
}

// nlohmann keeps the last of duplicate keys silently; a duplicated key in a hand-written
// file is almost always a copy-paste mistake, so it is refused. The parser callback follows
// the nesting to name the duplicate by its JSON path.
struct DuplicateKeyCheck {
    struct Frame {
        bool is_array = false;
        std::size_t count = 0;           // elements seen so far (arrays)
        std::string key;                 // current key (objects)
        std::set<std::string> keys;      // keys seen so far (objects)
    };
    std::vector<Frame> frames;
    std::optional<std::string> duplicate;  // its path
    std::string duplicate_key;

    void element() {
        if (!frames.empty() && frames.back().is_array) ++frames.back().count;
    }

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start:
            element();
            frames.push_back({event == Json::parse_event_t::array_start, 0, {}, {}});
            break;
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            if (!frames.empty()) frames.pop_back();
            break;
        case Json::parse_event_t::value:
            element();
            break;
        case Json::parse_event_t::key:
            if (!frames.empty()) {
                Frame& f = frames.back();
                f.key = parsed.get<std::string>();
                if (!f.keys.insert(f.key).second && !duplicate) {
                    std::string path;
                    for (std::size_t i = 0; i + 1 < frames.size(); ++i)
                        path = frames[i].is_array ? at_index(path, frames[i].count - 1)
                                                  : child(path, frames[i].key);
                    duplicate = child(path, f.key);
                    duplicate_key = f.key;
                }
            }
            break;
        }
        return true;
    }
};

}  // namespace

std::string child(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string at_index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

Json JsonReader::parse(std::string_view json_text) const {
    // Files saved by Windows editors often start with a UTF-8 byte order mark.
    if (json_text.substr(0, 3) == "\xEF\xBB\xBF") json_text.remove_prefix(3);
    DuplicateKeyCheck dup;
    Json j;
    try {
        j = Json::parse(json_text.begin(), json_text.end(), std::ref(dup));
    } catch (const Json::parse_error& e) {
        const auto upto = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, json_text.size());
        const long line =
            1 + static_cast<long>(std::count(json_text.begin(),
                                             json_text.begin() + static_cast<std::ptrdiff_t>(upto),
                                             '\n'));
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
        if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        throw ValidationError(source_ + ":" + std::to_string(line) + ": invalid JSON: " + what,
                              "", source_, line);
    } catch (const Json::out_of_range&) {
        // A number beyond what a double holds (fuzz regression policy/number_out_of_range).
        throw ValidationError(source_ + ": invalid JSON: a number is out of range", "", source_, 0);
    }
    if (dup.duplicate) fail(*dup.duplicate, "duplicate key '" + dup.duplicate_key + "'");
    return j;
}

void JsonReader::fail(const std::string& path, const std::string& what) const {
    std::string msg = source_ + ": ";
    if (!path.empty()) msg += path + ": ";
    msg += what;
    throw ValidationError(msg, path, source_);
}

// Checks that `j` is an object whose keys are all in `allowed` (typos are errors).
void JsonReader::object(const Json& j, const std::string& path,
                        std::initializer_list<std::string_view> allowed) const {
    if (!j.is_object()) fail(path, std::string("expected an object, got ") + j.type_name());
    for (const auto& [key, value] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        std::string msg = "unknown key '" + key + "'";
        std::string_view best;
        std::size_t best_d = 3;  // suggest only close matches
        for (auto a : allowed) {
            const std::size_t d = edit_distance(key, a);
            if (d < best_d) {
                best = a;
                best_d = d;
            }
        }
        if (!best.empty()) msg += " (did you mean '" + std::string(best) + "'?)";
        fail(child(path, key), msg);
    }
}

const Json* JsonReader::find(const Json& obj, const std::string& path, std::string_view key,
                             bool required) const {
    auto it = obj.find(std::string(key));
    if (it == obj.end()) {
        if (required) fail(child(path, key), "missing required key");
        return nullptr;
    }
    return &*it;
}

std::string JsonReader::string(const Json& j, const std::string& path, bool non_empty) const {
    if (!j.is_string()) fail(path, std::string("expected a string, got ") + j.type_name());
    auto s = j.get<std::string>();
    if (non_empty && s.empty()) fail(path, "must not be empty");
    return s;
}

std::string JsonReader::req_string(const Json& obj, const std::string& path,
                                   std::string_view key) const {
    return string(*find(obj, path, key, true), child(path, key));
}

std::optional<std::string> JsonReader::opt_string(const Json& obj, const std::string& path,
                                                  std::string_view key) const {
    const Json* j = find(obj, path, key, false);
    if (!j || j->is_null()) return std::nullopt;
    return string(*j, child(path, key), false);
}

long long JsonReader::integer(const Json& j, const std::string& path, long long min) const {
    if (!j.is_number_integer())
        fail(path, std::string("expected an integer, got ") +
                       (j.is_number() ? "a decimal number" : j.type_name()));
    long long v = 0;
    if (j.is_number_unsigned()) {
        const auto u = j.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
            fail(path, "integer out of range");
        v = static_cast<long long>(u);
    } else {
        v = j.get<long long>();
    }
    if (v < min) fail(path, "must be at least " + std::to_string(min));
    if (v > std::numeric_limits<int>::max()) fail(path, "integer out of range");
    return v;
}

int JsonReader::req_int(const Json& obj, const std::string& path, std::string_view key,
                        int min) const {
    return static_cast<int>(integer(*find(obj, path, key, true), child(path, key), min));
}

// A number >= 0; null or absent is no value.
std::optional<double> JsonReader::opt_amount(const Json& obj, const std::string& path,
                                             std::string_view key) const {
    const Json* j = find(obj, path, key, false);
    if (!j || j->is_null()) return std::nullopt;
    return amount(*j, child(path, key));
}

double JsonReader::amount(const Json& j, const std::string& path) const {
    if (!j.is_number()) fail(path, std::string("expected a number, got ") + j.type_name());
    const auto v = j.get<double>();
    if (!std::isfinite(v)) fail(path, "number out of range");
    if (v < 0) fail(path, "must not be negative");
    return v;
}

bool JsonReader::opt_bool(const Json& obj, const std::string& path, std::string_view key,
                          bool fallback) const {
    const Json* j = find(obj, path, key, false);
    if (!j) return fallback;
    return boolean(*j, child(path, key));
}

bool JsonReader::boolean(const Json& j, const std::string& path) const {
    if (!j.is_boolean())
        fail(path, std::string("expected true or false, got ") + j.type_name());
    return j.get<bool>();
}

Date JsonReader::date(const Json& obj, const std::string& path, std::string_view key) const {
    const std::string p = child(path, key);
    const std::string s = string(*find(obj, path, key, true), p);
    try {
        return parse_date(s);
    } catch (const ValidationError& e) {
        fail(p, e.what());
    }
}

const Json& JsonReader::array(const Json& j, const std::string& path) const {
    if (!j.is_array()) fail(path, std::string("expected an array, got ") + j.type_name());
    return j;
}

}  // namespace ctai::codec
