#pragma once
/// \file columns.hpp
/// Bulk query results in COLUMNAR form: one contiguous std::vector per column, all of the
/// same length (performance.md: no object per row; NumPy/Arrow can wrap them as is).
/// Conventions:
/// - dates are int32 day numbers (days since 1970-01-01, NumPy datetime64[D] / Arrow
///   date32); a missing date is `no_date` (INT32_MIN);
/// - flags are uint8 (0/1);
/// - closed vocabularies are uint8 codes: the index of the value in enum_names<E>()
///   (`no_code` = 255 when missing);
/// - uint32 codes and indexes into another table: `no_index` when missing;
/// - outside columns, "none" is std::optional (these sentinels exist only because a column
///   is one contiguous array of plain values).
/// - open vocabularies and ids are std::string.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace ctai {

/// Sentinel of a missing date in a day-number column.
inline constexpr std::int32_t no_date = std::numeric_limits<std::int32_t>::min();
/// Sentinel of a missing vocabulary code in a uint8 code column.
inline constexpr std::uint8_t no_code = 255;
/// Sentinel of "none" in a uint32 code or index column (an open journey's exit reason, a
/// person without household, a person not in a snapshot).
inline constexpr std::uint32_t no_index = 0xFFFFFFFFu;

/// The columns of JourneyColumns that Store::journeys fills: a bit set (combine with `|`).
/// `action`, `entry`, `exit`, `open` and `length` are always filled; a column not asked
/// for is left empty (size 0). The rows and their order do not depend on the fields.
enum class JourneyFields : std::uint32_t {
    /// Only action, entry, exit, open and length: what the length statistics need (R7).
    /// No string is copied and the steps table is not read.
    lengths = 0,
    /// journey_id, person_id, contract_id.
    ids = 1u << 0,
    /// referral_source.
    referral_source = 1u << 1,
    /// exit_reason and positive.
    exit_reason = 1u << 2,
    /// overridden.
    overridden = 1u << 3,
    /// steps and end_step_date (two more integers of the journey row: its step summary).
    steps = 1u << 4,
    /// Every column.
    all = (1u << 5) - 1,
};

constexpr JourneyFields operator|(JourneyFields a, JourneyFields b) noexcept {
    return static_cast<JourneyFields>(static_cast<std::uint32_t>(a) |
                                      static_cast<std::uint32_t>(b));
}

/// True when every field of `wanted` is in `set`.
constexpr bool has_fields(JourneyFields set, JourneyFields wanted) noexcept {
    return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(wanted)) ==
           static_cast<std::uint32_t>(wanted);
}

/// R7: one row per journey (Store::journeys).
struct JourneyColumns {
    std::vector<std::string> journey_id;
    std::vector<std::string> person_id;
    std::vector<std::string> contract_id;
    std::vector<std::int32_t> action;
    std::vector<std::int32_t> entry;
    /// `no_date` when open.
    std::vector<std::int32_t> exit;
    /// 1 when the journey has no exit (censored in statistics).
    std::vector<std::uint8_t> open;
    /// Code of ReferralSource.
    std::vector<std::uint8_t> referral_source;
    /// Exit reason code of the contract's vocabulary, "" when open.
    std::vector<std::string> exit_reason;
    /// 1 for a positive exit under the contract's vocabulary (R7).
    std::vector<std::uint8_t> positive;
    /// exit - entry in days; for an open journey: censor_on - entry when a censoring date was
    /// given, else -1.
    std::vector<std::int32_t> length;
    /// 1 when the journey was recorded with an override reason (R6).
    std::vector<std::uint8_t> overridden;
    /// Number of steps; the date of the first `follow_on` or `end_of_support` step (or
    /// `no_date`).
    std::vector<std::int32_t> steps;
    std::vector<std::int32_t> end_step_date;

    /// Number of rows (whatever the JourneyFields filled).
    std::size_t size() const noexcept { return entry.size(); }
};

/// The strings of one column packed in Arrow's `large_string` layout: row i is
/// `bytes[offsets[i], offsets[i + 1])`; `offsets` has size() + 1 entries, the first 0. One
/// buffer per column instead of a std::string per row: what bulk consumers (the Python
/// binding, Arrow) take over without a copy per row.
struct StringColumn {
    std::vector<std::int64_t> offsets{0};
    std::string bytes;

    std::size_t size() const noexcept { return offsets.size() - 1; }
    std::string_view operator[](std::size_t i) const noexcept {
        const auto begin = static_cast<std::size_t>(offsets[i]);
        return {bytes.data() + begin, static_cast<std::size_t>(offsets[i + 1]) - begin};
    }
    void push_back(std::string_view v) {
        bytes.append(v);
        offsets.push_back(static_cast<std::int64_t>(bytes.size()));
    }
    /// One std::string per row.
    std::vector<std::string> strings() const {
        std::vector<std::string> out;
        out.reserve(size());
        for (std::size_t i = 0; i < size(); ++i) out.emplace_back((*this)[i]);
        return out;
    }
};

/// R7: the rows of Store::journeys with the text columns packed (Store::journey_table):
/// `columns` holds every other column (its journey_id, person_id, contract_id and
/// exit_reason vectors stay empty).
struct JourneyTable {
    JourneyColumns columns;
    StringColumn journey_id;
    StringColumn person_id;
    StringColumn contract_id;
    StringColumn exit_reason;

    std::size_t size() const noexcept { return columns.size(); }
};

/// R1-R6: one row per person evaluated at one date (Store::eligibility_table).
struct EligibilityColumns {
    std::int32_t on = 0;
    std::vector<std::string> person_id;
    /// Code of NationalityClass.
    std::vector<std::uint8_t> nationality_class;
    std::vector<std::uint8_t> primo_arrivant;
    std::vector<std::uint8_t> bpi;
    std::vector<std::uint8_t> bpt;
    std::vector<std::uint8_t> agir;
    std::vector<std::uint8_t> ctai_public;
    /// Code of PublicCategory, `no_code` when none.
    std::vector<std::uint8_t> public_category;
    std::vector<std::int32_t> primo_anchor;
    /// First day outside the windows, `no_date` when none.
    std::vector<std::int32_t> primo_window_end;
    std::vector<std::int32_t> protection_date;
    std::vector<std::int32_t> agir_window_end;
    /// Code of Sex; birth year (0 when unknown); 1 when in an AGIR support window on `on`.
    std::vector<std::uint8_t> sex;
    std::vector<std::int32_t> birth_year;
    std::vector<std::uint8_t> in_agir_support;
    /// With Explain::reasons only (empty otherwise, nothing allocated): per dimension, the
    /// code of the Reason that decided it (eligibility.hpp, docs/rules.md "Reason codes")
    /// and its date (`no_date` when the code has none).
    std::vector<std::uint8_t> primo_reason, bpi_reason, bpt_reason, agir_reason;
    std::vector<std::int32_t> primo_reason_date, bpi_reason_date, bpt_reason_date,
        agir_reason_date;

    std::size_t size() const noexcept { return person_id.size(); }
};

/// R6: one row per referral (Store::referrals).
struct ReferralColumns {
    std::vector<std::string> referral_id;
    std::vector<std::string> person_id;
    std::vector<std::string> from;
    std::vector<std::string> to;
    /// Codes of Need and ReferralStatus.
    std::vector<std::uint8_t> need;
    std::vector<std::uint8_t> status;
    std::vector<std::int32_t> proposed_on;
    std::vector<std::int32_t> decided_on;
    std::vector<std::int32_t> completed_on;

    std::size_t size() const noexcept { return referral_id.size(); }
};

/// R8: one row per activity (Store::activities).
struct ActivityColumns {
    std::vector<std::string> activity_id;
    std::vector<std::string> contract_id;
    std::vector<std::int32_t> action;
    /// Code of ActivityKind.
    std::vector<std::uint8_t> kind;
    std::vector<std::string> type;
    std::vector<std::int32_t> date;
    std::vector<double> hours;
    std::vector<std::uint8_t> co_animated;
    std::vector<std::string> structure;
    /// Number of participations recorded; mean satisfaction (NaN when none recorded).
    std::vector<std::int32_t> participants;
    std::vector<double> mean_satisfaction;

    std::size_t size() const noexcept { return activity_id.size(); }
};

}  // namespace ctai
