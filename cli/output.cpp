#include "output.hpp"

#include <algorithm>
#include <iostream>
#include <unistd.h>

namespace ctai::cli {
namespace {

// Display width of a UTF-8 string: counts code points, not bytes (accents in labels).
std::size_t width(const std::string& s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

void print_table(std::ostream& out, const Table& t) {
    std::vector<std::size_t> w(t.header.size(), 0);
    for (std::size_t i = 0; i < t.header.size(); ++i) w[i] = width(t.header[i]);
    for (const auto& r : t.rows)
        for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(r[i]));
    auto line = [&](const std::vector<std::string>& cells) {
        std::string s;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const std::string& c = i < cells.size() ? cells[i] : std::string();
            s += c;
            if (i + 1 < w.size()) s.append(w[i] - width(c) + 2, ' ');
        }
        while (!s.empty() && s.back() == ' ') s.pop_back();
        out << s << '\n';
    };
    line(t.header);
    std::vector<std::string> rule;
    for (auto n : w) rule.emplace_back(n, '-');
    line(rule);
    for (const auto& r : t.rows) line(r);
}

void print_csv(std::ostream& out, const Table& t) {
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_escape(cells[i]);
        out << '\n';
    };
    line(t.header);
    for (const auto& r : t.rows) line(r);
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

Progress::Progress(bool enabled) : enabled_(enabled) {}

void Progress::update(const std::string& stage, std::size_t done, std::size_t total) {
    if (!enabled_) return;
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    if (stage == last_stage_ && pct == last_pct_) return;
    last_stage_ = stage;
    last_pct_ = pct;
    std::cerr << "\r\033[K" << stage << "  " << done << "/" << total << "  " << pct << "%" << std::flush;
    drawn_ = true;
}

void Progress::finish() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
}

Progress::~Progress() { finish(); }

}  // namespace ctai::cli
