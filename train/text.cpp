// Text pools: fortune-cookie files (real sentences: proverbs, quotations, jokes) where
// Debian has them for a language, spell-checker word lists otherwise (random word
// sequences still exercise every phone of the language, without prosody of meaning).
#include "train/text.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "core/core.h"

namespace parla::train {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFortunes = "/usr/share/games/fortunes/";
constexpr size_t kMinBytes = 20, kMaxBytes = 250;

// Files skipped in fortune folders: pictures, offensive sections, another language.
bool skip_fortune_file(const fs::path& p) {
  static const std::set<std::string> skip{"asciiart",  "art",          "ascii-art", "banner",
                                          "klasik-sk", "translate-me", "off",       "perl",
                                          "linux",     "linuxcookie"};
  std::string name = p.filename().string();
  return p.extension() == ".dat" || p.extension() == ".u8" || skip.count(name) > 0 ||
         fs::is_symlink(p) || !fs::is_regular_file(p);
}

std::vector<std::string> split_fortunes(const std::string& text) {
  std::vector<std::string> entries;
  std::string current;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line == "%") {
      entries.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!current.empty()) entries.push_back(current);
  return entries;
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0)) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += extra + 1;
  }
  return true;
}

struct Pool {
  std::vector<TextItem> sentences;  // fortune sources
  std::vector<std::string> words;   // word-list sources
  std::string word_source;
};

Pool load_pool(const std::string& language) {
  Pool pool;
  for (const TextSource& src : text_sources()) {
    if (src.language != language) continue;
    fs::path path = src.path;
    if (!fs::exists(path)) {
      throw InputError("text for language '" + language + "' is missing: " + quoted(path) +
                       " (install Debian package " + src.package + ", see scripts/setup.sh)");
    }
    if (src.word_list) {
      std::ifstream in(path);
      for (std::string w; std::getline(in, w);) {
        bool ok = !w.empty() && valid_utf8(w) && std::none_of(w.begin(), w.end(), [](char c) {
          return c == '\'' || c == '-' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        });
        if (ok) pool.words.push_back(w);
      }
      pool.word_source = src.package + ":" + path.filename().string();
      continue;
    }
    std::vector<fs::path> files;
    if (fs::is_directory(path)) {
      for (const auto& e : fs::directory_iterator(path)) {
        if (!skip_fortune_file(e.path())) files.push_back(e.path());
      }
    } else {
      files.push_back(path);
    }
    std::sort(files.begin(), files.end());  // directory order is not deterministic
    for (const fs::path& f : files) {
      std::string source = src.package + ":" + f.filename().string();
      for (const std::string& entry : split_fortunes(read_text_file(f))) {
        std::string clean = clean_fortune(entry);
        if (!clean.empty()) pool.sentences.push_back({clean, source});
      }
    }
  }
  if (pool.sentences.empty() && pool.words.size() < 100) {
    throw InputError("no usable text for language '" + language + "'");
  }
  return pool;
}

const Pool& pool_for(const std::string& language) {
  static std::map<std::string, Pool> pools;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto it = pools.find(language);
  if (it == pools.end()) it = pools.emplace(language, load_pool(language)).first;
  return it->second;
}

}  // namespace

const std::vector<TextSource>& text_sources() {
  static const std::vector<TextSource> sources{
      {"en", "fortunes", std::string(kFortunes) + "wisdom"},
      {"en", "fortunes", std::string(kFortunes) + "people"},
      {"en", "fortunes", std::string(kFortunes) + "education"},
      {"en", "fortunes", std::string(kFortunes) + "food"},
      {"en", "fortunes", std::string(kFortunes) + "humorists"},
      {"en", "fortunes", std::string(kFortunes) + "law"},
      {"en", "fortunes", std::string(kFortunes) + "love"},
      {"en", "fortunes", std::string(kFortunes) + "medicine"},
      {"en", "fortunes", std::string(kFortunes) + "miscellaneous"},
      {"en", "fortunes", std::string(kFortunes) + "platitudes"},
      {"en", "fortunes", std::string(kFortunes) + "politics"},
      {"en", "fortunes", std::string(kFortunes) + "science"},
      {"en", "fortunes", std::string(kFortunes) + "sports"},
      {"en", "fortunes", std::string(kFortunes) + "work"},
      {"en", "fortunes", std::string(kFortunes) + "pets"},
      {"en", "fortunes", std::string(kFortunes) + "kids"},
      {"de", "fortunes-de", std::string(kFortunes) + "de"},
      {"es", "fortunes-es", std::string(kFortunes) + "es"},
      {"it", "fortunes-it", std::string(kFortunes) + "it"},
      {"pt-br", "fortunes-br", std::string(kFortunes) + "brasil"},
      {"pl", "fortunes-pl", std::string(kFortunes) + "pl"},
      {"ru", "fortunes-ru", std::string(kFortunes) + "ru"},
      {"cs", "fortunes-cs", std::string(kFortunes) + "cs"},
      {"eo", "fortunes-eo", std::string(kFortunes) + "eo"},
      {"fr", "wfrench", "/usr/share/dict/french", true},
      {"nl", "wdutch", "/usr/share/dict/dutch", true},
  };
  return sources;
}

std::string clean_fortune(const std::string& entry) {
  if (!valid_utf8(entry)) return "";
  // Attributions ("\t\t-- Author") and dialogue prompts are not spoken.
  std::string body = entry;
  for (const char* mark : {"\n\t", "\n  ", " -- ", "\n--"}) {
    size_t at = body.find(mark);
    if (at != std::string::npos && at > kMinBytes) body.resize(at);
  }
  std::string text;
  int letters = 0, others = 0, digits = 0;
  for (char c : body) {
    if (std::string("<>|{}[]_=#@*~^$\\/`").find(c) != std::string::npos) return "";
    if (c >= '0' && c <= '9') ++digits;
    bool space = c == '\n' || c == '\t' || c == ' ' || c == '\r';
    if (space) {
      if (!text.empty() && text.back() != ' ') text += ' ';
      continue;
    }
    unsigned char u = c;
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80) {
      ++letters;
    } else {
      ++others;
    }
    text += c;
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.find("http") != std::string::npos || digits > 3 || letters < 4 * (others + 1)) return "";
  if (text.size() > kMaxBytes) {
    // Keep whole sentences up to the limit.
    size_t cut = std::string::npos;
    for (size_t i = kMinBytes; i + 1 < kMaxBytes && i + 1 < text.size(); ++i) {
      if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && text[i + 1] == ' ') cut = i + 1;
    }
    if (cut == std::string::npos) return "";
    text.resize(cut);
  }
  return text.size() >= kMinBytes ? text : "";
}

void load_text_pools() {
  for (const TextSource& s : text_sources()) pool_for(s.language);
}

TextItem draw_text(const std::string& language, Random& rng) {
  const Pool& pool = pool_for(language);
  if (!pool.sentences.empty()) return pool.sentences[rng.below(pool.sentences.size())];
  int count = 5 + static_cast<int>(rng.below(10));
  std::string text;
  for (int i = 0; i < count; ++i) {
    if (i > 0) text += (rng.chance(0.12) && i + 1 < count) ? ", " : " ";
    text += pool.words[rng.below(pool.words.size())];
  }
  text += rng.chance(0.15) ? "?" : ".";
  return {text, pool.word_source};
}

}  // namespace parla::train
