// rig_gallery: writes the rig's visual checks — a contact sheet of every channel, the
// frames of a short talking clip, the fit preview and the golden frames the tests
// compare against. docs/gallery/make_gallery.sh and docs/rig.md show the commands.
//
//   rig_gallery sheet   PORTRAIT OUT.png [CELL_PX [CROP_UNITS]]  rows: channels;
//                                                    columns -1, 0, .5, 1
//   rig_gallery clip    PORTRAIT OUT_DIR [--full]    frame_0000.png ... (4 s at 25 fps)
//   rig_gallery preview PORTRAIT OUT.png             landmarks + mesh
//   rig_gallery frame   PORTRAIT OUT.png SIZE CROP_UNITS [channel=value ...]
//   rig_gallery golden  OUT_DIR                      the golden frames (tests/video/golden)
//   rig_gallery landmarks PORTRAIT OUT.json          dlib's fit as a landmarks file
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "tests/support/testing.h"
#include "tests/video/rig_cases.h"
#include "tests/video/rig_fixtures.h"
#include "video/video.h"

namespace fs = std::filesystem;
using namespace parla;

namespace {

video::Rig load_rig(const fs::path& portrait_path) {
  Image portrait = video::load_image(portrait_path);
  video::FaceFit fit = video::fit_face(portrait, portrait_path.string());
  if (!fit.warning.empty()) std::cerr << "warning: " << fit.warning << "\n";
  return video::Rig(std::move(portrait), fit);
}

void paste(Image& sheet, const Image& cell, int x0, int y0) {
  for (int y = 0; y < cell.height; ++y) {
    std::copy_n(cell.pixel(0, y), 3 * cell.width, sheet.pixel(x0, y0 + y));
  }
}

void write_sheet(const video::Rig& rig, const fs::path& out, int cell_px, float crop_units) {
  video::Renderer renderer(rig, {.framing = video::Framing::Crop, .size = cell_px, .crop_units = crop_units});
  const float columns[] = {-1.f, 0.f, 0.5f, 1.f};
  Image sheet(4 * cell_px, kChannelCount * cell_px);
  std::fill(sheet.rgb.begin(), sheet.rgb.end(), 40);
  for (int c = 0; c < kChannelCount; ++c) {
    for (int column = 0; column < 4; ++column) {
      auto channel = static_cast<Channel>(c);
      if (columns[column] < 0.f && !testing::is_signed(channel)) continue;
      const Image& cell = renderer.render(testing::single_channel(channel, columns[column]));
      paste(sheet, cell, column * cell_px, c * cell_px);
    }
  }
  video::save_png(sheet, out);
}

void write_clip(const video::Rig& rig, const fs::path& dir, bool full) {
  fs::create_directories(dir);
  video::Renderer renderer(rig, {.framing = full ? video::Framing::Full : video::Framing::Crop});
  if (!renderer.framing_note().empty()) std::cerr << "note: " << renderer.framing_note() << "\n";
  MotionTrack track = testing::talking_track();
  for (size_t i = 0; i < track.frames.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "frame_%04zu.png", i);
    video::save_png(renderer.render(track.frames[i]), dir / name);
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "sheet" && argc >= 4) {
      write_sheet(load_rig(argv[2]), argv[3], argc >= 5 ? std::stoi(argv[4]) : 192,
                  argc >= 6 ? std::stof(argv[5]) : 3.2f);
    } else if (mode == "clip" && argc >= 4) {
      write_clip(load_rig(argv[2]), argv[3], argc >= 5 && std::string(argv[4]) == "--full");
    } else if (mode == "frame" && argc >= 6) {
      MotionFrame motion = neutral_frame();
      for (int i = 6; i < argc; ++i) {
        std::string arg = argv[i];
        auto eq = arg.find('=');
        int channel = channel_index(arg.substr(0, eq));
        if (eq == std::string::npos || channel < 0) throw InputError("bad channel=value: " + arg);
        motion[channel] = std::stof(arg.substr(eq + 1));
      }
      video::Renderer renderer(load_rig(argv[2]), {.size = std::stoi(argv[4]), .crop_units = std::stof(argv[5])});
      video::save_png(renderer.render(motion), argv[3]);
    } else if (mode == "landmarks" && argc >= 4) {
      Image portrait = video::load_image(argv[2]);
      write_text_file(argv[3], video::landmarks_to_json(video::fit_face(portrait, argv[2]).landmarks));
    } else if (mode == "golden" && argc >= 3) {
      fs::path dir = argv[2];
      fs::create_directories(dir);
      video::Rig rig = testing::sample_rig();
      video::Renderer renderer(rig, {.size = testing::kGoldenSize});
      for (const auto& golden : testing::golden_frames()) {
        video::save_png(renderer.render(golden.motion), dir / (std::string(golden.name) + ".png"));
      }
    } else if (mode == "preview" && argc >= 4) {
      video::save_png(video::draw_fit_preview(load_rig(argv[2])), argv[3]);
    } else {
      std::cerr << "usage: rig_gallery sheet|clip|preview PORTRAIT OUT [CELL_PX|--full]\n";
      return 2;
    }
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
