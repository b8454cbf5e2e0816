// The shared part of ctai_bench (common.hpp).
#include "common.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace bench {

Context g;

[[noreturn]] void fail(const std::string& what) {
    std::cerr << "ctai_bench: WRONG ANSWER: " << what << std::endl;
    std::exit(2);
}

std::string num(double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

void remove_db(const fs::path& p) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix);
}

ctai::Store open_store() {
    ctai::StoreOptions o;
    o.must_exist = true;
    return ctai::Store::open(g.db(), o);
}

void set_rows(benchmark::State& state, std::size_t rows) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(rows));
    state.counters["rows"] = static_cast<double>(rows);
}

}  // namespace bench
