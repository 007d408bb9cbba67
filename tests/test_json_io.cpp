// The JSON layer every reader shares: whatever the bytes, one message and no exception (issue 14:
// a number beyond a double's range used to escape as nlohmann's out_of_range and abort).
#include <gtest/gtest.h>

#include <string>

#include "core/json_io.hpp"

namespace unrolled {
namespace {

// The error from parsing text, which must be refused without throwing and leave out untouched.
std::string refused(const std::string& text) {
  Json out = "untouched";
  std::string error;
  bool ok = true;
  EXPECT_NO_THROW(ok = parse_json_text(text, "f.json", out, &error)) << text;
  EXPECT_FALSE(ok) << text;
  EXPECT_EQ(out, "untouched");
  EXPECT_EQ(error.rfind("f.json: ", 0), 0u) << "the message names the file: " << error;
  return error;
}

TEST(JsonIo, ANumberBeyondADoubleIsRefusedWithItsByte) {
  std::string e = refused("1e309");
  EXPECT_NE(e.find("number out of range at byte 5: 1e309"), std::string::npos) << e;
  EXPECT_NE(e.find("numbers must be finite"), std::string::npos) << e;
  e = refused(R"({"model": {"hidden_size": 8, "spectral_radius": -1e400}})");
  EXPECT_NE(e.find("-1e400"), std::string::npos) << e;
  EXPECT_NE(e.find("at byte 54"), std::string::npos) << "where reading stopped: " << e;
  // An integer too long for 64 bits becomes a double; too long for that, it is refused too.
  e = refused("[" + std::string(400, '9') + "]");
  EXPECT_NE(e.find("number out of range"), std::string::npos) << e;
  EXPECT_NE(e.find("..."), std::string::npos) << "a long token is cut short: " << e;
  // The largest finite double is still a number.
  Json j;
  EXPECT_TRUE(parse_json_text("[1.7976931348623157e308, 1e-400]", "f.json", j, nullptr));
  EXPECT_EQ(j[0].get<double>(), 1.7976931348623157e308);
}

TEST(JsonIo, ARepeatedKeyIsRefusedWithItsPlace) {
  std::string e = refused(R"({"title": "a", "title": "b"})");
  EXPECT_NE(e.find("key 'title' appears twice"), std::string::npos) << e;
  e = refused(R"({"model": {"cell": "gru", "x": 1, "cell": "lstm"}})");
  EXPECT_NE(e.find("key 'model.cell' appears twice"), std::string::npos) << e;
  e = refused(R"({"compare": [{"cell": "gru"}, {"cell": "rnn", "cell": "lstm"}]})");
  EXPECT_NE(e.find("key 'compare[1].cell' appears twice"), std::string::npos) << e;
  // The same key in different objects is fine.
  Json j;
  std::string error;
  ASSERT_TRUE(parse_json_text(R"({"a": {"b": 1}, "c": {"b": 2}, "d": [{"b": 3}, {"b": 4}]})",
                              "f.json", j, &error))
      << error;
  EXPECT_EQ(j["d"][1]["b"], 4);
  EXPECT_EQ(j["c"]["b"], 2);
}

TEST(JsonIo, TheBuilderGivesTheSameDocumentAsNlohmann) {
  const std::string text =
      R"({"s": "é\u00e9", "i": -3, "u": 18446744073709551615, "f": 0.25, "n": null,
          "b": [true, false, [], {}, [[1], {"k": [2, {"z": "y"}]}]], "e": {}})";
  Json j;
  std::string error;
  ASSERT_TRUE(parse_json_text(text, "f.json", j, &error)) << error;
  EXPECT_EQ(j, Json::parse(text));
  EXPECT_TRUE(j["i"].is_number_integer());
  EXPECT_TRUE(j["u"].is_number_unsigned());
  EXPECT_TRUE(j["f"].is_number_float());
  ASSERT_TRUE(parse_json_text("  7 ", "f.json", j, &error)) << error;
  EXPECT_EQ(j, 7);
}

TEST(JsonIo, SyntaxErrorsKeepTheirByte) {
  std::string e = refused("{not json");
  EXPECT_NE(e.find("not valid JSON (at byte 3)"), std::string::npos) << e;
  e = refused(R"({"a": "\xff"})");
  EXPECT_NE(e.find("not valid JSON"), std::string::npos) << e;
  e = refused("[NaN]");
  EXPECT_NE(e.find("not valid JSON"), std::string::npos) << e;
}

TEST(JsonIo, TheDocumentsMemoryIsBoundedWhileItIsBuilt) {
  // A 64 MiB batch file of empty arrays took 1.5 GB as a document before its reader refused it;
  // the budget stops the parser itself. Here at 64 KiB: 64 bytes an array, 16 a number.
  std::string empties = "[";
  for (int i = 0; i < 2000; ++i) empties += i ? ",[]" : "[]";
  empties += "]";
  Json j;
  std::string error;
  EXPECT_FALSE(parse_json_text(empties, "f.json", j, &error, 64 * 1024));
  EXPECT_NE(error.find("f.json: the JSON document would take more than 0.0625 MiB in memory "
                       "(stopped after 1025 values)"),
            std::string::npos)
      << error;
  EXPECT_TRUE(parse_json_text(empties, "f.json", j, &error, 2001 * 64)) << error;
  EXPECT_EQ(j.size(), 2000u);
  // Numbers are cheaper than arrays; strings count their length.
  EXPECT_TRUE(parse_json_text("[1,2,3]", "f.json", j, &error, 64 + 3 * 16)) << error;
  EXPECT_FALSE(parse_json_text("[\"" + std::string(2000, 'x') + "\"]", "f.json", j, &error, 2048));
}

TEST(JsonIo, LengthsAreCountedInCharacters) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("é"), 1u);            // 2 bytes
  EXPECT_EQ(utf8_length("\u20ac"), 1u);       // € 3 bytes
  EXPECT_EQ(utf8_length("\U0001F600x"), 2u);  // 4 bytes + 1
}

}  // namespace
}  // namespace unrolled
