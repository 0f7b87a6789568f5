// report.md: the Markdown twin of report.html (same sections and tables); maps by relative path,
// so it renders next to its PNGs (GitHub, pandoc, any Markdown viewer).
#include <sstream>

#include "app/report_render.hpp"
#include "leachflow/version.hpp"

namespace leachflow::app::report {

namespace {

// Text safe inside a table cell or a paragraph: pipes and backslashes escaped, no line breaks.
std::string md_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '<' || c == '[' || c == ']') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

// Relative link target: spaces and parentheses percent-encoded.
std::string md_link(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') out += "%20";
    else if (c == '(') out += "%28";
    else if (c == ')') out += "%29";
    else out += c;
  }
  return out;
}

void write_table(std::ostringstream& o, const Table& t) {
  o << "\n## " << md_text(t.title) << "\n\n";
  if (!t.note.empty()) o << md_text(t.note) << "\n\n";
  if (t.rows.empty()) {
    o << "(no rows)\n";
    return;
  }
  o << "|";
  for (const auto& h : t.header) o << " " << md_text(h) << " |";
  o << "\n|";
  for (std::size_t k = 0; k < t.header.size(); ++k) o << (k < t.numeric.size() && t.numeric[k] ? " ---: |" : " --- |");
  o << "\n";
  for (const auto& row : t.rows) {
    o << "|";
    for (const auto& c : row) o << " " << md_text(c) << " |";
    o << "\n";
  }
}

}  // namespace

std::string render_markdown(const Report& r) {
  const std::string title = r.title.empty() ? "leachflow run" : r.title;
  const std::vector<CrossingStory> stories = crossing_stories(r);
  std::ostringstream o;
  o << "# " << md_text(title) << "\n\n" << md_text(run_sentence(r)) << "\n";
  if (!r.scenario.empty()) o << "\nScenario: `" << r.scenario << "`\n";
  if (!r.warnings.empty()) {
    o << "\n## Warnings from the run\n\n";
    for (const auto& w : r.warnings) o << "- " << md_text(w) << "\n";
  }
  if (!r.images.empty()) {
    o << "\n## Maps\n";
    for (const auto& im : r.images) o << "\n![" << md_text(im.caption) << "](" << md_link(im.file) << ")\n";
  }
  o << "\n## Border crossings\n\n";
  for (const auto& s : stories) o << md_text(s.text) << "\n\n";
  o << md_text(crossings_note(r, stories.size())) << "\n";
  for (const auto& t : report_tables(r)) write_table(o, t);
  o << "\n---\n\nWritten by leachflow " << version << " (`leachflow report`) from " << md_text(r.dir)
    << ". Concentrations in mg/L, fluxes in kg/day, masses in kg, areas in km2.\n";
  return o.str();
}

}  // namespace leachflow::app::report
