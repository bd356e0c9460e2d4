// The corpus writers against their readers: CSV quoting as Python's csv.writer (pandas) does, repr() of the
// list columns byte for byte against every list cell of the shipped CSVs (written by Python), and round trips
// through NarrativeFile::load, Interactions::load and build_t6.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "data/csv.h"
#include "data/csv_writer.h"
#include "data/interactions.h"
#include "data/list_literal.h"
#include "data/python_repr.h"
#include "tasks/corpus.h"
#include "tasks/corpus_write.h"
#include "util/file_io.h"

namespace sidr {
namespace {

const std::filesystem::path kShipped = std::filesystem::path(SIDR_SOURCE_DIR) / "data/Amazon";

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("sidr_synth_writers_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

TEST(CsvWriter, QuotesOnlyWhatPythonQuotes) {
  // Expected bytes from Python 3.11: csv.writer(f, lineterminator='\n').writerow([...]).
  EXPECT_EQ(data::csv_record({"a", "b c", " d", "", "x\"y", "p,q", "l\nm", "tab\tt"}),
            "a,b c, d,,\"x\"\"y\",\"p,q\",\"l\nm\",tab\tt\n");
  EXPECT_EQ(data::csv_record({""}), "\"\"\n");
  EXPECT_EQ(data::csv_field("\"\""), "\"\"\"\"\"\"");
  EXPECT_EQ(data::csv_field("cr\ronly"), "\"cr\ronly\"");  // the one departure (Python leaves it bare)
}

TEST(PythonRepr, MatchesPythonOnEscapes) {
  // Expected strings are Python 3.11's repr() of the same values.
  EXPECT_EQ(data::python_repr(std::string_view("plain")), "'plain'");
  EXPECT_EQ(data::python_repr(std::string_view("it's")), "\"it's\"");
  EXPECT_EQ(data::python_repr(std::string_view("it's \"x\"")), "'it\\'s \"x\"'");
  EXPECT_EQ(data::python_repr(std::string_view("5\" x 5\"")), "'5\" x 5\"'");
  EXPECT_EQ(data::python_repr(std::string_view("a\\b\n\t\r\x01\x7f")), "'a\\\\b\\n\\t\\r\\x01\\x7f'");
  EXPECT_EQ(data::python_repr(std::string_view("nb\xc2\xa0sp")), "'nb\\xa0sp'");             // U+00A0
  EXPECT_EQ(data::python_repr(std::string_view("zw\xe2\x80\x8bsp")), "'zw\\u200bsp'");       // U+200B (Cf)
  EXPECT_EQ(data::python_repr(std::string_view("T\xc3\xbcrlen \xc2\xb0 \xe2\x80\x93")), "'T\xc3\xbcrlen \xc2\xb0 \xe2\x80\x93'");
  EXPECT_EQ(data::python_repr(std::string_view("\xf0\x9f\x98\x80")), "'\xf0\x9f\x98\x80'");  // emoji: printable
  EXPECT_EQ(data::python_repr(std::vector<std::string>{}), "[]");
  EXPECT_EQ(data::python_repr(std::vector<std::string>{"a", "b'c"}), "['a', \"b'c\"]");
  EXPECT_EQ(data::python_repr(std::vector<std::int64_t>{3, -1, 0}), "[3, -1, 0]");
}

// Every list cell of the shipped CSVs is Python's repr() of its value (checked once with Python): parsing and
// writing it back must give the same bytes.
TEST(PythonRepr, ReproducesEveryShippedListCell) {
  std::size_t cells = 0;
  for (const char* split : {"train", "valid", "test"}) {
    const auto path = kShipped / split / "Industrial_and_Scientific_5_2016-10-2018-11.csv";
    const std::string text = read_file(path);
    const auto records = data::read_csv(text, path.string());
    ASSERT_GT(records.size(), 1u);
    for (std::size_t r = 1; r < records.size(); ++r) {
      const auto& f = records[r].fields;
      const Location where{path.string(), records[r].line, 0, ""};
      ASSERT_EQ(data::python_repr(data::parse_string_list(f[1], where)), f[1]) << path << ":" << records[r].line;
      ASSERT_EQ(data::python_repr(data::parse_int_list(f[3], where)), f[3]) << path << ":" << records[r].line;
      ASSERT_EQ(data::python_repr(data::parse_string_list(f[5], where)), f[5]) << path << ":" << records[r].line;
      cells += 3;
    }
  }
  EXPECT_EQ(cells, 135972u);
}

data::Interaction nasty_row() {
  data::Interaction r;
  r.user_id = "A,1";
  r.history_titles = {"Tape, 3\" x 60 yd", "it's \"quoted\"", "line\nbreak", "back\\slash \xc2\xa0 T\xc3\xbcrlen"};
  r.item_title = "Ink \"HP\", black\nXL";
  r.history_ids = {4, 0, 17, 3};
  r.item_id = 12;
  r.history_sids = {"<a_1><b_2><c_3>", "<a_4><b_5><c_6>", "<a_1><b_2><c_3>", "<a_7><b_8><c_9>"};
  r.item_sid = "<a_10><b_11><c_12>";
  return r;
}

TEST(NarrativeWriter, RoundTripsThroughBothReaders) {
  std::vector<tasks::NarrativeOutRow> rows;
  rows.push_back({nasty_row(), "I keep buying \"tape\", glue, and more;\nthen <a_1><b_2><c_3>.",
                  "I bought <a_1><b_2><c_3>, then ... \"x\"\r\nWhat I chose next was <a_10><b_11><c_12>"});
  data::Interaction plain = nasty_row();
  plain.user_id = "A2";
  plain.history_titles = {"One"};
  plain.history_ids = {1};
  plain.history_sids = {"<a_4><b_5><c_6>"};
  rows.push_back({plain, "Nothing in my earlier purchases points to what I need next.", "plain, with a comma"});
  const auto path = scratch("Mini.integrated_narrative.csv");
  tasks::write_narrative_csv(path, rows);

  const auto narrative = tasks::NarrativeFile::load(path);
  ASSERT_EQ(narrative.rows.size(), rows.size());
  const auto interactions = data::Interactions::load(path);  // extra columns are fine for this reader
  ASSERT_EQ(interactions.rows.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& want = rows[i];
    const auto& got = narrative.rows[i];
    ASSERT_TRUE(got.reasoning_path && got.integrated_narrative && got.item_sid && got.history_sids);
    EXPECT_EQ(*got.reasoning_path, want.reasoning_path);
    EXPECT_EQ(*got.integrated_narrative, want.integrated_narrative);
    EXPECT_EQ(*got.item_sid, want.row.item_sid);
    EXPECT_EQ(*got.history_sids, want.row.history_sids);
    const auto& x = interactions.rows[i];
    EXPECT_EQ(x.user_id, want.row.user_id);
    EXPECT_EQ(x.history_titles, want.row.history_titles);
    EXPECT_EQ(x.item_title, want.row.item_title);
    EXPECT_EQ(x.history_ids, want.row.history_ids);
    EXPECT_EQ(x.item_id, want.row.item_id);
    EXPECT_EQ(x.history_sids, want.row.history_sids);
    EXPECT_EQ(x.item_sid, want.row.item_sid);
  }
  // The header is the train CSV's, then the two corpus columns.
  EXPECT_EQ(read_file(path).substr(0, read_file(path).find('\n')),
            "user_id,history_item_title,item_title,history_item_id,item_id,history_item_sid,item_sid,"
            "reasoning_path,integrated_narrative");
}

TEST(ItemEnhancedWriter, RoundTripsThroughT6) {
  OrderedJson doc = OrderedJson::object();
  doc["7"] = {{"title", "T"}, {"index", "<a_1><b_2><c_3>"}, {"llm_stage2", "<a_1><b_2><c_3> is \"tape\",\nsticky."}};
  doc["2"] = {{"title", "U"}, {"llm_stage2", "<a_4><b_5><c_6> \xc3\xbc \\ done."}};
  const auto path = scratch("Mini.item_enhanced_v2.json");
  tasks::write_item_enhanced_json(path, doc);
  tasks::CorpusStats stats;
  const auto samples = tasks::build_t6(path, &stats);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].supervised, doc["7"]["llm_stage2"].get<std::string>());
  EXPECT_EQ(samples[1].supervised, doc["2"]["llm_stage2"].get<std::string>());
  EXPECT_EQ(stats.used, 2u);
}

}  // namespace
}  // namespace sidr
