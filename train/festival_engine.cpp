// festival as a subprocess (its C++ library is not packaged as a stable API): one
// `festival --pipe` run per utterance writes a WAV and the Segment relation's end
// times and stresses. Start-up costs ~0.1–0.8 s per run, which is acceptable for the
// small share of clips festival speaks (it is the slowest engine).
#include <iconv.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "train/engines.h"

namespace parla::train {
namespace {

struct FestivalVoiceInfo {
  std::string phoneset;  // for phone_to_ipa
  std::string charset;   // the text encoding the voice's lexicon expects
};

FestivalVoiceInfo voice_info(const std::string& voice) {
  if (voice == "lp_diphone" || voice == "pc_diphone") return {"italian", "ISO-8859-1"};
  if (voice == "czech_dita") return {"czech", "ISO-8859-2"};
  if (voice == "msu_ru_nsh_clunits") return {"russian", "UTF-8"};
  return {"radio", "UTF-8"};
}

std::string convert_charset(const std::string& text, const std::string& charset) {
  if (charset == "UTF-8") return text;
  iconv_t cd = iconv_open((charset + "//TRANSLIT").c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw Error("festival: no iconv conversion to " + charset);
  std::string in = text, out(text.size() * 2 + 16, '\0');
  char* in_ptr = in.data();
  char* out_ptr = out.data();
  size_t in_left = in.size(), out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left) == static_cast<size_t>(-1)) {
      ++in_ptr;  // skip a character the target charset cannot hold
      --in_left;
    }
  }
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

// A Scheme string literal of the text: quotes and backslashes dropped, hyphens spaced,
// punctuation attached to the word before it and followed by a space. The Russian and
// Italian voices' letter-to-sound rules fail on a lone "." and on "a:b", "a,b", "a-b".
std::string scheme_string(const std::string& text) {
  std::string out;
  auto is_punctuation = [](char c) {
    return c == '.' || c == ',' || c == '!' || c == '?' || c == ';' || c == ':';
  };
  for (char c : text) {
    if (c == '"' || c == '\\') continue;
    if (c == '\n' || c == '\r' || c == '\t' || c == '-') c = ' ';
    if (is_punctuation(c)) {
      while (!out.empty() && out.back() == ' ') out.pop_back();
    } else if (c != ' ' && !out.empty() && is_punctuation(out.back())) {
      out += ' ';
    }
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  return "\"" + out + "\"";
}

// 16-bit PCM RIFF/WAVE, first channel.
std::vector<float> read_wav(const std::filesystem::path& path, int& sample_rate) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < 44 || data.compare(0, 4, "RIFF") != 0 || data.compare(8, 4, "WAVE") != 0) {
    throw Error("festival: no WAV written");
  }
  auto u16 = [&](size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(data[at]) |
                                 (static_cast<unsigned char>(data[at + 1]) << 8));
  };
  auto u32 = [&](size_t at) { return u16(at) | (u16(at + 2) << 16); };
  int channels = 1;
  for (size_t at = 12; at + 8 <= data.size();) {
    std::string id = data.substr(at, 4);
    size_t size = u32(at + 4);
    if (id == "fmt ") {
      channels = static_cast<int>(u16(at + 10));
      sample_rate = static_cast<int>(u32(at + 12));
      if (u16(at + 22) != 16) throw Error("festival: WAV is not 16-bit PCM");
    } else if (id == "data") {
      size = std::min(size, data.size() - at - 8);
      size_t frames = size / 2 / channels;
      std::vector<float> pcm(frames);
      for (size_t i = 0; i < frames; ++i) {
        pcm[i] = static_cast<int16_t>(u16(at + 8 + 2 * i * channels)) / 32768.f;
      }
      return pcm;
    }
    at += 8 + size + (size & 1);
  }
  throw Error("festival: WAV without data");
}

class FestivalEngine final : public SpeechEngine {
 public:
  explicit FestivalEngine(std::string scratch_dir) : dir_(std::move(scratch_dir)) {
    std::filesystem::create_directories(dir_);
  }

  Utterance speak(const VoiceSpec& voice, const std::string& text,
                  const SpeakParams& params) override {
    FestivalVoiceInfo info = voice_info(voice.voice);
    std::filesystem::path wav = dir_ / "utt.wav", segs = dir_ / "utt.segs",
                          log = dir_ / "festival.log";
    std::filesystem::remove(wav);
    std::filesystem::remove(segs);
    std::ostringstream script;
    script
        << "(voice_" << voice.voice << ")\n"
        << "(Parameter.set 'Duration_Stretch " << 1.0 / params.rate << ")\n"
        << "(set! utt (SynthText " << scheme_string(convert_charset(text, info.charset)) << "))\n"
        << "(utt.save.wave utt \"" << wav.string() << "\" 'riff)\n"
        << "(set! fd (fopen \"" << segs.string() << "\" \"w\"))\n"
        << "(mapcar (lambda (s) (format fd \"%s %f %s\\n\" (item.name s) (item.feat s \"end\") "
           "(item.feat s \"R:SylStructure.parent.stress\"))) (utt.relation.items utt 'Segment))\n"
        << "(fclose fd)\n";
    std::string command = "festival --pipe > '" + log.string() + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "w");
    if (!pipe) throw Error("festival: cannot start the festival program");
    std::string s = script.str();
    fwrite(s.data(), 1, s.size(), pipe);
    int status = pclose(pipe);
    if (status != 0 || !std::filesystem::exists(segs)) {
      // The log's last line says why; no paths in the message (it goes into shard files).
      std::ifstream log_in(log);
      std::string line, last;
      while (std::getline(log_in, line)) {
        if (!line.empty()) last = line;
      }
      throw Error("festival: voice '" + voice.voice + "' failed: " + last.substr(0, 200));
    }
    Utterance u;
    u.pcm = read_wav(wav, u.sample_rate);
    std::ifstream in(segs);
    std::string name, stress_text;
    double end_s = 0, previous_end_s = 0;
    while (in >> name >> end_s >> stress_text) {
      MappedPhone p = phone_to_ipa(info.phoneset, name);
      int stress = p.stress;
      if (stress < 0 && p.ipa != kPauseSymbol && info.phoneset == "radio")
        stress = std::atoi(stress_text.c_str()) > 0;
      if (end_s > previous_end_s) u.phones.push_back({p.ipa, previous_end_s, end_s, stress});
      previous_end_s = std::max(previous_end_s, end_s);
    }
    if (u.phones.empty()) throw Error("festival: no phones from voice '" + voice.voice + "'");
    return u;
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<SpeechEngine> make_festival_engine(std::string scratch_dir) {
  return std::make_unique<FestivalEngine>(std::move(scratch_dir));
}

}  // namespace parla::train
