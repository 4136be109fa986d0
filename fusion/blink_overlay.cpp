// Blinks for the learned generator. Blinks are brief, audio-independent events; the
// 2-step DDIM sampler of the shipped base model smooths them into half-closed flutters
// (eyeBlink peaks of ~0.3 on the sample), so the learned generator takes its eyelid
// channels from the classic generator's blink renewal process (docs/classic_generator.md),
// run on the same features and seed. Everything else comes from the learned model.
#include <algorithm>
#include <deque>

#include "fusion/generators.h"

namespace parla::fusion {
namespace {

class BlinkOverlay final : public MotionGenerator {
 public:
  BlinkOverlay(std::unique_ptr<MotionGenerator> motion, std::unique_ptr<MotionGenerator> blinks)
      : motion_(std::move(motion)), blinks_(std::move(blinks)) {}

  std::string_view name() const override { return motion_->name(); }
  double lookahead_seconds() const override {
    return std::max(motion_->lookahead_seconds(), blinks_->lookahead_seconds());
  }

  void push(std::span<const audio::FeatureFrame> frames, std::vector<MotionFrame>& out) override {
    collect([&](MotionGenerator& g, std::vector<MotionFrame>& o) { g.push(frames, o); });
    drain(out);
  }

  void finish(std::vector<MotionFrame>& out) override {
    collect([](MotionGenerator& g, std::vector<MotionFrame>& o) { g.finish(o); });
    drain(out);
  }

 private:
  template <typename Step>
  void collect(Step step) {
    scratch_.clear();
    step(*motion_, scratch_);
    motion_frames_.insert(motion_frames_.end(), scratch_.begin(), scratch_.end());
    scratch_.clear();
    step(*blinks_, scratch_);
    blink_frames_.insert(blink_frames_.end(), scratch_.begin(), scratch_.end());
  }

  // Emits every frame both generators have produced (they emit the same frame count
  // in total, at different moments when streaming).
  void drain(std::vector<MotionFrame>& out) {
    while (!motion_frames_.empty() && !blink_frames_.empty()) {
      MotionFrame frame = motion_frames_.front();
      for (Channel c : {Channel::EyeBlinkLeft, Channel::EyeBlinkRight}) {
        frame[index(c)] = blink_frames_.front()[index(c)];
      }
      out.push_back(frame);
      motion_frames_.pop_front();
      blink_frames_.pop_front();
    }
  }

  std::unique_ptr<MotionGenerator> motion_, blinks_;
  std::deque<MotionFrame> motion_frames_, blink_frames_;
  std::vector<MotionFrame> scratch_;
};

}  // namespace

std::unique_ptr<MotionGenerator> with_classic_blinks(std::unique_ptr<MotionGenerator> motion,
                                                     GeneratorParams params) {
  return std::make_unique<BlinkOverlay>(std::move(motion), make_classic_generator(params));
}

}  // namespace parla::fusion
