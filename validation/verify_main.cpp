// leachflow_verify: the analytical part of the verification suite (validation/README.md).
// Runs every case family of validation/cases/ through the public model API, prints one line per
// case and writes one JSON document (--out) with error norms, checks, limits and PASS/FAIL.
// Exit 0 when every case passes, 1 when any fails, 2 on bad usage or an unwritable --out.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kernels/exec/runtime.hpp"
#include "leachflow/version.hpp"
#include "validation/cases/case_result.hpp"

namespace lv = leachflow::validation;
using nlohmann::json;

namespace {

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json to_json(const lv::CaseResult& c, double seconds) {
  json j;
  j["family"] = c.family;
  j["case"] = c.name;
  j["quantity"] = c.quantity;
  j["reference"] = c.reference;
  j["norms"] = {{"l1", number(c.norms.l1)}, {"l2", number(c.norms.l2)}, {"linf", number(c.norms.linf)}, {"count", c.norms.count}};
  j["order"] = number(c.order);
  json figures = json::object();
  for (const auto& [k, v] : c.figures) figures[k] = number(v);
  j["figures"] = figures;
  json checks = json::array();
  for (const auto& k : c.checks)
    checks.push_back({{"what", k.what}, {"value", number(k.value)}, {"op", k.at_most ? "<=" : ">="}, {"limit", k.limit}, {"pass", k.pass()}});
  j["checks"] = checks;
  j["status"] = c.pass() ? "PASS" : "FAIL";
  j["note"] = c.note;
  j["family_seconds"] = seconds;
  return j;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  leachflow::exec::runtime rt(argc, argv);
  CLI::App app{"leachflow_verify: analytical verification cases with error norms and pass/fail"};
  std::string out_path, only;
  app.add_option("--out", out_path, "write the JSON report here (via PATH.part)");
  app.add_option("--only", only, "run only the families whose name contains this text");
  CLI11_PARSE(app, argc, argv);
  if (!out_path.empty()) {  // fail before the cases run, not after
    const auto dir = std::filesystem::absolute(out_path).parent_path();
    if (!std::filesystem::is_directory(dir)) {
      std::fprintf(stderr, "leachflow_verify: error: --out %s: directory %s does not exist (create it or choose another path)\n",
                   out_path.c_str(), dir.c_str());
      return 2;
    }
  }

  const std::vector<std::pair<std::string, std::function<std::vector<lv::CaseResult>()>>> families = {
      {"ogata_banks", lv::ogata_banks_cases},       {"gaussian_pulse", lv::gaussian_pulse_cases},
      {"steady_channel", lv::steady_channel_cases}, {"confluence", lv::confluence_cases},
      {"contributing_area", lv::contributing_area_cases}};

  json doc;
  doc["tool"] = "leachflow_verify";
  doc["version"] = leachflow::version;
  doc["backend"] = leachflow::exec::backend_name();
  doc["threads"] = leachflow::exec::thread_count();
  doc["started_utc"] = utc_now();
  doc["cases"] = json::array();
  int pass = 0, fail = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [family, run] : families) {
    if (!only.empty() && family.find(only) == std::string::npos) continue;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<lv::CaseResult> results;
    try {
      results = run();
    } catch (const std::exception& e) {  // a case that cannot run is a failure, reported as such
      lv::CaseResult c;
      c.family = family;
      c.name = family + ".error";
      c.note = std::string("exception: ") + e.what();
      results.push_back(c);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& c : results) {
      (c.pass() ? pass : fail)++;
      std::printf("%-4s %-48s L1 %9.3e  L2 %9.3e  Linf %9.3e%s\n", c.pass() ? "PASS" : "FAIL", c.name.c_str(), c.norms.l1,
                  c.norms.l2, c.norms.linf, std::isfinite(c.order) ? (" order " + std::to_string(c.order).substr(0, 4)).c_str() : "");
      for (const auto& k : c.checks)
        if (!k.pass()) std::printf("       failed: %s = %.3e, limit %s %.3e\n", k.what.c_str(), k.value, k.at_most ? "<=" : ">=", k.limit);
      doc["cases"].push_back(to_json(c, seconds));
    }
  }
  doc["elapsed_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  doc["summary"] = {{"cases", pass + fail}, {"pass", pass}, {"fail", fail}};
  std::printf("leachflow_verify: %d cases, %d pass, %d fail (%.1f s, %s)\n", pass + fail, pass, fail,
              doc["elapsed_s"].get<double>(), leachflow::exec::backend_name().c_str());

  if (!out_path.empty()) {
    const std::string part = out_path + ".part";
    {
      std::ofstream f(part);
      f << doc.dump(2) << '\n';
      if (!f) {
        std::fprintf(stderr, "leachflow_verify: error: cannot write %s (check that the directory exists and is writable)\n", part.c_str());
        return 2;
      }
    }
    std::error_code ec;
    std::filesystem::rename(part, out_path, ec);
    if (ec) {
      std::fprintf(stderr, "leachflow_verify: error: cannot rename %s to %s: %s\n", part.c_str(), out_path.c_str(), ec.message().c_str());
      return 2;
    }
  }
  return fail == 0 && pass > 0 ? 0 : 1;
}
