// The contract_documents table (domain R10): the avenants and local AGIR conventions loaded
// by users, put_avenant / put_convention and their reads, and the contract as it stands on a
// date (contract_at) that enrollments and reports use.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

const StoreImpl::ContractDocuments& StoreImpl::documents_of(const ContractId& id) {
    if (const auto it = documents_cache.find(id.str()); it != documents_cache.end())
        return it->second;
    ContractDocuments docs;
    auto q = query("SELECT document_id, json FROM contract_documents WHERE contract_id = ? "
                   "ORDER BY effective, document_id");
    q.bind(id);
    while (q.step()) {
        auto d = parse_contract_document(q.text(1), "store document '" + q.text(0) + "'");
        if (auto* a = std::get_if<Avenant>(&d)) docs.avenants.push_back(std::move(*a));
        if (auto* v = std::get_if<Convention>(&d)) docs.conventions.push_back(std::move(*v));
    }
    return documents_cache.emplace(id.str(), std::move(docs)).first->second;
}

const Contract& StoreImpl::contract_at(const ContractId& id, Date on) {
    const ContractDocuments& docs = documents_of(id);
    // Keyed by what applies on `on`: most dates share a few versions of the contract.
    std::string key = id.str();
    for (const auto& a : docs.avenants)
        if (a.effective <= on) key += "|" + a.id;
    if (const Convention* v = convention_in_force(docs.conventions, id, on)) key += "#" + v->id;
    auto it = contract_at_cache.find(key);
    if (it == contract_at_cache.end())
        it = contract_at_cache
                 .emplace(key, contract_on(require_contract(id), docs.avenants,
                                           docs.conventions, on)
                                   .contract)
                 .first;
    return it->second;
}

const std::vector<Continuation>& StoreImpl::lineage_of(const ContractId& id) {
    if (const auto it = lineage_cache.find(id.str()); it != lineage_cache.end()) return it->second;
    const Contract c = require_contract(id);
    std::map<std::string, Contract> held;
    auto lookup = [&](const ContractId& k) -> const Contract* {
        auto found = find_contract(k);
        if (!found) return nullptr;
        return &(held[k.str()] = std::move(*found));
    };
    return lineage_cache.emplace(id.str(), lineage(c, lookup)).first->second;
}

void StoreImpl::clear_contract_caches() {
    contract_cache.clear();
    documents_cache.clear();
    contract_at_cache.clear();
    lineage_cache.clear();
}

namespace {

// Upserts one avenant or convention of a known contract, audited. The contract as amended on
// the document's date (and, for an avenant, on its new end) must stay consistent.
bool put_document(StoreImpl& impl, Store& store, const ContractDocument& doc,
                  const ContractId& contract, Date effective) {
    const std::string id = document_id(doc);
    const std::string_view kind = document_kind(doc);
    if (id.empty()) throw ValidationError(std::string(kind) + " without id", "id");
    const auto base = impl.find_contract(contract);
    if (!base)
        throw NotFoundError(std::string(kind) + " '" + id + "': unknown contract '" +
                                contract.str() + "'",
                            "contract", contract.str());
    if (effective < base->start)
        throw ValidationError(std::string(kind) + " '" + id + "': effective " +
                                  to_iso(effective) + " is before contract '" + contract.str() +
                                  "' starts (" + to_iso(base->start) + ")",
                              "effective");
    const std::string text = contract_document_to_json(doc);
    impl.end_bulk();
    auto tx = store.transaction();
    std::optional<std::string> old;
    {
        auto q = impl.query("SELECT kind, json FROM contract_documents WHERE document_id = ?");
        q.bind(id);
        if (q.step()) {
            if (q.text(0) != kind)
                throw ConflictError("'" + id + "' is already the id of an " + q.text(0),
                                    "contract_document.kind", "id");
            old = q.text(1);
        }
    }
    if (old && *old == text) return false;
    // The whole history with this document in it: every version of the contract it touches.
    StoreImpl::ContractDocuments docs = impl.documents_of(contract);
    std::erase_if(docs.avenants, [&](const Avenant& a) { return a.id == id; });
    std::erase_if(docs.conventions, [&](const Convention& v) { return v.id == id; });
    std::vector<Date> dates{effective};
    if (const auto* a = std::get_if<Avenant>(&doc)) {
        docs.avenants.push_back(*a);
        if (a->end) dates.push_back(*a->end);
    } else {
        docs.conventions.push_back(std::get<Convention>(doc));
    }
    for (const auto& a : docs.avenants) dates.push_back(a.effective);
    for (const auto& v : docs.conventions) dates.push_back(v.effective);
    for (const Date on : dates) {
        try {
            (void)contract_on(*base, docs.avenants, docs.conventions, on);
        } catch (const ValidationError& e) {
            throw ValidationError(std::string(kind) + " '" + id + "': on " + to_iso(on) + ": " +
                                      e.what(),
                                  e.field());
        }
    }
    impl.query("INSERT INTO contract_documents (document_id, kind, contract_id, effective, json) "
               "VALUES (?, ?, ?, ?, ?) ON CONFLICT (document_id) DO UPDATE SET "
               "kind = excluded.kind, contract_id = excluded.contract_id, "
               "effective = excluded.effective, json = excluded.json")
        .bind(id, std::string(kind), contract, effective, text)
        .exec();
    const Json after{{"json", Json::parse(text)}};
    if (old) {
        const Json before{{"json", Json::parse(*old)}};
        impl.audit_upsert(kind, id, std::nullopt, &before, after);
    } else {
        impl.audit_upsert(kind, id, std::nullopt, nullptr, after);
    }
    impl.clear_contract_caches();
    tx.commit();
    return true;
}

template <class T>
std::vector<T> documents(StoreImpl& impl, std::string_view kind,
                         const std::optional<ContractId>& contract) {
    std::vector<T> out;
    auto q = impl.query("SELECT document_id, json FROM contract_documents WHERE kind = ?1 AND "
                        "(?2 IS NULL OR contract_id = ?2) ORDER BY contract_id, effective, "
                        "document_id");
    q.bind(std::string(kind), contract ? std::optional<std::string>(contract->str()) : std::nullopt);
    while (q.step())
        out.push_back(std::get<T>(
            parse_contract_document(q.text(1), "store document '" + q.text(0) + "'")));
    return out;
}

template <class T>
T document(StoreImpl& impl, std::string_view kind, std::string_view id) {
    auto q = impl.query("SELECT json FROM contract_documents WHERE kind = ? AND document_id = ?");
    q.bind(std::string(kind), std::string(id));
    if (!q.step())
        throw NotFoundError("no " + std::string(kind) + " '" + std::string(id) + "'",
                            std::string(kind), std::string(id));
    return std::get<T>(parse_contract_document(q.text(0), "store document '" + std::string(id) + "'"));
}

}  // namespace
}  // namespace detail

bool Store::put_avenant(const Avenant& a) {
    return detail::guard([&] { return detail::put_document(*impl_, *this, a, a.contract, a.effective); });
}

bool Store::put_convention(const Convention& v) {
    return detail::guard([&] { return detail::put_document(*impl_, *this, v, v.contract, v.effective); });
}

Avenant Store::avenant(std::string_view id) const {
    return detail::guard([&] { return detail::document<Avenant>(*impl_, "avenant", id); });
}

Convention Store::convention(std::string_view id) const {
    return detail::guard([&] { return detail::document<Convention>(*impl_, "convention", id); });
}

std::vector<Avenant> Store::avenants(std::optional<ContractId> contract) const {
    return detail::guard([&] { return detail::documents<Avenant>(*impl_, "avenant", contract); });
}

std::vector<Convention> Store::conventions(std::optional<ContractId> contract) const {
    return detail::guard(
        [&] { return detail::documents<Convention>(*impl_, "convention", contract); });
}

ContractOn Store::contract_on(const ContractId& id, Date on) const {
    return detail::guard([&] {
        const Contract c = impl_->require_contract(id);
        const auto& docs = impl_->documents_of(id);
        return ctai::contract_on(c, docs.avenants, docs.conventions, on);
    });
}

}  // namespace ctai
