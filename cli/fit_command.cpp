// `parla fit PORTRAIT [-o landmarks.json] [--preview fit.png]`: find the face, show
// the landmarks and mesh the rig will animate.
#include <cstdio>

#include "cli/commands.h"
#include "cli/portrait.h"

namespace parla::cli {
namespace {

int run_fit(const ParsedArgs& args) {
  std::filesystem::path portrait_path = args.positionals.at(0);
  auto out_path = args.value("output");
  auto preview_path = args.value("preview");
  auto landmarks_path = args.value("landmarks");
  check_input_file(portrait_path, "portrait");
  if (landmarks_path) check_input_file(*landmarks_path, "landmarks");
  std::vector<std::filesystem::path> inputs{portrait_path};
  if (landmarks_path) inputs.emplace_back(*landmarks_path);
  if (preview_path && std::filesystem::path(*preview_path).extension() != ".png") {
    throw InputError("cannot write preview " + parla::quoted(*preview_path) + ": the file name must end in .png");
  }
  std::optional<OutputFile> landmarks_out, preview_out;
  if (out_path) landmarks_out.emplace(*out_path, inputs);
  if (preview_path) preview_out.emplace(*preview_path, inputs);

  Image portrait = video::load_image(portrait_path);
  video::FaceFit fit = fit_portrait(portrait, portrait_path, args);
  video::Rig rig(std::move(portrait), fit);
  if (!fit.warning.empty()) std::fprintf(stderr, "note: %s\n", fit.warning.c_str());
  const auto& frame = rig.frame();
  std::printf("%s: face found (%d detected), inter-ocular distance %.1f px, eye-line tilt %.1f deg, "
              "mesh %zu vertices / %zu triangles\n",
              portrait_path.c_str(), fit.faces_found, frame.interocular_px, frame.angle_rad * 57.29578f,
              rig.rest_vertices().size(), rig.triangles().size());
  if (landmarks_out) {
    write_text_file(landmarks_out->temp_path(), video::landmarks_to_json(fit.landmarks));
    landmarks_out->commit();
    std::printf("landmarks: %s\n", out_path->c_str());
  }
  if (preview_out) {
    video::save_png(video::draw_fit_preview(rig), preview_out->temp_path());
    preview_out->commit();
    std::printf("preview: %s\n", preview_path->c_str());
  }
  return 0;
}

}  // namespace

const Command& fit_command() {
  static const Command command{
      {.name = "fit",
       .positionals = "PORTRAIT",
       .summary = "find the face: landmarks (JSON) and a preview of the mesh",
       .details = "Detection: dlib HOG + 68-point landmarks; the largest face wins (--face N picks\n"
                  "the N-th from the left). For\n"
                  "illustrations or hard cases, edit the JSON and pass it to render with --landmarks.",
       .options = {{"output", 'o', "FILE.json", "write the 68 landmarks as JSON"},
                   {"preview", 0, "FILE.png", "draw landmarks and mesh over the portrait"},
                   {"landmarks", 0, "FILE", "use these landmarks instead of detection"},
                   {"face", 0, "N", "with several faces: fit the N-th from the left (default: the largest)"}},
       .min_positionals = 1,
       .max_positionals = 1},
      run_fit};
  return command;
}

}  // namespace parla::cli
