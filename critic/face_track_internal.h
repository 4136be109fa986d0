// Private to critic/: the pieces of the face tracker that analyze_video runs on two
// threads (detection on the decode thread, landmarks on the caller's), the generic 3-D
// face and the per-frame measurements that estimate_motion turns into channels.
#pragma once

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

#include <array>
#include <optional>
#include <vector>

#include "critic/critic.h"

namespace parla::critic {

using GrayImage = dlib::array2d<unsigned char>;

// Face boxes (frame pixels) from dlib's HOG detector: full detection on `gray`
// downscaled so its longest side is at most `max_side`. Used by one thread at a time
// per detector (dlib's scanner keeps scratch buffers).
std::vector<dlib::rectangle> detect_faces(dlib::frontal_face_detector& detector,
                                          const GrayImage& gray, int max_side);

// A copy of the process-wide detector (construction from dlib's string costs ~0.7 s,
// copying is cheap).
dlib::frontal_face_detector make_detector();

// Average of R, G and B (what dlib's shape predictor reads from an RGB image).
void to_gray(const Image& frame, GrayImage& gray);

// Head pose of 68 landmarks from a weak-perspective fit of the generic 3-D face:
// angles in the renderer's convention (video/rig.cpp: yaw then pitch then roll; + yaw
// turns the face toward image right, + pitch nods down, + roll is clockwise on screen),
// scale in pixels per face unit (inter-ocular distance of the generic face).
struct HeadPose {
  float yaw_rad = 0, pitch_rad = 0, roll_rad = 0;
  float scale_px = 0;
  // How far the chin (landmark 8) lies below where the rigid fit puts the generic
  // face's chin, along the face's down axis, in units of scale_px: the jaw's drop with
  // the head pose taken out.
  float chin_residual = 0;
};
HeadPose fit_head_pose(const video::Landmarks& landmarks);

// Iris offset (−1..1, DESIGN signs) from the darkest pixels inside both eye outlines,
// or nothing when the eyes are too closed or too small to measure.
std::optional<std::array<float, 2>> measure_gaze(const GrayImage& gray,
                                                 const video::Landmarks& landmarks,
                                                 const HeadPose& pose);

// The tracker's step with detections computed elsewhere: `detections` holds the boxes
// of this frame when a full detection ran on it (the decode thread does that every
// detect_every frames), nothing otherwise; the tracker detects itself when it has lost
// the face and no boxes were given.
// One frame's raw measurements in face units (the face frame of video/face_frame.cpp with
// the unit taken from the 3-D fit's scale), before per-video normalisation.
struct FrameFeatures {
  float lip_gap = 0;           // inner-lip aperture: mean of 66−62, 67−61, 65−63 (vertical)
  float chin_drop = 0;         // chin (8) below the rigid fit's chin (HeadPose::chin_residual)
  float mouth_width = 0;       // outer corners 48–54, corrected for yaw
  float corner_height = 0;     // nose base (33) above the mean of the corners 48, 54
  float upper_lip = 0;         // upper-lip thickness: 62 − 51
  float lower_lip = 0;         // lower-lip thickness: 57 − 66
  float eye_open[2] = {0, 0};  // eye aspect ratio: [0] subject's right (36–41), [1] left
  float brow_inner = 0;        // eye top (37, 38, 43, 44) − inner brow (20, 21, 22, 23)
  float brow_all = 0;          // eye top − all brow points (17–26)
  float centre_x = 0, centre_y = 0;  // rigid-point centre, pixels
  float face_width_px = 0;           // jaw outline 0–16, pixels
};
// `unit_ratio` scales the fit's scale_px to the face unit (estimate_motion uses the
// video's median inter-ocular distance per scale_px).
FrameFeatures frame_features(const FaceObservation& observation, float unit_ratio = 1.f);

class TrackerCore {
 public:
  explicit TrackerCore(AnalysisParams params);
  // Frames in order. `detections` (may be null) are this frame's boxes when the caller
  // ran detect_faces on it; used when this frame is due for a detection.
  FaceObservation observe(const Image& frame, const GrayImage& gray,
                          const std::vector<dlib::rectangle>* detections);
  const AnalysisParams& params() const { return params_; }

 private:
  AnalysisParams params_;
  std::optional<dlib::frontal_face_detector> detector_;  // made on first own detection
  std::int64_t frame_index_ = 0;
  bool tracking_ = false;
  video::Landmarks previous_{};
  // The last detection box relative to its landmarks' bounding box: centre offset and
  // size in units of the landmark box's width, so tracked boxes look like detections.
  float box_dx_ = 0.f, box_dy_ = 0.2f, box_size_ = 1.15f;
};

}  // namespace parla::critic
