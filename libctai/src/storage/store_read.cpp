// Reads across tables: the case snapshot and the eligibility reads (point, batch, table),
// the journeys() overload. The reads of one table are in its *_table.cpp.

#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <sqlite3.h>

#include <ctai/journeys.hpp>

#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {
namespace {

void reserve(EligibilityColumns& out, std::size_t n) {
    out.person_id.reserve(n);
    for (auto* v : {&out.nationality_class, &out.primo_arrivant, &out.bpi, &out.bpt, &out.agir,
                    &out.ctai_public, &out.public_category, &out.sex, &out.in_agir_support})
        v->reserve(n);
    for (auto* v : {&out.primo_anchor, &out.primo_window_end, &out.protection_date,
                    &out.agir_window_end, &out.birth_year})
        v->reserve(n);
}

}  // namespace

}  // namespace detail

namespace detail {


std::shared_ptr<const CaseSnapshot> StoreImpl::current_case_snapshot() {
    if (!case_snapshot || depth > 0) return nullptr;
    if (backend->own_changes() != case_snapshot_changes ||
        data_version() != case_snapshot_data_version) {
        case_snapshot.reset();
        return nullptr;
    }
    return case_snapshot;
}

std::shared_ptr<const CaseSnapshot> StoreImpl::build_case_snapshot() {
    const ReadSnapshot snapshot(*this);
    const std::int64_t version = data_version();
    const std::int64_t changes = backend->own_changes();
    auto built = read_case_snapshot();
    if (depth == 0) {
        case_snapshot = built;
        case_snapshot_data_version = version;
        case_snapshot_changes = changes;
    }
    return built;
}

void StoreImpl::release_page_cache() noexcept { backend->release_memory(); }

std::shared_ptr<const CaseSnapshot> StoreImpl::read_case_snapshot() {
    std::vector<PersonCase> cases = read_all_cases(*this);
    std::vector<AgirSupport> supports = read_all_agir(*this);
    release_page_cache();  // before the snapshot's own arrays are allocated
    return std::make_shared<const CaseSnapshot>(std::move(cases), std::move(supports),
                                                policy);
}

}  // namespace detail

std::shared_ptr<const CaseSnapshot> Store::case_snapshot() const {
    return detail::guard([&] {
        if (auto s = impl_->current_case_snapshot()) return s;
        return impl_->build_case_snapshot();
    });
}

void Store::drop_case_snapshot() const noexcept {
    impl_->case_snapshot.reset();
    impl_->contract_data.reset();
    impl_->point_reads = 0;  // dropped on purpose: point reads start counting again
}

Eligibility Store::eligibility(const PersonId& id, Date on) const {
    return detail::guard([&] {
        auto& impl = *impl_;
        auto snap = impl.current_case_snapshot();
        if (!snap && impl.depth == 0) {
            // Ski rental: point reads until they have cost about one full read (a third
            // of the persons at this data version), then the snapshot.
            const std::int64_t version = impl.data_version();
            const std::int64_t changes = impl.backend->own_changes();
            if (version != impl.point_reads_data_version || changes != impl.point_reads_changes) {
                impl.point_reads = 0;
                impl.point_reads_data_version = version;
                impl.point_reads_changes = changes;
                impl.point_reads_persons = -1;
            }
            if (++impl.point_reads % 256 == 0) {
                if (impl.point_reads_persons < 0) impl.point_reads_persons = person_count();
                if (impl.point_reads * 3 >= impl.point_reads_persons)
                    snap = impl.build_case_snapshot();
            }
        }
        if (snap) {
            const auto i = snap->find_to_evaluate(id.str());
            if (i == CaseSnapshot::npos)
                throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
            return snap->evaluate(i, on);
        }
        // One read snapshot for the person and the family member (one lock, not one per
        // statement), cached prepared statements, one query per table.
        const detail::ReadSnapshot snapshot(impl);
        auto c = impl.load_case(id);
        if (!c) throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
        std::optional<PersonCase> family;
        if (c->person.rejoining_family_of) family = impl.load_case(*c->person.rejoining_family_of);
        auto e = evaluate(*c, on, impl.policy, family ? &*family : nullptr);
        detail::apply_household_rule(impl, e, *c);  // R3 minors_follow_household
        return e;
    });
}

// ---- columns ----------------------------------------------------------------------------

JourneyColumns Store::journeys(std::optional<ContractId> contract, std::optional<int> action,
                               std::optional<Date> censor_on) const {
    // Every column; the read itself is in store_journeys.cpp.
    return journeys(std::move(contract), action, censor_on, JourneyFields::all);
}

EligibilityColumns Store::eligibility_for(std::span<const PersonId> persons,
                                          std::span<const Date> dates) const {
    if (persons.size() != dates.size())
        throw ValidationError("eligibility_for: " + std::to_string(persons.size()) +
                                  " persons but " + std::to_string(dates.size()) + " dates",
                              "dates");
    return detail::guard([&] {
        const Policy& p = impl_->policy;
        EligibilityColumns out;
        out.on = dates.empty() ? no_date : dates.front().days();
        for (const Date d : dates)
            if (d.days() != out.on) out.on = no_date;
        // Many rows, or a current snapshot: every case in memory. Few: point reads.
        auto snap = impl_->current_case_snapshot();
        if (!snap && persons.size() >= 64) snap = impl_->build_case_snapshot();
        if (!snap) {
            const detail::ReadSnapshot snapshot(*impl_);
            std::vector<PersonCase> cases;
            std::vector<AgirSupport> supports;
            std::unordered_set<std::string> seen;
            auto load = [&](const PersonId& id) {
                if (!seen.insert(id.str()).second) return;
                auto c = impl_->load_case(id);
                if (!c) return;
                for (auto& s : impl_->load_agir_of(id)) supports.push_back(std::move(s));
                cases.push_back(std::move(*c));
            };
            for (const auto& id : persons) load(id);
            for (std::size_t k = 0, n = cases.size(); k < n; ++k)
                if (const auto f = cases[k].person.rejoining_family_of) load(*f);
            // R3 minors_follow_household: the households of the persons asked.
            if (p.minors_follow_household)
                for (std::size_t k = 0, n = cases.size(); k < n; ++k)
                    if (const auto h = cases[k].person.household_id)
                        for (const auto& m : detail::household_member_ids(*impl_, *h)) load(m);
            snap = std::make_shared<const CaseSnapshot>(std::move(cases), std::move(supports), p);
        }
        // Every id resolved first: an unknown person leaves nothing half-built.
        std::vector<std::uint32_t> rows(persons.size());
        for (std::size_t i = 0; i < persons.size(); ++i) {
            rows[i] = snap->find(persons[i].str());
            if (rows[i] == CaseSnapshot::npos)
                throw NotFoundError("unknown person '" + persons[i].str() + "'", "person",
                                    persons[i].str());
        }
        detail::reserve(out, persons.size());
        for (std::size_t i = 0; i < persons.size(); ++i) snap->append(out, rows[i], dates[i]);
        return out;
    });
}

EligibilityColumns Store::eligibility_table(Date on) const {
    return eligibility_table(on, Explain::none);
}

EligibilityColumns Store::eligibility_table(Date on, Explain explain) const {
    return detail::guard([&] {
        auto snap = impl_->current_case_snapshot();
        if (!snap) snap = impl_->build_case_snapshot();
        EligibilityColumns out;
        out.on = on.days();
        // By person id (the snapshot keeps the store's order, which is by id).
        detail::reserve(out, snap->size());
        for (std::uint32_t i = 0; i < snap->size(); ++i) snap->append(out, i, on);
        if (explain == Explain::reasons) snap->append_reasons(out, on);
        return out;
    });
}

}  // namespace ctai
