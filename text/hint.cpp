// The text hint (docs/text_hint.md): the known words spoken by espeak-ng, aligned to the
// real audio, give phone times on the real audio; the mouth those phones imply (the
// corpus labels' model) is blended into the generated track where it is surest — lips
// shut through p/b/m — and mixed in more gently for lip shapes and the jaw.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "text/text.h"

namespace parla::text {
namespace {

constexpr double kClosurePadBeforeS = 0.15;  // a p/b/m's closure target spans its anticipation
constexpr double kClosurePadAfterS = 0.10;   // and its release
constexpr double kStrayToleranceS = 0.08;    // a generated closure this near a p/b/m is kept
constexpr float kClosedThreshold = 0.5f;     // mouthClose at or above: lips pressed
constexpr double kMinSpeechRatio = 0.33;     // speech-span length ratios beyond: not the text

std::int64_t frame_at(double seconds, double fps) {
  return static_cast<std::int64_t>(std::floor(seconds * fps));
}

double seconds_of(std::int64_t sample) { return static_cast<double>(sample) / kSampleRate; }

}  // namespace

TextHintReport apply_text_hint(MotionTrack& track, std::span<const float> pcm,
                               const std::string& text, const TextHintParams& params) {
  TextHintReport report;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    report.warning = "the text is empty: no hint applied";
    return report;
  }
  SpokenText spoken = speak_text(text, params.voice);
  for (const Phone& p : spoken.phones) report.phones += p.viseme != Viseme::Silence;
  if (report.phones == 0) {
    report.warning = "espeak-ng found no phones in the text: no hint applied";
    return report;
  }
  if (track.frames.empty() || pcm.empty()) {
    report.warning = "no audio to align the text to: no hint applied";
    return report;
  }
  Alignment alignment = align_speech(spoken.audio, pcm, params.align);
  report.quality = alignment.quality;
  char note[256];
  if (alignment.target_frame.empty()) {
    report.warning = "no speech found to align the text to: no hint applied";
    return report;
  }
  const double ratio = alignment.target_speech_s / std::max(alignment.reference_speech_s, 1e-9);
  if (ratio < kMinSpeechRatio || ratio > 1 / kMinSpeechRatio) {
    std::snprintf(note, sizeof note,
                  "the text does not seem to match the audio (%.1f s of speech for %.1f s of text "
                  "read aloud): no hint applied",
                  alignment.target_speech_s, alignment.reference_speech_s);
    report.warning = note;
    return report;
  }
  if (alignment.quality < params.min_quality) {
    std::snprintf(note, sizeof note,
                  "the text does not seem to match the audio (alignment quality %.2f < %.2f): "
                  "no hint applied",
                  alignment.quality, params.min_quality);
    report.warning = note;
    return report;
  }

  // Reference phones → their local alignment quality → real-audio times.
  std::vector<float> phone_quality(spoken.phones.size(), 0.f);
  for (size_t k = 0; k < spoken.phones.size(); ++k) {
    const Phone& p = spoken.phones[k];
    auto lo = static_cast<size_t>(p.start_sample / 160);
    auto hi = std::min(alignment.local_quality.size(), static_cast<size_t>(p.end_sample / 160) + 1);
    double sum = 0;
    for (size_t f = lo; f < hi; ++f) sum += alignment.local_quality[f];
    phone_quality[k] = hi > lo ? static_cast<float>(sum / (hi - lo)) : 0.f;
  }
  std::vector<size_t> source;
  const auto samples = static_cast<std::int64_t>(pcm.size());
  std::vector<Phone> phones = map_phones(spoken.phones, alignment, samples, &source);
  for (Phone& p : phones) p.prominence = is_vowel(p.viseme) ? 0.5f : 0.f;

  // The mouth the text implies, frame for frame with the generated track.
  MotionTrack target;
  target.fps = track.fps;
  target.frames.assign(track.frames.size(), neutral_frame());
  add_mouth_motion(phones, MouthStyle{}, target);

  const auto frames = static_cast<std::int64_t>(track.frames.size());
  constexpr int kJaw = 0, kClose = 1;
  std::vector<std::uint8_t> closure_zone(track.frames.size(), 0), near_bilabial(track.frames.size(), 0);
  for (size_t k = 0; k < phones.size(); ++k) {
    const Phone& p = phones[k];
    if (p.viseme != Viseme::Bilabial) continue;
    const double on_s = seconds_of(p.start_sample), off_s = seconds_of(p.end_sample);
    for (std::int64_t f = std::max<std::int64_t>(0, frame_at(on_s - kStrayToleranceS, track.fps));
         f <= std::min(frames - 1, frame_at(off_s + kStrayToleranceS, track.fps) + 1); ++f) {
      near_bilabial[f] = 1;
    }
    if (phone_quality[source[k]] < params.min_local_quality) {
      ++report.closures_skipped;
      continue;
    }
    ++report.closures;
    for (std::int64_t f = std::max<std::int64_t>(0, frame_at(on_s - kClosurePadBeforeS, track.fps));
         f <= std::min(frames - 1, frame_at(off_s + kClosurePadAfterS, track.fps) + 1); ++f) {
      closure_zone[f] = 1;
    }
  }

  // Stray generated closures: runs of shut lips with no p/b/m of the text near them,
  // where the alignment is sure of what is said instead.
  std::vector<float> frame_quality(track.frames.size(), 0.f);
  for (size_t k = 0; k < phones.size(); ++k) {
    for (std::int64_t f = std::max<std::int64_t>(0, frame_at(seconds_of(phones[k].start_sample), track.fps));
         f <= std::min(frames - 1, frame_at(seconds_of(phones[k].end_sample), track.fps)); ++f) {
      frame_quality[f] = phone_quality[source[k]];
    }
  }
  if (params.suppress_stray_closures) {
    for (std::int64_t f = 0; f < frames;) {
      if (track.frames[f][kClose] < kClosedThreshold) {
        ++f;
        continue;
      }
      std::int64_t end = f;
      bool near = false, sure = true;
      while (end < frames && track.frames[end][kClose] >= kClosedThreshold) {
        near = near || near_bilabial[end];
        sure = sure && frame_quality[end] >= params.min_local_quality;
        ++end;
      }
      if (!near && sure) {
        ++report.stray_closures_opened;
        for (std::int64_t g = f; g < end; ++g) {
          float& c = track.frames[g][kClose];
          c = std::min(c, std::max(target.frames[g][kClose], 0.3f * c));
        }
      }
      f = end;
    }
  }

  const auto shape = static_cast<float>(std::clamp(params.shape_weight, 0.0, 1.0));
  const auto jaw = static_cast<float>(std::clamp(params.jaw_weight, 0.0, 1.0));
  for (std::int64_t f = 0; f < frames; ++f) {
    MotionFrame& out = track.frames[f];
    const MotionFrame& want = target.frames[f];
    out[kJaw] = (1 - jaw) * out[kJaw] + jaw * want[kJaw];
    for (Channel c : {Channel::MouthFunnel, Channel::MouthPucker, Channel::MouthStretch,
                      Channel::MouthRollLower, Channel::TongueOut}) {
      out[index(c)] = (1 - shape) * out[index(c)] + shape * want[index(c)];
    }
    if (closure_zone[f]) {
      const float w = want[kClose];
      out[kClose] = std::max(out[kClose], w);
      // The jaw rises with the lips: toward the text's (nearly shut) jaw as they seal.
      out[kJaw] = std::min(out[kJaw], (1 - w) * out[kJaw] + w * want[kJaw]);
    }
  }
  track.clamp_to_ranges();
  report.applied = true;
  if (report.closures_skipped > 0 && report.closures == 0) {
    report.warning = "the alignment was too unsure at every p/b/m: no closure imposed";
  }
  return report;
}

}  // namespace parla::text
