// The two faces of `leachflow report`: one self-contained HTML page (inline CSS, PNG maps as
// data: URIs, no external resources, opens offline) and its Markdown twin (maps by relative path).
#pragma once

#include <string>
#include <vector>

#include "app/report_model.hpp"

namespace leachflow::app::report {

// A table as both writers show it: cells already formatted as plain text.
struct Table {
  std::string id, title, note;  // note: one sentence under the title (may be empty)
  std::vector<std::string> header;
  std::vector<bool> numeric;    // per column: right-aligned
  std::vector<std::vector<std::string>> rows;
};

// The crossing table first, then peaks, exposure, ledger, budgets and attribution; the optional
// ones only when their file was in the run directory.
std::vector<Table> report_tables(const Report& r);
// One line on the run: period, steps, completeness, mass balance.
std::string run_sentence(const Report& r);
// The sentence under the crossing stories (how many are in the table only, or why there are none).
std::string crossings_note(const Report& r, std::size_t stories);

std::string render_html(const Report& r);
std::string render_markdown(const Report& r);

// Helpers (exposed for the writers; pure functions).
std::string html_escape(const std::string& s);
std::string base64(const std::string& bytes);
std::string read_bytes(const std::string& path);  // "" when unreadable

}  // namespace leachflow::app::report
