// Deterministic synthetic cohort (synthetic.hpp). Everything is drawn from one xoshiro256**
// stream seeded by splitmix64, with the integer helpers below (no std distribution), so the
// output is the same on every platform. Every date is checked against the rules the store
// applies (R6, R7) with the library's own eligibility functions before it is used.
#include <ctai/synthetic.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ctai/eligibility.hpp>
#include <ctai/error.hpp>

namespace ctai {
namespace {

// ---------------------------------------------------------------------------------------
// Portable pseudo-random numbers.

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
}

// xoshiro256** (Blackman and Vigna), seeded with splitmix64 as its authors recommend.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept {
        for (auto& w : s_) w = splitmix64(seed);
    }
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, n) for n >= 1 (modulo bias below n / 2^64: irrelevant here, and
    // deterministic, which is what matters).
    std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
    // Uniform in [lo, hi], both included; lo when hi < lo.
    int range(int lo, int hi) noexcept {
        if (hi <= lo) return lo;
        return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    // True with probability p (53-bit uniform, exact in IEEE double).
    bool chance(double p) noexcept {
        return static_cast<double>(next() >> 11) * 0x1.0p-53 < p;
    }
    std::size_t index(std::size_t n) noexcept {
        return static_cast<std::size_t>(below(static_cast<std::uint64_t>(n)));
    }

private:
    std::array<std::uint64_t, 4> s_{};
};

template <class T>
struct Weighted {
    T value;
    int weight;
};

template <class T>
const T& pick(Rng& rng, std::span<const Weighted<T>> table) {
    int total = 0;
    for (const auto& w : table) total += w.weight;
    int x = rng.range(0, total - 1);
    for (const auto& w : table) {
        if (x < w.weight) return w.value;
        x -= w.weight;
    }
    return table.back().value;
}

template <class T, std::size_t N>
const T& pick(Rng& rng, const std::array<Weighted<T>, N>& table) {
    return pick(rng, std::span<const Weighted<T>>(table));
}

template <class T, std::size_t N>
const T& pick_uniform(Rng& rng, const std::array<T, N>& values) {
    return values[rng.index(N)];
}

// Uniform date in [lo, hi]; lo when hi < lo.
Date rand_date(Rng& rng, Date lo, Date hi) {
    if (hi <= lo) return lo;
    return lo.plus_days(rng.range(0, hi.days_since(lo)));
}

// ---------------------------------------------------------------------------------------
// Identifiers: a prefix and a zero-padded number, so that ids sort like numbers.

int digit_count(std::size_t n) noexcept {
    int d = 1;
    while (n >= 10) {
        n /= 10;
        ++d;
    }
    return d;
}

std::string make_id(char prefix, std::size_t n, int width) {
    const int w = std::max(width, digit_count(n));
    std::string s(static_cast<std::size_t>(w) + 1, '0');
    s[0] = prefix;
    std::size_t pos = s.size();
    do {
        s[--pos] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n > 0);
    return s;
}

std::string numbered(std::string_view label, std::size_t n, int width) {
    std::string id = make_id('x', n, width);
    return std::string(label) + " " + id.substr(1);
}

// ---------------------------------------------------------------------------------------
// Vocabulary of the synthetic population.

enum class Profile {
    bpi,            // refugee or subsidiary protection (OFPRA / CNDA)
    stateless,      // stateless status (OFPRA / CNDA)
    primo,          // non-EU national with a family / work first permit
    reunification,  // family member joining a BPI (rejoining_family_of)
    bpt,            // temporary protection (displaced from Ukraine)
    asylum_seeker,  // asylum request pending: not in the public
    non_eligible,   // student permits only, or a first permit older than five years
    european,       // French or EU/EEA national: never in the public
    unknown,        // nationality UNKNOWN: undetermined, never in the public
};

constexpr auto profile_weights = std::to_array<Weighted<Profile>>({
    {Profile::bpi, 400},
    {Profile::stateless, 20},
    {Profile::primo, 280},
    {Profile::bpt, 95},
    {Profile::asylum_seeker, 45},
    {Profile::non_eligible, 70},
    {Profile::european, 80},
    {Profile::unknown, 18},
});

using Code = std::string_view;

constexpr auto bpi_nationalities = std::to_array<Weighted<Code>>({
    {"AF", 22}, {"SY", 14}, {"SD", 14}, {"ER", 10}, {"GN", 8}, {"CI", 6},
    {"CD", 8},  {"TR", 5},  {"RU", 5},  {"GE", 3},  {"AL", 3},
});
constexpr auto primo_nationalities = std::to_array<Weighted<Code>>({
    {"MA", 20}, {"DZ", 22}, {"TN", 14}, {"CI", 7}, {"GN", 5}, {"CD", 5},
    {"TR", 8},  {"GE", 4},  {"AL", 5},  {"RU", 4}, {"SD", 2}, {"SY", 2},
});
constexpr auto european_nationalities = std::to_array<Weighted<Code>>({
    {"FR", 35}, {"DE", 8}, {"IT", 12}, {"ES", 10}, {"PT", 12}, {"RO", 15}, {"BE", 5}, {"PL", 8},
});
constexpr auto dual_with_french = std::to_array<Code>({"DZ", "MA", "TN"});
constexpr auto other_departments = std::to_array<Code>({"71", "89", "58", "25", "39"});

constexpr auto sexes = std::to_array<Weighted<Sex>>({
    {Sex::female, 44}, {Sex::male, 53}, {Sex::unknown, 3}});

constexpr auto primo_motives = std::to_array<Weighted<Motive>>({
    {Motive::family, 65}, {Motive::work, 28}, {Motive::other, 7}});

constexpr auto household_sizes = std::to_array<Weighted<int>>({
    {1, 55}, {2, 15}, {3, 12}, {4, 10}, {5, 5}, {6, 3}});

constexpr auto association_types = std::to_array<Code>({
    "sport", "culture", "solidarité", "éducation populaire", "environnement",
    "aide alimentaire", "parents d'élèves", "santé"});

constexpr auto other_sources = std::to_array<Weighted<ReferralSource>>({
    {ReferralSource::social_worker, 30}, {ReferralSource::ccas, 15},
    {ReferralSource::siao, 10},          {ReferralSource::association, 20},
    {ReferralSource::self, 15},          {ReferralSource::other, 10}});
constexpr auto housing_sources = std::to_array<Weighted<ReferralSource>>({
    {ReferralSource::siao, 35}, {ReferralSource::social_worker, 30},
    {ReferralSource::ccas, 15}, {ReferralSource::association, 10}, {ReferralSource::self, 10}});

constexpr auto lasting_housing = std::to_array<Weighted<HousingType>>({
    {HousingType::social_rental, 50}, {HousingType::private_rental, 20},
    {HousingType::residence_sociale, 15}, {HousingType::fjt, 15}});

constexpr auto agir_exit_housing = std::to_array<Weighted<HousingType>>({
    {HousingType::social_rental, 30}, {HousingType::private_rental, 10},
    {HousingType::residence_sociale, 10}, {HousingType::fjt, 5},
    {HousingType::intermediated_rental, 15}, {HousingType::pension_de_famille, 5},
    {HousingType::hotel, 5}, {HousingType::emergency, 5}, {HousingType::chrs, 5},
    {HousingType::family_or_friends, 10}});

constexpr auto agir_exit_activity = std::to_array<Weighted<ExitActivity>>({
    {ExitActivity::cdi, 20}, {ExitActivity::cdd, 30}, {ExitActivity::training, 20},
    {ExitActivity::none, 30}});

constexpr auto satisfaction_scores = std::to_array<Weighted<int>>({
    {1, 3}, {2, 7}, {3, 20}, {4, 40}, {5, 30}});

// How an action is used, derived from the contract (any contract works).
enum class Flavor {
    core,          // accompaniment (Dijon 2023-2024 action 1)
    open,          // open to the general population: animation, events, actor training (2)
    volunteering,  // after a core journey: volunteering, co-animated actions (3)
    housing,       // after a core journey, AGIR partner on housing (4)
};

struct ActivityKindPlan {
    ActivityKind kind;
    std::size_t base;
    std::size_t per_persons;  // one more activity per this many persons
    double co_animated;       // share co-animated by a volunteer
    std::span<const Code> types;
    int half_hours_min;
    int half_hours_max;
};

constexpr auto core_workshops = std::to_array<Code>({
    "apprentissage du français", "accès aux droits", "santé", "emploi et formation",
    "citoyenneté et valeurs de la République", "numérique", "mobilité", "parentalité"});
constexpr auto core_practice = std::to_array<Code>({
    "entretien individuel", "accompagnement administratif", "accompagnement vers l'emploi",
    "accompagnement santé"});
constexpr auto open_workshops = std::to_array<Code>({
    "atelier interculturel", "café des langues", "découverte du territoire",
    "atelier cuisine du monde"});
constexpr auto open_events = std::to_array<Code>({
    "fête de quartier", "forum des associations", "visite culturelle",
    "journée mondiale des réfugiés", "rencontre sportive"});
constexpr auto training_types = std::to_array<Code>({
    "droit des étrangers", "accueil des publics primo-arrivants", "interculturalité",
    "protection internationale"});
constexpr auto volunteering_activities = std::to_array<Code>({
    "atelier co-animé", "sortie culturelle co-animée", "collecte solidaire",
    "chantier participatif"});
constexpr auto housing_workshops = std::to_array<Code>({
    "atelier budget", "droits et devoirs du locataire", "économies d'énergie",
    "entretien du logement"});
constexpr auto housing_practice = std::to_array<Code>({
    "visite de logement", "constitution du dossier de demande", "installation dans le logement",
    "accompagnement à l'ouverture des droits"});

constexpr auto core_themes = std::to_array<Code>({
    "accès aux droits", "santé", "apprentissage du français", "emploi", "mobilité",
    "numérique", "parentalité"});
constexpr auto open_themes = std::to_array<Code>({
    "culture", "sport", "sensibilisation", "formation des acteurs", "vie de quartier"});
constexpr auto volunteering_themes = std::to_array<Code>({
    "vie associative", "bénévolat", "citoyenneté"});
constexpr auto housing_themes = std::to_array<Code>({
    "logement", "bailleurs sociaux", "énergie", "mobilier"});

struct ActionPlan {
    const Action* action = nullptr;
    Flavor flavor = Flavor::core;
    bool first_core = false;
    // Activities of the action: a contiguous range of Dataset::activities sorted by date.
    std::size_t activity_begin = 0;
    std::vector<Date> activity_dates;
    // Exit reasons: indexes into Contract::exit_reasons with weights.
    std::vector<Weighted<std::size_t>> positive_exits;
    std::vector<Weighted<std::size_t>> negative_exits;
};

// What the generator knows about the person being generated.
struct PersonInfo {
    std::size_t index = 0;  // in Dataset::cases
    Profile profile = Profile::primo;
    Date arrival;
    // First day the person may be in the public (protection, T1, APS), if any.
    std::optional<Date> public_from;
    // Head of household joined (reunification), as an index in Dataset::cases.
    std::optional<std::size_t> family_of;
    std::optional<AgirSupport> agir;
};

// A journey of action 4-like (housing) of a household member, for the housing moves.
struct HousingJourney {
    Date entry;
    std::optional<Date> exit;
    bool housed = false;  // exit reason lasting housing
};

class Generator {
public:
    Generator(const CohortOptions& options, const Contract& contract, const Policy& policy)
        : options_(options),
          contract_(contract),
          policy_(policy),
          rng_(options.seed),
          cs_(contract.start),
          ce_(contract.end),
          eval_(options.evaluated_on.value_or(contract.end)),
          n_(options.persons) {
        if (contract_.actions.empty())
            throw ValidationError("contract '" + contract_.id.str() + "' has no action",
                                  "actions");
        if (contract_.exit_reasons.empty())
            throw ValidationError("contract '" + contract_.id.str() + "' has no exit reason",
                                  "exit_reasons");
        window_start_ = std::min(cs_, eval_).plus_days(-330);
        person_width_ = std::max(6, digit_count(n_));
        journey_width_ = std::max(7, digit_count(n_ * 6 + 10));
        referral_width_ = std::max(6, digit_count(n_ + 10));
        household_width_ = std::max(5, digit_count(n_));
        structures_ = 55 + n_ / 200;
        partners_ = 40 + n_ / 2000;
        plan_actions();
    }

    Dataset run() {
        out_.cases.reserve(n_);
        out_.journeys.reserve(n_ * 3 + n_ / 4 + 16);
        out_.agir.reserve(n_ / 5 + 16);
        out_.referrals.reserve(n_ / 3 + 16);
        out_.participations.reserve(n_ * 5 + 16);
        out_.volunteering.reserve(n_ / 3 + 16);
        out_.housing.reserve(n_ + 16);
        make_activities();

        const std::size_t report_every = std::max<std::size_t>(1, n_ / 100);
        std::size_t next_report = report_every;
        std::size_t made = 0;
        while (made < n_) {
            const std::size_t size =
                std::min(static_cast<std::size_t>(pick(rng_, household_sizes)), n_ - made);
            make_household(size);
            made += size;
            if (options_.progress && made >= next_report && made < n_) {
                options_.progress(made, n_);
                next_report = made + report_every;
            }
        }
        make_partnerships();
        make_costs();
        if (options_.progress) options_.progress(n_, n_);
        return std::move(out_);
    }

private:
    // -- contract -----------------------------------------------------------------------

    void plan_actions() {
        bool core_seen = false;
        for (const auto& a : contract_.actions) {
            ActionPlan plan;
            plan.action = &a;
            const bool housing = std::find(a.agir_needs.begin(), a.agir_needs.end(),
                                           Need::housing) != a.agir_needs.end();
            if (a.open_to_general_population)
                plan.flavor = Flavor::open;
            else if (housing)
                plan.flavor = Flavor::housing;
            else if (a.prerequisite)
                plan.flavor = Flavor::volunteering;
            else
                plan.flavor = Flavor::core;
            if (plan.flavor == Flavor::core && !core_seen) {
                plan.first_core = true;
                core_seen = true;
            }
            plan_exits(plan);
            plans_.push_back(std::move(plan));
        }
        // Actions without a prerequisite first, so prerequisites exist when needed.
        for (std::size_t i = 0; i < plans_.size(); ++i)
            if (!plans_[i].action->prerequisite) order_.push_back(i);
        for (std::size_t i = 0; i < plans_.size(); ++i)
            if (plans_[i].action->prerequisite) order_.push_back(i);
    }

    void plan_exits(ActionPlan& plan) const {
        struct Preference {
            std::string_view code;
            int weight;
        };
        std::vector<Preference> positive;
        switch (plan.flavor) {
            case Flavor::core:
                positive = {{"autonomy", 30}, {"common_law", 30}, {"lasting_job", 15},
                            {"qualifying_training", 15}, {"lasting_housing", 10}};
                break;
            case Flavor::open:
                positive = {{"autonomy", 55}, {"common_law", 45}};
                break;
            case Flavor::volunteering:
                positive = {{"autonomy", 50}, {"common_law", 20}, {"lasting_job", 15},
                            {"qualifying_training", 15}};
                break;
            case Flavor::housing:
                positive = {{"lasting_housing", 80}, {"autonomy", 10}, {"common_law", 10}};
                break;
        }
        const std::vector<Preference> negative = {
            {"dropped_out", 35}, {"lost_contact", 35}, {"moved_away", 15}, {"other", 15}};
        const auto& reasons = contract_.exit_reasons;
        auto resolve = [&](const std::vector<Preference>& prefs, bool want_positive) {
            std::vector<Weighted<std::size_t>> table;
            for (const auto& pref : prefs)
                for (std::size_t i = 0; i < reasons.size(); ++i)
                    if (reasons[i].code == pref.code && reasons[i].positive == want_positive)
                        table.push_back({i, pref.weight});
            if (table.empty())  // a contract with its own vocabulary: any of that polarity
                for (std::size_t i = 0; i < reasons.size(); ++i)
                    if (reasons[i].positive == want_positive) table.push_back({i, 1});
            return table;
        };
        plan.positive_exits = resolve(positive, true);
        plan.negative_exits = resolve(negative, false);
        if (plan.positive_exits.empty()) plan.positive_exits = plan.negative_exits;
        if (plan.negative_exits.empty()) plan.negative_exits = plan.positive_exits;
    }

    std::string endpoint(int action) const {
        return contract_.id.str() + ":" + std::to_string(action);
    }

    // -- activities ---------------------------------------------------------------------

    std::vector<ActivityKindPlan> activity_plans(Flavor f) const {
        switch (f) {
            case Flavor::core:
                return {{ActivityKind::workshop, 12, 8, 0.05, core_workshops, 3, 6},
                        {ActivityKind::individual_practice, 10, 6, 0.0, core_practice, 1, 3}};
            case Flavor::open:
                return {{ActivityKind::workshop, 8, 15, 0.1, open_workshops, 3, 6},
                        {ActivityKind::event, 6, 40, 0.2, open_events, 4, 12},
                        {ActivityKind::actor_training, 20, 100, 0.0, training_types, 4, 14}};
            case Flavor::volunteering:
                return {{ActivityKind::workshop, 8, 25, 0.85, volunteering_activities, 3, 8},
                        {ActivityKind::event, 4, 60, 0.6, open_events, 4, 12}};
            case Flavor::housing:
                return {{ActivityKind::workshop, 6, 30, 0.0, housing_workshops, 3, 5},
                        {ActivityKind::individual_practice, 10, 10, 0.0, housing_practice, 1, 3}};
        }
        return {};
    }

    void make_activities() {
        const Date lo = cs_;
        const Date hi = std::min(ce_, eval_);
        if (hi < lo) {
            for (auto& plan : plans_) plan.activity_begin = out_.activities.size();
            return;
        }
        std::vector<std::vector<Activity>> per_plan;
        std::size_t total = 0;
        for (auto& plan : plans_) {
            std::vector<Activity> acts;
            for (const auto& k : activity_plans(plan.flavor)) {
                const std::size_t count = k.base + n_ / k.per_persons;
                for (std::size_t i = 0; i < count; ++i) {
                    Activity a;
                    a.contract_id = contract_.id;
                    a.action = plan.action->number;
                    a.kind = k.kind;
                    a.type = std::string(k.types[rng_.index(k.types.size())]);
                    a.date = rand_date(rng_, lo, hi);
                    a.hours = rng_.range(k.half_hours_min, k.half_hours_max) / 2.0;
                    a.co_animated = rng_.chance(k.co_animated);
                    if (k.kind == ActivityKind::actor_training)
                        a.structure = numbered("Structure", rng_.index(structures_) + 1,
                                               std::max(3, digit_count(structures_)));
                    acts.push_back(std::move(a));
                }
            }
            std::stable_sort(acts.begin(), acts.end(),
                             [](const Activity& a, const Activity& b) { return a.date < b.date; });
            total += acts.size();
            per_plan.push_back(std::move(acts));
        }
        // Ids numbered action by action, then by date, all of the same width.
        std::size_t next_id = 1;
        const int width = std::max(5, digit_count(total));
        out_.activities.reserve(total);
        for (std::size_t i = 0; i < plans_.size(); ++i) {
            ActionPlan& plan = plans_[i];
            plan.activity_begin = out_.activities.size();
            for (auto& a : per_plan[i]) {
                a.id = ActivityId{make_id('A', next_id++, width)};
                plan.activity_dates.push_back(a.date);
                out_.activities.push_back(std::move(a));
            }
        }
    }

    // -- persons ------------------------------------------------------------------------

    Profile member_profile(Profile head) {
        switch (head) {
            case Profile::bpi:
            case Profile::stateless: {
                const int x = rng_.range(0, 99);
                if (x < 55) return head;
                if (x < 85) return Profile::reunification;
                break;
            }
            case Profile::primo:
            case Profile::reunification:
                if (rng_.chance(0.8)) return Profile::primo;
                break;
            case Profile::bpt:
                if (rng_.chance(0.9)) return Profile::bpt;
                break;
            case Profile::european:
                if (rng_.chance(0.85)) return Profile::european;
                break;
            case Profile::asylum_seeker:
            case Profile::non_eligible:
            case Profile::unknown:
                if (rng_.chance(0.7)) return head;
                break;
        }
        return pick(rng_, profile_weights);
    }

    std::vector<std::string> nationalities_for(Profile profile) {
        switch (profile) {
            case Profile::bpi:
            case Profile::asylum_seeker:
                return {std::string(pick(rng_, bpi_nationalities))};
            case Profile::stateless:
                return {"STATELESS"};
            case Profile::primo:
            case Profile::reunification:
            case Profile::non_eligible:
                if (rng_.chance(0.01)) return {"DZ", "MA"};
                return {std::string(pick(rng_, primo_nationalities))};
            case Profile::bpt:
                if (rng_.chance(0.95)) return {"UA"};
                return {std::string(pick(rng_, primo_nationalities))};
            case Profile::european:
                if (rng_.chance(0.15))
                    return {std::string(pick_uniform(rng_, dual_with_french)), "FR"};
                return {std::string(pick(rng_, european_nationalities))};
            case Profile::unknown:
                return {"UNKNOWN"};
        }
        return {"UNKNOWN"};
    }

    std::optional<PartialDate> birth_date(int year_lo, int year_hi) {
        if (rng_.chance(0.01)) return std::nullopt;
        const Date d = rand_date(rng_, Date(year_lo, 1, 1), Date(year_hi, 12, 31));
        const int x = rng_.range(0, 99);
        if (x < 85) return PartialDate{d, DatePrecision::day};
        if (x < 90) return PartialDate{Date(d.year(), d.month(), 1), DatePrecision::month};
        return PartialDate{Date(d.year(), 1, 1), DatePrecision::year};
    }

    // A leap day (29 February 2020 or 2024) in [lo, hi], if any, for the R0.1 edge cases.
    static std::optional<Date> leap_day_in(Rng& rng, Date lo, Date hi) {
        static const std::array<Date, 2> leap_days{Date(2020, 2, 29), Date(2024, 2, 29)};
        std::array<Date, 2> candidates{};
        std::size_t n = 0;
        for (const auto d : leap_days)
            if (lo <= d && d <= hi) candidates[n++] = d;
        if (n == 0) return std::nullopt;
        return candidates[rng.index(n)];
    }

    Date clamp_eval(Date d) const { return std::min(d, eval_); }

    void add_permit(PersonCase& c, PermitKind kind, Motive motive, Date from,
                    std::optional<Date> to) const {
        if (from > eval_) return;
        c.permits.push_back(Permit{kind, motive, from, to});
    }

    void sign_cir(PersonCase& c, Date from, double p_signed) {
        if (!rng_.chance(p_signed)) return;
        const Date d = from.plus_days(rng_.range(10, 150));
        if (d > eval_) return;
        c.person.cir_status = CirStatus::signed_;
        c.person.cir_date = d;
    }

    // Protection (refugee, subsidiary or stateless) decided on `decided`.
    void make_protected(PersonCase& c, PersonInfo& info, Date decided, bool stateless) {
        const bool cnda = rng_.chance(stateless ? 0.2 : 0.3);
        const Date request =
            decided.plus_days(-(cnda ? rng_.range(360, 1000) : rng_.range(90, 540)));
        info.arrival = request;
        Protection pr;
        pr.type = stateless ? ProtectionType::stateless
                            : (rng_.chance(0.65) ? ProtectionType::refugee
                                                 : ProtectionType::subsidiary);
        pr.authority = cnda ? Authority::cnda : Authority::ofpra;
        pr.decision_date = decided;
        if (rng_.chance(0.85)) {
            const Date notified = decided.plus_days(rng_.range(5, 45));
            if (notified <= eval_) pr.notification_date = notified;
        }
        if (rng_.chance(0.01)) {
            const Date withdrawn = decided.plus_days(rng_.range(200, 900));
            if (withdrawn <= eval_) pr.end_date = withdrawn;
        }
        if (!stateless) {
            c.situations.push_back(Situation{SituationKind::asylum_seeker, request, decided});
            // Attestation de demande d'asile: ten months, then renewed every six months.
            Date from = request.plus_days(rng_.range(3, 30));
            Date to = add_months(from, 10);
            for (int i = 0; i < 4 && from < decided; ++i) {
                add_permit(c, PermitKind::asylum_certificate, Motive::other, from, to);
                from = to;
                to = add_months(from, 6);
            }
        } else {
            add_permit(c, PermitKind::receipt, Motive::other, request.plus_days(rng_.range(10, 60)),
                       request.plus_days(rng_.range(200, 400)));
        }
        Date card = decided.plus_days(rng_.range(60, 400));
        if (rng_.chance(0.03))
            if (auto leap = leap_day_in(rng_, decided.plus_days(30), eval_)) card = *leap;
        // Récépissés (six months each) until the card is issued.
        for (Date receipt = decided.plus_days(rng_.range(10, 45)); receipt < card;
             receipt = receipt.plus_days(180))
            add_permit(c, PermitKind::receipt, Motive::protection, receipt,
                       std::min(card, receipt.plus_days(180)));
        add_permit(c, PermitKind::card, Motive::protection, card,
                   add_years(card, pr.type == ProtectionType::subsidiary ? 4 : 10));
        c.protections.push_back(pr);
        info.public_from = decided;
        sign_cir(c, decided, 0.85);
    }

    Date protection_decision() {
        if (rng_.chance(0.004))
            if (auto leap = leap_day_in(rng_, Date(2018, 6, 1), eval_)) return *leap;
        if (rng_.chance(0.55))
            return rand_date(rng_, Date(2022, 6, 1), eval_.plus_days(-15));
        return clamp_eval(rand_date(rng_, Date(2018, 6, 1), Date(2022, 5, 31)));
    }

    void make_primo(PersonCase& c, PersonInfo& info) {
        Date t1;
        const auto leap = rng_.chance(0.012) ? leap_day_in(rng_, Date(2018, 1, 1), eval_)
                                             : std::nullopt;
        if (leap)
            t1 = *leap;
        else if (rng_.chance(0.8))
            t1 = rand_date(rng_, Date(2019, 6, 1), eval_.plus_days(-20));
        else
            t1 = clamp_eval(rand_date(rng_, Date(2018, 1, 1), Date(2019, 5, 31)));
        const Motive motive = pick(rng_, primo_motives);
        const bool visa = rng_.chance(0.45);
        info.arrival = t1;
        if (rng_.chance(0.15)) {  // studied in France first: excluded motive, no anchor
            const Date study = t1.plus_days(-rng_.range(365, 1400));
            add_permit(c, PermitKind::card,
                       rng_.chance(0.2) ? Motive::student_mobility : Motive::student, study,
                       add_years(study, 1));
            info.arrival = study;
        } else if (rng_.chance(0.06)) {  // irregular stay before regularisation
            const Date from = t1.plus_days(-rng_.range(400, 900));
            c.situations.push_back(
                Situation{SituationKind::irregular, from, t1.plus_days(-rng_.range(30, 120))});
            info.arrival = from;
        }
        if (!visa && rng_.chance(0.55))
            add_permit(c, PermitKind::receipt, motive, t1.plus_days(-rng_.range(30, 150)), t1);
        add_permit(c, visa ? PermitKind::vls_ts : PermitKind::card, motive, t1, add_years(t1, 1));
        // Renewals: a receipt while the prefecture decides, then a multi-year card.
        Date renewal = add_years(t1, 1);
        for (int i = 0; i < 3 && renewal <= eval_; ++i) {
            if (rng_.chance(0.8))
                add_permit(c, PermitKind::receipt, motive, renewal.plus_days(-rng_.range(10, 60)),
                           renewal.plus_days(90));
            const Date next = add_years(renewal, rng_.range(1, 2));
            add_permit(c, PermitKind::card, motive, renewal, next);
            renewal = next;
        }
        info.public_from = t1;
        if (c.person.nationalities.front() == "DZ" && rng_.chance(0.4)) {
            const Date proposed = t1.plus_days(rng_.range(10, 90));
            if (proposed <= eval_) {
                c.person.cir_status = CirStatus::proposed;
                c.person.cir_date = proposed;
            }
        } else {
            sign_cir(c, t1, 0.85);
        }
    }

    void make_reunification(PersonCase& c, PersonInfo& info, const PersonCase& head) {
        c.person.rejoining_family_of = head.person.id;
        const auto prot = protection_date(head, policy_);
        const Date base = prot ? *prot : eval_.plus_days(-400);
        Date visa = base.plus_days(rng_.range(120, 720));
        if (visa > eval_) visa = rand_date(rng_, std::min(base, eval_), eval_);
        info.arrival = visa;
        add_permit(c, PermitKind::vls_ts, Motive::family, visa, add_years(visa, 1));
        add_permit(c, PermitKind::card, Motive::family, add_years(visa, 1),
                   add_years(visa, rng_.range(3, 5)));
        info.public_from = visa;
        sign_cir(c, visa, 0.7);
    }

    void make_bpt(PersonCase& c, PersonInfo& info) {
        const Date invasion(2022, 2, 24);
        const Date tp_start(2022, 3, 4);
        Date displaced;
        if (rng_.chance(0.03)) {  // left Ukraine before 24 February 2022: not BPT (R5)
            displaced = clamp_eval(rand_date(rng_, Date(2021, 6, 1), Date(2022, 2, 23)));
        } else {
            const Date hi = std::max(invasion, std::min(Date(2023, 12, 31), eval_.plus_days(-100)));
            const Date a = rand_date(rng_, invasion, hi);
            const Date b = rand_date(rng_, invasion, hi);
            displaced = std::min(a, b);  // most arrived in 2022
        }
        Date decided = std::max(displaced.plus_days(rng_.range(5, 90)), tp_start);
        decided = clamp_eval(decided);
        info.arrival = displaced;
        Protection pr;
        pr.type = ProtectionType::temporary;
        pr.authority = Authority::prefecture;
        pr.decision_date = decided;
        pr.displaced_on = displaced;
        c.protections.push_back(pr);
        Date from = decided;
        for (int i = 0; i < 5 && from <= eval_; ++i) {
            const Date to = add_months(from, 6);
            add_permit(c, PermitKind::aps, Motive::temporary_protection, from, to);
            from = to;
        }
        info.public_from = std::max(decided, tp_start);
    }

    void make_asylum_seeker(PersonCase& c, PersonInfo& info) {
        const Date request = clamp_eval(rand_date(rng_, Date(2022, 1, 1), eval_.plus_days(-30)));
        info.arrival = request;
        c.situations.push_back(Situation{SituationKind::asylum_seeker, request, std::nullopt});
        Date from = request.plus_days(rng_.range(3, 30));
        const int n = rng_.range(1, 2);
        for (int i = 0; i < n; ++i) {
            const Date to = from.plus_days(rng_.range(180, 300));
            add_permit(c, PermitKind::asylum_certificate, Motive::other, from, to);
            from = to;
        }
    }

    void make_non_eligible(PersonCase& c, PersonInfo& info) {
        if (rng_.chance(0.5)) {  // student: CIR-exempt motive, never an anchor
            const Date start = clamp_eval(rand_date(rng_, Date(2019, 9, 1), eval_.plus_days(-30)));
            info.arrival = start;
            add_permit(c, PermitKind::vls_ts, Motive::student, start, add_years(start, 1));
            add_permit(c, PermitKind::card, Motive::student, add_years(start, 1),
                       add_years(start, 2));
            if (rng_.chance(0.3))
                add_permit(c, PermitKind::card, Motive::talent, add_years(start, 2),
                           add_years(start, 6));
        } else {  // first permit more than five years ago
            const Date t1 = rand_date(rng_, Date(2012, 1, 1), Date(2018, 6, 30));
            info.arrival = t1;
            const Motive m = pick(rng_, primo_motives);
            add_permit(c, PermitKind::card, m, t1, add_years(t1, 1));
            add_permit(c, PermitKind::card, m, add_years(t1, 1), add_years(t1, 5));
            add_permit(c, PermitKind::card, m, add_years(t1, 5), add_years(t1, 15));
            sign_cir(c, t1, 0.8);
        }
    }

    PersonCase make_person(PersonInfo& info, const std::optional<HouseholdId>& household,
                           const PersonCase* head) {
        PersonCase c;
        Person& p = c.person;
        p.id = PersonId{make_id('P', info.index + 1, person_width_)};
        p.sex = pick(rng_, sexes);
        p.household_id = household;
        p.department = rng_.chance(0.93) ? "21" : std::string(pick_uniform(rng_, other_departments));
        const bool share_nationality =
            head != nullptr && info.profile != Profile::european &&
            info.profile != Profile::stateless && info.profile != Profile::unknown &&
            info.profile != Profile::bpt && rng_.chance(0.85);
        if (share_nationality) {
            p.nationalities = head->person.nationalities;
            if (p.nationalities.front() == "STATELESS" || p.nationalities.front() == "UNKNOWN" ||
                p.nationalities.back() == "FR")
                p.nationalities = nationalities_for(info.profile);
            else if (p.nationalities.size() == 1 && p.nationalities.front() == "UA" &&
                     info.profile != Profile::bpt)
                p.nationalities = nationalities_for(info.profile);
        } else {
            p.nationalities = nationalities_for(info.profile);
        }
        if (head) p.department = head->person.department;
        p.birth_date = birth_date(1958, 2005);
        info.arrival = eval_.plus_days(-rng_.range(200, 3000));
        switch (info.profile) {
            case Profile::bpi: {
                Date decided = protection_decision();
                // Family members are protected with the head (unité de famille).
                if (head && !head->protections.empty() &&
                    head->protections.front().type != ProtectionType::temporary)
                    decided = clamp_eval(
                        head->protections.front().decision_date.plus_days(rng_.range(0, 20)));
                if (rng_.chance(0.03)) {  // arrived as an unaccompanied minor
                    const Date request = decided.plus_days(-rng_.range(120, 400));
                    const Date born = request.plus_days(-rng_.range(15 * 365 + 10, 17 * 365 - 10));
                    p.birth_date = PartialDate{born, DatePrecision::day};
                    c.situations.push_back(Situation{SituationKind::unaccompanied_minor, request,
                                                     add_years(born, 18)});
                }
                make_protected(c, info, decided, false);
                break;
            }
            case Profile::stateless:
                make_protected(c, info, protection_decision(), true);
                break;
            case Profile::primo:
                make_primo(c, info);
                break;
            case Profile::reunification:
                make_reunification(c, info, *head);
                break;
            case Profile::bpt:
                make_bpt(c, info);
                break;
            case Profile::asylum_seeker:
                make_asylum_seeker(c, info);
                break;
            case Profile::non_eligible:
                make_non_eligible(c, info);
                break;
            case Profile::european:
                break;
            case Profile::unknown:
                if (rng_.chance(0.5)) {
                    const Date from = rand_date(rng_, Date(2021, 1, 1), eval_);
                    add_permit(c, PermitKind::receipt, Motive::other, from, from.plus_days(120));
                    info.arrival = from;
                }
                break;
        }
        info.arrival = clamp_eval(info.arrival);
        return c;
    }

    // -- AGIR ---------------------------------------------------------------------------

    bool agir_window(const PersonInfo& info, Date d) const {
        return info.agir && info.agir->entry_date &&
               agir_support_active(*info.agir->entry_date, d, policy_);
    }

    // Inside the AGIR support (window active and not exited).
    bool agir_supported(const PersonInfo& info, Date d) const {
        return agir_window(info, d) && !(info.agir->exit_date && *info.agir->exit_date <= d);
    }

    void make_agir(const PersonCase& c, PersonInfo& info) {
        const auto deployed = policy_.agir_start.find(c.person.department);
        if (deployed == policy_.agir_start.end()) return;
        const PersonCase* family = info.family_of ? &out_.cases[*info.family_of] : nullptr;
        const PersonCase& own = family ? *family : c;
        const auto prot = protection_date(own, policy_);
        if (!prot) return;
        const Date lo = std::max({deployed->second, *prot, info.arrival});
        const Date hi = std::min(eval_, agir_window_end(*prot, policy_).plus_days(-1));
        if (hi < lo || !rng_.chance(family ? 0.5 : 0.7)) return;
        const Date oriented = rand_date(rng_, lo, hi);
        if (!is_agir_eligible(c, oriented, policy_, family)) return;
        AgirSupport s;
        s.person_id = c.person.id;
        s.orientation_date = oriented;
        const Date entry = oriented.plus_days(rng_.range(5, 45));
        if (entry <= eval_) {
            s.entry_date = entry;
            const Date window_end = period_end_months(entry, 24, policy_.boundary, policy_.feb29);
            const Date exit = std::min(entry.plus_days(rng_.range(150, 760)), window_end.plus_days(-1));
            if (exit <= eval_) {
                s.exit_date = exit;
                s.exit_housing = pick(rng_, agir_exit_housing);
                s.exit_activity = pick(rng_, agir_exit_activity);
                if (*s.exit_activity == ExitActivity::cdd) s.cdd_months = rng_.range(1, 18);
            }
        }
        info.agir = s;
        out_.agir.push_back(std::move(s));
    }

    // -- referrals ----------------------------------------------------------------------

    Referral& new_referral(const PersonCase& c, std::string from, std::string to, Need need,
                           Date proposed) {
        Referral r;
        r.id = ReferralId{make_id('R', ++referral_count_, referral_width_)};
        r.person_id = c.person.id;
        r.from = std::move(from);
        r.to = std::move(to);
        r.need = need;
        r.status = ReferralStatus::proposed;
        r.proposed_on = proposed;
        out_.referrals.push_back(std::move(r));
        return out_.referrals.back();
    }

    static Need need_of(Rng& rng, const ActionPlan& plan) {
        const auto& needs = plan.action->agir_needs;
        if (plan.action->agir_policy == AgirPolicy::partner && !needs.empty())
            return needs[rng.index(needs.size())];
        static constexpr auto open_needs = std::to_array<Need>(
            {Need::language, Need::rights, Need::employment, Need::health, Need::mobility,
             Need::childcare});
        switch (plan.flavor) {
            case Flavor::housing:
                return Need::housing;
            case Flavor::core:
                return rng.chance(0.5) ? Need::rights : Need::employment;
            case Flavor::open:
            case Flavor::volunteering:
                break;
        }
        return pick_uniform(rng, open_needs);
    }

    // Referrals that do not come with a journey: declined, pending, cancelled, and the
    // hand-offs at the end of AGIR support.
    void make_agir_referrals(const PersonCase& c, const PersonInfo& info) {
        if (!info.agir || !info.agir->entry_date) return;
        const Date entry = *info.agir->entry_date;
        const int x = rng_.range(0, 99);
        const ActionPlan* excluded = nullptr;
        const ActionPlan* partner = nullptr;
        const ActionPlan* open = nullptr;
        for (const auto& plan : plans_) {
            if (!excluded && plan.action->agir_policy == AgirPolicy::excluded) excluded = &plan;
            if (!partner && plan.action->agir_policy == AgirPolicy::partner) partner = &plan;
            if (!open && plan.action->agir_policy == AgirPolicy::open) open = &plan;
        }
        if (x < 10 && excluded) {
            const Date proposed = rand_date(rng_, entry, eval_);
            Referral& r = new_referral(c, "agir", endpoint(excluded->action->number),
                                       need_of(rng_, *excluded), proposed);
            r.status = ReferralStatus::declined;
            r.decided_on = clamp_eval(proposed.plus_days(rng_.range(0, 20)));
            r.reason = "action exclue pour les bénéficiaires AGIR (article 2 du contrat)";
        } else if (x < 18 && partner) {
            const Date proposed = rand_date(rng_, std::max(entry, eval_.plus_days(-45)), eval_);
            new_referral(c, "agir", endpoint(partner->action->number), need_of(rng_, *partner),
                         proposed);
        } else if (x < 28 && open) {
            const Date proposed = rand_date(rng_, entry, eval_);
            Referral& r = new_referral(c, "agir", endpoint(open->action->number),
                                       need_of(rng_, *open), proposed);
            r.status = ReferralStatus::cancelled;
            r.decided_on = clamp_eval(proposed.plus_days(rng_.range(0, 14)));
            r.completed_on = clamp_eval(r.decided_on->plus_days(rng_.range(1, 60)));
            r.reason = rng_.chance(0.5) ? "départ du territoire" : "la personne a renoncé";
        }
        // End of AGIR support: suite de parcours in a CTAI action.
        if (info.agir->exit_date && open && rng_.chance(0.4)) {
            const Date exit = *info.agir->exit_date;
            const Date proposed = rand_date(rng_, std::max(entry, exit.plus_days(-30)), exit);
            Referral& r = new_referral(c, "agir", endpoint(open->action->number),
                                       need_of(rng_, *open), proposed);
            if (rng_.chance(0.8)) {
                r.status = ReferralStatus::accepted;
                r.decided_on = clamp_eval(proposed.plus_days(rng_.range(0, 15)));
            }
        }
    }

    // -- journeys -----------------------------------------------------------------------

    bool in_public(const PersonCase& c, Date d) const {
        // Same as evaluate(c, d, policy).ctai_public, without building the reasons.
        return is_bpi(c, d, policy_) || is_bpt(c, d, policy_) ||
               is_primo_arrivant(c, d, policy_);
    }

    bool entry_allowed(const ActionPlan& plan, const PersonCase& c, const PersonInfo& info,
                       Date d) const {
        if (!plan.action->open_to_general_population && !in_public(c, d)) return false;
        if (plan.action->agir_policy == AgirPolicy::excluded && agir_window(info, d)) return false;
        return true;
    }

    std::optional<Date> sample_entry(const ActionPlan& plan, const PersonCase& c,
                                     const PersonInfo& info, Date lo, Date hi) {
        if (hi < lo) return std::nullopt;
        for (int attempt = 0; attempt < 6; ++attempt) {
            const Date d = rand_date(rng_, lo, hi);
            if (entry_allowed(plan, c, info, d)) return d;
        }
        return std::nullopt;
    }

    // The first day a journey of the prerequisite action gave access (strictly after it).
    std::optional<Date> prerequisite_date(const Prerequisite& pre, std::size_t first) const {
        std::optional<Date> best;
        auto consider = [&](Date d) {
            if (!best || d < *best) best = d;
        };
        for (std::size_t i = first; i < out_.journeys.size(); ++i) {
            const Journey& j = out_.journeys[i];
            if (j.action != pre.action) continue;
            if (pre.exited_counts && j.exit_date) consider(*j.exit_date);
            for (const auto& s : j.steps)
                if (std::find(pre.steps.begin(), pre.steps.end(), s.kind) != pre.steps.end())
                    consider(s.date);
        }
        return best;
    }

    double take_probability(const ActionPlan& plan, const PersonInfo& info) const {
        const bool public_profile = info.public_from.has_value();
        switch (plan.flavor) {
            case Flavor::core:
                if (!public_profile) return 0.0;
                return plan.first_core ? 0.95 : 0.5;
            case Flavor::open:
                return public_profile ? 0.8 : 0.75;
            case Flavor::volunteering:
                return 0.6;
            case Flavor::housing:
                return 0.65;
        }
        return 0.0;
    }

    double reentry_probability(Flavor f) const {
        switch (f) {
            case Flavor::core:
                return 0.45;
            case Flavor::open:
                return 0.7;
            case Flavor::volunteering:
            case Flavor::housing:
                return 0.25;
        }
        return 0.0;
    }

    // Range of the length in days of a journey, full (reaching the end of support) or not.
    static std::pair<int, int> length_range(Flavor f, bool full) {
        switch (f) {
            case Flavor::core:
                return full ? std::pair{100, 420} : std::pair{7, 150};
            case Flavor::open:
                return full ? std::pair{1, 100} : std::pair{0, 45};
            case Flavor::volunteering:
                return full ? std::pair{60, 300} : std::pair{14, 120};
            case Flavor::housing:
                return full ? std::pair{45, 270} : std::pair{14, 120};
        }
        return {0, 30};
    }

    // Steps of a journey from entry to `end` (the planned exit), in the R7 order.
    std::vector<Step> plan_steps(Flavor f, Date entry, Date end, bool full) {
        std::vector<Step> steps;
        steps.reserve(5);
        Date cur = entry;
        auto add = [&](StepKind k, Date d) {
            d = std::min(std::max(d, cur), end);
            steps.push_back(Step{k, d});
            cur = d;
        };
        add(StepKind::intake, entry);
        if (f == Flavor::open) {
            if (full || rng_.chance(0.5)) add(StepKind::support, entry.plus_days(rng_.range(0, 14)));
            if (full) add(StepKind::end_of_support, end);
            return steps;
        }
        if (full || rng_.chance(0.7)) {
            add(StepKind::diagnosis, entry.plus_days(rng_.range(3, 30)));
            if (full || rng_.chance(0.6)) add(StepKind::support, cur.plus_days(rng_.range(7, 45)));
        }
        if (full) {
            add(StepKind::follow_on, end.plus_days(-rng_.range(15, 60)));
            add(StepKind::end_of_support, end.plus_days(-rng_.range(0, 10)));
        }
        return steps;
    }

    const std::string& exit_code(const ActionPlan& plan, bool positive) {
        const auto& table = positive ? plan.positive_exits : plan.negative_exits;
        return contract_.exit_reasons[pick(rng_, std::span<const Weighted<std::size_t>>(table))]
            .code;
    }

    // Builds a journey entering on `entry`; returns it (not yet stored).
    Journey make_journey(const ActionPlan& plan, const PersonCase& c, Date entry) {
        Journey j;
        j.id = JourneyId{make_id('J', ++journey_count_, journey_width_)};
        j.person_id = c.person.id;
        j.contract_id = contract_.id;
        j.action = plan.action->number;
        j.entry_date = entry;
        const bool full = rng_.chance(plan.flavor == Flavor::open ? 0.6 : 0.68);
        const auto [min_days, max_days] = length_range(plan.flavor, full);
        Date planned_exit = entry.plus_days(rng_.range(min_days, max_days));
        if (planned_exit <= eval_) {
            j.exit_date = planned_exit;
        } else if (const int shortest = min_days / 3;
                   eval_.days_since(entry) >= shortest && !rng_.chance(open_share_)) {
            // A shorter journey that ended before the evaluation date. Journeys entered too
            // recently to have ended stay open.
            planned_exit = rand_date(rng_, entry.plus_days(shortest), eval_);
            j.exit_date = planned_exit;
        }
        const auto steps = plan_steps(plan.flavor, entry, planned_exit, full);
        const Date last = j.exit_date.value_or(eval_);
        for (const auto& s : steps)
            if (s.date <= last) j.steps.push_back(s);
        if (j.exit_date) j.exit_reason = exit_code(plan, full ? rng_.chance(0.93) : false);
        return j;
    }

    void add_participations(const ActionPlan& plan, const Journey& j, int lo, int hi) {
        if (plan.activity_dates.empty()) return;
        const Date last = j.exit_date.value_or(eval_);
        const auto& dates = plan.activity_dates;
        const auto first = std::lower_bound(dates.begin(), dates.end(), j.entry_date);
        const auto end = std::upper_bound(first, dates.end(), last);
        const auto available = static_cast<std::size_t>(end - first);
        if (available == 0) return;
        const std::size_t base = plan.activity_begin + static_cast<std::size_t>(first - dates.begin());
        const int count = rng_.range(lo, hi);
        for (int i = 0; i < count; ++i) {
            const std::size_t k = base + rng_.index(available);
            const Activity& a = out_.activities[k];
            if (a.kind == ActivityKind::actor_training) continue;
            // One participation per person and activity.
            if (std::find(attended_.begin(), attended_.end(), k) != attended_.end()) continue;
            attended_.push_back(k);
            Participation part;
            part.activity_id = a.id;
            part.person_id = j.person_id;
            if (rng_.chance(0.35)) part.satisfaction = pick(rng_, satisfaction_scores);
            out_.participations.push_back(std::move(part));
        }
    }

    // Volunteering rows are keyed by (person, kind, start): one row per key.
    void add_volunteering_row(Volunteering v) {
        for (std::size_t i = person_volunteering_; i < out_.volunteering.size(); ++i) {
            const Volunteering& o = out_.volunteering[i];
            if (o.kind == v.kind && o.start == v.start) return;
        }
        out_.volunteering.push_back(std::move(v));
    }

    void add_volunteering(const ActionPlan& plan, const Journey& j) {
        const Date last = j.exit_date.value_or(eval_);
        if (plan.flavor == Flavor::volunteering) {
            Volunteering v;
            v.person_id = j.person_id;
            v.kind = VolunteeringKind::engagement;
            v.start = rand_date(rng_, j.entry_date, std::min(last, j.entry_date.plus_days(45)));
            if (j.exit_date && rng_.chance(0.7))
                v.end = clamp_eval(std::max(v.start, j.exit_date->plus_days(rng_.range(0, 120))));
            v.association_type = std::string(pick_uniform(rng_, association_types));
            add_volunteering_row(std::move(v));
            if (rng_.chance(0.3)) {
                Volunteering m;
                m.person_id = j.person_id;
                m.kind = VolunteeringKind::membership;
                m.start = rand_date(rng_, j.entry_date, last);
                m.association_type = std::string(pick_uniform(rng_, association_types));
                add_volunteering_row(std::move(m));
            }
        } else if (plan.flavor == Flavor::open) {
            if (rng_.chance(0.15)) {
                Volunteering m;
                m.person_id = j.person_id;
                m.kind = VolunteeringKind::membership;
                m.start = rand_date(rng_, j.entry_date, last);
                if (rng_.chance(0.3)) m.end = rand_date(rng_, m.start, eval_);
                m.association_type = std::string(pick_uniform(rng_, association_types));
                add_volunteering_row(std::move(m));
            }
            if (rng_.chance(0.15)) {
                Volunteering o;
                o.person_id = j.person_id;
                o.kind = VolunteeringKind::one_off;
                o.start = rand_date(rng_, j.entry_date, last);
                o.end = o.start;
                o.association_type = std::string(pick_uniform(rng_, association_types));
                add_volunteering_row(std::move(o));
            }
        }
    }

    void make_journeys(const PersonCase& c, const PersonInfo& info,
                       std::vector<HousingJourney>& housing) {
        const std::size_t first = out_.journeys.size();
        attended_.clear();
        person_volunteering_ = out_.volunteering.size();
        const ActionPlan* volunteering = nullptr;
        for (const auto& plan : plans_)
            if (plan.flavor == Flavor::volunteering) volunteering = &plan;
        for (const std::size_t idx : order_) {
            const ActionPlan& plan = plans_[idx];
            if (!rng_.chance(take_probability(plan, info))) continue;
            Date lo = std::max(window_start_, info.arrival.plus_days(15));
            if (info.public_from && !plan.action->open_to_general_population)
                lo = std::max(lo, *info.public_from);
            if (const auto& pre = plan.action->prerequisite) {
                const auto access = prerequisite_date(*pre, first);
                if (!access) continue;
                lo = std::max(lo, access->plus_days(rng_.range(1, 90)));
            }
            for (int k = 0; k < 4; ++k) {
                const auto entry = sample_entry(plan, c, info, lo, eval_);
                if (!entry) break;
                Journey j = make_journey(plan, c, *entry);
                // Source of the referral into the action; AGIR only inside its support,
                // never into an excluded action, into a partner action for its needs only.
                const bool from_agir = plan.action->agir_policy != AgirPolicy::excluded &&
                                       agir_supported(info, *entry) && rng_.chance(0.6);
                if (from_agir) {
                    j.referral_source = ReferralSource::agir;
                    const Date agir_entry = *info.agir->entry_date;
                    const Date proposed =
                        rand_date(rng_, std::max(agir_entry, entry->plus_days(-40)), *entry);
                    Referral& r = new_referral(c, "agir", endpoint(plan.action->number),
                                               need_of(rng_, plan), proposed);
                    r.status = ReferralStatus::completed;
                    r.decided_on = rand_date(rng_, proposed, *entry);
                    r.completed_on = *entry;
                } else {
                    j.referral_source = plan.flavor == Flavor::housing
                                            ? pick(rng_, housing_sources)
                                            : pick(rng_, other_sources);
                }
                const int extra = volunteering && plan.flavor == Flavor::core ? 1 : 0;
                switch (plan.flavor) {
                    case Flavor::core:
                        add_participations(plan, j, 1, 4);
                        break;
                    case Flavor::open:
                        add_participations(plan, j, 1, 3);
                        break;
                    case Flavor::volunteering:
                    case Flavor::housing:
                        add_participations(plan, j, 0, 3);
                        break;
                }
                if (extra && rng_.chance(0.25)) add_participations(*volunteering, j, 1, 1);
                add_volunteering(plan, j);
                if (plan.flavor == Flavor::housing)
                    housing.push_back(HousingJourney{
                        j.entry_date, j.exit_date,
                        j.exit_reason && *j.exit_reason == "lasting_housing"});
                const bool open = j.open();
                const Date exit = j.exit_date.value_or(eval_);
                out_.journeys.push_back(std::move(j));
                if (open || !rng_.chance(reentry_probability(plan.flavor))) break;
                lo = exit.plus_days(plan.flavor == Flavor::open ? rng_.range(7, 120)
                                                                : rng_.range(30, 200));
            }
        }
        // A core (excluded) journey running when AGIR takes the person in: hand-off to AGIR.
        if (info.agir) {
            const Date oriented = info.agir->orientation_date;
            for (std::size_t i = first; i < out_.journeys.size(); ++i) {
                const Journey& j = out_.journeys[i];
                if (plans_[plan_index(j.action)].flavor != Flavor::core ||
                    oriented < j.entry_date || (j.exit_date && *j.exit_date < oriented))
                    continue;
                const Date proposed =
                    rand_date(rng_, std::max(j.entry_date, oriented.plus_days(-30)), oriented);
                Referral& r = new_referral(c, endpoint(j.action), "agir",
                                           rng_.chance(0.5) ? Need::rights : Need::employment,
                                           proposed);
                r.status = ReferralStatus::accepted;
                r.decided_on = oriented;
                if (info.agir->entry_date) {
                    r.status = ReferralStatus::completed;
                    r.completed_on = *info.agir->entry_date;
                }
                break;
            }
        }
    }

    std::size_t plan_index(int action) const {
        for (std::size_t i = 0; i < plans_.size(); ++i)
            if (plans_[i].action->number == action) return i;
        return 0;
    }

    // Last date the person was seen (journeys, AGIR), for R9 retention.
    void set_last_contact(PersonCase& c, const PersonInfo& info, std::size_t first) const {
        std::optional<Date> last;
        auto see = [&](Date d) {
            if (!last || *last < d) last = d;
        };
        for (std::size_t i = first; i < out_.journeys.size(); ++i) {
            const Journey& j = out_.journeys[i];
            see(j.entry_date);
            if (j.exit_date) see(*j.exit_date);
            for (const auto& s : j.steps) see(s.date);
        }
        if (info.agir) {
            see(info.agir->orientation_date);
            if (info.agir->entry_date) see(*info.agir->entry_date);
            if (info.agir->exit_date) see(*info.agir->exit_date);
        }
        c.person.last_contact = last;
    }

    // -- households ---------------------------------------------------------------------

    HousingType first_housing(Profile profile) {
        static constexpr auto asylum = std::to_array<Weighted<HousingType>>({
            {HousingType::asylum_accommodation, 55}, {HousingType::emergency, 10},
            {HousingType::hotel, 10}, {HousingType::family_or_friends, 15},
            {HousingType::street, 2}, {HousingType::chrs, 8}});
        static constexpr auto migrant = std::to_array<Weighted<HousingType>>({
            {HousingType::family_or_friends, 40}, {HousingType::private_rental, 30},
            {HousingType::social_rental, 10}, {HousingType::hotel, 5},
            {HousingType::emergency, 5}, {HousingType::other, 10}});
        static constexpr auto displaced = std::to_array<Weighted<HousingType>>({
            {HousingType::family_or_friends, 40}, {HousingType::hotel, 15},
            {HousingType::emergency, 15}, {HousingType::intermediated_rental, 15},
            {HousingType::social_rental, 15}});
        static constexpr auto resident = std::to_array<Weighted<HousingType>>({
            {HousingType::private_rental, 60}, {HousingType::social_rental, 30},
            {HousingType::other, 10}});
        static constexpr auto unknown = std::to_array<Weighted<HousingType>>({
            {HousingType::emergency, 40}, {HousingType::family_or_friends, 40},
            {HousingType::street, 20}});
        switch (profile) {
            case Profile::bpi:
            case Profile::stateless:
            case Profile::asylum_seeker:
                return pick(rng_, asylum);
            case Profile::primo:
            case Profile::reunification:
            case Profile::non_eligible:
                return pick(rng_, migrant);
            case Profile::bpt:
                return pick(rng_, displaced);
            case Profile::european:
                return pick(rng_, resident);
            case Profile::unknown:
                return pick(rng_, unknown);
        }
        return HousingType::other;
    }

    void make_housing(const HouseholdId& id, const PersonInfo& head,
                      const std::vector<HousingJourney>& housing) {
        std::optional<Date> last;
        auto add_move = [&](Date d, HousingType t) {
            if (d > eval_ || (last && d <= *last)) return;
            out_.housing.push_back(HousingMove{id, d, t});
            last = d;
        };
        add_move(head.arrival, first_housing(head.profile));
        if ((head.profile == Profile::bpi || head.profile == Profile::stateless) &&
            head.public_from && rng_.chance(0.5)) {
            static constexpr auto after_protection = std::to_array<Weighted<HousingType>>({
                {HousingType::chrs, 25}, {HousingType::intermediated_rental, 25},
                {HousingType::hotel, 10}, {HousingType::residence_sociale, 15},
                {HousingType::family_or_friends, 15}, {HousingType::pension_de_famille, 10}});
            add_move(head.public_from->plus_days(rng_.range(30, 300)), pick(rng_, after_protection));
        }
        if (!housing.empty()) {
            const HousingJourney& h = housing.front();
            if (h.housed && h.exit) {
                add_move(rand_date(rng_, std::max(h.entry, h.exit->plus_days(-30)), *h.exit),
                     pick(rng_, lasting_housing));
            } else if (!h.exit && rng_.chance(0.3)) {
                add_move(rand_date(rng_, h.entry, eval_), pick(rng_, lasting_housing));
            } else if (h.exit && rng_.chance(0.2)) {
                add_move(rand_date(rng_, h.entry, *h.exit),
                     rng_.chance(0.6) ? HousingType::intermediated_rental
                                      : HousingType::pension_de_famille);
            }
        } else if (rng_.chance(0.12)) {
            const Date lo = std::max(head.arrival.plus_days(60), cs_.plus_days(-180));
            add_move(rand_date(rng_, lo, eval_), pick(rng_, lasting_housing));
        }
    }

    void make_household(std::size_t size) {
        std::optional<HouseholdId> household;
        if (size > 1 || !rng_.chance(0.05))
            household = HouseholdId{make_id('H', ++household_count_, household_width_)};
        const Profile head_profile = pick(rng_, profile_weights);
        const std::size_t head_index = out_.cases.size();
        housing_.clear();
        PersonInfo head_info;
        for (std::size_t k = 0; k < size; ++k) {
            PersonInfo info;
            info.index = out_.cases.size();
            info.profile = k == 0 ? head_profile : member_profile(head_profile);
            const PersonCase* head = k == 0 ? nullptr : &out_.cases[head_index];
            if (info.profile == Profile::reunification) {
                if (head && !head->protections.empty() &&
                    head->protections.front().type != ProtectionType::temporary)
                    info.family_of = head_index;
                else
                    info.profile = Profile::primo;
            }
            PersonCase c = make_person(info, household, head);
            out_.cases.push_back(std::move(c));
            PersonCase& stored = out_.cases.back();
            make_agir(stored, info);
            const std::size_t first = out_.journeys.size();
            make_journeys(stored, info, housing_);
            make_agir_referrals(stored, info);
            set_last_contact(stored, info, first);
            if (k == 0) head_info = info;
        }
        if (household) make_housing(*household, head_info, housing_);
    }

    // -- contract-level records ---------------------------------------------------------

    void make_partnerships() {
        const Date lo = cs_.plus_days(-120);
        const Date hi = std::min(ce_, eval_);
        if (hi < lo) return;
        for (const auto& plan : plans_) {
            std::span<const Code> themes;
            switch (plan.flavor) {
                case Flavor::core:
                    themes = core_themes;
                    break;
                case Flavor::open:
                    themes = open_themes;
                    break;
                case Flavor::volunteering:
                    themes = volunteering_themes;
                    break;
                case Flavor::housing:
                    themes = housing_themes;
                    break;
            }
            const std::size_t count = 5 + n_ / 5000;
            const std::size_t first = out_.partnerships.size();
            for (std::size_t i = 0; i < count; ++i) {
                Partnership p;
                p.contract_id = contract_.id;
                p.action = plan.action->number;
                p.partner = numbered("Partenaire", rng_.index(partners_) + 1,
                                 std::max(3, digit_count(partners_)));
                p.theme = std::string(themes[rng_.index(themes.size())]);
                p.date = rand_date(rng_, lo, hi);
                // Partnerships are keyed by the whole row: no duplicate.
                if (std::find(out_.partnerships.begin() + static_cast<std::ptrdiff_t>(first),
                              out_.partnerships.end(), p) == out_.partnerships.end())
                    out_.partnerships.push_back(std::move(p));
            }
        }
    }

    void make_costs() {
        if (eval_ < cs_) return;
        const double elapsed = static_cast<double>(std::min(eval_, ce_).days_since(cs_) + 1);
        const double length = static_cast<double>(ce_.days_since(cs_) + 1);
        const double share = std::min(1.0, elapsed / length);
        for (const auto& plan : plans_) {
            const double planned = plan.action->planned_cost.value_or(20000.0);
            Cost cost;
            cost.contract_id = contract_.id;
            cost.action = plan.action->number;
            cost.total_cost = std::round(planned * share * rng_.range(880, 1040) / 1000.0);
            cost.subsidy_p104 = std::round(cost.total_cost * rng_.range(700, 1000) / 1000.0);
            out_.costs.push_back(std::move(cost));
        }
    }

    const CohortOptions& options_;
    const Contract& contract_;
    const Policy& policy_;
    Rng rng_;
    Date cs_;
    Date ce_;
    Date eval_;
    Date window_start_;
    std::size_t n_;
    int person_width_ = 6;
    int journey_width_ = 7;
    int referral_width_ = 6;
    int household_width_ = 5;
    std::size_t structures_ = 55;
    std::size_t partners_ = 40;
    // Probability that a journey still running on the evaluation date stays open (the
    // others ended early): calibrated for about 10% open journeys.
    double open_share_ = 0.12;
    std::size_t journey_count_ = 0;
    std::size_t referral_count_ = 0;
    std::size_t household_count_ = 0;
    std::vector<ActionPlan> plans_;
    std::vector<std::size_t> order_;
    std::vector<HousingJourney> housing_;
    std::vector<std::size_t> attended_;  // activities of the current person
    std::size_t person_volunteering_ = 0;  // first volunteering row of the current person
    Dataset out_;
};

}  // namespace

Dataset generate_cohort(const CohortOptions& options, const Contract& contract,
                        const Policy& policy) {
    return Generator(options, contract, policy).run();
}

Dataset generate_cohort(const CohortOptions& options, const Policy& policy) {
    return generate_cohort(options, builtin_contract(options.contract.str()), policy);
}

}  // namespace ctai
