// Private to player: GLSL 3.30 sources of the rig renderer — the same per-pixel maths
// as video/renderer.cpp (bilinear portrait sampling), video/mouth.cpp (shade_mouth) and
// video/eyes.cpp (shade_eye), so the GL and CPU pictures agree.
#pragma once

#include <string>

namespace parla::player {

extern const char* const kRigVertexShader;
// The fragment shader for one material (0 skin, 1 eye, 2 mouth): one program each, so
// llvmpipe's SIMD lanes never run the eye and mouth code for plain skin.
std::string rig_fragment_shader(int material);

}  // namespace parla::player
