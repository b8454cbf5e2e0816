// Internal to libctai: the one strict JSON reader of the codecs (contracts, policies).
// Strict: a syntax error names its line, a duplicated key is refused (by its JSON path), an
// unknown key is refused with the closest allowed one suggested, and every type or range
// error names the file and the JSON path of the value ("actions[2].number: ...").
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <ctai/date.hpp>
#include <ctai/error.hpp>
#include <ctai/vocab.hpp>

namespace ctai::codec {

using Json = nlohmann::json;

/// `path.key` (or `key` at the top level).
std::string child(const std::string& path, std::string_view key);
/// `path[i]`.
std::string at_index(const std::string& path, std::size_t i);

/// Reads the JSON values of one source (a file name or "builtin:..." in messages).
class JsonReader {
public:
    explicit JsonReader(std::string_view source) : source_(source) {}

    const std::string& source() const noexcept { return source_; }

    /// Parses `text` (a leading UTF-8 byte order mark is skipped). Throws ValidationError
    /// "<source>:<line>: invalid JSON: ..." on a syntax error and "<source>: <path>:
    /// duplicate key '<key>'" on a key given twice in one object.
    Json parse(std::string_view text) const;

    /// Throws ValidationError "<source>: <path>: <what>" with field() = path.
    [[noreturn]] void fail(const std::string& path, const std::string& what) const;

    /// Checks that `j` is an object whose keys are all in `allowed` (typos are errors).
    void object(const Json& j, const std::string& path,
                std::initializer_list<std::string_view> allowed) const;

    /// The value of `key` in `obj`, nullptr when absent (an error when `required`).
    const Json* find(const Json& obj, const std::string& path, std::string_view key,
                     bool required) const;

    std::string string(const Json& j, const std::string& path, bool non_empty = true) const;
    std::string req_string(const Json& obj, const std::string& path, std::string_view key) const;
    /// Null or absent is no value.
    std::optional<std::string> opt_string(const Json& obj, const std::string& path,
                                          std::string_view key) const;

    /// An integer in [min, INT_MAX].
    long long integer(const Json& j, const std::string& path, long long min) const;
    int req_int(const Json& obj, const std::string& path, std::string_view key, int min) const;

    /// A finite number >= 0.
    double amount(const Json& j, const std::string& path) const;
    /// A number >= 0; null or absent is no value.
    std::optional<double> opt_amount(const Json& obj, const std::string& path,
                                     std::string_view key) const;

    bool boolean(const Json& j, const std::string& path) const;
    bool opt_bool(const Json& obj, const std::string& path, std::string_view key,
                  bool fallback) const;

    /// A required ISO date under `key`.
    Date date(const Json& obj, const std::string& path, std::string_view key) const;

    const Json& array(const Json& j, const std::string& path) const;

    /// An enumeration spelling (vocab.hpp from_string), the library's message on error.
    template <class E>
    E enumeration(const Json& j, const std::string& path) const {
        const std::string s = string(j, path, false);
        try {
            return from_string<E>(s);
        } catch (const ValidationError& e) {
            fail(path, e.what());
        }
    }

private:
    std::string source_;
};

}  // namespace ctai::codec
