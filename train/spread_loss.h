// train/spread_loss.h: the lips' amplitude term of the base trainer (private to train/).
#pragma once

#include <torch/torch.h>

namespace parla::train {

// Mean over the windows in `rows` ([B] bool) and the mouth channels of
// (sd of x0_hat − sd of x0)², each sd over the window's frames where `mask` is 1.
// x0_hat, x0, mask: [B, N, C] (only the first `channels` count); a (window, channel)
// pair with fewer than 4 counted frames is left out. 0 when nothing counts.
//
// The lips come from the one-step prediction at t = 1, a conditional mean: on voices it
// is unsure of, a model trained on squared error alone moves the lips less than the
// person did (docs/real_speakers.md, "spread"). This term asks each window's one-step lips
// for the label's amplitude; r, which ignores amplitude, is left to the squared error.
torch::Tensor window_spread_loss(const torch::Tensor& x0_hat, const torch::Tensor& x0,
                                 const torch::Tensor& mask, const torch::Tensor& rows,
                                 int64_t channels);

}  // namespace parla::train
