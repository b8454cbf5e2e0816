// export_dir: every table of a store -> an exchange folder (interfaces.md section 1), plain
// or pseudonymised (R9: keyed hash whose key is never stored), and read_key_file.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <span>
#include <type_traits>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctai/error.hpp>
#include <ctai/exchange.hpp>
#include <ctai/store.hpp>
#include <ctai/vocab.hpp>

#include "exchange/contracts_io.hpp"
#include "exchange/csv.hpp"
#include "exchange/guards.hpp"
#include "exchange/format.hpp"
#include "exchange/read.hpp"
#include "exchange/settings_io.hpp"

namespace ctai {

namespace fs = std::filesystem;

std::size_t ExportSummary::rows(std::string_view file) const noexcept {
    for (const auto& f : files)
        if (f.file == file) return f.rows;
    return 0;
}

namespace detail {
namespace {

constexpr std::size_t min_key_bytes = 16;
// Hex digits of the MAC kept in a pseudonym: 80 bits.
constexpr std::size_t pseudonym_hex_digits = 20;

// Keyed pseudonyms (R9): HMAC-SHA-256(key, kind ":" id), a prefix letter and the first 20
// hex digits. The kind separates the id spaces, so that a person and a household that
// happen to share an id do not get linkable pseudonyms.
class Pseudonymizer {
public:
    explicit Pseudonymizer(const std::string& key) : key_(key) {
        check_key_strength(key_, "pseudonymization_key");
    }
    ~Pseudonymizer() { OPENSSL_cleanse(key_.data(), key_.size()); }
    Pseudonymizer(const Pseudonymizer&) = delete;
    Pseudonymizer& operator=(const Pseudonymizer&) = delete;

    const std::string& person(const std::string& id) { return get('X', "person", id); }
    const std::string& household(const std::string& id) { return get('H', "household", id); }
    const std::string& journey(const std::string& id) { return get('J', "journey", id); }
    const std::string& referral(const std::string& id) { return get('R', "referral", id); }

private:
    const std::string& get(char prefix, std::string_view kind, const std::string& id) {
        std::string message(kind);
        message += ':';
        message += id;
        const auto found = cache_.find(message);
        if (found != cache_.end()) return found->second;

        std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
        unsigned int length = 0;
        if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
                  reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                  mac.data(), &length) ||
            length * 2 < pseudonym_hex_digits)
            throw Error("HMAC-SHA-256 is not available in this OpenSSL");
        static constexpr char digits[] = "0123456789abcdef";
        std::string out(1, prefix);
        for (std::size_t i = 0; out.size() < pseudonym_hex_digits + 1; ++i) {
            out += digits[mac[i / 2] >> (i % 2 == 0 ? 4 : 0) & 0xF];
        }
        if (!taken_.emplace(out, message).second)
            throw Error("two ids got the same pseudonym: export again with another key");
        return cache_.emplace(std::move(message), std::move(out)).first->second;
    }

    std::string key_;
    std::unordered_map<std::string, std::string> cache_;
    std::unordered_map<std::string, std::string> taken_;
};

std::string iso(const std::optional<Date>& d) { return d ? to_iso(*d) : std::string(); }

std::string number(double v) {
    std::array<char, 64> buf{};
    const auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return ec == std::errc{} ? std::string(buf.data(), ptr) : std::to_string(v);
}

std::string_view sex_csv(Sex s) {
    switch (s) {
        case Sex::female: return "F";
        case Sex::male: return "M";
        case Sex::unknown: return "";
    }
    return "";
}

std::string_view authority_csv(Authority a) {
    switch (a) {
        case Authority::ofpra: return "OFPRA";
        case Authority::cnda: return "CNDA";
        case Authority::prefecture: return "prefecture";
    }
    return "";
}

std::string join(const std::vector<std::string>& items, char sep) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += sep;
        out += s;
    }
    return out;
}

std::string code(auto e) { return std::string(to_string(e)); }

constexpr std::string_view redacted = "redacted";

fs::path tmp_path(const fs::path& target) {
    auto p = target;
    p += ".tmp";
    return p;
}

// The fourteen files being written, as `<name>.csv.tmp`, readable by their owner only
// (the rows are personal data). Rows go straight to the files: nothing is held in memory
// beyond what the Store API returns.
class OutputFiles {
public:
    explicit OutputFiles(const fs::path& dir) {
        for (std::size_t i = 0; i < table_count; ++i) {
            paths_[i] = tmp_path(dir / tables[i].file);
            {
                std::ofstream create(paths_[i], std::ios::binary | std::ios::trunc);
                if (!create) fail(i);
            }
            std::error_code ec;
            fs::permissions(paths_[i], fs::perms::owner_read | fs::perms::owner_write,
                            fs::perm_options::replace, ec);
            streams_[i].open(paths_[i], std::ios::binary | std::ios::trunc);
            if (!streams_[i]) fail(i);
            writers_[i].emplace(streams_[i]);
            std::vector<std::string_view> header;
            for (const auto& c : tables[i].columns) header.push_back(c.name);
            writers_[i]->write_row(std::span<const std::string_view>(header));
        }
    }
    ~OutputFiles() {
        // Not committed: remove the temporary files.
        if (committed_) return;
        for (std::size_t i = 0; i < table_count; ++i) {
            streams_[i].close();
            std::error_code ec;
            fs::remove(paths_[i], ec);
        }
    }
    OutputFiles(const OutputFiles&) = delete;
    OutputFiles& operator=(const OutputFiles&) = delete;

    // Every cell is neutralised against formula injection (guards.hpp): the reader
    // strips the added quote again.
    void row(Table t, std::initializer_list<std::string_view> fields) {
        const auto i = static_cast<std::size_t>(t);
        cells_.clear();
        for (const auto f : fields) cells_.push_back(neutralize_formula(f));
        writers_[i]->write_row(std::span<const std::string>(cells_));
        ++rows_[i];
    }
    std::size_t rows(Table t) const { return rows_[static_cast<std::size_t>(t)]; }

    /// Closes every file and renames it to its final name.
    void commit(const fs::path& dir) {
        for (std::size_t i = 0; i < table_count; ++i) {
            streams_[i].flush();
            streams_[i].close();
            if (!streams_[i]) fail(i);
        }
        for (std::size_t i = 0; i < table_count; ++i) {
            std::error_code ec;
            if (tables[i].only_with_rows && rows_[i] == 0) {
                // Not written; a stale file of an earlier export would be read back.
                fs::remove(paths_[i], ec);
                fs::remove(dir / tables[i].file, ec);
                continue;
            }
            fs::rename(paths_[i], dir / tables[i].file, ec);
            if (ec)
                throw StorageError("cannot rename '" + paths_[i].string() + "': " + ec.message());
        }
        committed_ = true;
    }

private:
    [[noreturn]] void fail(std::size_t i) const {
        throw StorageError("cannot write '" + paths_[i].string() + "' (permissions? disk full?)");
    }

    std::array<fs::path, table_count> paths_;
    std::array<std::ofstream, table_count> streams_;
    std::array<std::optional<CsvWriter>, table_count> writers_;
    std::array<std::size_t, table_count> rows_{};
    std::vector<std::string> cells_;
    bool committed_ = false;
};

// A Dataset seen through the read API of a Store, so one Exporter writes both.
struct DatasetSource {
    const Dataset& d;
    const std::vector<PersonCase>& all_cases() const { return d.cases; }
    std::int64_t person_count() const { return static_cast<std::int64_t>(d.cases.size()); }
    void for_each_case(const std::function<void(const PersonCase&)>& f) const {
        for (const auto& c : d.cases) f(c);
    }
    const std::vector<Journey>& all_journeys() const { return d.journeys; }
    const std::vector<AgirSupport>& all_agir_supports() const { return d.agir; }
    const std::vector<Referral>& all_referrals() const { return d.referrals; }
    const std::vector<Activity>& all_activities() const { return d.activities; }
    const std::vector<Participation>& all_participations() const { return d.participations; }
    const std::vector<Volunteering>& all_volunteering() const { return d.volunteering; }
    const std::vector<HousingMove>& all_housing_moves() const { return d.housing; }
    const std::vector<Partnership>& all_partnerships() const { return d.partnerships; }
    const std::vector<Cost>& all_costs() const { return d.costs; }
};

// Writes every table of a store (or of a DatasetSource) to the files.
template <class Source>
class Exporter {
public:
    Exporter(const Source& store, const ExportOptions& options, Pseudonymizer* pseudo,
             OutputFiles& out)
        : store_(store), options_(options), pseudo_(pseudo), out_(out) {}

    void run() {
        if (pseudo_) {
            // Pseudonymised rows are sorted by their pseudonymised keys, so that the row
            // order does not reveal the order of the original ids; lists (permits, steps)
            // keep their order inside one key.
            const auto cases = store_.all_cases();
            in_order(Table::persons, cases, [&](const PersonCase& c) { return person(c.person.id); },
                     [&](const PersonCase& c) { add_case(c); });
        } else {
            const auto total = static_cast<std::size_t>(store_.person_count());
            std::size_t done = 0;
            progress(Table::persons, 0, total);
            store_.for_each_case([&](const PersonCase& c) {
                add_case(c);
                if (++done % progress_every == 0) progress(Table::persons, done, total);
            });
            progress(Table::persons, total, total);
        }
        in_order(Table::journeys, store_.all_journeys(),
                 [&](const Journey& j) { return journey(j.id); },
                 [&](const Journey& j) { add_journey(j); });
        in_order(Table::agir, store_.all_agir_supports(),
                 [&](const AgirSupport& s) { return key({person(s.person_id), to_iso(s.orientation_date)}); },
                 [&](const AgirSupport& s) { add_agir(s); });
        in_order(Table::referrals, store_.all_referrals(),
                 [&](const Referral& r) { return referral(r.id); },
                 [&](const Referral& r) { add_referral(r); });
        in_order(Table::activities, store_.all_activities(), nullptr, [&](const Activity& a) {
            out_.row(Table::activities,
                     {a.id.str(), a.contract_id.str(), std::to_string(a.action), code(a.kind),
                      a.type, to_iso(a.date), number(a.hours), a.co_animated ? "1" : "0",
                      a.structure});
        });
        in_order(Table::participations, store_.all_participations(),
                 [&](const Participation& p) { return key({p.activity_id.str(), person(p.person_id)}); },
                 [&](const Participation& p) {
                     out_.row(Table::participations,
                              {p.activity_id.str(), person(p.person_id),
                               p.satisfaction ? std::to_string(*p.satisfaction) : std::string()});
                 });
        in_order(Table::volunteering, store_.all_volunteering(),
                 [&](const Volunteering& v) {
                     return key({person(v.person_id), code(v.kind), to_iso(v.start)});
                 },
                 [&](const Volunteering& v) {
                     out_.row(Table::volunteering, {person(v.person_id), code(v.kind),
                                                    to_iso(v.start), iso(v.end), v.association_type});
                 });
        in_order(Table::housing, store_.all_housing_moves(),
                 [&](const HousingMove& m) { return key({household(m.household_id), to_iso(m.date)}); },
                 [&](const HousingMove& m) {
                     out_.row(Table::housing,
                              {household(m.household_id), to_iso(m.date), code(m.housing_type)});
                 });
        in_order(Table::partnerships, store_.all_partnerships(), nullptr, [&](const Partnership& p) {
            out_.row(Table::partnerships, {p.contract_id.str(), std::to_string(p.action), p.partner,
                                           p.theme, to_iso(p.date)});
        });
        in_order(Table::costs, store_.all_costs(), nullptr, [&](const Cost& c) {
            out_.row(Table::costs, {c.contract_id.str(), std::to_string(c.action),
                                    number(c.total_cost), number(c.subsidy_p104)});
        });
    }

private:
    void progress(Table t, std::size_t done, std::size_t total) const {
        report_progress(options_.progress, "export " + std::string(spec(t).name), done, total);
    }

    // Writes `items` in store order, or, when pseudonymising and `key_of` is given, in the
    // order of their pseudonymised keys.
    template <class T, class K, class W>
    void in_order(Table t, const std::vector<T>& items, K&& key_of, W&& write) {
        std::vector<std::size_t> order(items.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        if constexpr (!std::is_null_pointer_v<std::decay_t<K>>) {
            if (pseudo_) {
                std::vector<std::string> keys;
                keys.reserve(items.size());
                for (const auto& item : items) keys.push_back(key_of(item));
                std::stable_sort(order.begin(), order.end(),
                                 [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
            }
        }
        const auto total = items.size();
        progress(t, 0, total);
        for (std::size_t n = 0; n < total; ++n) {
            write(items[order[n]]);
            if ((n + 1) % progress_every == 0) progress(t, n + 1, total);
        }
        progress(t, total, total);
    }

    static std::string key(std::initializer_list<std::string> parts) {
        std::string k;
        for (const auto& p : parts) {
            k += p;
            k += '\x1F';
        }
        return k;
    }

    std::string person(const PersonId& id) { return pseudo_ ? pseudo_->person(id.str()) : id.str(); }
    std::string household(const HouseholdId& id) {
        return pseudo_ ? pseudo_->household(id.str()) : id.str();
    }
    std::string journey(const JourneyId& id) { return pseudo_ ? pseudo_->journey(id.str()) : id.str(); }
    std::string referral(const ReferralId& id) {
        return pseudo_ ? pseudo_->referral(id.str()) : id.str();
    }
    std::string free_text(const std::optional<std::string>& text) const {
        if (!text) return {};
        return pseudo_ ? std::string(redacted) : *text;
    }

    std::string birth(const std::optional<PartialDate>& b) const {
        if (!b) return {};
        if (!pseudo_) return to_string(*b);
        const auto ymd = b->first.ymd();
        const bool year_only = options_.birth_precision == BirthPrecision::year ||
                               b->precision == DatePrecision::year;
        const PartialDate reduced =
            year_only ? PartialDate{Date(static_cast<int>(ymd.year()), 1, 1), DatePrecision::year}
                      : PartialDate{Date(static_cast<int>(ymd.year()),
                                         static_cast<unsigned>(ymd.month()), 1),
                                    DatePrecision::month};
        return to_string(reduced);
    }

    void add_case(const PersonCase& c) {
        const auto& p = c.person;
        const auto id = person(p.id);
        out_.row(Table::persons,
                 {id, sex_csv(p.sex), birth(p.birth_date), join(p.nationalities, '|'),
                  p.household_id ? household(*p.household_id) : std::string(), p.department,
                  code(p.cir_status), iso(p.cir_date),
                  p.rejoining_family_of ? person(*p.rejoining_family_of) : std::string(),
                  pseudo_ ? std::string() : iso(p.last_contact)});
        for (const auto& x : c.permits)
            out_.row(Table::permits,
                     {id, code(x.kind), code(x.motive), to_iso(x.valid_from), iso(x.valid_to)});
        for (const auto& x : c.protections)
            out_.row(Table::protections,
                     {id, code(x.type), authority_csv(x.authority), to_iso(x.decision_date),
                      iso(x.notification_date), iso(x.displaced_on), iso(x.end_date)});
        for (const auto& x : c.situations)
            out_.row(Table::situations, {id, code(x.kind), to_iso(x.start), iso(x.end)});
        // R1: dated nationalities with their exact dates, as permits and protections (a
        // pseudonymised export too: the class at each date must stay the same).
        for (const auto& x : c.nationalities)
            out_.row(Table::nationalities, {id, x.code, iso(x.acquired_on), iso(x.lost_on)});
    }

    void add_journey(const Journey& j) {
        const auto id = journey(j.id);
        out_.row(Table::journeys,
                 {id, person(j.person_id), j.contract_id.str(), std::to_string(j.action),
                  to_iso(j.entry_date), code(j.referral_source), iso(j.exit_date),
                  j.exit_reason.value_or(""), free_text(j.override_reason)});
        for (const auto& s : j.steps) out_.row(Table::steps, {id, code(s.kind), to_iso(s.date)});
    }

    void add_agir(const AgirSupport& s) {
        out_.row(Table::agir,
                 {person(s.person_id), to_iso(s.orientation_date), iso(s.entry_date),
                  iso(s.exit_date), s.exit_housing ? code(*s.exit_housing) : std::string(),
                  s.exit_activity ? code(*s.exit_activity) : std::string(),
                  s.cdd_months ? std::to_string(*s.cdd_months) : std::string()});
    }

    void add_referral(const Referral& r) {
        out_.row(Table::referrals,
                 {referral(r.id), person(r.person_id), r.from, r.to, code(r.need), code(r.status),
                  to_iso(r.proposed_on), iso(r.decided_on), iso(r.completed_on),
                  free_text(r.reason)});
    }

    const Source& store_;
    const ExportOptions& options_;
    Pseudonymizer* pseudo_;
    OutputFiles& out_;
};

}  // namespace
}  // namespace detail

namespace detail {
namespace {

// A pseudonymised export is marked by a file that import_dir looks for; a plain export
// into the same folder removes a stale marker.
void write_marker(const fs::path& dir, bool pseudonymized) {
    const auto path = dir / pseudonymized_marker;
    std::error_code ec;
    if (!pseudonymized) {
        fs::remove(path, ec);
        return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "This folder is a pseudonymised export of libctai (R9): the ids are keyed pseudonyms,\n"
           "birth dates are reduced, free text is redacted. `ctai import` refuses it unless\n"
           "told that the store is meant for pseudonymised data (--allow-pseudonymized).\n";
    out.close();
    if (!out) throw StorageError("cannot write '" + path.string() + "' (permissions? disk full?)");
}

template <class Source>
ExportSummary export_any(const Source& store, const fs::path& dir, const ExportOptions& options) {
    std::optional<Pseudonymizer> pseudo;
    if (options.pseudonymization_key) pseudo.emplace(*options.pseudonymization_key);

    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        throw ValidationError("'" + dir.string() + "' exists and is not a folder", "dir");
    if (!options.overwrite) {
        std::string existing;
        for (const auto& t : tables) {
            const auto p = dir / t.file;
            if (fs::is_regular_file(p, ec) && fs::file_size(p, ec) > 0)
                existing += (existing.empty() ? "" : ", ") + std::string(t.file);
        }
        if (!existing.empty())
            throw ValidationError("'" + dir.string() + "' already holds exchange files (" +
                                      existing + "): choose an empty folder or overwrite them",
                                  "dir");
    }
    fs::create_directories(dir, ec);
    if (ec) throw StorageError("cannot create the folder '" + dir.string() + "': " + ec.message());

    if (options.key_file) check_key_outside(*options.key_file, dir);

    OutputFiles files(dir);
    Exporter<Source>(store, options, pseudo ? &*pseudo : nullptr, files).run();
    files.commit(dir);
    write_marker(dir, pseudo.has_value());

    ExportSummary summary;
    summary.pseudonymized = pseudo.has_value();
    for (std::size_t i = 0; i < table_count; ++i)
        if (!tables[i].only_with_rows || files.rows(tables[i].table) > 0)
            summary.files.push_back({std::string(tables[i].file), files.rows(tables[i].table)});
    return summary;
}

}  // namespace
}  // namespace detail

ExportSummary export_dir(const Store& store, const fs::path& dir, const ExportOptions& options) {
    if (!options.overwrite && detail::has_contract_files(dir))
        throw ValidationError("'" + dir.string() + "' already holds contract files (" +
                                  std::string(detail::contracts_folder) +
                                  "/*.json): choose an empty folder or overwrite them",
                              "dir");
    detail::check_settings_target(dir, options.overwrite);
    auto summary = detail::export_any(store, dir, options);
    // R10: the contracts, avenants and conventions of the store (contracts_io.cpp).
    for (auto& file : detail::write_contract_files(store, dir)) summary.files.push_back({file, 1});
    if (detail::write_settings_file(store, dir))  // R10: the settings in force
        summary.files.push_back({std::string(detail::settings_file), 1});
    return summary;
}

ExportSummary write_exchange_dir(const Dataset& data, const fs::path& dir, const ExportOptions& options) {
    return detail::export_any(detail::DatasetSource{data}, dir, options);
}

std::string read_key_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ValidationError("cannot read the key file '" + path.string() + "'", "key_file");
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        throw ValidationError("cannot read the key file '" + path.string() + "'", "key_file");
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.empty())
        throw ValidationError("the key file '" + path.string() + "' is empty", "key_file");
    if (key.size() < detail::min_key_bytes) {
        OPENSSL_cleanse(key.data(), key.size());
        throw ValidationError("the key in '" + path.string() + "' is too short: at least " +
                                  std::to_string(detail::min_key_bytes) +
                                  " bytes are needed (e.g. made with `openssl rand -hex 32`)",
                              "key_file");
    }
    try {
        detail::check_key_strength(key, "key_file");
    } catch (const ValidationError&) {
        OPENSSL_cleanse(key.data(), key.size());
        throw;
    }
    return key;
}

}  // namespace ctai
