#include "audio/av_handles.h"

#include <mutex>

extern "C" {
#include <libavutil/log.h>
}

namespace parla::audio::av {

std::string error_text(int averror) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_make_error_string(text, sizeof text, averror);
  return text;
}

int check(int ret, std::string_view what) {
  if (ret < 0) throw Error(std::string(what) + ": " + error_text(ret));
  return ret;
}

void silence_log() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

}  // namespace parla::audio::av
