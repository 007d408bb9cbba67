// notation(): the lectures' symbols written with Unicode subscripts, as the class reads them, and
// everything else left alone.
#include <gtest/gtest.h>

#include "app/panels/panels.hpp"

namespace unrolled {
namespace {

TEST(Notation, SubscriptsInBracesAndSingleLetters) {
  EXPECT_EQ(notation("h_{t\xE2\x88\x92\x31}"), "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81");  // hₜ₋₁
  EXPECT_EQ(notation("c_t = f_t \xE2\x8A\x99 c_{t-1}"),
            "c\xE2\x82\x9C = f\xE2\x82\x9C \xE2\x8A\x99 c\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81");
  EXPECT_EQ(notation("W_hh h + W_xh x_t"),
            "W\xE2\x82\x95\xE2\x82\x95 h + W\xE2\x82\x93\xE2\x82\x95 x\xE2\x82\x9C");
  EXPECT_EQ(notation("h_{t+1}"), "h\xE2\x82\x9C\xE2\x82\x8A\xE2\x82\x81");
  EXPECT_EQ(notation("\xCF\x83(x_50)"), "\xCF\x83(x\xE2\x82\x85\xE2\x82\x80)");
}

TEST(Notation, OneCharacterExponentsBecomeSuperscripts) {
  EXPECT_EQ(notation("(\xCE\xBB\xE2\x82\x81\xCE\xB3)^d"),
            "(\xCE\xBB\xE2\x82\x81\xCE\xB3)\xE1\xB5\x88");  // (λ₁γ)ᵈ
  EXPECT_EQ(notation("W_hh^T"), "W\xE2\x82\x95\xE2\x82\x95\xE1\xB5\x80");
  EXPECT_EQ(notation("2^dx"), "2^dx") << "an exponent of two letters is left alone";
  EXPECT_EQ(notation("x^q"), "x^q") << "no superscript q";
}

TEST(Notation, LeavesWhatHasNoSubscriptAsWritten) {
  EXPECT_EQ(notation("b_f"), "b_f") << "no subscript f in the fonts";
  EXPECT_EQ(notation("h_{T-1}"), "h_{T-1}") << "no capital subscripts";
  EXPECT_EQ(notation("max_speed"), "max_speed") << "a name, not a symbol";
  EXPECT_EQ(notation("exploding_clipped.json"), "exploding_clipped.json");
  EXPECT_EQ(notation("_t"), "_t");
  EXPECT_EQ(notation("x_"), "x_");
  EXPECT_EQ(notation("h_{t"), "h_{t") << "an unclosed brace";
  EXPECT_EQ(notation(""), "");
}

}  // namespace
}  // namespace unrolled
