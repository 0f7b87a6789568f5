// Calendar time as a plain number: days since 1970-01-01T00:00:00Z (proleptic Gregorian, UTC).
// Model time is this minus the run's start, so a scenario's dates, pit start/end dates and
// runoff time stamps all meet on one axis without a calendar library on the device.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leachflow::model {

// Parses an ISO 8601 date or date-time: YYYY-MM-DD, optionally followed by 'T' or ' ' and
// HH:MM[:SS[.fraction]], optionally followed by 'Z', " UTC" or an offset ±HH[[:]MM].
// Also accepts '/' as the date separator and 1-digit months/days/hours, because OGR prints
// date fields as "2024/05/01 12:00:00+00" and CF time units write "days since 1970-1-1".
// Returns nullopt for anything else, including impossible dates such as 2023-02-29.
std::optional<double> parse_iso8601_days(std::string_view text);

// Days since 1970-01-01 of a calendar date (no validation).
double days_from_civil(int year, int month, int day);

// The calendar date of a day number, as YYYY-MM-DD (the fraction of the day is dropped).
std::string format_iso8601_date(double days_since_1970);

// Number of days in a month of the proleptic Gregorian calendar.
int days_in_month(int year, int month);

}  // namespace leachflow::model
