// The face tracker: dlib's HOG detector on a downscaled frame now and then, the 68-point
// shape predictor on every frame from the box the previous landmarks give, one
// consistent face throughout (docs/critic.md "Video analysis").
#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>

#include "critic/face_track_internal.h"

namespace parla::critic {
namespace {

constexpr const char* kLandmarkModel = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
// A tracked face smaller than this (landmark box width, pixels) is dropped as lost.
constexpr float kMinFaceWidthPx = 24.f;
// Grey-level standard deviation inside the face box below which nothing is there (a
// black or flat frame: the predictor would still place its mean shape).
constexpr float kMinFaceContrast = 6.f;

struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float width() const { return x1 - x0; }
  float cx() const { return 0.5f * (x0 + x1); }
  float cy() const { return 0.5f * (y0 + y1); }
};

Box landmark_box(const video::Landmarks& l) {
  Box b{l[0].x, l[0].y, l[0].x, l[0].y};
  for (const video::Point& p : l) {
    b.x0 = std::min(b.x0, p.x), b.x1 = std::max(b.x1, p.x);
    b.y0 = std::min(b.y0, p.y), b.y1 = std::max(b.y1, p.y);
  }
  return b;
}

float contrast(const GrayImage& gray, const Box& box) {
  int x0 = std::clamp(static_cast<int>(box.x0), 0, static_cast<int>(gray.nc()) - 1);
  int x1 = std::clamp(static_cast<int>(box.x1), 0, static_cast<int>(gray.nc()) - 1);
  int y0 = std::clamp(static_cast<int>(box.y0), 0, static_cast<int>(gray.nr()) - 1);
  int y1 = std::clamp(static_cast<int>(box.y1), 0, static_cast<int>(gray.nr()) - 1);
  const int step = std::max(1, (x1 - x0) / 24);
  double sum = 0, sum2 = 0;
  int n = 0;
  for (int y = y0; y <= y1; y += step) {
    for (int x = x0; x <= x1; x += step) {
      double v = gray[y][x];
      sum += v, sum2 += v * v, ++n;
    }
  }
  if (n < 2) return 0.f;
  double mean = sum / n;
  return static_cast<float>(std::sqrt(std::max(0.0, sum2 / n - mean * mean)));
}

// dlib's 68-point shape predictor, read into its parts (the layout of dlib's own
// `deserialize(shape_predictor&)`) so that its cascade can run with sub-pixel results:
// `dlib::shape_predictor` rounds every landmark, and the box it starts from, to whole
// pixels. On a face 40 px between the eyes half a pixel is an eighth of a lip's
// thickness, and a re-encode that moves a landmark across a rounding edge moved
// mouthClose, gaze and the head angles by as much as MN's own `jitter` fault.
struct LandmarkModel {
  dlib::matrix<float, 0, 1> initial_shape;
  std::vector<std::vector<dlib::impl::regression_tree>> forests;
  std::vector<std::vector<unsigned long>> anchor_idx;
  std::vector<std::vector<dlib::vector<float, 2>>> deltas;
};

struct SharedModels {
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  LandmarkModel predictor;
  SharedModels() {
    check_input_file(kLandmarkModel, "dlib 68-point landmark model");
    try {
      std::ifstream in(kLandmarkModel, std::ios::binary);
      int version = 0;
      dlib::deserialize(version, in);
      if (version != 1) throw dlib::serialization_error("not a version 1 shape predictor");
      dlib::deserialize(predictor.initial_shape, in);
      dlib::deserialize(predictor.forests, in);
      dlib::deserialize(predictor.anchor_idx, in);
      dlib::deserialize(predictor.deltas, in);
      if (predictor.initial_shape.size() != 2 * video::kLandmarkCount ||
          predictor.anchor_idx.size() != predictor.forests.size() ||
          predictor.deltas.size() != predictor.forests.size()) {
        throw dlib::serialization_error("not a 68-point shape predictor");
      }
    } catch (const std::exception& e) {
      throw Error("cannot load the landmark model " + quoted(kLandmarkModel) + ": " + e.what());
    }
  }
};

const SharedModels& shared_models() {
  static const SharedModels models;  // loaded once per process (~1.7 s)
  return models;
}

const LandmarkModel& landmark_model() { return shared_models().predictor; }

// dlib's templates are compiled here, in this file: cloned for AVX2 (picked at run time,
// the default build stays portable), the shape predictor runs ~1.5x faster and the HOG
// scan too (PLATFORM.md: -march=x86-64-v3 halves the predictor's time).
//
// dlib's cascade (shape_predictor::operator()) from a box with sub-pixel corners, keeping
// the result's fractions: at each level the pixels the trees compare are placed relative
// to the current shape and the trees' sum of leaf values refines the shape. dlib reads
// the nearest pixel there; here they are read bilinearly, so the result moves smoothly
// with the picture instead of jumping when a sample point crosses a pixel edge (on 32
// realtalk clips and their crf 16 re-encodes, the head angles and mouthClose moved about
// a quarter less between the two than with the nearest pixel; docs/critic.md). `box`
// maps the model's unit square: (0, 0) to its top left, (1, 1) to its bottom right, in
// dlib's pixel-index coordinates.
__attribute__((target_clones("arch=x86-64-v3", "default"), flatten)) void predict_landmarks(
    const LandmarkModel& model, const GrayImage& gray, const Box& box, video::Landmarks& out) {
  dlib::matrix<float, 0, 1> shape = model.initial_shape;
  std::vector<float> values;
  const float w = box.x1 - box.x0, h = box.y1 - box.y0;
  const long columns = gray.nc(), rows = gray.nr();
  for (size_t level = 0; level < model.forests.size(); ++level) {
    const dlib::matrix<float, 2, 2> tform = dlib::matrix_cast<float>(
        dlib::impl::find_tform_between_shapes(model.initial_shape, shape).get_m());
    const auto& deltas = model.deltas[level];
    const auto& anchors = model.anchor_idx[level];
    values.resize(deltas.size());
    for (size_t i = 0; i < deltas.size(); ++i) {
      const dlib::vector<float, 2> u = tform * deltas[i] + dlib::impl::location(shape, anchors[i]);
      const float x = box.x0 + u.x() * w, y = box.y0 + u.y() * h;
      if (!(x > -0.5f && y > -0.5f && x < columns - 0.5f && y < rows - 0.5f)) {
        values[i] = 0.f;  // outside the picture, as dlib reads it
        continue;
      }
      const float cx = std::clamp(x, 0.f, columns - 1.f), cy = std::clamp(y, 0.f, rows - 1.f);
      const long x0 = static_cast<long>(cx), y0 = static_cast<long>(cy);
      const long x1 = std::min(columns - 1, x0 + 1), y1 = std::min(rows - 1, y0 + 1);
      const float ax = cx - x0, ay = cy - y0;
      values[i] = (1 - ay) * ((1 - ax) * gray[y0][x0] + ax * gray[y0][x1]) +
                  ay * ((1 - ax) * gray[y1][x0] + ax * gray[y1][x1]);
    }
    unsigned long leaf = 0;
    for (const auto& tree : model.forests[level]) shape += tree(values, leaf);
  }
  // dlib's landmark (x, y) is the pixel whose centre is at (x + 0.5, y + 0.5) here.
  for (int i = 0; i < video::kLandmarkCount; ++i) {
    out[i] = {box.x0 + shape(2 * i) * w + 0.5f, box.y0 + shape(2 * i + 1) * h + 0.5f};
  }
}

__attribute__((target_clones("arch=x86-64-v3", "default"), flatten)) std::vector<dlib::rectangle>
run_detector(dlib::frontal_face_detector& detector, const GrayImage& gray) {
  return detector(gray);
}

}  // namespace

dlib::frontal_face_detector make_detector() { return shared_models().detector; }

void to_gray(const Image& frame, GrayImage& gray) {
  gray.set_size(frame.height, frame.width);
  const std::uint8_t* p = frame.rgb.data();
  for (int y = 0; y < frame.height; ++y) {
    unsigned char* row = &gray[y][0];
    for (int x = 0; x < frame.width; ++x, p += 3) {
      row[x] = static_cast<unsigned char>((p[0] + p[1] + p[2]) / 3);
    }
  }
}

std::vector<dlib::rectangle> detect_faces(dlib::frontal_face_detector& detector,
                                          const GrayImage& gray, int max_side) {
  const long side = std::max(gray.nr(), gray.nc());
  if (max_side <= 0 || side <= max_side) return run_detector(detector, gray);
  const double scale = static_cast<double>(max_side) / side;
  GrayImage small(std::max(1L, std::lround(gray.nr() * scale)),
                  std::max(1L, std::lround(gray.nc() * scale)));
  dlib::resize_image(gray, small);
  std::vector<dlib::rectangle> boxes = run_detector(detector, small);
  const double back = static_cast<double>(gray.nc()) / small.nc();
  for (dlib::rectangle& r : boxes) {
    r = dlib::rectangle(std::lround(r.left() * back), std::lround(r.top() * back),
                        std::lround(r.right() * back), std::lround(r.bottom() * back));
  }
  return boxes;
}

TrackerCore::TrackerCore(AnalysisParams params) : params_(std::move(params)) {
  params_.detect_every = std::max(1, params_.detect_every);
  landmark_model();  // load now, so errors surface at construction
}

FaceObservation TrackerCore::observe(const Image& frame, const GrayImage& gray,
                                     const std::vector<dlib::rectangle>* detections) {
  const std::int64_t index = frame_index_++;
  FaceObservation obs;
  const bool due = !tracking_ || index % params_.detect_every == 0;
  Box box;
  bool detected = false;
  if (due) {
    std::vector<dlib::rectangle> own;
    if (detections == nullptr) {
      if (!detector_) detector_ = make_detector();
      own = detect_faces(*detector_, gray, params_.detect_max_side);
      detections = &own;
    }
    if (detections->empty()) {
      tracking_ = false;
      return obs;
    }
    // One consistent face: nearest to the last one seen, else the largest.
    auto best = detections->begin();
    if (previous_[0].x != 0.f || previous_[16].x != 0.f) {
      const Box last = landmark_box(previous_);
      auto distance = [&](const dlib::rectangle& r) {
        double dx = 0.5 * (r.left() + r.right()) - last.cx();
        double dy = 0.5 * (r.top() + r.bottom()) - last.cy();
        return dx * dx + dy * dy;
      };
      best =
          std::min_element(detections->begin(), detections->end(),
                           [&](const auto& a, const auto& b) { return distance(a) < distance(b); });
    } else {
      best = std::max_element(detections->begin(), detections->end(),
                              [](const auto& a, const auto& b) { return a.area() < b.area(); });
    }
    box = {static_cast<float>(best->left()), static_cast<float>(best->top()),
           static_cast<float>(best->right()), static_cast<float>(best->bottom())};
    detected = true;
  } else {
    const Box last = landmark_box(previous_);
    const float w = last.width();
    const float cx = last.cx() + box_dx_ * w, cy = last.cy() + box_dy_ * w;
    const float half = 0.5f * box_size_ * w;
    box = {cx - half, cy - half, cx + half, cy + half};
  }

  predict_landmarks(landmark_model(), gray, box, obs.landmarks);
  const Box found = landmark_box(obs.landmarks);
  if (found.width() < kMinFaceWidthPx || contrast(gray, found) < kMinFaceContrast ||
      found.cx() < 0 || found.cy() < 0 || found.cx() > frame.width || found.cy() > frame.height) {
    tracking_ = false;
    return FaceObservation{};
  }
  if (detected) {
    const float w = found.width();
    box_dx_ = (box.cx() - found.cx()) / w;
    box_dy_ = (box.cy() - found.cy()) / w;
    box_size_ = box.width() / w;
  }
  tracking_ = true;
  previous_ = obs.landmarks;
  obs.found = true;

  const HeadPose pose = fit_head_pose(obs.landmarks);
  obs.yaw_rad = pose.yaw_rad, obs.pitch_rad = pose.pitch_rad, obs.roll_rad = pose.roll_rad;
  obs.scale_px = pose.scale_px;
  if (auto gaze = measure_gaze(gray, obs.landmarks, pose)) {
    obs.gaze_x = (*gaze)[0], obs.gaze_y = (*gaze)[1];
    obs.gaze_valid = true;
  }
  if (params_.keep_crops) {
    obs.face_crop = crop_face(frame, obs.landmarks);
    obs.mouth_crop = crop_mouth(frame, obs.landmarks);
  }
  return obs;
}

struct FaceTracker::State {
  explicit State(AnalysisParams params) : core(std::move(params)) {}
  TrackerCore core;
  GrayImage gray;
};

FaceTracker::FaceTracker(AnalysisParams params)
    : state_(std::make_unique<State>(std::move(params))) {}
FaceTracker::~FaceTracker() = default;

FaceObservation FaceTracker::observe(const Image& frame) {
  if (frame.empty()) {
    // An empty frame has no face; still counts as a frame in the detection rhythm.
    GrayImage none;
    none.set_size(1, 1);
    none[0][0] = 0;
    Image dot(1, 1);
    return state_->core.observe(dot, none, nullptr);
  }
  to_gray(frame, state_->gray);
  return state_->core.observe(frame, state_->gray, nullptr);
}

}  // namespace parla::critic
