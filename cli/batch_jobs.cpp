#include "cli/batch_jobs.h"

#include <fstream>
#include <map>

#include "cli/commands.h"
#include "core/core.h"

namespace parla::cli {
namespace {

namespace fs = std::filesystem;

// Render options naming an input file: resolved against the jobs file's folder.
constexpr const char* kFileOptions[] = {"motion", "landmarks", "weights", "experts-dir", "text-file"};
// Render options a job line may not use: batch sets the output and the inputs itself.
constexpr const char* kRefusedWords[] = {"-o", "--output", "--sample", "-h", "--help", "-y", "-n"};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

bool is_blank_or_comment(const std::string& line) {
  size_t first = line.find_first_not_of(" \t");
  return first == std::string::npos || line[first] == '#';
}

fs::path resolve(const fs::path& base, const std::string& path) {
  fs::path p(path);
  return p.is_absolute() ? p : (base / p).lexically_normal();
}

}  // namespace

std::vector<std::string> split_option_words(const std::string& field) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : field) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) throw InputError(std::string("unclosed ") + quote + " quote in the options");
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::vector<BatchJob> read_batch_jobs(const fs::path& jobs_file, const fs::path& out_dir) {
  check_input_file(jobs_file, "jobs file");
  std::ifstream in(jobs_file, std::ios::binary);
  if (!in) throw InputError("cannot read the jobs file " + quoted(jobs_file));
  const fs::path base = fs::absolute(jobs_file).parent_path();
  const CommandSpec& spec = render_command().spec;

  std::vector<BatchJob> jobs;
  std::map<fs::path, int> output_lines;  // normalised output → its line
  std::string line;
  bool first = true;
  for (int number = 1; std::getline(in, line); ++number) {
    auto fail = [&](const std::string& problem) {
      throw InputError(jobs_file.string() + ":" + std::to_string(number) + ": " + capped_message(problem));
    };
    if (!line.empty() && line.back() == '\r') line.pop_back();  // a file saved on Windows
    if (is_blank_or_comment(line)) continue;
    std::vector<std::string> fields = split_tabs(line);
    if (first) {
      first = false;
      if (fields[0] == "portrait") continue;  // the column names
    }
    if (fields.size() < 3 || fields.size() > 4) {
      fail("expected PORTRAIT<TAB>AUDIO<TAB>OUTPUT[<TAB>OPTIONS], found " + std::to_string(fields.size()) +
           " tab-separated field" + (fields.size() == 1 ? "" : "s") + ": '" + excerpt(line, 60) + "'");
    }
    const char* column_names[] = {"portrait", "audio", "output"};
    for (int c = 0; c < 3; ++c) {
      if (fields[c].empty()) fail(std::string("the ") + column_names[c] + " column is empty");
    }
    if (fields[1] == "-") fail("standard input ('-') cannot be the audio of a batch job");
    std::vector<std::string> words;
    try {
      words = split_option_words(fields.size() == 4 ? fields[3] : "");
    } catch (const InputError& e) {
      fail(e.what());
    }
    for (const std::string& w : words) {
      if (w == "--best-of" || w.rfind("--best-of=", 0) == 0) {
        fail("--best-of is not a batch job option (it ranks candidates with the critic: "
             "parla render --best-of N)");
      }
      for (const char* refused : kRefusedWords) {
        if (w == refused) fail("'" + w + "' is not a job option: the columns give the inputs and output");
      }
    }

    BatchJob job;
    job.index = static_cast<int>(jobs.size());
    job.line = number;
    job.output_name = fields[2];
    job.output = resolve(out_dir, fields[2]);
    std::vector<std::string> tokens{resolve(base, fields[0]).string(), resolve(base, fields[1]).string(), "-o",
                                    job.output.string()};
    tokens.insert(tokens.end(), words.begin(), words.end());
    try {
      job.args = parse_args(spec, tokens);
    } catch (const InputError& e) {
      fail(e.what());
    }
    if (job.args.positionals.size() != 2) fail("options may not add inputs: '" + excerpt(fields[3], 60) + "'");
    for (const char* name : kFileOptions) {
      if (auto value = job.args.value(name)) job.args.set(name, resolve(base, *value).string());
    }
    const std::string extension = job.output.extension().string();
    if (extension != ".mp4" && !(extension == ".png" && job.args.has("frame"))) {
      fail("the output " + parla::quoted(fs::path(fields[2])) + " must end in .mp4 (or .png with --frame T)");
    }
    auto [seen, added] = output_lines.emplace(job.output, number);
    if (!added) fail("the output " + parla::quoted(fs::path(fields[2])) + " is also written by line " + std::to_string(seen->second));
    jobs.push_back(std::move(job));
  }
  if (in.bad()) throw InputError("cannot read the jobs file " + quoted(jobs_file));
  return jobs;
}

}  // namespace parla::cli
