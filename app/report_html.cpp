// report.html: one self-contained page. Inline CSS, PNG maps as data: URIs, no scripts and no
// external resources, so it opens offline and can be mailed as one file. All text is escaped.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/report_render.hpp"
#include "leachflow/version.hpp"

namespace leachflow::app::report {

namespace {

constexpr const char* css = R"(
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2329;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
p.meta { color: #57606a; margin-top: 0; }
p.note { color: #57606a; font-size: .9rem; }
p.story { max-width: 52rem; }
nav a { margin-right: 1rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
figcaption { color: #57606a; font-size: .9rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; vertical-align: top; }
td { white-space: nowrap; }
th { background: #f6f8fa; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:nth-child(even) td { background: #fbfcfd; }
ul.warnings li { color: #9a6700; }
footer { margin-top: 3rem; color: #57606a; font-size: .8rem; }
@media print { nav { display: none; } }
)";

void write_table(std::ostringstream& o, const Table& t) {
  o << "<h2 id=\"" << html_escape(t.id) << "\">" << html_escape(t.title) << "</h2>\n";
  if (!t.note.empty()) o << "<p class=\"note\">" << html_escape(t.note) << "</p>\n";
  if (t.rows.empty()) {
    o << "<p>(no rows)</p>\n";
    return;
  }
  o << "<div class=\"scroll\"><table>\n<thead><tr>";
  for (const auto& h : t.header) o << "<th scope=\"col\">" << html_escape(h) << "</th>";
  o << "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    o << "<tr>";
    for (std::size_t k = 0; k < row.size(); ++k)
      o << (k < t.numeric.size() && t.numeric[k] ? "<td class=\"num\">" : "<td>") << html_escape(row[k]) << "</td>";
    o << "</tr>\n";
  }
  o << "</tbody>\n</table></div>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  return out;
}

std::string base64(const std::string& bytes) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string render_html(const Report& r) {
  const std::string title = r.title.empty() ? "leachflow run" : r.title;
  const std::vector<Table> tables = report_tables(r);
  const std::vector<CrossingStory> stories = crossing_stories(r);
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta name=\"generator\" content=\"leachflow "
    << html_escape(version) << "\">\n<title>" << html_escape(title) << " - leachflow report</title>\n<style>" << css
    << "</style>\n</head>\n<body>\n";
  o << "<h1>" << html_escape(title) << "</h1>\n";
  o << "<p class=\"meta\">" << html_escape(run_sentence(r)) << "</p>\n";
  if (!r.scenario.empty()) o << "<p class=\"meta\">Scenario: <code>" << html_escape(r.scenario) << "</code></p>\n";

  o << "<nav>";
  if (!r.images.empty()) o << "<a href=\"#maps\">Maps</a>";
  o << "<a href=\"#crossings\">Border crossings</a>";
  for (const auto& t : tables) o << "<a href=\"#" << html_escape(t.id) << "\">" << html_escape(t.title) << "</a>";
  o << "</nav>\n";

  if (!r.warnings.empty()) {
    o << "<h2 id=\"warnings\">Warnings from the run</h2>\n<ul class=\"warnings\">\n";
    for (const auto& w : r.warnings) o << "<li>" << html_escape(w) << "</li>\n";
    o << "</ul>\n";
  }

  if (!r.images.empty()) {
    o << "<h2 id=\"maps\">Maps</h2>\n";
    for (const auto& im : r.images) {
      const std::string bytes = read_bytes((std::filesystem::path(r.dir) / im.file).string());
      if (bytes.empty()) continue;
      o << "<figure><img src=\"data:image/png;base64," << base64(bytes) << "\" alt=\"" << html_escape(im.caption)
        << "\"><figcaption>" << html_escape(im.caption) << " (" << html_escape(im.file) << ")</figcaption></figure>\n";
    }
  }

  o << "<h2 id=\"crossings\">Border crossings</h2>\n";
  for (const auto& s : stories) o << "<p class=\"story\" id=\"crossing-" << s.id << "\">" << html_escape(s.text) << "</p>\n";
  o << "<p class=\"note\">" << html_escape(crossings_note(r, stories.size())) << "</p>\n";

  for (const auto& t : tables) write_table(o, t);

  o << "<footer>Written by leachflow " << html_escape(version) << " (`leachflow report`) from "
    << html_escape(r.dir) << ". Concentrations in mg/L, fluxes in kg/day, masses in kg, areas in km2.</footer>\n";
  o << "</body>\n</html>\n";
  return o.str();
}

}  // namespace leachflow::app::report
