#include "model/iso_time.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace leachflow::model {

namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads 1..max_digits digits (exactly `exact` when exact > 0) into v.
bool digits(std::string_view s, std::size_t& i, int min_digits, int max_digits, int& v) {
  v = 0;
  int n = 0;
  while (i < s.size() && n < max_digits && std::isdigit(static_cast<unsigned char>(s[i]))) {
    v = v * 10 + (s[i] - '0');
    ++i;
    ++n;
  }
  return n >= min_digits;
}

}  // namespace

int days_in_month(int year, int month) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && leap(year) ? 29 : days[month - 1];
}

// Howard Hinnant's days_from_civil (http://howardhinnant.github.io/date_algorithms.html).
double days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<double>(era) * 146097.0 + static_cast<double>(doe) - 719468.0;
}

std::string format_iso8601_date(double days_since_1970) {
  // civil_from_days, the inverse of the above.
  long long z = static_cast<long long>(std::floor(days_since_1970)) + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = yoe + era * 400;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long d = doy - (153 * mp + 2) / 5 + 1;
  const long long m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", y, m, d);
  return buf;
}

std::optional<double> parse_iso8601_days(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::size_t i = 0;
  int year = 0, month = 0, day = 0;
  if (!digits(s, i, 4, 4, year)) return std::nullopt;
  if (i >= s.size() || (s[i] != '-' && s[i] != '/')) return std::nullopt;
  const char sep = s[i++];
  if (!digits(s, i, 1, 2, month) || i >= s.size() || s[i] != sep) return std::nullopt;
  ++i;
  if (!digits(s, i, 1, 2, day)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  double seconds = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    int hh = 0, mm = 0, ss = 0;
    if (!digits(s, i, 1, 2, hh) || i >= s.size() || s[i] != ':') return std::nullopt;
    ++i;
    if (!digits(s, i, 2, 2, mm)) return std::nullopt;
    double frac = 0;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, 2, ss)) return std::nullopt;
      if (i < s.size() && s[i] == '.') {
        ++i;
        double scale = 0.1;
        const std::size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
          frac += scale * (s[i] - '0');
          scale /= 10;
          ++i;
        }
        if (i == start) return std::nullopt;
      }
    }
    if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm != 0 || ss != 0))) return std::nullopt;
    seconds = hh * 3600.0 + mm * 60.0 + ss + frac;
    // Zone: Z, UTC, or an offset; local time minus the offset is UTC.
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (s.substr(i) == " UTC" || s.substr(i) == "UTC") {
      i = s.size();
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i] == '+' ? 1 : -1;
      ++i;
      int oh = 0, om = 0;
      if (!digits(s, i, 2, 2, oh)) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size() && !digits(s, i, 2, 2, om)) return std::nullopt;
      if (oh > 23 || om > 59) return std::nullopt;
      seconds -= sign * (oh * 3600.0 + om * 60.0);
    }
  }
  if (i != s.size()) return std::nullopt;
  return days_from_civil(year, month, day) + seconds / 86400.0;
}

}  // namespace leachflow::model
