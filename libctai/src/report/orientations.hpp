#pragma once
// Internal to the report builder: the R6 orientations block (orientations.cpp).
#include <ctai/contract.hpp>
#include <ctai/report.hpp>

namespace ctai::detail {

/// The orientations of `contract`'s actions (an endpoint `<contract>:<n>`) proposed in
/// [from, min(to, evaluated_on)], each as known on evaluated_on (R0.5): counts, acceptance,
/// delays with the open ones censored (docs/reports.md, "Orientations").
ReportOrientations orientations_report(const Store& store, const Contract& contract, Date from,
                                       Date to, Date evaluated_on);

}  // namespace ctai::detail
