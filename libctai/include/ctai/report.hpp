#pragma once
/// \file report.hpp
/// R8: the State's evaluation report of a contract (contract art. 8, the indicator tables of
/// the fiches action), with journey statistics (R7), small-cell suppression for published
/// tables and the data needed to reproduce it. Renderers: JSON (interfaces.md section 2),
/// Markdown (the questionnaire tables), CSV (long format) and a standalone HTML page.
/// How each figure is computed: docs/reports.md.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/ids.hpp>
#include <ctai/policy.hpp>
#include <ctai/settings.hpp>
#include <ctai/stats.hpp>

namespace ctai {

class Store;

/// Options of build_report.
struct ReportOptions {
    /// Reporting period, both days included (default: the contract period).
    std::optional<Date> from;
    std::optional<Date> to;
    /// The date at which open journeys are censored and exits are looked at (default: the
    /// end of the period, so that the same data always give the same report; never "today").
    std::optional<Date> evaluated_on;
    /// Published table: apply small-cell suppression (R8). Off for the questionnaire.
    bool publish = false;
    /// Suppression threshold (default: the store policy's suppression_k).
    std::optional<int> k;
};

/// A cell of the public table or a specific indicator: key, exact French label, target
/// (Objectif, from the contract) and realised value (Réalisé; nullopt when suppressed).
struct ReportCell {
    std::string key;
    std::string label_fr;
    std::optional<double> target;
    std::optional<double> realised;
    bool suppressed = false;
    friend bool operator==(const ReportCell&, const ReportCell&) = default;
};

/// A complementary indicator: a scalar `value`, or a `breakdown` (label -> count, sorted by
/// label) when is_breakdown. Counts of people may be suppressed (value or entry nullopt).
struct ExtraIndicator {
    std::string key;
    std::string label_fr;
    std::optional<double> value;
    bool is_breakdown = false;
    std::vector<std::pair<std::string, std::optional<double>>> breakdown;
    /// A count of people (or households, journeys): subject to small-cell suppression.
    bool counts_people = false;
    /// Whether the value (or an entry of the breakdown) was suppressed.
    bool suppressed = false;
    friend bool operator==(const ExtraIndicator&, const ExtraIndicator&) = default;
};

/// R7 block of an action: the journeys of the action overlapping the period, followed up to
/// the evaluation date. Counts are nullopt when suppressed.
struct ReportJourneys {
    std::optional<std::int64_t> count;
    std::optional<std::int64_t> completed;
    std::optional<std::int64_t> open;
    std::optional<double> mean_days;
    std::optional<double> median_days;
    std::optional<double> km_median_days;
    std::optional<double> km_restricted_mean_days;
    /// Journeys with a positive exit dated inside the period (and not after evaluated_on).
    std::optional<std::int64_t> positive_exits;
    /// The full statistics (curve, lengths) for charts; empty when the block is suppressed.
    JourneyStats stats;
    friend bool operator==(const ReportJourneys&, const ReportJourneys&) = default;
};

/// R8 financial rows (realised, from the costs recorded for the action; nullopt if none).
struct ReportFinancial {
    std::optional<double> total_cost;
    std::optional<double> subsidy_p104;
    friend bool operator==(const ReportFinancial&, const ReportFinancial&) = default;
};

/// One fiche action of the report.
struct ActionReport {
    int number = 0;
    std::string title;
    /// Keys in this order: total, men, women, under_25, bpi, bpi_men, bpi_women,
    /// bpi_under_25 (the fiche's rows and labels), then primo_arrivants, bpt, not_eligible.
    std::vector<ReportCell> public_cells;
    /// The contract's specific indicators (structures_trained, volunteers, ...), in the
    /// contract's order, with their targets.
    std::vector<ReportCell> specific;
    ReportJourneys journeys;
    ReportFinancial financial;
    /// Complementary indicators, in a fixed order (docs/reports.md).
    std::vector<ExtraIndicator> extra;

    /// The public or specific cell with that key. Throws NotFoundError.
    const ReportCell& cell(std::string_view key) const;
    /// The extra indicator with that key. Throws NotFoundError.
    const ExtraIndicator& extra_indicator(std::string_view key) const;
    friend bool operator==(const ActionReport&, const ActionReport&) = default;
};

/// A cell hidden by small-cell suppression.
struct SuppressedCell {
    /// Where, e.g. "actions[0].public.women" or "actions[1].extra.entrants_by_sex.female".
    std::string path;
    /// "primary" (1 <= n < k) or "secondary" (hidden so that another cannot be recomputed).
    std::string reason;
    friend bool operator==(const SuppressedCell&, const SuppressedCell&) = default;
};

/// R6: a delay between two steps of the orientations, in days, with the open ones
/// censored (Kaplan-Meier, as for journeys). Counts are nullopt when suppressed.
struct ReferralDelay {
    /// Orientations that reached the first step (at risk), those that reached the second by
    /// the evaluation date (observed) and the others (censored).
    std::optional<std::int64_t> count;
    std::optional<std::int64_t> observed;
    std::optional<std::int64_t> open;
    /// Median of the observed delays only.
    std::optional<double> median_days;
    /// Kaplan-Meier median and 90th percentile (km_quantile 0.5 and 0.9); nullopt when not
    /// reached yet.
    std::optional<double> km_median_days;
    std::optional<double> km_p90_days;
    /// The statistics themselves (curve, delays); empty when suppressed.
    JourneyStats stats;
    friend bool operator==(const ReferralDelay&, const ReferralDelay&) = default;
};

/// R6: the orientations (referrals) between AGIR and the contract's actions proposed in the
/// period, followed up to the evaluation date (docs/reports.md, "Orientations").
struct ReportOrientations {
    /// total, by_direction, by_status, by_need, by_action, decided, accepted,
    /// acceptance_rate, entered, without_entry (in this order; counts of orientations of
    /// people: subject to small-cell suppression, the rate is not).
    std::vector<ExtraIndicator> indicators;
    /// Proposal -> decision (accepted or declined).
    ReferralDelay decision_delay;
    /// Acceptance -> entry into the target (completion); a cancelled orientation is
    /// censored at its cancellation.
    ReferralDelay entry_delay;

    /// The indicator with that key. Throws NotFoundError.
    const ExtraIndicator& indicator(std::string_view key) const;
    friend bool operator==(const ReportOrientations&, const ReportOrientations&) = default;
};

/// R8: the evaluation report of a contract.
struct Report {
    ContractId contract_id;
    std::string contract_title;
    /// R10: the avenants applied to the contract (as amended on evaluated_on), in order.
    std::vector<std::string> amended_by;
    /// R10: the local AGIR convention in force on evaluated_on, if any.
    std::optional<std::string> convention;
    Date from;
    Date to;
    Date evaluated_on;
    /// The store policy the figures were computed under (suppression_k = the k used).
    Policy policy;
    /// R10: the options of `policy` that differ from the store's settings in force (the
    /// default policy when the store has none): an explicit override (a policy flag, a
    /// policy file, StoreOptions::policy, set_policy). Empty when there is none; the report
    /// JSON then has no `policy_overrides` key. suppression_k set by ReportOptions::k is
    /// not an override.
    std::vector<PolicyOverride> policy_overrides;
    bool publish = false;
    int k = 11;
    /// Data version: Store::fingerprint().sha256 at build time.
    std::string fingerprint;
    /// Library version (ctai::version).
    std::string library_version;
    std::vector<ActionReport> actions;
    /// R6: the orientations of the contract's actions proposed in the period.
    ReportOrientations orientations;
    /// Reading notes: suppression summary, flags (e.g. non-eligible persons counted in an
    /// action not open to the general population), choices.
    std::vector<std::string> notes;
    std::vector<SuppressedCell> suppressed;

    /// The action numbered `number`. Throws NotFoundError.
    const ActionReport& action(int number) const;
    friend bool operator==(const Report&, const Report&) = default;
};

/// R8: builds the report of a contract from the store (public Store API only).
/// Throws NotFoundError (unknown contract), ValidationError (from > to, evaluated_on before
/// from, k < 1).
Report build_report(const Store& store, const ContractId& contract,
                    const ReportOptions& options = {});

/// R8: small-cell suppression of an already built report (what build_report does when
/// options.publish): cells with 1 <= n < k hidden, then secondary suppression. Exposed for
/// tests and for tools that assemble their own tables.
void suppress_small_cells(Report& report, int k);

/// The JSON of interfaces.md section 2 (`ctai report --format json`), plus additive fields
/// (fingerprint, library_version, publish, specific, notes, suppressed). Keys in a fixed
/// order, no timestamp: the same report gives byte-identical text.
std::string to_json(const Report& report);
/// The questionnaire tables in Markdown, with the fiches' French labels (Objectif / Réalisé).
std::string to_markdown(const Report& report);
/// Long CSV: action, indicator key, label, target, realised (one row per figure: the rows of
/// report_rows(), the indicator key being block.key[.entry]).
std::string to_csv(const Report& report);

/// One figure of a report in long form.
struct ReportRow {
    int action = 0;
    /// "public", "specific", "journeys", "financial" or "extra"; "orientations" (action 0:
    /// the whole contract; the delays as key "decision_delay" / "entry_delay" with the
    /// figure as entry).
    std::string block;
    /// The figure's key in its block, e.g. "women", "mean_days", "entrants_by_sex".
    std::string key;
    /// The entry of a breakdown (e.g. "female"; "" is an entry too: a type left empty in the
    /// data); absent for a single figure.
    std::optional<std::string> entry;
    /// French label (for a breakdown entry: the breakdown's label, " : ", the entry's).
    std::string label_fr;
    /// Absent when the fiche sets none / when suppressed or not computable.
    std::optional<double> target, realised;
    friend bool operator==(const ReportRow&, const ReportRow&) = default;
};
/// Every figure of the report, action by action, in the order of to_csv (Python:
/// Report.to_pandas()).
std::vector<ReportRow> report_rows(const Report& report);
/// A standalone HTML page (inline CSS and SVG charts, no external asset), in French.
std::string to_html(const Report& report);

}  // namespace ctai
