"""Type stubs of ctai._enums (the classes are built at import time from the C++
spelling tables; tests/python/test_api.py checks this file matches them)."""

import enum
from typing import Dict, Type

class CtaiEnum(str, enum.Enum):  # type: ignore[misc]  # a base: members are in the subclasses
    """Base of the ctai enums: a str-valued enum.Enum whose values are the spellings."""

    _value_: str
    def __str__(self) -> str: ...
    def __format__(self, spec: str) -> str: ...

ENUMS: Dict[str, Type[CtaiEnum]]
__all__ = [
    "ActivityKind",
    "AgeReference",
    "AgirPolicy",
    "AgirRecency",
    "Authority",
    "Boundary",
    "CirStatus",
    "DatePrecision",
    "ExitActivity",
    "Feb29",
    "HousingType",
    "Motive",
    "NationalityClass",
    "Need",
    "PermitKind",
    "PrimoAnchor",
    "ProtectionType",
    "PublicCategory",
    "ReferralDirection",
    "ReferralSource",
    "ReferralStatus",
    "ReferralStep",
    "Sex",
    "SituationKind",
    "StepKind",
    "Tri",
    "VolunteeringKind",
    "WindowKind",
]

#: The stable reason codes (members spelled "R3.window_ended", ...: ReasonCode["R4.bpi"]).
ReasonCode: Type[CtaiEnum]
VOCABULARIES: Dict[str, Type[CtaiEnum]]

class ActivityKind(CtaiEnum):
    """The `activity_kind` vocabulary."""

    workshop = "workshop"
    individual_practice = "individual_practice"
    event = "event"
    actor_training = "actor_training"

class AgeReference(CtaiEnum):
    """The `age_reference` vocabulary."""

    entry = "entry"
    period_end = "period_end"
    december_31 = "december_31"

class AgirPolicy(CtaiEnum):
    """The `agir_policy` vocabulary."""

    excluded = "excluded"
    partner = "partner"
    open = "open"

class AgirRecency(CtaiEnum):
    """The `agir_recency` vocabulary."""

    rolling_2_years = "rolling_2_years"
    calendar_n_minus_1 = "calendar_n_minus_1"

class Authority(CtaiEnum):
    """The `authority` vocabulary."""

    ofpra = "ofpra"
    cnda = "cnda"
    prefecture = "prefecture"

class Boundary(CtaiEnum):
    """The `boundary` vocabulary."""

    strict = "strict"
    inclusive = "inclusive"

class CirStatus(CtaiEnum):
    """The `cir_status` vocabulary."""

    none = "none"
    proposed = "proposed"
    signed = "signed"

class DatePrecision(CtaiEnum):
    """The `date_precision` vocabulary."""

    day = "day"
    month = "month"
    year = "year"

class ExitActivity(CtaiEnum):
    """The `exit_activity` vocabulary."""

    cdi = "cdi"
    cdd = "cdd"
    training = "training"
    none = "none"

class Feb29(CtaiEnum):
    """The `feb29` vocabulary."""

    last_day_of_february = "last_day_of_february"
    march_first = "march_first"

class HousingType(CtaiEnum):
    """The `housing_type` vocabulary."""

    social_rental = "social_rental"
    private_rental = "private_rental"
    residence_sociale = "residence_sociale"
    fjt = "fjt"
    intermediated_rental = "intermediated_rental"
    pension_de_famille = "pension_de_famille"
    emergency = "emergency"
    hotel = "hotel"
    asylum_accommodation = "asylum_accommodation"
    chrs = "chrs"
    family_or_friends = "family_or_friends"
    street = "street"
    other = "other"

class Motive(CtaiEnum):
    """The `motive` vocabulary."""

    family = "family"
    work = "work"
    protection = "protection"
    student = "student"
    student_mobility = "student_mobility"
    temporary_worker = "temporary_worker"
    seasonal = "seasonal"
    talent = "talent"
    visitor = "visitor"
    trainee = "trainee"
    sick_foreigner = "sick_foreigner"
    temporary_protection = "temporary_protection"
    other = "other"

class NationalityClass(CtaiEnum):
    """The `nationality_class` vocabulary."""

    french = "french"
    eu_eea_ch = "eu_eea_ch"
    third_country = "third_country"
    undetermined = "undetermined"

class Need(CtaiEnum):
    """The `need` vocabulary."""

    housing = "housing"
    health = "health"
    childcare = "childcare"
    language = "language"
    mobility = "mobility"
    employment = "employment"
    rights = "rights"

class PermitKind(CtaiEnum):
    """The `permit_kind` vocabulary."""

    card = "card"
    vls_ts = "vls_ts"
    receipt = "receipt"
    aps = "aps"
    asylum_certificate = "asylum_certificate"

class PrimoAnchor(CtaiEnum):
    """The `primo_anchor` vocabulary."""

    first_qualifying_permit = "first_qualifying_permit"
    cir_signature = "cir_signature"
    first_any_permit = "first_any_permit"

class ProtectionType(CtaiEnum):
    """The `protection_type` vocabulary."""

    refugee = "refugee"
    subsidiary = "subsidiary"
    stateless = "stateless"
    temporary = "temporary"

class PublicCategory(CtaiEnum):
    """The `public` vocabulary."""

    bpi = "bpi"
    bpt = "bpt"
    primo_arrivant = "primo_arrivant"

class ReferralDirection(CtaiEnum):
    """The `referral_direction` vocabulary."""

    agir_to_action = "agir_to_action"
    action_to_agir = "action_to_agir"
    action_to_action = "action_to_action"

class ReferralSource(CtaiEnum):
    """The `referral_source` vocabulary."""

    agir = "agir"
    siao = "siao"
    ccas = "ccas"
    social_worker = "social_worker"
    association = "association"
    self = "self"
    other = "other"

class ReferralStatus(CtaiEnum):
    """The `referral_status` vocabulary."""

    proposed = "proposed"
    accepted = "accepted"
    declined = "declined"
    completed = "completed"
    cancelled = "cancelled"

class ReferralStep(CtaiEnum):
    """The `referral_step` vocabulary."""

    decision = "decision"
    entry = "entry"

class Sex(CtaiEnum):
    """The `sex` vocabulary."""

    female = "female"
    male = "male"
    unknown = "unknown"

class SituationKind(CtaiEnum):
    """The `situation` vocabulary."""

    asylum_seeker = "asylum_seeker"
    unaccompanied_minor = "unaccompanied_minor"
    irregular = "irregular"

class StepKind(CtaiEnum):
    """The `step` vocabulary."""

    intake = "intake"
    diagnosis = "diagnosis"
    support = "support"
    follow_on = "follow_on"
    end_of_support = "end_of_support"

class Tri(CtaiEnum):
    """The `tri` vocabulary."""

    no = "no"
    yes = "yes"
    unknown = "unknown"

class VolunteeringKind(CtaiEnum):
    """The `volunteering_kind` vocabulary."""

    engagement = "engagement"
    membership = "membership"
    one_off = "one_off"

class WindowKind(CtaiEnum):
    """The `window_kind` vocabulary."""

    primo_window = "primo_window"
    agir_window = "agir_window"
    agir_support = "agir_support"
    permit = "permit"
    receipt = "receipt"
    aps = "aps"
