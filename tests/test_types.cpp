#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "core/types.hpp"

namespace unrolled {

TEST(Types, NamesRoundTrip) {
  for (CellType c : {CellType::Rnn, CellType::Lstm, CellType::Gru}) {
    CellType back{};
    ASSERT_TRUE(parse(to_string(c), back));
    EXPECT_EQ(back, c);
  }
  Activation a{};
  EXPECT_FALSE(parse("softplus", a));
  EXPECT_EQ(allowed_names(Activation{}), "tanh|relu|sigmoid|identity");
}

TEST(Types, ParamsShapesFollowTheDesignLayout) {
  NetworkSpec spec;
  spec.cell = CellType::Gru;
  spec.gru_variant = GruVariant::ResetAfter;
  spec.input_size = 3;
  spec.hidden_size = 5;
  spec.output_size = 2;
  spec.num_layers = 2;
  Params p = make_params(spec);
  EXPECT_EQ(p.layers[0].W_x.rows(), 15);
  EXPECT_EQ(p.layers[0].W_x.cols(), 3);
  EXPECT_EQ(p.layers[1].W_x.cols(), 5);
  EXPECT_EQ(p.layers[1].b_hn.size(), 5);
  const auto t = p.tensors();
  ASSERT_EQ(t.size(), 10u);  // 2 layers x (W_x, W_h, b, b_hn) + output W, b
  EXPECT_EQ(t[3].name, "layers.0.b_hn");
  EXPECT_EQ(t.back().name, "output.b");
  EXPECT_EQ(p.num_values(), 15 * 3 + 15 * 5 + 15 + 5 + 15 * 5 + 15 * 5 + 15 + 5 + 2 * 5 + 2);
}

TEST(Types, RngIsDeterministicAndUniform) {
  Rng a(42), b(42), c(43);
  double mean = 0;
  for (int i = 0; i < 10000; ++i) {
    const double x = a.uniform();
    EXPECT_EQ(x, b.uniform());
    mean += x;
  }
  EXPECT_NE(a.uniform(), c.uniform());
  EXPECT_NEAR(mean / 10000, 0.5, 0.02);
  double s = 0, s2 = 0;
  for (int i = 0; i < 20000; ++i) {
    const double z = a.normal();
    s += z;
    s2 += z * z;
  }
  EXPECT_NEAR(s / 20000, 0.0, 0.03);
  EXPECT_NEAR(s2 / 20000, 1.0, 0.05);
}

}  // namespace unrolled
