// The audit log (R9): its writer (one row per changed entity, the change as JSON: the
// inserted fields or a diff), its read, and the ids and timestamps of the rows.

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>
#include <string_view>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include <date/date.h>

#include "embedded.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

std::string random_id(std::string_view prefix) {
    static thread_local std::mt19937_64 gen{[] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(prefix);
    std::uint64_t v = gen();
    for (int i = 0; i < 16; ++i) {
        out += hex[v & 0xF];
        v >>= 4;
    }
    return out;
}

std::string utc_now_iso() {
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    // A bulk write audits many rows in the same millisecond: format each millisecond once.
    static thread_local std::chrono::sys_time<std::chrono::milliseconds> last{};
    static thread_local std::string text;
    if (text.empty() || now != last) {
        text = date::format("%FT%TZ", now);
        last = now;
    }
    return text;
}

std::optional<std::string> StoreImpl::tx_reason() const {
    for (auto it = reasons.rbegin(); it != reasons.rend(); ++it)
        if (!it->empty()) return *it;
    return std::nullopt;
}

void StoreImpl::audit(std::string_view entity, const std::string& entity_id,
                      const std::optional<PersonId>& person, std::string_view operation,
                      const Json& change, std::optional<std::string> reason) {
    append_audit(*this, entity, entity_id, person, operation, change.dump(), std::move(reason));
}

void append_audit(StoreImpl& impl, std::string_view entity, const std::string& entity_id,
                  const std::optional<PersonId>& person, std::string_view operation,
                  const std::string& change, std::optional<std::string> reason) {
    if (!reason) reason = impl.tx_reason();
    const std::string at = utc_now_iso();
    impl.backend->append_audit(
        AuditRecord{at, impl.options.actor, entity, entity_id, person, operation, change, reason});
}

void StoreImpl::audit_upsert(std::string_view entity, const std::string& entity_id,
                             const std::optional<PersonId>& person, const Json* before,
                             const Json& after, std::optional<std::string> reason) {
    if (before)
        audit(entity, entity_id, person, "update", json_diff(*before, after), std::move(reason));
    else
        audit(entity, entity_id, person, "insert", after, std::move(reason));
}

Json json_diff(const Json& before, const Json& after) {
    Json out = Json::object();
    for (auto it = after.begin(); it != after.end(); ++it) {
        const auto old = before.find(it.key());
        const Json old_value = old == before.end() ? Json() : *old;
        if (old_value != it.value()) out[it.key()] = Json::array({old_value, it.value()});
    }
    for (auto it = before.begin(); it != before.end(); ++it)
        if (!after.contains(it.key())) out[it.key()] = Json::array({it.value(), Json()});
    return out;
}

}  // namespace detail

// ---- audit ------------------------------------------------------------------------------

std::vector<AuditEntry> Store::audit_log(const AuditQuery& filter) const {
    return detail::guard([&] {
        std::vector<AuditEntry> out;
        std::optional<std::string> person;
        if (filter.person_id) person = filter.person_id->str();
        auto q = impl_->query(
            "SELECT seq, at, actor, entity, entity_id, person_id, operation, change, reason FROM "
            "audit_log WHERE seq > ?1 AND (?2 IS NULL OR entity = ?2) AND (?3 IS NULL OR "
            "entity_id = ?3) AND (?4 IS NULL OR person_id = ?4) ORDER BY seq");
        q.bind(filter.after_seq, filter.entity, filter.entity_id, person);
        while (q.step()) {
            AuditEntry e;
            e.seq = q.i64(0);
            e.at = q.text(1);
            e.actor = q.text(2);
            e.entity = q.text(3);
            e.entity_id = q.text(4);
            if (!q.null(5)) e.person_id = PersonId{q.text(5)};
            e.operation = q.text(6);
            e.change = q.text(7);
            e.reason = q.opt_text(8);
            out.push_back(std::move(e));
        }
        return out;
    });
}

}  // namespace ctai
