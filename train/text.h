// Private to train: the text the voices read, from Debian packages (docs/corpus.md
// lists each package and why it was chosen).
#pragma once

#include <string>
#include <vector>

#include "train/random.h"

namespace parla::train {

struct TextSource {
  std::string language;    // code used by the voice catalogue
  std::string package;     // Debian package
  std::string path;        // file or folder under it
  bool word_list = false;  // a /usr/share/dict list: sentences are random word sequences
};
const std::vector<TextSource>& text_sources();

struct TextItem {
  std::string text;    // one or a few sentences, UTF-8, 20–250 bytes
  std::string source;  // "package:file"
};

// A random text of `language`. The pool is read once per process; throws InputError
// naming the package when its files are missing (install it with scripts/setup.sh).
TextItem draw_text(const std::string& language, Random& rng);

// Reads every language's pool now (they are otherwise read on first use).
void load_text_pools();

// Cleans one fortune entry into speakable text, or "" when it is not prose (ASCII
// art, code, tables, URLs) or too short.
std::string clean_fortune(const std::string& entry);

}  // namespace parla::train
