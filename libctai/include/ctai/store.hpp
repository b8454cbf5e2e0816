#pragma once
/// \file store.hpp
/// The case store: one database file (or ":memory:") holding the people tracked, their
/// statuses, journeys, referrals and activities, with schema migrations, an audit log (R9)
/// and the domain rules of R6/R7 applied on every write. See docs/storage.md.
///
/// Concurrency contract: a Store is one connection; use one Store per thread. Several
/// processes or threads may open the same file: a writer takes the write lock when its
/// transaction begins and waits up to StoreOptions::busy_timeout_ms for it; readers are
/// not blocked by a writer.
///
/// Errors: storage failures become StorageError (constraint_violation() when the store's
/// schema refused a row); rule violations ConflictError (rule() names the rule, column() the
/// column); unknown ids NotFoundError; bad values ValidationError. Messages identify rows by
/// id only, never by a personal field (R9).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ctai/case_snapshot.hpp>
#include <ctai/contract_data.hpp>
#include <ctai/columns.hpp>
#include <ctai/contract.hpp>
#include <ctai/eligibility.hpp>
#include <ctai/model.hpp>
#include <ctai/policy.hpp>
#include <ctai/settings.hpp>

namespace ctai {

class Store;
namespace detail {
struct StoreImpl;
/// Internal (the import's bulk path, storage/bulk_load.cpp): see docs/storage.md, "Bulk load".
bool begin_bulk_load(Store& store);
/// Internal (R10, storage/settings_table.cpp): a Store opened without an explicit policy
/// takes the store's settings in force again, when no transaction is active (put_settings
/// and the import call it once their writes are committed).
void refresh_settings_policy(Store& store);
}  // namespace detail

/// The application id recorded in a libctai store file: 0x43544149, "CTAI" in ASCII.
inline constexpr std::int32_t store_application_id = 0x43544149;

/// Options of Store::open.
struct StoreOptions {
    /// Recorded as the actor of every audit row written through this Store (R9).
    std::string actor = "ctai";
    /// The policy applied by the rules the store enforces (R6/R7) and its queries. Absent:
    /// the store's settings in force today (R10, Store::settings()), or the default Policy
    /// when the store has none.
    std::optional<Policy> policy{};
    /// How long a writer waits for the write lock held by another connection.
    int busy_timeout_ms = 10000;
    /// Open an existing store only (never create the file).
    bool must_exist = false;
};

/// An RAII write transaction (STYLE principle 5). Move-only. Rolls back in its destructor
/// unless commit() was called. The outermost Transaction of a Store takes the write lock;
/// a Transaction opened while another is active joins it as a savepoint: its commit makes
/// its writes part of the outer transaction, its rollback undoes only its own writes, and
/// nothing is durable before the outermost commit.
class Transaction {
public:
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    /// Rolls back unless committed (never throws).
    ~Transaction();
    /// Commits (or releases the savepoint). Throws StorageError (e.g. the file is busy) and then
    /// the transaction is rolled back. Calling commit() twice is a logic error (StorageError).
    void commit();
    /// Rolls back now (idempotent).
    void rollback() noexcept;
    /// Whether this transaction is still pending (neither committed nor rolled back).
    bool active() const noexcept { return impl_ != nullptr; }

private:
    friend class Store;
    Transaction(detail::StoreImpl& impl, std::string reason);
    detail::StoreImpl* impl_ = nullptr;
    int depth_ = 0;
};

/// One row of the audit log (R9).
struct AuditEntry {
    std::int64_t seq = 0;
    /// UTC ISO 8601 timestamp, e.g. "2024-06-01T09:30:00.123Z".
    std::string at;
    std::string actor;
    /// Table-level entity: person, case, journey, agir_support, referral, activity,
    /// participation, volunteering, housing_move, partnership, cost, contract, store.
    std::string entity;
    std::string entity_id;
    /// The person the row is about, if any (used by anonymisation).
    std::optional<PersonId> person_id;
    /// insert, update, delete or anonymise.
    std::string operation;
    /// JSON: the inserted fields, or {"field": [old, new], ...} for an update.
    std::string change;
    /// Why (override reason, decline reason, transaction reason), if given.
    std::optional<std::string> reason;
};

/// Filter of Store::audit_log.
struct AuditQuery {
    std::optional<std::string> entity;
    std::optional<std::string> entity_id;
    std::optional<PersonId> person_id;
    /// Only rows with seq > after_seq.
    std::int64_t after_seq = 0;
};

/// Options of Store::enroll.
struct EnrollOptions {
    /// The journey id; a random opaque id ("J-" + 16 hex digits) when absent.
    std::optional<JourneyId> id;
    /// R6/R7: explicit override of the public, prerequisite and AGIR rules, with a written
    /// reason (non-blank), kept on the journey and in the audit log.
    std::optional<std::string> override_reason;
    /// R6: the need the enrollment answers (checked against a partner action's agir_needs
    /// when the person is referred by AGIR). When absent, the need of the person's latest
    /// accepted or completed referral from AGIR to this action is used, if any.
    std::optional<Need> need;
};

/// What Store::anonymize_expired did (R9).
struct AnonymizationReport {
    Date today;
    /// Persons anonymised now (their new opaque ids are not reported).
    std::int64_t persons = 0;
    /// Households re-keyed (every member anonymised).
    std::int64_t households = 0;
    /// Journeys, referrals, AGIR supports kept (re-keyed) for the statistics.
    std::int64_t journeys = 0;
    std::int64_t referrals = 0;
    std::int64_t agir_supports = 0;
    /// Audit rows re-keyed and redacted.
    std::int64_t audit_rows = 0;
};
/// Deprecated spelling (one release): AnonymizationReport.
using AnonymisationReport [[deprecated("use AnonymizationReport")]] = AnonymizationReport;

/// The data version a report records (R8 reproducibility).
struct DataFingerprint {
    /// SHA-256 (hex) over the content of every data table in key order (not the audit log):
    /// two stores with the same data have the same hash.
    std::string sha256;
    /// Sequence number of the last audit row: increases with every change of this file.
    std::int64_t change_counter = 0;
    // Store::fingerprint() keeps the result keyed by change_counter, in the Store and in
    // the file, so that later calls at the same counter, in this process or any other, are
    // a lookup. Writes that bypass the library (no audit row) are not seen by that cache:
    // see docs/storage.md, "Data version", for how to clear it.
};

/// The case store. Move-only; one connection (see the concurrency contract above).
class Store {
public:
    // ---- opening and settings -----------------------------------------------------------
    /// Opens or creates a store at `path` (":memory:" for a private in-memory store).
    /// A new file is created with mode 0600 (owner only). Applies the pending migrations.
    /// Throws SchemaVersionError when the file was written by a newer library or is not a
    /// libctai store, StorageError when it cannot be opened (or does not exist with
    /// must_exist).
    static Store open(const std::filesystem::path& path, StoreOptions options = {});

    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    ~Store();

    /// The schema version this library writes (the number of the last embedded migration).
    static int latest_schema_version() noexcept;
    /// The schema version of the open file.
    int schema_version() const;
    /// The file path (":memory:" for an in-memory store).
    const std::filesystem::path& path() const noexcept;
    /// The policy in force for this Store (StoreOptions::policy, else the store's settings).
    const Policy& policy() const noexcept;
    /// Replaces the policy of this Store (not the store's settings: see put_settings).
    void set_policy(Policy p);

    // ---- settings of the store (R10, settings.hpp) ----------------------------------------
    /// The settings in force on `on` (default: today, UTC): the entry with the latest
    /// effective date on or before it; none when the store has no such entry.
    std::optional<StoreSettings> settings(std::optional<Date> on = std::nullopt) const;
    /// Every entry, by effective date (the history; each change is also in the audit log).
    std::vector<StoreSettings> settings_history() const;
    /// Records a dated settings entry (R10): in force from s.effective; an entry of the same
    /// effective date is replaced, the others are kept. ValidationError for a territory that
    /// is not a département code. Audited (entity "settings", id the effective date). Returns
    /// whether something changed. A Store opened without an explicit policy takes the new
    /// settings' policy when they are in force today.
    bool put_settings(const StoreSettings& s);
    const std::string& actor() const noexcept;
    /// Sets the actor recorded in the following audit rows (R9).
    void set_actor(std::string actor);

    // ---- transactions -------------------------------------------------------------------
    /// Begins a write transaction (or a savepoint inside the current one). `reason` is
    /// recorded in the audit rows it writes that have no reason of their own.
    Transaction transaction(std::string reason = {});
    /// Whether a transaction is active on this Store.
    bool in_transaction() const noexcept;

    // ---- contracts -------------------------------------------------------------------
    /// A built-in or loaded contract. Throws NotFoundError.
    Contract contract(const ContractId& id) const;
    /// The built-in contracts followed by the loaded ones.
    std::vector<Contract> contracts() const;
    /// Loads (or replaces) a user contract. Refuses a built-in id (ConflictError
    /// "contract.builtin_id"). Returns whether something changed. Audited.
    bool put_contract(const Contract& c);
    /// The contracts loaded by users only.
    std::vector<Contract> loaded_contracts() const;
    /// R10: loads (or replaces) an avenant of a built-in or loaded contract. NotFoundError
    /// for an unknown contract; ValidationError when it takes effect before the contract
    /// starts or leaves the contract inconsistent on some date (check_contract_consistency);
    /// ConflictError "contract_document.kind" when its id is a convention's. Returns whether
    /// something changed. Audited (entity "avenant").
    bool put_avenant(const Avenant& a);
    /// R10: loads (or replaces) a local AGIR convention, as put_avenant (entity "convention").
    bool put_convention(const Convention& v);
    /// R10: the avenant / convention with that id. Throws NotFoundError.
    Avenant avenant(std::string_view id) const;
    Convention convention(std::string_view id) const;
    /// R10: the avenants / conventions of one contract (of all when nullopt), in (contract,
    /// effective date, id) order.
    std::vector<Avenant> avenants(std::optional<ContractId> contract = std::nullopt) const;
    std::vector<Convention> conventions(std::optional<ContractId> contract = std::nullopt) const;
    /// R10: the contract as amended on `on` by its avenants, with the convention in force on
    /// `on` (ctai::contract_on). Throws NotFoundError for an unknown contract.
    ContractOn contract_on(const ContractId& id, Date on) const;

    // ---- idempotent upserts (import) ---------------------------------------------------
    // Each returns true when something changed (and then writes one audit row), false for
    // a no-op. Each runs in its own transaction, or joins the caller's.

    /// Upserts the person row only. Validates nationalities (normalised codes expected).
    bool put_person(const Person& p);
    /// Upserts the person and replaces their permits, protections and situations (and their
    /// dated nationalities, R1: c.nationalities, whose codes person.nationalities must hold,
    /// the same set; ValidationError otherwise).
    bool put_case(const PersonCase& c);
    /// R1: replaces the dated nationalities of a stored person (empty: none, the undated
    /// person.nationalities then hold at every date). The undated codes are kept when they
    /// are the same set as the dated ones, else replaced by the dated codes. Audited as a
    /// case update. Throws NotFoundError for an unknown person.
    bool put_nationalities(const PersonId& id, std::vector<DatedNationality> dated);
    /// Upserts a journey with its steps, validated by check_enrollment (R6/R7) against the
    /// person's other journeys and AGIR supports. Throws NotFoundError for an unknown
    /// person or contract, ConflictError naming the broken rule.
    bool put_journey(const Journey& j);
    /// Keyed by (person, orientation date). R6.
    bool put_agir_support(const AgirSupport& s);
    /// Keyed by id; check_referral. R6.
    bool put_referral(const Referral& r);
    bool put_activity(const Activity& a);
    /// Keyed by (activity, person). Satisfaction 1 to 5.
    bool put_participation(const Participation& p);
    /// Keyed by (person, kind, start).
    bool put_volunteering(const Volunteering& v);
    /// Keyed by (household, date).
    bool put_housing_move(const HousingMove& m);
    /// Keyed by the whole row.
    bool put_partnership(const Partnership& p);
    /// Keyed by (contract, action).
    bool put_cost(const Cost& c);

    // ---- service-style API ------------------------------------------------------------
    /// R6/R7: enrolls a person in an action on `on` (a new open journey with an intake
    /// step), after check_enrollment. Returns the new journey's id.
    JourneyId enroll(const PersonId& person, const ContractId& contract, int action, Date on,
                     ReferralSource source, const EnrollOptions& options = {});
    /// R7: adds a dated step to a journey (inside [entry, exit]).
    void add_step(const JourneyId& journey, StepKind step, Date on);
    /// R7: closes an open journey on `on` with a reason from the contract's vocabulary.
    /// Throws ConflictError "R7.already_exited" for a closed journey.
    void exit_journey(const JourneyId& journey, Date on, std::string_view reason);
    /// R6: records a proposed referral. `from`/`to` are `agir` or `<contract_id>:<action>`.
    ReferralId propose_referral(const PersonId& person, std::string_view from,
                                std::string_view to, Need need, Date on,
                                std::optional<ReferralId> id = std::nullopt);
    /// R6 lifecycle transitions (apply_referral_transition). ConflictError
    /// "R6.referral_transition" when out of order.
    void accept_referral(const ReferralId& id, Date on);
    void decline_referral(const ReferralId& id, Date on, std::string_view reason);
    void complete_referral(const ReferralId& id, Date on);
    void cancel_referral(const ReferralId& id, Date on, std::string_view reason);

    // ---- reads ------------------------------------------------------------------------
    /// Throws NotFoundError.
    Person person(const PersonId& id) const;
    std::optional<Person> find_person(const PersonId& id) const;
    /// The person with permits, protections and situations. Throws NotFoundError.
    PersonCase person_case(const PersonId& id) const;
    /// R1: the person's dated nationalities, in stored order (empty when they have none).
    /// Throws NotFoundError.
    std::vector<DatedNationality> nationalities(const PersonId& id) const;
    /// All person ids, sorted.
    std::vector<PersonId> person_ids() const;
    std::int64_t person_count() const;
    /// Throws NotFoundError.
    Journey journey(const JourneyId& id) const;
    /// The person's journeys, by entry date then id.
    std::vector<Journey> journeys_of(const PersonId& person) const;
    std::vector<AgirSupport> agir_supports_of(const PersonId& person) const;
    /// Throws NotFoundError.
    Referral referral(const ReferralId& id) const;
    std::vector<Referral> referrals_of(const PersonId& person) const;
    /// R1-R6: evaluates one person (with the BPI they join, if any) under the store policy.
    /// Served from the case snapshot (below) when one is held and still current, otherwise
    /// by point reads. After many point reads at the same data version (about the cost of
    /// one full read) the store builds the snapshot itself, so that a loop of checks costs
    /// at most about twice its best case. For many checks at once use eligibility_for.
    Eligibility eligibility(const PersonId& id, Date on) const;

    /// Every case (persons with permits, protections, situations) and AGIR support of the
    /// store in memory, read in one pass per table, kept by the Store and shared with eligibility(), eligibility_for(),
    /// eligibility_table() and build_report() while it is current: until a write through
    /// this Store (any statement that changes a row) or a commit by another connection.
    /// Inside a transaction the image is read fresh (it sees the
    /// transaction's own writes) and not kept. The returned pointer stays valid (and
    /// unchanged) after the store changes: it is then simply no longer current.
    std::shared_ptr<const CaseSnapshot> case_snapshot() const;
    /// Drops the case snapshot and the contract data held by the Store (frees their memory).
    void drop_case_snapshot() const noexcept;
    /// R7-R8: the recorded activity of one contract in columns (ContractData: journeys and
    /// steps, activities and participations, volunteering and housing moves of its persons,
    /// partnerships, costs) with the case snapshot its person indexes refer to, both read in
    /// one read snapshot. Kept by the Store (the last contract asked for) while current, like
    /// case_snapshot(); reads each table once, in key order (journeys, steps, activities and
    /// participations of every contract are scanned: a store holding many contracts pays for
    /// all of them). What build_report() computes from. NotFoundError for an unknown contract.
    std::shared_ptr<const ContractData> contract_data(const ContractId& contract) const;

    // ---- every row of every table (export), in key order ---------------------------------
    std::vector<PersonCase> all_cases() const;
    /// Streams the cases in person id order without holding them all.
    void for_each_case(const std::function<void(const PersonCase&)>& f) const;
    std::vector<Journey> all_journeys() const;
    std::vector<AgirSupport> all_agir_supports() const;
    std::vector<Referral> all_referrals() const;
    std::vector<Activity> all_activities() const;
    std::vector<Participation> all_participations() const;
    std::vector<Volunteering> all_volunteering() const;
    std::vector<HousingMove> all_housing_moves() const;
    std::vector<Partnership> all_partnerships() const;
    std::vector<Cost> all_costs() const;

    // ---- columnar queries (reports, Python) ---------------------------------------------
    /// R7: journeys, optionally of one contract and/or action, ordered by contract, action,
    /// entry, id. Open journeys' length is censored at `censor_on` when given.
    JourneyColumns journeys(std::optional<ContractId> contract = std::nullopt,
                            std::optional<int> action = std::nullopt,
                            std::optional<Date> censor_on = std::nullopt) const;
    /// R7: the same rows in the same order, filling only the columns in `fields` (the
    /// others are left empty). `JourneyFields::lengths` is the narrow read of statistics
    /// (action, entry, exit, open, length): no string is copied and the steps are not read;
    /// every other field adds its columns' reading. `journeys(c, a, d)` is `journeys(c, a, d, JourneyFields::all)`.
    JourneyColumns journeys(std::optional<ContractId> contract, std::optional<int> action,
                            std::optional<Date> censor_on, JourneyFields fields) const;
    /// The same read with the text columns packed (one buffer per column, Arrow's layout)
    /// instead of a std::string per row: what the Python binding hands to NumPy, pandas and
    /// Arrow without a copy per row.
    JourneyTable journey_table(std::optional<ContractId> contract, std::optional<int> action,
                               std::optional<Date> censor_on, JourneyFields fields) const;
    /// R1-R6: evaluate() for every person at `on` under the store policy, by person id.
    EligibilityColumns eligibility_table(Date on) const;
    /// The same, with the reason code columns of each dimension (primo_reason, bpi_reason,
    /// bpt_reason, agir_reason and their dates) when `explain` is Explain::reasons (each
    /// person then evaluated with its reasons: slower, the columns above are unchanged).
    EligibilityColumns eligibility_table(Date on, Explain explain) const;
    /// R1-R6: batch of point checks: row i is eligibility(persons[i], dates[i]) (same
    /// evaluation, family member included) plus in_agir_support, in the order given
    /// (duplicates allowed). `on` of the result is the common date, `no_date` when the dates
    /// differ. A large batch reads every case once (one pass per table), a small one by
    /// point reads, unless the case snapshot is current (then no read at all); one read
    /// snapshot. Throws ValidationError when the sizes differ and NotFoundError for an
    /// unknown person.
    EligibilityColumns eligibility_for(std::span<const PersonId> persons,
                                       std::span<const Date> dates) const;
    /// R6: every referral in columns, by referral id.
    ReferralColumns referrals() const;
    /// R8: the activities (of one contract, or all) in columns with their participants and
    /// mean satisfaction, by contract, action, date, id.
    ActivityColumns activities(std::optional<ContractId> contract = std::nullopt) const;
    /// Deprecated names (kept one release).
    [[deprecated("use referrals()")]] ReferralColumns referral_columns() const {
        return referrals();
    }
    [[deprecated("use activities()")]] ActivityColumns activity_columns(
        std::optional<ContractId> contract = std::nullopt) const {
        return activities(std::move(contract));
    }

    // ---- audit, retention, fingerprint ---------------------------------------------------
    /// R9: audit rows in order.
    std::vector<AuditEntry> audit_log(const AuditQuery& q = {}) const;
    /// R9: persons whose last contact is `policy.retention_years` or more before `today`
    /// (the retention period from last_contact is no longer active), not yet anonymised.
    std::vector<PersonId> retention_candidates(Date today) const;
    /// R9: anonymises every retention candidate, keeping the statistical dimensions: sex,
    /// birth year (precision reduced to the year), nationalities (which give the
    /// nationality class), département, CIR, permits, protections, situations, journeys,
    /// steps, AGIR supports, referrals, participations, volunteering. Person ids are
    /// replaced by random opaque ids ("ANON-" + 16 hex) consistently in every table and
    /// the audit log; household ids likewise when every member is anonymised;
    /// last_contact is cleared; free-text reasons are blanked; their audit rows' changes
    /// are redacted. One transaction; audited.
    AnonymizationReport anonymize_expired(Date today);
    /// Deprecated spelling (one release): anonymize_expired().
    [[deprecated("use anonymize_expired()")]] AnonymizationReport anonymise_expired(Date today) {
        return anonymize_expired(today);
    }
    /// The data version for report reproducibility (R8). Outside a transaction, a value
    /// computed on a miss is also stored in the file (see DataFingerprint): const for the
    /// data, not for the file.
    DataFingerprint fingerprint() const;

    /// The storage engine's own integrity check of the file ("ok" when sound).
    std::string integrity_check() const;

private:
    friend bool detail::begin_bulk_load(Store& store);
    friend void detail::refresh_settings_policy(Store& store);
    explicit Store(std::unique_ptr<detail::StoreImpl> impl);
    std::unique_ptr<detail::StoreImpl> impl_;
};

}  // namespace ctai
