// The runtime's gate (experts::PlainExpertGate) against the spec's formula computed by
// hand on a tiny gate, and its refusals of incomplete or broken gate tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "experts/runtime.h"

namespace {
namespace experts = parla::experts;

experts::TensorData floats(std::vector<std::int64_t> shape, std::vector<float> values) {
  experts::TensorData t;
  t.shape = std::move(shape);
  t.floats = std::move(values);
  return t;
}

// F = 1, E = 1, H = 2, L = 2.
experts::TensorMap tiny_gate() {
  experts::TensorMap m;
  m["gate_layer_embedding"] = floats({2, 1}, {0.5f, -1.f});
  m["gate_fc1_weight"] = floats({2, 3}, {0.3f, -0.2f, 0.7f, 1.1f, 0.4f, -0.6f});
  m["gate_fc1_bias"] = floats({2}, {0.1f, -0.3f});
  m["gate_fc2_weight"] = floats({3, 2}, {0.9f, -0.5f, 0.2f, 0.8f, -1.2f, 0.3f});
  m["gate_fc2_bias"] = floats({3}, {0.05f, -0.1f, 0.2f});
  experts::TensorData f;
  f.dtype = experts::TensorData::DType::Int64;
  f.shape = {1};
  f.ints = {1};
  m["gate_frequencies"] = f;
  return m;
}

TEST(ExpertGate, EvaluatesTheSpecsFormula) {
  const experts::TensorMap m = tiny_gate();
  experts::PlainExpertGate gate(m, /*layers=*/2, "tiny");
  for (float t : {0.f, 0.25f, 0.6f, 1.f}) {
    float g[2 * 3];
    gate.evaluate(t, g);
    for (int l = 0; l < 2; ++l) {
      const double in[3] = {std::sin(M_PI * t), std::cos(M_PI * t),
                            m.at("gate_layer_embedding").floats[l]};
      double h[2];
      for (int j = 0; j < 2; ++j) {
        double z = m.at("gate_fc1_bias").floats[j];
        for (int i = 0; i < 3; ++i) z += m.at("gate_fc1_weight").floats[j * 3 + i] * in[i];
        h[j] = z / (1 + std::exp(-z));  // SiLU
      }
      for (int e = 0; e < 3; ++e) {
        double z = m.at("gate_fc2_bias").floats[e];
        for (int j = 0; j < 2; ++j) z += m.at("gate_fc2_weight").floats[e * 2 + j] * h[j];
        EXPECT_NEAR(g[l * 3 + e], 2 / (1 + std::exp(-z)), 1e-6) << "t " << t << " l " << l;
      }
    }
  }
}

TEST(ExpertGate, RefusesBrokenTensors) {
  auto refused = [](experts::TensorMap m, const std::string& what) {
    try {
      experts::PlainExpertGate gate(m, /*layers=*/2, "'g.pt'");
      ADD_FAILURE() << "accepted: " << what;
    } catch (const parla::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("'g.pt'"), std::string::npos) << e.what();
    }
  };
  experts::TensorMap m = tiny_gate();
  m.erase("gate_fc2_bias");
  refused(m, "missing fc2 bias");
  m = tiny_gate();
  m["gate_fc2_weight"] = floats({2, 2}, {1, 2, 3, 4});
  refused(m, "fc2 with two experts");
  m = tiny_gate();
  m["gate_fc1_bias"].floats[1] = std::numeric_limits<float>::quiet_NaN();
  refused(m, "NaN");
  m = tiny_gate();
  m["gate_frequencies"].ints = {0};
  refused(m, "no frequencies");
  m = tiny_gate();
  m["gate_layer_embedding"] = floats({3, 1}, {1, 2, 3});
  refused(m, "three layers for a model of two");
  m = tiny_gate();
  m["gate_fc1_weight"].floats.pop_back();
  refused(m, "truncated values");
}

}  // namespace
