#pragma once
/// \file model.hpp
/// The records libctai keeps about the people it tracks (one struct per table of the
/// exchange format, interfaces.md section 1). Plain validated values: no SQL, no I/O.

#include <optional>
#include <string>
#include <vector>

#include <ctai/date.hpp>
#include <ctai/ids.hpp>
#include <ctai/vocab.hpp>

namespace ctai {

/// R1: a nationality held from `acquired_on` (included; always when absent) until `lost_on`
/// (the first day it no longer counts; never when absent). Exchange table nationalities.csv.
struct DatedNationality {
    /// Normalised code (ISO alpha-2, `STATELESS` or `UNKNOWN`, see nationality.hpp).
    std::string code;
    std::optional<Date> acquired_on;
    std::optional<Date> lost_on;
    /// Whether the nationality counts on `on`.
    bool held_on(Date on) const noexcept {
        return (!acquired_on || *acquired_on <= on) && (!lost_on || on < *lost_on);
    }
    friend bool operator==(const DatedNationality&, const DatedNationality&) = default;
};

/// A beneficiary (or a person met by an action). Personal data (R9).
struct Person {
    PersonId id;
    Sex sex = Sex::unknown;
    std::optional<PartialDate> birth_date;
    /// ISO 3166-1 alpha-2 codes, `STATELESS` or `UNKNOWN` (normalised, see nationality.hpp).
    std::vector<std::string> nationalities;
    std::optional<HouseholdId> household_id;
    /// Département of residence, e.g. "21".
    std::string department;
    CirStatus cir_status = CirStatus::none;
    std::optional<Date> cir_date;
    /// R6: family member of an eligible BPI joining them (AGIR `rejoining_family`).
    std::optional<PersonId> rejoining_family_of;
    std::optional<Date> last_contact;
    friend bool operator==(const Person&, const Person&) = default;
};

/// R2: a residence document and its validity.
struct Permit {
    PermitKind kind = PermitKind::card;
    Motive motive = Motive::other;
    Date valid_from;
    std::optional<Date> valid_to;
    friend bool operator==(const Permit&, const Permit&) = default;
};

/// R4/R5: a protection decision (type `temporary` = EU temporary protection).
struct Protection {
    ProtectionType type = ProtectionType::refugee;
    Authority authority = Authority::ofpra;
    Date decision_date;
    std::optional<Date> notification_date;
    /// R5: date of displacement from Ukraine (temporary protection only).
    std::optional<Date> displaced_on;
    /// Withdrawal or end of the protection, if any (the protection is in force before it).
    std::optional<Date> end_date;
    friend bool operator==(const Protection&, const Protection&) = default;
};

/// R3.3: a dated situation (end exclusive; open when no end).
struct Situation {
    SituationKind kind = SituationKind::asylum_seeker;
    Date start;
    std::optional<Date> end;
    friend bool operator==(const Situation&, const Situation&) = default;
};

/// Everything the eligibility rules need about one person.
struct PersonCase {
    Person person;
    std::vector<Permit> permits;
    std::vector<Protection> protections;
    std::vector<Situation> situations;
    /// R1: the person's dated nationalities (exchange table nationalities.csv). When not
    /// empty they decide the nationality class at every date and person.nationalities holds
    /// the same codes (each once); empty: person.nationalities hold at every date.
    std::vector<DatedNationality> nationalities;
    friend bool operator==(const PersonCase&, const PersonCase&) = default;
};

/// R7: a dated step of a journey.
struct Step {
    StepKind kind = StepKind::intake;
    Date date;
    friend bool operator==(const Step&, const Step&) = default;
};

/// R7: one person's enrollment in one action of a contract, entry to exit.
struct Journey {
    JourneyId id;
    PersonId person_id;
    ContractId contract_id;
    int action = 0;
    Date entry_date;
    ReferralSource referral_source = ReferralSource::other;
    std::optional<Date> exit_date;
    /// Exit reason code from the contract's vocabulary (R7), set iff exit_date is set.
    std::optional<std::string> exit_reason;
    /// Written reason for an explicit override of the R6 articulation or R7 checks.
    std::optional<std::string> override_reason;
    std::vector<Step> steps;
    bool open() const noexcept { return !exit_date.has_value(); }
    friend bool operator==(const Journey&, const Journey&) = default;
};

/// R6: a period of AGIR support (orientation, entry, exit and the exit situation).
struct AgirSupport {
    PersonId person_id;
    Date orientation_date;
    std::optional<Date> entry_date;
    std::optional<Date> exit_date;
    std::optional<HousingType> exit_housing;
    std::optional<ExitActivity> exit_activity;
    std::optional<int> cdd_months;
    friend bool operator==(const AgirSupport&, const AgirSupport&) = default;
};

/// R6: a hand-off (orientation) between AGIR and a CTAI action, or back.
/// `from` and `to` are `agir` or `<contract_id>:<action>`.
struct Referral {
    ReferralId id;
    PersonId person_id;
    std::string from;
    std::string to;
    Need need = Need::rights;
    ReferralStatus status = ReferralStatus::proposed;
    Date proposed_on;
    std::optional<Date> decided_on;
    std::optional<Date> completed_on;
    /// Reason of a decline or cancellation (free text written by staff, not personal data).
    std::optional<std::string> reason;
    friend bool operator==(const Referral&, const Referral&) = default;
};

/// A collective workshop, individual practice session, event or training of actors.
struct Activity {
    ActivityId id;
    ContractId contract_id;
    int action = 0;
    ActivityKind kind = ActivityKind::workshop;
    std::string type;
    Date date;
    double hours = 0;
    bool co_animated = false;
    /// For actor_training: the structure trained.
    std::string structure;
    friend bool operator==(const Activity&, const Activity&) = default;
};

/// A person's participation in an activity, with an optional satisfaction score 1 to 5.
struct Participation {
    ActivityId activity_id;
    PersonId person_id;
    std::optional<int> satisfaction;
    friend bool operator==(const Participation&, const Participation&) = default;
};

/// Volunteering of a (former) beneficiary (action 3; memberships and one-off for action 2).
struct Volunteering {
    PersonId person_id;
    VolunteeringKind kind = VolunteeringKind::engagement;
    Date start;
    std::optional<Date> end;
    std::string association_type;
    friend bool operator==(const Volunteering&, const Volunteering&) = default;
};

/// A household's move into a housing type on a date (R8 action 4).
struct HousingMove {
    HouseholdId household_id;
    Date date;
    HousingType housing_type = HousingType::other;
    friend bool operator==(const HousingMove&, const HousingMove&) = default;
};

/// A partnership of an action, by theme.
struct Partnership {
    ContractId contract_id;
    int action = 0;
    std::string partner;
    std::string theme;
    Date date;
    friend bool operator==(const Partnership&, const Partnership&) = default;
};

/// Realised costs of an action (R8 financial indicators), in euros.
struct Cost {
    ContractId contract_id;
    int action = 0;
    double total_cost = 0;
    double subsidy_p104 = 0;
    friend bool operator==(const Cost&, const Cost&) = default;
};

/// A whole set of case files in memory: what an exchange folder holds (interfaces.md
/// section 1), what the synthetic cohort generator makes, what the importer validates
/// before writing it to a store in one transaction.
struct Dataset {
    std::vector<PersonCase> cases;
    std::vector<Journey> journeys;
    std::vector<AgirSupport> agir;
    std::vector<Referral> referrals;
    std::vector<Activity> activities;
    std::vector<Participation> participations;
    std::vector<Volunteering> volunteering;
    std::vector<HousingMove> housing;
    std::vector<Partnership> partnerships;
    std::vector<Cost> costs;
    friend bool operator==(const Dataset&, const Dataset&) = default;
};

}  // namespace ctai
