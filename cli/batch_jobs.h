// Private to cli: the jobs file of `parla batch` (docs/batch.md "The jobs file"). One
// job a line, tab-separated: PORTRAIT, AUDIO, OUTPUT and optionally the render options
// ("--size 256 --seed 3"). Blank lines and lines starting with '#' are skipped, as is a
// first line naming the columns ("portrait<TAB>audio<TAB>output..."). Inputs (and the
// file options --motion, --landmarks, --weights, --experts-dir, --text-file) are relative
// to the jobs file's folder; outputs are relative to --out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/args.h"

namespace parla::cli {

struct BatchJob {
  int index = 0;            // 0-based among the jobs of the file, in order (the shard key)
  int line = 0;             // 1-based line of the jobs file, for messages
  std::string output_name;  // the OUTPUT column as written (the summary's key)
  std::filesystem::path output;  // under --out
  ParsedArgs args;          // the render's arguments: both inputs, -o output, the options
};

// Reads and checks every line: field count, empty fields, the render options (parsed as
// `parla render` parses them), the output's extension, outputs named twice. Throws
// InputError "FILE:LINE: problem" for the first bad line; files are not opened here (a
// missing input fails its job, not the batch).
std::vector<BatchJob> read_batch_jobs(const std::filesystem::path& jobs_file,
                                      const std::filesystem::path& out_dir);

// Splits an options field into words at spaces and tabs; "double" or 'single' quotes
// keep spaces inside a word. Throws InputError for an unclosed quote.
std::vector<std::string> split_option_words(const std::string& field);

}  // namespace parla::cli
