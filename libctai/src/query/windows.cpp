// What ends soon (windows.hpp): the windows of the rules (R3, R6), AGIR supports (R6) and
// documents (R2) ending within a horizon, and whether the person stays in the CTAI public
// after each end, as known on the date of the question (R0.5). Above storage: no SQL here.
#include <ctai/windows.hpp>

#include <algorithm>
#include <numeric>
#include <optional>

#include <ctai/columns.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>
#include <ctai/store.hpp>

namespace ctai {
namespace {

std::optional<WindowKind> document_kind(PermitKind k) {
    switch (k) {
        case PermitKind::card:
        case PermitKind::vls_ts: return WindowKind::permit;
        case PermitKind::receipt: return WindowKind::receipt;
        case PermitKind::aps: return WindowKind::aps;
        case PermitKind::asylum_certificate: break;
    }
    return std::nullopt;
}

// A document (not an asylum certificate) started on or before `on` and valid on `d`.
bool covers(const Permit& pm, Date on, Date d) {
    return pm.kind != PermitKind::asylum_certificate && pm.valid_from <= on &&
           pm.valid_from <= d && (!pm.valid_to || d <= *pm.valid_to);
}

struct Row {
    std::uint32_t person;
    WindowKind kind;
    Date end;
};

}  // namespace

PersonCase case_as_known_on(const PersonCase& c, Date on) {
    PersonCase k;
    k.person = c.person;
    if (k.person.cir_date && on < *k.person.cir_date) {  // a CIR signed or proposed later
        k.person.cir_status = CirStatus::none;
        k.person.cir_date.reset();
    }
    for (const auto& pm : c.permits)
        if (pm.valid_from <= on) k.permits.push_back(pm);
    for (auto pr : c.protections) {
        if (on < pr.decision_date) continue;
        if (pr.end_date && on < *pr.end_date) pr.end_date.reset();
        k.protections.push_back(pr);
    }
    for (auto s : c.situations) {
        if (on < s.start) continue;
        if (s.end && on < *s.end) s.end.reset();
        k.situations.push_back(s);
    }
    for (auto n : c.nationalities) {
        if (n.acquired_on && on < *n.acquired_on) continue;
        if (n.lost_on && on < *n.lost_on) n.lost_on.reset();
        k.nationalities.push_back(n);
    }
    return k;
}

WindowColumns windows_ending(const CaseSnapshot& snap, Date on, std::int32_t within,
                             std::span<const WindowKind> kinds) {
    if (within < 0 || within > max_window_horizon_days)
        throw ValidationError("windows: within must be 0.." +
                                  std::to_string(max_window_horizon_days) + " days",
                              "within");
    const Date until = on.plus_days(within);
    const Policy& p = snap.policy();
    const auto wanted = [&](WindowKind k) {
        return kinds.empty() || std::find(kinds.begin(), kinds.end(), k) != kinds.end();
    };
    const auto soon = [&](Date end) { return on < end && end <= until; };
    std::vector<Row> rows;
    for (std::uint32_t i = 0; i < snap.size(); ++i) {
        const PersonCase& c = snap[i];
        const Eligibility e = snap.evaluate(i, on, Explain::none);
        if (wanted(WindowKind::primo_window) && e.primo_arrivant && e.primo_window_end &&
            soon(*e.primo_window_end))
            rows.push_back({i, WindowKind::primo_window, *e.primo_window_end});
        if (wanted(WindowKind::agir_window) && e.agir && e.agir_window_end &&
            soon(*e.agir_window_end) && has_own_agir_right(c, on, p))
            rows.push_back({i, WindowKind::agir_window, *e.agir_window_end});
        if (wanted(WindowKind::agir_support))
            for (const AgirSupport& s : snap.agir_supports(i)) {
                if (!s.entry_date || on < *s.entry_date || (s.exit_date && *s.exit_date <= on))
                    continue;
                const Date end = period_end_months(*s.entry_date, 24, p.boundary, p.feb29);
                if (soon(end)) rows.push_back({i, WindowKind::agir_support, end});
            }
        for (std::size_t k = 0; k < c.permits.size(); ++k) {
            const Permit& pm = c.permits[k];
            const auto kind = document_kind(pm.kind);
            if (!kind || !wanted(*kind) || !pm.valid_to || on < pm.valid_from || *pm.valid_to < on)
                continue;
            const Date end = pm.valid_to->plus_days(1);
            if (!soon(end)) continue;
            bool covered = false;
            for (std::size_t j = 0; j < c.permits.size(); ++j)
                covered = covered || (j != k && covers(c.permits[j], on, end));
            if (!covered) rows.push_back({i, *kind, end});
        }
    }
    std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        if (a.end != b.end) return a.end < b.end;
        if (a.person != b.person) return snap[a.person].person.id < snap[b.person].person.id;
        return a.kind < b.kind;
    });
    WindowColumns out;
    out.on = on.days();
    for (const Row& r : rows) {
        const PersonCase& c = snap[r.person];
        const auto now = snap.verdict(r.person, on).public_category();
        // R0.5: the answer on `end` from what is known on `on` (the public only: no family).
        const Eligibility after =
            evaluate(case_as_known_on(c, on), r.end, p, nullptr, Explain::none);
        out.person_id.push_back(c.person.id.str());
        out.kind.push_back(static_cast<std::uint8_t>(r.kind));
        out.end.push_back(r.end.days());
        out.days_left.push_back(r.end.days_since(on));
        out.public_category.push_back(now ? static_cast<std::uint8_t>(*now) : no_code);
        out.stays.push_back(after.ctai_public ? 1 : 0);
        out.stays_as.push_back(after.public_category ? static_cast<std::uint8_t>(*after.public_category)
                                                     : no_code);
    }
    return out;
}

WindowColumns windows_ending(const Store& store, Date on, std::int32_t within,
                             std::span<const WindowKind> kinds) {
    return windows_ending(*store.case_snapshot(), on, within, kinds);
}

}  // namespace ctai
