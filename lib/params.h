// Private to lib: the facade's Params checked and turned into the modules' own
// parameters, the sample and the PCM that enters the file-based stages.
#pragma once

#include <filesystem>
#include <memory>

#include "fusion/fusion.h"
#include "parla/parla.h"
#include "pipeline/pipeline.h"
#include "video/video.h"

namespace parla::lib {

// Throws InputError naming the first field out of its range (parla.h states them).
void check_params(const Params& params);

// The generator's parameters; a seed of -1 comes from `audio`'s bytes (0 when empty).
fusion::GeneratorParams generator_params(const Params& params, const std::filesystem::path& audio);
video::RenderParams render_params(const Params& params);
video::Mp4Params mp4_params(const Params& params);

// The portrait loaded, fitted (the sample's checked-in fit for the sample portrait,
// as `parla render --sample` does) and rigged.
std::unique_ptr<video::Renderer> make_renderer(const Params& params, const std::filesystem::path& portrait);

// RGB → RGBA (alpha 255) into `rgba`, resized as needed.
void to_rgba(const Image& picture, std::vector<std::uint8_t>& rgba);

// PCM held in memory as a temporary float WAV for the stages that read files; removed
// (with its folder) on destruction.
class TempAudio {
 public:
  explicit TempAudio(const Pcm& pcm);
  ~TempAudio();
  TempAudio(const TempAudio&) = delete;
  TempAudio& operator=(const TempAudio&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

}  // namespace parla::lib
