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

// ---- rows: reading (the row codec of this table) ---------------------------------

std::optional<Contract> StoreImpl::find_contract(const ContractId& id) {
    for (const auto& c : builtin_contracts())
        if (c.id == id) return c;
    if (const auto it = contract_cache.find(id.str()); it != contract_cache.end()) return it->second;
    auto q = query("SELECT json FROM contracts WHERE contract_id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    auto c = parse_contract(q.text(0), "store contract '" + id.str() + "'");
    contract_cache.emplace(id.str(), c);
    return c;
}

Contract StoreImpl::require_contract(const ContractId& id) {
    auto c = find_contract(id);
    if (!c) throw NotFoundError("unknown contract '" + id.str() + "'", "contract", id.str());
    return std::move(*c);
}

void require_action(const Contract& c, int action, const std::string& what) {
    rules::enforce(rules::check_action(c, action, what));
}

}  // namespace detail

// ---- contracts --------------------------------------------------------------------------

bool Store::put_contract(const Contract& c) {
    return detail::guard([&] {
        rules::enforce(rules::check_contract(c));
        // R10: the contract it continues is known (built in or loaded).
        if (c.continues && c.continues->contract != c.id &&
            !impl_->find_contract(c.continues->contract))
            throw NotFoundError("contract '" + c.id.str() + "' continues unknown contract '" +
                                    c.continues->contract.str() + "'",
                                "contract", c.continues->contract.str());
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
        impl_->clear_contract_caches();
        tx.commit();
        return true;
    });
}

// ---- reads -----------------------------------------------------------------------------

// ---- contracts --------------------------------------------------------------------------

Contract Store::contract(const ContractId& id) const {
    return detail::guard([&] { return impl_->require_contract(id); });
}

std::vector<Contract> Store::loaded_contracts() const {
    return detail::guard([&] {
        std::vector<Contract> out;
        auto q = impl_->query("SELECT contract_id, json FROM contracts ORDER BY contract_id");
        while (q.step()) out.push_back(parse_contract(q.text(1), "store contract '" + q.text(0) + "'"));
        return out;
    });
}

std::vector<Contract> Store::contracts() const {
    std::vector<Contract> out(builtin_contracts().begin(), builtin_contracts().end());
    for (auto& c : loaded_contracts()) out.push_back(std::move(c));
    return out;
}

}  // namespace ctai
