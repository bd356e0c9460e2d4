#include <gtest/gtest.h>

#include <filesystem>

#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"
#include "util/utf8.h"

using namespace sidr;

TEST(Error, FormatsFileLineColumnField) {
  EXPECT_EQ(format_location({"a.csv", 3, 7, "item_sid"}, "bad token"), "a.csv:3:7: field 'item_sid': bad token");
  EXPECT_EQ(format_location({"a.csv", 3, 0, ""}, "x"), "a.csv:3: x");
  EXPECT_EQ(format_location({"", 0, 0, ""}, "x"), "x");
}

TEST(Utf8, FindsFirstInvalidByte) {
  EXPECT_EQ(first_invalid_utf8("abc"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("h\xC3\xA9llo \xE4\xB8\xAD \xF0\x9F\x98\x80"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("ab\xFF"), 2u);
  EXPECT_EQ(first_invalid_utf8("ab\xC3"), 2u);            // truncated sequence
  EXPECT_EQ(first_invalid_utf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(first_invalid_utf8("x\xED\xA0\x80"), 1u);     // UTF-16 surrogate
}

TEST(Json, ErrorsNameFileLineAndColumn) {
  try {
    parse_json("{\n  \"a\": 1,\n  \"b\": \n", "x.json");
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("x.json:4:", 0), 0u) << what;
  }
  EXPECT_THROW(parse_json("   ", "empty.json"), InputError);
  EXPECT_THROW(parse_json("[9e999]", "overflow.json"), InputError);  // nlohmann's out_of_range, not parse_error
  EXPECT_THROW(read_json_file("/nonexistent/file.json"), InputError);
}

TEST(FileIo, AtomicWriteReplacesWholeFile) {
  auto dir = std::filesystem::temp_directory_path() / "sidr_file_io_test";
  std::filesystem::remove_all(dir);
  write_file_atomic(dir / "f.txt", "first");
  write_file_atomic(dir / "f.txt", "second");
  EXPECT_EQ(read_file(dir / "f.txt"), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temp files left
  {
    AtomicDirectory staged(dir / "ckpt");
    write_file_atomic(staged.path() / "w", "1");
    // not committed: nothing appears
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "ckpt"));
  {
    AtomicDirectory staged(dir / "ckpt");
    write_file_atomic(staged.path() / "w", "2");
    staged.commit();
  }
  EXPECT_EQ(read_file(dir / "ckpt" / "w"), "2");
  std::filesystem::remove_all(dir);
}
