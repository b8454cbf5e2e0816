#pragma once
// Synthetic people and helpers shared by the store, journeys and referrals tests.
// Every person here is invented.

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <ctai/contract.hpp>
#include <ctai/date.hpp>
#include <ctai/model.hpp>

#include "dataset_fixture.hpp"

namespace ctai::test {

inline Date d(const char* iso) { return parse_date(iso); }

inline const char* const contract_2024 = "dijon-2023-2024";

/// A refugee (BPI) protected on 2023-03-10 with a protection card; resident in Côte-d'Or.
inline PersonCase refugee(const std::string& id) {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.sex = Sex::female;
    c.person.birth_date = PartialDate{d("1995-06-01"), DatePrecision::day};
    c.person.nationalities = {"AF"};
    c.person.household_id = HouseholdId{"H-" + id};
    c.person.department = "21";
    c.person.cir_status = CirStatus::signed_;
    c.person.last_contact = d("2024-09-30");
    c.protections.push_back(
        Protection{ProtectionType::refugee, Authority::ofpra, d("2023-03-10"), d("2023-03-20"),
                   std::nullopt, std::nullopt});
    c.permits.push_back(Permit{PermitKind::card, Motive::protection, d("2023-05-01"),
                               d("2033-04-30")});
    return c;
}

/// A primo-arrivant: Moroccan national with a first family card from 2022-03-15.
inline PersonCase primo(const std::string& id) {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.sex = Sex::male;
    c.person.birth_date = PartialDate{d("1990-01-01"), DatePrecision::year};
    c.person.nationalities = {"MA"};
    c.person.department = "21";
    c.permits.push_back(Permit{PermitKind::card, Motive::family, d("2022-03-15"), std::nullopt});
    return c;
}

/// A French national: never in the CTAI public.
inline PersonCase french(const std::string& id) {
    PersonCase c;
    c.person.id = PersonId{id};
    c.person.nationalities = {"FR"};
    c.person.department = "21";
    return c;
}

// Runs `body` in a child process; the child exits 0 on success, 1 on any exception.
inline pid_t spawn(const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int code = 0;
        try {
            body();
        } catch (...) {
            code = 1;
        }
        ::_exit(code);
    }
    return pid;
}

/// The exit code of a child started by spawn (-1 when it did not exit normally).
inline int wait_exit_code(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// A unique temporary directory, removed at destruction.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("ctai-store-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::filesystem::path file(const std::string& name) const { return path / name; }
};

}  // namespace ctai::test
