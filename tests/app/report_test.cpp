// `leachflow report RUN_DIR` as users run it, on a hand-made valley split between two regions (one
// border crossing): report.html is one self-contained file (maps as data: URIs, no http(s)
// resources, text escaped) with the tables and a paragraph per crossing whose numbers are the
// run's summary.json; report.md is its twin; optional sections appear only when their files do;
// a missing run directory is one error line. Headless Chromium (Debian's chromium) renders it.
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "valley_fixture.hpp"
#include "io/crs.hpp"
#include "io/raster.hpp"
#include "model/grid.hpp"

namespace {

namespace fs = std::filesystem;
using leachflow::test::CliRun;
using leachflow::test::run_cli;

// A name that needs escaping in HTML and quoting in CSV.
const std::string upland = "Upland <N> & \"hills\", east";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : std::string(1, c);
  return o;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// The report's plain-language numbers: two significant digits between 0.001 and 100.
std::string two_digits(double v) {
  EXPECT_TRUE(v >= 1e-3 && v < 99.5) << v << " is outside the range this helper mirrors";
  return fmt::format("{:.2g}", v);
}

// Output of a shell command (stderr discarded) and its exit code.
std::pair<int, std::string> shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return {-1, out};
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A valley along column 10 draining south (z = 200 − r + 2·|c − 10| m), a pit on it at row 8 and
// two regions split between rows 19 and 20: the valley crosses once, Upland → Lowland.
class ReportCommand : public ::testing::Test {
 protected:
  static fs::path dir_, run_;
  static CliRun run_result_;

  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / fmt::format("leachflow-report-test-{}-{}", ::getpid(), std::rand());
    fs::create_directories(dir_);
    leachflow::test::write_valley(dir_, 10.0, 2.0);
    leachflow::test::write_two_regions(dir_, R"(Upland <N> & \"hills\", east)");
    std::ofstream(dir_ / "s.toml") << R"(title = "valley <report> test"
[dem]
path = "valley.tif"
[terrain]
stream_threshold_km2 = 0.05
[runoff]
kind = "constant"
constant_mm_yr = 1000
[[species]]
name = "sulfate"
[[species]]
name = "tracer"
guideline_mg_l = 0.5
[pits]
path = "pits.csv"
snap_distance_m = 300
[regions]
path = "regions.geojson"
name_field = "name"
[time]
start = "2025-01-01"
end = "2025-01-21"
step_days = 1
[output]
every_days = 1
netcdf = "run.nc"
map_png = true
)";
    run_ = dir_ / "out";
    run_result_ = run_cli("run '" + (dir_ / "s.toml").string() + "' -q -o '" + run_.string() + "'");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void SetUp() override { ASSERT_EQ(run_result_.code, 0) << run_result_.err << run_result_.out; }

  // A copy of the run directory for a test that adds files to it.
  static fs::path copy_run(const std::string& name) {
    const fs::path to = dir_ / name;
    fs::remove_all(to);
    fs::copy(run_, to, fs::copy_options::recursive);
    return to;
  }
  // A PNG for the map sections: the run's peak map, or (no python3/matplotlib) a 1x1 PNG.
  static std::string some_png() {
    if (fs::exists(run_ / "peak_map.png")) return slurp(run_ / "peak_map.png");
    static const unsigned char png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
        0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
        0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    return std::string(reinterpret_cast<const char*>(png), sizeof png);
  }
  // Makes sure the run directory has at least one map (the peak map when matplotlib worked).
  static void ensure_map(const fs::path& d) {
    if (!fs::exists(d / "peak_map.png")) std::ofstream(d / "exposure_map.png", std::ios::binary) << some_png();
  }
};

fs::path ReportCommand::dir_, ReportCommand::run_;
CliRun ReportCommand::run_result_;

}  // namespace

TEST_F(ReportCommand, WritesSelfContainedHtmlAndMarkdownWithTheCrossingInPlainWords) {
  const fs::path d = copy_run("plain");
  ensure_map(d);
  fs::remove(d / "budgets.csv");  // its section must be skipped gracefully
  const CliRun r = run_cli("report '" + d.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  ASSERT_TRUE(fs::exists(d / "report.html"));
  ASSERT_TRUE(fs::exists(d / "report.md"));
  EXPECT_FALSE(fs::exists(d / "report.html.part"));
  EXPECT_FALSE(fs::exists(d / "report.md.part"));
  const std::string html = slurp(d / "report.html");
  const std::string md = slurp(d / "report.md");

  // Self-contained: no http(s) anywhere, no scripts, the map embedded.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);  // PNG magic in base64
  // Tables: crossings, peaks, ledger, and exposure and attribution (the run writes both); no budgets.
  EXPECT_EQ(count(html, "<table>"), 3u + fs::exists(d / "exposure.csv") + fs::exists(d / "attribution.csv"));
  EXPECT_NE(html.find("id=\"crossing-table\""), std::string::npos);
  EXPECT_NE(html.find("id=\"ledger\""), std::string::npos);
  EXPECT_NE(html.find("id=\"exposure\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"budgets\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"attribution\"") != std::string::npos, fs::exists(d / "attribution.csv"));
  // Escaped: the title and the region's name never appear raw.
  EXPECT_NE(html.find("<title>valley &lt;report&gt; test"), std::string::npos);
  EXPECT_EQ(html.find("<report>"), std::string::npos);
  EXPECT_EQ(html.find(upland), std::string::npos);

  // The paragraph: its numbers are summary.json's.
  const nlohmann::json j = nlohmann::json::parse(slurp(d / "summary.json"));
  ASSERT_EQ(j["crossings"].size(), 2u);
  const auto& c0 = j["crossings"][0];
  EXPECT_EQ(c0["from_region"], upland);
  const std::string where =
      fmt::format("crosses from {} into Lowland at {:.2f} N, {:.2f} E.", upland, c0["lat"].get<double>(), c0["lon"].get<double>());
  const std::size_t story = html.find("<p class=\"story\"");
  ASSERT_NE(story, std::string::npos);
  const std::string paragraph = html.substr(story, html.find("</p>", story) - story);
  EXPECT_NE(paragraph.find(html_escape(where)), std::string::npos) << where << "\n" << paragraph;
  for (const auto& c : j["crossings"]) {
    const std::string sp = c["species"];
    std::string s = fmt::format("on average {} kg/day of {} (peak {} kg/day on {}); ", two_digits(c["mean_flux_kg_day"]), sp,
                                two_digits(c["peak_flux_kg_day"]), c["peak_date"].get<std::string>());
    const double conc = c["peak_concentration"];
    double guideline = 0;
    for (const auto& e : j["species"])
      if (e["name"] == sp) guideline = e["guideline"];
    if (sp == "tracer") {
      EXPECT_EQ(guideline, 0.5);
    }
    if (guideline > 0)
      s += fmt::format("the peak concentration there, {} mg/L, is {} the guideline of {} mg/L", two_digits(conc),
                       conc > guideline ? "above" : "below", guideline);
    else
      s += fmt::format("the peak concentration there was {} mg/L (no guideline is set for it)", two_digits(conc));
    EXPECT_NE(paragraph.find(s), std::string::npos) << s << "\n" << paragraph;
    EXPECT_NE(md.find(s), std::string::npos) << s;
  }
  // The sulfate steady flux is the pit's 10 kg/day, so the paragraph says "peak 10 kg/day".
  EXPECT_NE(html.find("of sulfate (peak 10 kg/day"), std::string::npos);

  // Markdown twin: maps by relative path, the same tables as pipe tables.
  EXPECT_TRUE(md.find("](peak_map.png)") != std::string::npos || md.find("](exposure_map.png)") != std::string::npos) << md;
  EXPECT_EQ(md.find("data:image"), std::string::npos);
  EXPECT_NE(md.find("## Mass ledger"), std::string::npos);
  EXPECT_NE(md.find("## Border crossings: flux per species"), std::string::npos);
  EXPECT_NE(md.find("| ---: |"), std::string::npos);
  EXPECT_NE(md.find("Upland \\<N> & \"hills\", east"), std::string::npos) << md;  // '<' escaped, no raw HTML
}

TEST_F(ReportCommand, BudgetAttributionAndExposureMapsAppearWhenTheirFilesDo) {
  const fs::path d = copy_run("optional");
  std::ofstream(d / "budgets.csv") << "kind,name,species,load_in_kg,load_out_kg,reacted_kg\n"
                                      "basin,valley,sulfate,200,195,0\n"
                                      "region,\"Low <land>\",tracer,40,39.5,0.5\n";
  std::ofstream(d / "attribution.csv") << "crossing_id,from_region,to_region,species,source,load_kg_day,flux_kg_day,"
                                          "transmission,share\n"
                                          "0,Upland,Lowland,sulfate,p1,10,7.5,0.75,0.75\n"
                                          "0,Upland,Lowland,sulfate,p2,5,2.5,0.5,0.25\n";
  std::ofstream(d / "exposure_map.png", std::ios::binary) << some_png();
  const CliRun r = run_cli("report '" + d.string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = slurp(d / "report.html");
  const std::string md = slurp(d / "report.md");
  EXPECT_EQ(count(html, "<table>"), 6u);
  EXPECT_NE(html.find("id=\"budgets\""), std::string::npos);
  EXPECT_NE(html.find("id=\"attribution\""), std::string::npos);
  EXPECT_NE(html.find("Low &lt;land&gt;"), std::string::npos);
  EXPECT_NE(html.find("Of this sulfate, 75 % comes from p1 and 25 % from p2."), std::string::npos);
  EXPECT_GE(count(html, "src=\"data:image/png;base64,"), 1u + fs::exists(d / "peak_map.png"));
  EXPECT_NE(md.find("![Exposure: where concentrations exceed the guidelines](exposure_map.png)"), std::string::npos);
  EXPECT_NE(md.find("## Budgets"), std::string::npos);
  EXPECT_NE(md.find("## Attribution"), std::string::npos);
  EXPECT_NE(md.find("| 0 | Upland | Lowland | sulfate | p1 | 10 | 7.5 | 0.75 | 75 |"), std::string::npos) << md;
}

TEST_F(ReportCommand, MissingRunDirectoryOrSummaryIsOneErrorLine) {
  const fs::path missing = dir_ / "no-such-run";
  CliRun r = run_cli("report '" + missing.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(leachflow::test::count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no such directory"), std::string::npos) << r.err;

  const fs::path empty = dir_ / "empty-run";
  fs::create_directories(empty);
  r = run_cli("report '" + empty.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(leachflow::test::count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("summary.json"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(empty / "report.html"));

  std::ofstream(empty / "summary.json") << "{\"title\": ";
  r = run_cli("report '" + empty.string() + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(leachflow::test::count_lines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;
}

// Headless Chromium renders the page: the DOM has the embedded map and the tables, and a
// screenshot is a non-empty PNG.
TEST_F(ReportCommand, RendersInHeadlessChromium) {
  const std::string chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium))
    GTEST_SKIP() << chromium << " not found: install Debian's chromium package (scripts/packages.txt) for this test";
  const fs::path d = copy_run("chromium");
  ensure_map(d);
  ASSERT_EQ(run_cli("report '" + d.string() + "'").code, 0);
  const fs::path profile = d / "chromium-profile";
  const std::string url = "file://" + fs::absolute(d / "report.html").string();
  const std::string base = "HOME='" + d.string() + "' timeout 180 " + chromium +
                           " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='" + profile.string() + "'";

  const auto [code, dom] = shell(base + " --dump-dom '" + url + "'");
  ASSERT_EQ(code, 0) << "chromium --dump-dom failed";
  EXPECT_NE(dom.find("<img src=\"data:image/png;base64,"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_EQ(count(dom, "<table>"), 3u + fs::exists(d / "exposure.csv") + fs::exists(d / "attribution.csv") +
                                        fs::exists(d / "budgets.csv"));
  EXPECT_NE(dom.find("crosses from"), std::string::npos);

  const fs::path shot = d / "shot.png";
  const auto [scode, sout] = shell(base + " --window-size=1200,1600 --screenshot='" + shot.string() + "' '" + url + "'");
  ASSERT_EQ(scode, 0) << sout;
  ASSERT_TRUE(fs::exists(shot));
  const std::string png = slurp(shot);
  EXPECT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}
