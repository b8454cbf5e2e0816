// R0: dates and legal date arithmetic.
#include <ctai/date.hpp>

#include <charconv>

#include <ctai/error.hpp>

namespace ctai {
namespace {

using date::day;
using date::last;
using date::month;
using date::year;
using date::year_month_day;
using date::year_month_day_last;

// The text is never echoed: dates can be personal data (birth dates, R9), and this message
// may reach a log. Callers that know the value is not personal (a command-line option) add
// it themselves.
[[noreturn]] void bad_date(std::string_view text, const char* expected) {
    std::string msg = text.empty() ? "empty date" : "invalid date";
    msg += " (expected ";
    msg += expected;
    msg += ")";
    throw ValidationError(msg, "date");
}

// Parses exactly `len` decimal digits at text[pos].
bool digits(std::string_view text, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) return false;
    for (std::size_t i = pos; i < pos + len; ++i)
        if (text[i] < '0' || text[i] > '9') return false;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc{} && p == text.data() + pos + len;
}

year_month_day make_ymd(int y, int m, int d) {
    return year_month_day{year{y}, month{static_cast<unsigned>(m)},
                          day{static_cast<unsigned>(d)}};
}

}  // namespace

Date::Date(date::year_month_day ymd) {
    if (!ymd.ok()) throw ValidationError("invalid calendar date", "date");
    *this = Date(date::sys_days{ymd});
}

Date::Date(int y, unsigned m, unsigned d)
    : Date(year_month_day{date::year{y}, date::month{m}, date::day{d}}) {}

Date parse_date(std::string_view text) {
    int y = 0, m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, y) ||
        !digits(text, 5, 2, m) || !digits(text, 8, 2, d))
        bad_date(text, "YYYY-MM-DD");
    const auto ymd = make_ymd(y, m, d);
    if (!ymd.ok()) bad_date(text, "an existing calendar day");
    return Date(date::sys_days{ymd});
}

Date parse_date_lenient(std::string_view text) {
    if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
        int y = 0, m = 0, d = 0;
        if (!digits(text, 0, 2, d) || !digits(text, 3, 2, m) || !digits(text, 6, 4, y))
            bad_date(text, "DD/MM/YYYY");
        const auto ymd = make_ymd(y, m, d);
        if (!ymd.ok()) bad_date(text, "an existing calendar day");
        return Date(date::sys_days{ymd});
    }
    if (text.size() == 10 && text[4] == '-') return parse_date(text);
    bad_date(text, "YYYY-MM-DD or DD/MM/YYYY");
}

std::string to_iso(Date d) {
    const auto ymd = d.ymd();
    char buf[16];
    const int y = static_cast<int>(ymd.year());
    const auto m = static_cast<unsigned>(ymd.month());
    const auto dd = static_cast<unsigned>(ymd.day());
    std::string out;
    out.reserve(10);
    auto n = std::to_chars(buf, buf + sizeof buf, y).ptr - buf;
    if (y >= 0 && n < 4) out.append(static_cast<std::size_t>(4 - n), '0');
    out.append(buf, static_cast<std::size_t>(n));
    out += '-';
    out += static_cast<char>('0' + m / 10);
    out += static_cast<char>('0' + m % 10);
    out += '-';
    out += static_cast<char>('0' + dd / 10);
    out += static_cast<char>('0' + dd % 10);
    return out;
}

Date add_months(Date start, int n, Feb29 feb29) {
    const auto ymd = start.ymd();
    const auto target = year_month_day{ymd.year(), ymd.month(), day{1}} + date::months{n};
    const auto last_day = year_month_day_last{target.year(), date::month_day_last{target.month()}}.day();
    if (ymd.day() <= last_day)
        return Date(date::sys_days{year_month_day{target.year(), target.month(), ymd.day()}});
    // The day does not exist in the target month (CPC 641 al. 2: last day of the month),
    // except under march_first for a 29 February start landing in a common February.
    if (feb29 == Feb29::march_first && ymd.month() == date::February &&
        ymd.day() == day{29} && target.month() == date::February)
        return Date(date::sys_days{year_month_day{target.year(), date::March, day{1}}});
    return Date(date::sys_days{year_month_day{target.year(), target.month(), last_day}});
}

Date add_years(Date start, int n, Feb29 feb29) { return add_months(start, 12 * n, feb29); }

Date period_end_months(Date start, int months, Boundary boundary, Feb29 feb29) {
    const Date anniversary = add_months(start, months, feb29);
    return boundary == Boundary::strict ? anniversary : anniversary.plus_days(1);
}

Date period_end_years(Date start, int years, Boundary boundary, Feb29 feb29) {
    return period_end_months(start, 12 * years, boundary, feb29);
}

bool within_years(Date start, int years, Date on, Boundary boundary, Feb29 feb29) {
    return start <= on && on < period_end_years(start, years, boundary, feb29);
}

int age_on(Date birth, Date on, Feb29 feb29) {
    if (on < birth) return 0;
    const auto b = birth.ymd(), o = on.ymd();
    int k = static_cast<int>(o.year()) - static_cast<int>(b.year());
    if (b.month() != date::February || b.day() != day{29}) {
        // The k-th anniversary is the same month and day k years later (it always exists):
        // one comparison instead of calendar arithmetic.
        if (o.month() < b.month() || (o.month() == b.month() && o.day() < b.day())) --k;
        return k;
    }
    // add_years is monotone in k: step down from the calendar difference.
    while (k > 0 && on < add_years(birth, k, feb29)) --k;
    return k;
}

Date PartialDate::last() const {
    const auto ymd = first.ymd();
    switch (precision) {
        case DatePrecision::day:
            return first;
        case DatePrecision::month:
            return Date(date::sys_days{year_month_day_last{ymd.year(), date::month_day_last{ymd.month()}}});
        case DatePrecision::year:
            return Date(date::sys_days{year_month_day{ymd.year(), date::December, day{31}}});
    }
    return first;
}

PartialDate parse_partial_date(std::string_view text) {
    int y = 0, m = 0;
    if (text.size() == 4) {
        if (!digits(text, 0, 4, y)) bad_date(text, "YYYY, YYYY-MM or YYYY-MM-DD");
        return {Date(date::sys_days{make_ymd(y, 1, 1)}), DatePrecision::year};
    }
    if (text.size() == 7 && text[4] == '-') {
        if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || m < 1 || m > 12)
            bad_date(text, "YYYY-MM");
        return {Date(date::sys_days{make_ymd(y, m, 1)}), DatePrecision::month};
    }
    return {parse_date_lenient(text), DatePrecision::day};
}

std::string to_string(const PartialDate& d) {
    const std::string iso = to_iso(d.first);
    switch (d.precision) {
        case DatePrecision::day: return iso;
        case DatePrecision::month: return iso.substr(0, 7);
        case DatePrecision::year: return iso.substr(0, 4);
    }
    return iso;
}

Tri under_age(const PartialDate& birth, int years, Date on, Feb29 feb29) {
    // add_years is non-decreasing in the start date, so the earliest and the latest
    // compatible birth dates bound every other answer.
    const bool earliest = on < add_years(birth.first, years, feb29);
    const bool latest = on < add_years(birth.last(), years, feb29);
    if (earliest == latest) return earliest ? Tri::yes : Tri::no;
    return Tri::unknown;
}

std::optional<int> age_on(const PartialDate& birth, Date on, Feb29 feb29) {
    const int a = age_on(birth.first, on, feb29);
    const int b = age_on(birth.last(), on, feb29);
    if (a == b) return a;
    return std::nullopt;
}

}  // namespace ctai
