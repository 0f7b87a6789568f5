// `leachflow report RUN_DIR`: reads what a run wrote (summary.json, crossings.csv, and when
// present budgets.csv, attribution.csv, exposure.csv, PNG maps) and writes RUN_DIR/report.html
// (self-contained, opens offline) and RUN_DIR/report.md (maps by relative path).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/report_model.hpp"
#include "app/report_render.hpp"

namespace leachflow::app {

namespace {

struct ReportRequest {
  std::string dir;
};

// Writes text to path via path.part and a rename.
void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::string tmp = path.string() + ".part";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

int run_report(const ReportRequest& q) {
  const report::Report r = report::read_report(q.dir);
  const std::filesystem::path html = std::filesystem::path(q.dir) / "report.html";
  const std::filesystem::path md = std::filesystem::path(q.dir) / "report.md";
  write_file(html, report::render_html(r));
  write_file(md, report::render_markdown(r));
  fmt::print("{}\n{}\n", html.string(), md.string());
  return 0;
}

}  // namespace

void register_report_command(CLI::App& app, Action& action) {
  auto q = std::make_shared<ReportRequest>();
  CLI::App* c = app.add_subcommand(
      "report", "Write RUN_DIR/report.html (one self-contained page: maps embedded, opens offline) and its Markdown "
                "twin report.md from a run's outputs: maps, crossing, ledger, peak, exposure, budget and attribution "
                "tables, and a plain-language paragraph per border crossing");
  c->add_option("RUN_DIR", q->dir, "output folder of `leachflow run`")->required();
  c->callback([q, &action] { action = [q] { return run_report(*q); }; });
}

}  // namespace leachflow::app
