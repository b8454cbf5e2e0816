// The nationalities table (schema version 4): a person's dated nationalities (domain R1,
// exchange file nationalities.csv). Its SQL, its row codec, its audit encoding (a
// "dated_nationalities" key of the case's audit JSON, present only when the person has
// rows: the audit of a person without them is the text of version 3) and the public
// put_nationalities / nationalities. The rows are written with the person's other lists
// (write_case_lists, persons_table.cpp) and read with the case (load_case here, the
// one-pass read of every case in store_cases.cpp).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "domain/journey_rules.hpp"
#include "storage/record_json.hpp"
#include "storage/store_impl.hpp"

namespace ctai {
namespace detail {

std::vector<DatedNationality> StoreImpl::load_nationalities(const PersonId& id) {
    std::vector<DatedNationality> out;
    auto q = query("SELECT nationality, acquired_on, lost_on FROM nationalities "
                   "WHERE person_id = ? ORDER BY position");
    q.bind(id);
    while (q.step()) out.push_back(DatedNationality{q.text(0), q.opt_date(1), q.opt_date(2)});
    return out;
}

void StoreImpl::write_nationalities(const PersonCase& c, bool person_is_new) {
    const auto& id = c.person.id;
    if (!person_is_new) query("DELETE FROM nationalities WHERE person_id = ?").bind(id).exec();
    int i = 0;
    for (const auto& n : c.nationalities)
        query("INSERT INTO nationalities (person_id, position, nationality, acquired_on, lost_on) "
              "VALUES (?, ?, ?, ?, ?)")
            .bind(id, i++, n.code, n.acquired_on, n.lost_on)
            .exec();
}

void add_nationalities_json(Json& j, const PersonCase& c) {
    if (c.nationalities.empty()) return;
    Json list = Json::array();
    for (const auto& n : c.nationalities)
        list.push_back({{"nationality", n.code},
                        {"acquired_on", date_json(n.acquired_on)},
                        {"lost_on", date_json(n.lost_on)}});
    j["dated_nationalities"] = std::move(list);
}

void add_nationalities_flat(FlatJson& w, const PersonCase& c) {
    if (c.nationalities.empty()) return;
    w.key("dated_nationalities").begin_array();
    for (const auto& n : c.nationalities) {
        w.begin_object();
        w.key("nationality").str(n.code);
        w.key("acquired_on").date(n.acquired_on);
        w.key("lost_on").date(n.lost_on);
        w.end_object();
    }
    w.end_array();
}

}  // namespace detail

bool Store::put_nationalities(const PersonId& id, std::vector<DatedNationality> dated) {
    return detail::guard([&] {
        auto tx = transaction();
        auto c = impl_->load_case(id);
        if (!c) throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
        // The undated codes follow the dated ones (the same set, R1): kept as they are when
        // they already agree (their order too), replaced by the dated codes otherwise.
        if (!dated.empty() && !rules::same_codes(c->person.nationalities, dated))
            c->person.nationalities = rules::dated_codes(dated);
        c->nationalities = std::move(dated);
        const bool changed = put_case(*c);
        tx.commit();
        return changed;
    });
}

std::vector<DatedNationality> Store::nationalities(const PersonId& id) const {
    return detail::guard([&] {
        if (!impl_->person_exists(id))
            throw NotFoundError("unknown person '" + id.str() + "'", "person", id.str());
        return impl_->load_nationalities(id);
    });
}

}  // namespace ctai
