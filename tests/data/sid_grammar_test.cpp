// The SID grammar comes from index.json: the mini fixture rewritten to 2 levels with a 1000+-code second level
// (<a_X><b_Y><c_Z> -> <a_X><b_{1000 + 10Y + Z}>) and to 4 levels (a <d_0> appended) is loaded, checked and
// turned into tasks with the index's levels and codebook, never 3 x 256.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "data/catalog.h"
#include "data/interactions.h"
#include "data/validate.h"
#include "tasks/builders.h"
#include "util/error.h"

namespace sidr::data {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Copies tests/fixtures/data/mini to `to`, rewriting every SID (index lists and concatenated strings).
DatasetPaths rewritten_mini(const fs::path& to, int levels) {
  const fs::path from = fs::path(SIDR_TEST_DIR) / "fixtures/data/mini";
  fs::remove_all(to);
  const std::regex listed(R"re("<a_(\d+)>", "<b_(\d+)>", "<c_(\d+)>")re");
  const std::regex joined(R"(<a_(\d+)><b_(\d+)><c_(\d+)>)");
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    const fs::path target = to / fs::relative(entry.path(), from);
    if (entry.is_directory()) {
      fs::create_directories(target);
      continue;
    }
    std::string text = slurp(entry.path());
    auto rewrite = [&](const std::regex& re, bool as_list) {
      std::string out;
      auto begin = std::sregex_iterator(text.begin(), text.end(), re);
      std::size_t last = 0;
      for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        out += text.substr(last, static_cast<std::size_t>(m.position()) - last);
        const std::string a = "<a_" + m[1].str() + ">";
        std::vector<std::string> tokens;
        if (levels == 2) {
          tokens = {a, "<b_" + std::to_string(1000 + 10 * std::stoi(m[2]) + std::stoi(m[3])) + ">"};
        } else {
          tokens = {a, "<b_" + m[2].str() + ">", "<c_" + m[3].str() + ">", "<d_0>"};
        }
        for (std::size_t i = 0; i < tokens.size(); ++i)
          out += as_list ? (i ? ", " : "") + ("\"" + tokens[i] + "\"") : tokens[i];
        last = static_cast<std::size_t>(m.position() + m.length());
      }
      text = out + text.substr(last);
    };
    rewrite(listed, true);
    rewrite(joined, false);
    std::ofstream(target, std::ios::binary) << text;
  }
  return DatasetPaths{to, "Mini"};
}

TEST(SidGrammar, TwoLevelsWithALargeCodebookFollowTheIndex) {
  const auto paths = rewritten_mini(fs::temp_directory_path() / ("sidr_grammar2_" + std::to_string(::getpid())), 2);
  const Catalog catalog = Catalog::load(paths);
  EXPECT_EQ(catalog.grammar().levels, 2);
  // mini's largest code is <b_0><c_255> -> 1255: the codebook is the largest code + 1.
  EXPECT_EQ(catalog.grammar().codebook_size, 1256);
  EXPECT_EQ(catalog.find("0")->sid, "<a_1><b_1023>");
  // Plain byte order (the reference's): '0' < '>', so <a_10> before <a_1>.
  EXPECT_EQ(catalog.sorted_level_tokens(),
            (std::vector<std::string>{"<a_10>", "<a_1>", "<a_2>", "<b_1023>", "<b_1024>", "<b_1099>", "<b_1255>"}));

  const CheckReport report = check_dataset(paths);
  EXPECT_EQ(report.stats.tokens_per_level, (std::vector<std::size_t>{3, 4}));
  EXPECT_EQ(report.stats.codebook_size, 1256);
  EXPECT_NE(format_report(report).find("3/4 (a/b; 7 in total; codebook 1256)"), std::string::npos);

  const auto train = Interactions::load(paths.interactions(Split::Train));
  tasks::TaskContext ctx;
  ctx.catalog = &catalog;
  ctx.category = category_phrase(paths.name);
  const auto t1 = tasks::build_t1(train, ctx);
  ASSERT_FALSE(t1.empty());
  EXPECT_NE(t1[0].text().find("<a_1><b_1024>"), std::string::npos) << t1[0].text();
  fs::remove_all(paths.root);
}

TEST(SidGrammar, FourLevelsFollowTheIndexAndMixedLengthsAreRefused) {
  const auto paths = rewritten_mini(fs::temp_directory_path() / ("sidr_grammar4_" + std::to_string(::getpid())), 4);
  const Catalog catalog = Catalog::load(paths);
  EXPECT_EQ(catalog.grammar().levels, 4);
  EXPECT_EQ(catalog.grammar().codebook_size, 256);
  EXPECT_EQ(catalog.find("2")->sid, "<a_10><b_0><c_255><d_0>");
  EXPECT_EQ(catalog.sorted_level_tokens().back(), "<d_0>");
  EXPECT_EQ(check_dataset(paths).stats.tokens_per_level, (std::vector<std::size_t>{3, 3, 4, 1}));
  // One item with 3 tokens among 4-token items: a one-line error naming the file and the item.
  const fs::path index = paths.root / "index/Mini.index.json";
  std::string text = slurp(index);
  text.replace(text.rfind(", \"<d_0>\"]"), 10, "]");  // the last item: the first fixed 4 levels
  std::ofstream(index) << text;
  try {
    Catalog::load(paths);
    FAIL() << "a 3-token SID in a 4-level index was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected a list of 4 SID tokens, found a list of 3"), std::string::npos)
        << e.what();
  }
  fs::remove_all(paths.root);
}

}  // namespace
}  // namespace sidr::data
