// The contracts table (contracts loaded by the user; the built-in ones are embedded):
// put_contract, and require_action used by every record that names a contract's action.
// Reads: store_read.cpp.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ctai/journeys.hpp>
#include <ctai/referrals.hpp>

#include "domain/journey_rules.hpp"
#include "storage/bulk_load.hpp"
#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

void require_action(const Contract& c, int action, const std::string& what) {
    rules::enforce(rules::check_action(c, action, what));
}

}  // namespace detail

// ---- contracts --------------------------------------------------------------------------

bool Store::put_contract(const Contract& c) {
    return detail::guard([&] {
        rules::enforce(rules::check_contract(c));
        const std::string text = contract_to_json(c);
        impl_->end_bulk();
        auto tx = transaction();
        std::optional<std::string> old;
        {
            auto q = impl_->query("SELECT json FROM contracts WHERE contract_id = ?");
            q.bind(c.id);
            if (q.step()) old = q.text(0);
        }
        if (old && parse_contract(*old, c.id.str()) == c) return false;
        impl_->query("INSERT INTO contracts (contract_id, json) VALUES (?, ?) ON CONFLICT "
                     "(contract_id) DO UPDATE SET json = excluded.json")
            .bind(c.id, text)
            .exec();
        const detail::Json after{{"json", detail::Json::parse(text)}};
        if (old) {
            const detail::Json before{{"json", detail::Json::parse(*old)}};
            impl_->audit_upsert("contract", c.id.str(), std::nullopt, &before, after);
        } else {
            impl_->audit_upsert("contract", c.id.str(), std::nullopt, nullptr, after);
        }
        impl_->contract_cache.erase(c.id.str());
        tx.commit();
        return true;
    });
}

}  // namespace ctai
