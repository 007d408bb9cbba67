#include <gtest/gtest.h>

#include "core/init.hpp"

namespace unrolled {
namespace {

NetworkSpec lstm_spec(int H) {
  NetworkSpec s;
  s.cell = CellType::Lstm;
  s.input_size = 3;
  s.hidden_size = H;
  s.output_size = 2;
  s.num_layers = 2;
  return s;
}

TEST(Init, UniformStaysWithinOneOverSqrtH) {
  const NetworkSpec s = lstm_spec(16);
  Params p;
  Rng rng(1);
  initialize(p, s, {InitKind::Uniform, 0, 1.0}, rng);
  const double bound = 0.25;
  EXPECT_LE(p.layers[0].W_h.cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(p.layers[0].W_h.cwiseAbs().maxCoeff(), 0.9 * bound);
  EXPECT_TRUE(p.layers[1].b.segment(16, 16).isConstant(1.0));  // forget bias
}

TEST(Init, OrthogonalBlocksAreOrthogonal) {
  const NetworkSpec s = lstm_spec(8);
  Params p;
  Rng rng(2);
  initialize(p, s, {InitKind::Orthogonal, 0, 0.0}, rng);
  for (int g = 0; g < 4; ++g) {
    const Mat Q = p.layers[0].W_h.middleRows(g * 8, 8);
    EXPECT_LT((Q.transpose() * Q - Mat::Identity(8, 8)).cwiseAbs().maxCoeff(), 1e-12);
  }
  EXPECT_TRUE(p.layers[0].b.isZero(0.0));
}

TEST(Init, IdentityIsIrnn) {
  NetworkSpec s = lstm_spec(5);
  s.cell = CellType::Rnn;
  Params p;
  Rng rng(3);
  initialize(p, s, {InitKind::Identity, 0, 1.0}, rng);
  EXPECT_TRUE(p.layers[0].W_h.isIdentity(0.0));
  EXPECT_LT(p.layers[0].W_x.cwiseAbs().maxCoeff(), 0.01);
}

TEST(Init, EveryKindRescalesToTheChosenSpectralRadius) {
  for (InitKind k :
       {InitKind::Uniform, InitKind::Glorot, InitKind::Orthogonal, InitKind::Identity}) {
    NetworkSpec s = lstm_spec(12);
    s.cell = CellType::Gru;
    Params p;
    Rng rng(4);
    initialize(p, s, {k, 1.5, 1.0}, rng);
    for (int g = 0; g < 3; ++g)
      EXPECT_NEAR(spectral_radius(p.layers[1].W_h.middleRows(g * 12, 12)), 1.5, 1e-9)
          << to_string(k);
  }
}

TEST(Init, SameSeedSameWeights) {
  const NetworkSpec s = lstm_spec(6);
  Params a, b, c;
  Rng r1(9), r2(9), r3(10);
  initialize(a, s, {}, r1);
  initialize(b, s, {}, r2);
  initialize(c, s, {}, r3);
  EXPECT_EQ(a.layers[1].W_h, b.layers[1].W_h);
  EXPECT_NE(a.layers[1].W_h, c.layers[1].W_h);
}

}  // namespace
}  // namespace unrolled
