// Samples CSV: columns in any order, units, censored forms, one error line per bad field.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/errors.hpp"
#include "io/samples.hpp"
#include "io/scenario.hpp"
#include "model/iso_time.hpp"

namespace io = leachflow::io;

namespace {

// Lines of the ScenarioError thrown for text (empty when it parses).
std::vector<std::string> error_lines(const std::string& text) {
  try {
    io::parse_samples_text(text, "s.csv");
  } catch (const io::ScenarioError& e) {
    return e.lines();
  }
  return {};
}

}  // namespace

TEST(Samples, EveryColumnOrderAndExtraColumnsGiveTheSameSamples) {
  const std::vector<std::string> cols = {"station_id", "lon", "lat", "time", "species", "value", "unit"};
  const std::vector<std::string> vals = {"S1", "97.5", "21.25", "2025-01-02", "Sulfate", "250", "ug/L"};
  std::vector<int> perm = {0, 1, 2, 3, 4, 5, 6};
  int tried = 0;
  do {
    if (tried++ % 97 != 0) continue;  // 52 of the 5040 orders, the first and last included
    std::string h = "note", r = "\"x, y\"";
    for (int k : perm) h += "," + (k % 2 ? cols[static_cast<std::size_t>(k)] : std::string("  ") + cols[static_cast<std::size_t>(k)]),
                       r += "," + vals[static_cast<std::size_t>(k)];
    std::transform(h.begin(), h.begin() + 8, h.begin(), ::toupper);
    const auto t = io::parse_samples_text(h + ",extra\n" + r + ",zzz\n", "s.csv");
    ASSERT_EQ(t.samples.size(), 1u) << h;
    const auto& s = t.samples[0];
    EXPECT_EQ(s.station_id, "S1");
    EXPECT_EQ(s.lon, 97.5);
    EXPECT_EQ(s.lat, 21.25);
    EXPECT_EQ(s.day, leachflow::model::days_from_civil(2025, 1, 2));
    EXPECT_EQ(s.species, "Sulfate");
    EXPECT_NEAR(s.value_mg_l, 0.25, 1e-15);
    EXPECT_EQ(s.unit_in, "ug/L");
    EXPECT_EQ(s.line, 2);
    EXPECT_FALSE(s.censored);
  } while (std::next_permutation(perm.begin(), perm.end()));
  EXPECT_EQ(tried, 5040);
}

TEST(Samples, UnitConversions) {
  const std::vector<std::pair<std::string, double>> cases = {
      {"mg/L", 1}, {"mg/l", 1}, {"MG/L", 1}, {"mgL-1", 1}, {"mg L-1", 1}, {"ug/L", 1e-3}, {"\xC2\xB5g/L", 1e-3},
      {"\xCE\xBCg/l", 1e-3}, {"ng/L", 1e-6}, {"g/L", 1e3}, {"mg/m3", 1e-3}, {"ug/m3", 1e-6}, {"ppm", 1}, {"ppb", 1e-3}};
  for (const auto& [u, f] : cases) {
    ASSERT_TRUE(io::unit_to_mg_l(u).has_value()) << u;
    EXPECT_DOUBLE_EQ(*io::unit_to_mg_l(u), f) << u;
  }
  EXPECT_FALSE(io::unit_to_mg_l("mol/L").has_value());
  EXPECT_FALSE(io::unit_to_mg_l("").has_value());
  const auto t = io::parse_samples_text("station_id,lon,lat,time,species,value,unit\n"
                                        "a,1,2,2025-01-01T12:00Z,so4,40,ng/L\n"
                                        "a,1,2,2025-01-01T06:30:15,so4,3,g/L\n", "s.csv");
  ASSERT_EQ(t.samples.size(), 2u);
  EXPECT_NEAR(t.samples[0].value_mg_l, 4e-5, 1e-18);
  EXPECT_NEAR(t.samples[0].day, leachflow::model::days_from_civil(2025, 1, 1) + 0.5, 1e-12);
  EXPECT_NEAR(t.samples[1].value_mg_l, 3000, 1e-9);
  EXPECT_NEAR(t.samples[1].day, leachflow::model::days_from_civil(2025, 1, 1) + (6 * 3600 + 30 * 60 + 15) / 86400.0, 1e-9);
}

TEST(Samples, CensoredForms) {
  const auto t = io::parse_samples_text("station_id,lon,lat,time,species,value,unit,censored,detection_limit\n"
                                        "a,1,2,2025-01-01,so4,<0.5,mg/L,,\n"          // < form
                                        "a,1,2,2025-01-01,so4,500,ug/L,yes,500\n"     // flag, DL in ug/L
                                        "a,1,2,2025-01-01,so4,0.2,mg/L,TRUE,\n"        // flag, value is the DL
                                        "a,1,2,2025-01-01,so4,0.2,mg/L,0,0.1\n"        // not censored, DL kept
                                        "a,1,2,2025-01-01,so4,0.2,mg/L,no,\n",
                                        "s.csv");
  ASSERT_EQ(t.samples.size(), 5u);
  EXPECT_TRUE(t.samples[0].censored);
  EXPECT_DOUBLE_EQ(t.samples[0].detection_limit_mg_l, 0.5);
  EXPECT_DOUBLE_EQ(t.samples[0].value_mg_l, 0.5);
  EXPECT_TRUE(t.samples[1].censored);
  EXPECT_NEAR(t.samples[1].detection_limit_mg_l, 0.5, 1e-15);
  EXPECT_TRUE(t.samples[2].censored);
  EXPECT_DOUBLE_EQ(t.samples[2].detection_limit_mg_l, 0.2);
  EXPECT_FALSE(t.samples[3].censored);
  EXPECT_DOUBLE_EQ(t.samples[3].detection_limit_mg_l, 0.1);
  EXPECT_FALSE(t.samples[4].censored);
}

TEST(Samples, EveryBadFieldHasItsOwnLine) {
  const std::string text =
      "station_id,lon,lat,time,species,value,unit,censored,detection_limit,upstream_area_km2\n"
      "a,1,2,2025-01-01,so4,1,mg/L,,,\n"          // line 2: good
      "a,east,2,2025-01-01,so4,1,mg/L,,,\n"       // 3: lon
      "a,1,95,2025-01-01,so4,1,mg/L,,,\n"         // 4: lat
      "a,1,2,2025-02-30,so4,1,mg/L,,,\n"          // 5: time
      "a,1,2,2025-01-01,so4,-1,mg/L,,,\n"         // 6: value
      "a,1,2,2025-01-01,so4,1,furlongs,,,\n"      // 7: unit
      "a,1,2,2025-01-01,so4,1,mg/L,maybe,,\n"     // 8: censored
      "a,1,2,2025-01-01,so4,1,mg/L,,-3,\n"        // 9: detection_limit
      "a,1,2,2025-01-01,so4,1,mg/L,,,0\n"         // 10: upstream_area_km2
      ",1,2,2025-01-01,so4,1,mg/L,,,\n"           // 11: station_id
      "a,1,2,2025-01-01,so4,1,mg/L\n"             // 12: field count
      "a,1,2,2025-01-01,,1,mg/L,,,\n"             // 13: species
      "a,1,2,2025-01-01,so4,<1,mg/L,,2,\n";       // 14: < and DL disagree
  const auto lines = error_lines(text);
  const std::vector<std::string> where = {
      "s.csv (line 3, column lon)", "s.csv (line 4, column lat)", "s.csv (line 5, column time)",
      "s.csv (line 6, column value)", "s.csv (line 7, column unit)", "s.csv (line 8, column censored)",
      "s.csv (line 9, column detection_limit)", "s.csv (line 10, column upstream_area_km2)",
      "s.csv (line 11, column station_id)", "s.csv (line 12)", "s.csv (line 13, column species)",
      "s.csv (line 14, column detection_limit)"};
  ASSERT_EQ(lines.size(), where.size()) << ::testing::PrintToString(lines);
  for (std::size_t k = 0; k < where.size(); ++k) {
    EXPECT_EQ(lines[k].rfind(where[k] + ": ", 0), 0u) << lines[k];
    EXPECT_NE(lines[k].find("; fix: "), std::string::npos) << lines[k];
  }
}

TEST(Samples, MissingColumnsEmptyAndMissingFile) {
  const auto lines = error_lines("station_id,lon,lat,when,species,value\nx\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("s.csv (line 1, column time, unit)"), std::string::npos) << lines[0];
  EXPECT_EQ(error_lines("\n\n").size(), 1u);
  const std::string missing = (std::filesystem::temp_directory_path() / "no-such-samples-file.csv").string();
  try {
    io::read_samples(missing);
    FAIL() << "no error";
  } catch (const io::InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(missing + ": cannot open", 0), 0u) << e.what();
  }
}
