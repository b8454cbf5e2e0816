// Records the journey of a synthetic beneficiary in a temporary store with the
// service-style API, then prints what the store knows about her.
//
//   record_journey [STORE_FILE]      (default: a file in the temporary directory, removed)
#include <ctai/ctai.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <unistd.h>

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    using namespace ctai;
    const bool keep = argc > 1;
    const fs::path file = keep ? fs::path(argv[1])
                               : fs::temp_directory_path() /
                                     ("ctai-example-" + std::to_string(::getpid()) + ".db");
    try {
        StoreOptions options;
        options.actor = "example";
        auto store = Store::open(file, options);

        // A synthetic refugee protected by the OFPRA on 2023-03-10, living in Côte-d'Or.
        PersonCase c;
        c.person.id = PersonId{"P-EXAMPLE-1"};
        c.person.sex = Sex::female;
        c.person.birth_date = parse_partial_date("1994");
        c.person.nationalities = {"SY"};
        c.person.department = "21";
        c.protections.push_back({ProtectionType::refugee, Authority::ofpra,
                                 parse_date("2023-03-10"), std::nullopt, std::nullopt,
                                 std::nullopt});
        c.permits.push_back({PermitKind::card, Motive::protection, parse_date("2023-05-02"),
                             std::nullopt});

        const ContractId contract{"dijon-2023-2024"};
        JourneyId journey;
        {
            // One transaction for the whole story: all of it or nothing.
            auto tx = store.transaction("example: first reception");
            store.put_case(c);
            journey = store.enroll(c.person.id, contract, 1, parse_date("2023-11-06"),
                                   ReferralSource::social_worker);
            store.add_step(journey, StepKind::diagnosis, parse_date("2023-11-20"));
            store.add_step(journey, StepKind::follow_on, parse_date("2024-02-15"));
            store.exit_journey(journey, parse_date("2024-03-01"), "common_law");
            const auto r = store.propose_referral(c.person.id, "dijon-2023-2024:1", "agir",
                                                  Need::rights, parse_date("2024-02-15"));
            store.accept_referral(r, parse_date("2024-02-20"));
            tx.commit();
        }

        const Date on = parse_date("2024-06-01");
        const Eligibility e = store.eligibility(c.person.id, on);
        std::cout << "person " << e.person_id.str() << " on " << to_iso(on) << ": bpi="
                  << (e.bpi ? "true" : "false") << " agir=" << (e.agir ? "true" : "false")
                  << " ctai_public=" << (e.ctai_public ? "true" : "false") << '\n';
        for (const auto& reason : e.reasons) std::cout << "  - " << reason << '\n';

        const Journey j = store.journey(journey);
        std::cout << "journey " << j.id.str() << " action " << j.action << ": "
                  << to_iso(j.entry_date) << " -> " << to_iso(*j.exit_date) << " ("
                  << *journey_length(j) << " days, " << *j.exit_reason << ", "
                  << (is_positive_exit(j, store.contract(contract)) ? "positive" : "not positive")
                  << "), " << j.steps.size() << " steps\n";
        std::cout << "audit rows: " << store.audit_log().size()
                  << ", data fingerprint: " << store.fingerprint().sha256.substr(0, 16) << '\n';
    } catch (const Error& err) {
        std::cerr << "error: " << err.what() << '\n';
        return 1;
    }
    if (!keep)
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file.string() + suffix);
    return 0;
}
