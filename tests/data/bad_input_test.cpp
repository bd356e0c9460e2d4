// Every kind of malformed input gives one InputError naming the file, the line (and column/field where it
// applies) and what is wrong. Each case breaks one file of a scratch copy of tests/fixtures/data/mini.
#include <gtest/gtest.h>

#include <regex>

#include "data/validate.h"
#include "data_test_util.h"
#include "util/error.h"

using namespace sidr;
using namespace sidr::data;
using namespace sidr::data::testing;

namespace {

std::string check_error(const ScratchDataset& scratch) {
  try {
    check_dataset(scratch.paths());
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << "not one line: " << what;
    return what;
  }
  return "no error";
}

// `expected` is a regex for what follows "<scratch root>/<relative>".
void expect_error(const ScratchDataset& scratch, const std::string& relative, const std::string& expected) {
  std::string what = check_error(scratch);
  std::string prefix = scratch.file(relative).string();
  ASSERT_EQ(what.rfind(prefix, 0), 0u) << what;
  EXPECT_TRUE(std::regex_match(what.substr(prefix.size()), std::regex(expected))) << what;
}

const std::string kGoodRow =
    "A9,['Plain item'],Plain item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n";

}  // namespace

TEST(BadInput, TheMiniFixtureIsValid) {
  ScratchDataset scratch("valid");
  scratch.append(kTrain, kGoodRow);
  EXPECT_EQ(check_error(scratch), "no error");
}

TEST(BadInput, UnbalancedQuote) {
  ScratchDataset scratch("quote");
  scratch.append(kTrain, "A9,\"['Plain item'],Plain item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:4: unbalanced quote: the quoted field opened here is never closed");
}

TEST(BadInput, QuoteInsideUnquotedField) {
  ScratchDataset scratch("stray_quote");
  scratch.append(kTrain, "A\"9,['Plain item'],Plain item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:2: quote inside an unquoted field .*");
}

TEST(BadInput, WrongColumnCount) {
  ScratchDataset scratch("columns");
  scratch.append(kValid, "A9,['Plain item'],Plain item,[3],3,['<a_1><b_2><c_4>']\n");
  expect_error(scratch, kValid, ":4: wrong column count: expected 7 fields, found 6");
}

TEST(BadInput, MissingColumn) {
  ScratchDataset scratch("header");
  scratch.replace(kTest, "history_item_sid", "history_sid");
  expect_error(scratch, kTest, ":1: field 'history_item_sid': missing column in the CSV header");
}

TEST(BadInput, BadListLiteral) {
  ScratchDataset scratch("literal");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,\"[3,,4]\",3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:30: field 'history_item_id': bad list literal at character 4: empty list element");
}

TEST(BadInput, UnterminatedStringInList) {
  ScratchDataset scratch("literal_string");
  scratch.append(kTrain, "A9,\"['Plain item]\",Plain item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:4: field 'history_item_title': bad list literal at character 2: unterminated string");
}

TEST(BadInput, ListLengthsDisagree) {
  ScratchDataset scratch("lengths");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,\"[3, 3]\",3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:4: field 'history_item_title': has 1 elements but history_item_id has 2");
}

TEST(BadInput, UnknownItemId) {
  ScratchDataset scratch("unknown_item");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,[3],99,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7: field 'item_id': unknown item id 99 \\(not in index.json\\)");
}

TEST(BadInput, UnknownHistoryItemId) {
  ScratchDataset scratch("unknown_history");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,[42],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7: field 'history_item_id': element 1: unknown item id 42 \\(not in index.json\\)");
}

TEST(BadInput, NonIntegerItemId) {
  ScratchDataset scratch("item_id_text");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,[3],3x,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:34: field 'item_id': expected a non-negative integer item id, found '3x'");
}

TEST(BadInput, SidTokenWithWrongLetter) {
  ScratchDataset scratch("sid_letter");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,[3],3,['<a_1><b_2><c_4>'],<x_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:56: field 'item_sid': bad SID token '<x_1>': level letter must be 'a' in SID .*");
}

TEST(BadInput, SidTokenWithoutNumberInIndex) {
  ScratchDataset scratch("sid_empty");
  scratch.replace(kIndex, "\"<a_10>\"", "\"<a_>\"");
  expect_error(scratch, kIndex, ":1:\\d+: field '2': bad SID token '<a_>': expected <a_N> with N in 0..999999");
}

TEST(BadInput, SidInHistoryDisagreesWithIndex) {
  ScratchDataset scratch("sid_mismatch");
  scratch.append(kTrain, "A9,['Plain item'],Plain item,[3],3,['<a_1><b_2><c_3>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain,
               ":7: field 'history_item_sid': element 1: <a_1><b_2><c_3> differs from <a_1><b_2><c_4> of item 3 in "
               "index.json");
}

TEST(BadInput, TitleDisagreesWithItemJson) {
  ScratchDataset scratch("title");
  scratch.append(kTrain, "A9,['Plain item'],Plain  item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7: field 'item_title': differs from the title of item 3 in item.json");
}

TEST(BadInput, InvalidUtf8InCsv) {
  ScratchDataset scratch("utf8_csv");
  scratch.append(kTrain, "A9,['Plain item'],Plain \xFF item,[3],3,['<a_1><b_2><c_4>'],<a_1><b_2><c_4>\n");
  expect_error(scratch, kTrain, ":7:25: invalid UTF-8");
}

TEST(BadInput, InvalidUtf8InJson) {
  ScratchDataset scratch("utf8_json");
  scratch.replace(kItems, "Plain item", "Plain \xC3 item");
  expect_error(scratch, kItems, ":\\d+:\\d+: invalid UTF-8");
}

TEST(BadInput, EmptyJson) {
  ScratchDataset scratch("empty_json");
  scratch.write(kIndex, "  \n");
  expect_error(scratch, kIndex, ": empty JSON document");
}

TEST(BadInput, TruncatedJson) {
  ScratchDataset scratch("truncated_json");
  std::string text = scratch.read(kItems);
  scratch.write(kItems, text.substr(0, text.size() / 2));
  expect_error(scratch, kItems, ":\\d+:\\d+: invalid JSON: .*");
}

TEST(BadInput, WrongJsonShape) {
  ScratchDataset scratch("json_shape");
  scratch.replace(kIndex, "[\"<a_2>\", \"<b_9>\", \"<c_9>\"]", "[\"<a_2>\", \"<b_9>\"]");
  expect_error(scratch, kIndex, ":1:\\d+: field '4': expected a list of 3 SID tokens, found a list of 2");
  ScratchDataset scratch2("json_title");
  scratch2.replace(kItems, "\"title\": \"Plain item\"", "\"title\": 5");
  expect_error(scratch2, kItems, ":\\d+:\\d+: field 'title': expected a string, found number \\(item '3'\\)");
}

TEST(BadInput, ItemMissingFromItemJson) {
  ScratchDataset scratch("missing_item");
  scratch.replace(kIndex, "\"4\":", "\"5\":");
  expect_error(scratch, kItems, ": item '5' of .* is missing here");
}

TEST(BadInput, InfoDisagrees) {
  ScratchDataset wrong_sid("info_sid");
  wrong_sid.replace(kInfo, "<a_2><b_9><c_9>", "<a_2><b_9><c_8>");
  expect_error(wrong_sid, kInfo, ":5:1: field 'sid': SID <a_2><b_9><c_8> of item '4' differs from .*");
  ScratchDataset fields("info_fields");
  fields.replace(kInfo, "\tPlain item\t", "\tPlain item ");
  expect_error(fields, kInfo, ":4: wrong field count: expected 3 tab-separated fields .*, found 2");
  ScratchDataset unknown("info_unknown");
  unknown.append(kInfo, "<a_1><b_2><c_4>\tPlain item\t77\n");
  expect_error(unknown, kInfo, ":6: field 'item_id': unknown item id '77' .*");
}

TEST(BadInput, MissingFile) {
  ScratchDataset scratch("missing_file");
  std::filesystem::remove(scratch.file(kTest));
  expect_error(scratch, kTest, ": file not found");
  EXPECT_THROW(check_dataset({"/nonexistent/root", "Mini"}), InputError);
}

TEST(BadInput, EmptyCsv) {
  ScratchDataset scratch("empty_csv");
  scratch.write(kValid, "");
  expect_error(scratch, kValid, ":1: empty file, expected the CSV header");
}
