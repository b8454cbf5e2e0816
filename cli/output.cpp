#include "output.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.hpp"

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
bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }

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

bool looks_like_store(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::array<unsigned char, 16> h{};
    in.read(reinterpret_cast<char*>(h.data()), h.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    static constexpr char sqlite_magic[] = "SQLite format 3";  // 16 bytes with its NUL
    if (n == 16 && std::memcmp(h.data(), sqlite_magic, 16) == 0) return true;
    // A write-ahead log (-wal): 0x377f0682 or 0x377f0683, big-endian.
    if (n >= 4 && h[0] == 0x37 && h[1] == 0x7f && h[2] == 0x06 && (h[3] == 0x82 || h[3] == 0x83)) return true;
    // A rollback journal (-journal).
    static constexpr unsigned char journal_magic[] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
    return n >= 8 && std::memcmp(h.data(), journal_magic, 8) == 0;
}

void check_output_target(const std::string& path, bool overwrite) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto st = fs::status(fs::path(path), ec);
    if (!fs::exists(st)) return;
    if (fs::is_directory(st)) throw UsageError("-o " + path + ": is a folder, not a file");
    if (looks_like_store(path))
        throw UsageError("-o " + path + ": refusing to overwrite a store file (ctai never does, even with --overwrite)");
    if (!overwrite) throw UsageError("-o " + path + ": the file exists (add --overwrite to replace it)");
    if (!fs::is_regular_file(st)) throw UsageError("-o " + path + ": not a regular file");
}

void write_file_atomically(const std::string& path, const std::string& text, bool overwrite) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::error_code ec;
    check_output_target(path, overwrite);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string tmpl = (dir / ("." + target.filename().string() + ".ctai-tmp-XXXXXX")).string();
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw StorageError("cannot write " + path + ": " + std::strerror(errno));
    const std::string tmp = tmpl;
    auto fail = [&](int err) {
        ::unlink(tmp.c_str());
        throw StorageError("cannot write " + path + ": " + std::strerror(err) + " (nothing written)");
    };
    // The mode a plain file creation would give (mkstemp makes it 0600).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0) {
        const int err = errno;
        ::close(fd);
        fail(err);
    }
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const ssize_t w = ::write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            fail(err);
        }
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        fail(err);
    }
    if (::close(fd) != 0) fail(errno);
    // Checked again just before the rename: a store may have appeared meanwhile.
    if (fs::exists(target, ec) && looks_like_store(path)) {
        ::unlink(tmp.c_str());
        throw UsageError("-o " + path + ": refusing to overwrite a store file");
    }
    if (!overwrite) {
        // No-clobber: link() fails if a file appeared at `path` since the check above.
        if (::link(tmp.c_str(), path.c_str()) == 0) {
            ::unlink(tmp.c_str());
            return;
        }
        if (errno == EEXIST) {
            ::unlink(tmp.c_str());
            throw UsageError("-o " + path + ": the file exists (add --overwrite to replace it)");
        }
        // A file system without hard links: rename below.
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail(errno);
}

int flush_stdout() {
    errno = 0;
    std::cout.flush();
    const bool stream_ok = static_cast<bool>(std::cout);
    const bool flushed = std::fflush(stdout) == 0;
    const int err = errno;
    if (stream_ok && flushed && !std::ferror(stdout)) return 0;
    return err ? err : -1;  // the failed write was earlier: its errno is gone
}

}  // namespace ctai::cli
