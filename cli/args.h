// Private to cli: a small declarative argument parser shared by every subcommand, so
// they all accept --help, report bad usage the same way and validate numbers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace parla::cli {

struct OptionSpec {
  std::string name;        // long name without dashes, e.g. "fps"
  char short_name = 0;     // e.g. 'o', or 0
  std::string value_name;  // e.g. "F"; empty for a flag
  std::string help;        // one line
  int arity = 1;           // values after the option when value_name is set (1 or 2)
};

struct CommandSpec {
  std::string name;         // e.g. "render"
  std::string positionals;  // usage text for positionals, e.g. "PORTRAIT AUDIO"
  std::string summary;      // one line
  std::string details;      // extra paragraphs for --help, may be empty
  std::vector<OptionSpec> options;
  int min_positionals = 0;
  int max_positionals = 0;
};

class ParsedArgs {
 public:
  bool help = false;  // --help / -h was given
  std::vector<std::string> positionals;

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  // Numeric options, validated against [lo, hi]; InputError names the option.
  double number(const std::string& name, double fallback, double lo, double hi) const;
  long long integer(const std::string& name, long long fallback, long long lo, long long hi) const;

  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  // An option with arity 2: its second value (the first is value()).
  std::optional<std::string> second_value(const std::string& name) const;
  void set_second(const std::string& name, std::string value) { seconds_[name] = std::move(value); }

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> seconds_;
};

// Parses argv after the subcommand name. Throws InputError ("parla render: unknown
// option '--x' (see parla render --help)") on bad usage.
ParsedArgs parse_args(const CommandSpec& spec, const std::vector<std::string>& args);
std::string help_text(const CommandSpec& spec);

// The candidate closest to `word` by edit distance when it is a plausible typo (at most
// one edit per three letters, at least one), else empty.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// The items of a comma-separated list, empty items left out ("a,,b" -> a, b).
std::vector<std::string> split_list(const std::string& text);

}  // namespace parla::cli
