#include "cli/args.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/core.h"

namespace parla::cli {
namespace {

[[noreturn]] void usage_error(const CommandSpec& spec, const std::string& problem) {
  throw InputError(problem + " (see parla " + spec.name + " --help)");
}

const OptionSpec* find_option(const CommandSpec& spec, const std::string& arg) {
  for (const auto& opt : spec.options) {
    if (arg == "--" + opt.name) return &opt;
    if (opt.short_name && arg.size() == 2 && arg[0] == '-' && arg[1] == opt.short_name) return &opt;
  }
  return nullptr;
}

// Edit distance of two short words: insertions, deletions, substitutions and swaps of
// neighbouring letters ("scroe" → "score") count one each.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// "; did you mean '--size'?" for a mistyped long option, else empty.
std::string option_hint(const CommandSpec& spec, const std::string& key) {
  if (key.rfind("--", 0) != 0) return "";
  std::vector<std::string> names;
  for (const auto& opt : spec.options) names.push_back(opt.name);
  std::string hint = did_you_mean(key.substr(2), names);
  return hint.empty() ? "" : "; did you mean '--" + hint + "'?";
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ParsedArgs::second_value(const std::string& name) const {
  auto it = seconds_.find(name);
  if (it == seconds_.end()) return std::nullopt;
  return it->second;
}

std::string ParsedArgs::value_or(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

double ParsedArgs::number(const std::string& name, double fallback, double lo, double hi) const {
  auto text = value(name);
  if (!text) return fallback;
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (end == text->c_str() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi) {
    std::ostringstream msg;
    msg << "--" << name << " expects a number from " << lo << " to " << hi << ", got '" << *text << "'";
    throw InputError(msg.str());
  }
  return v;
}

long long ParsedArgs::integer(const std::string& name, long long fallback, long long lo,
                              long long hi) const {
  auto text = value(name);
  if (!text) return fallback;
  char* end = nullptr;
  long long v = std::strtoll(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || v < lo || v > hi) {
    throw InputError("--" + name + " expects a whole number from " + std::to_string(lo) + " to " +
                     std::to_string(hi) + ", got '" + *text + "'");
  }
  return v;
}

ParsedArgs parse_args(const CommandSpec& spec, const std::vector<std::string>& args) {
  ParsedArgs parsed;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!options_done && (arg == "--help" || arg == "-h")) {
      parsed.help = true;
      return parsed;
    }
    if (!options_done && arg == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && arg.size() > 1 && arg[0] == '-') {
      std::string key = arg, inline_value;
      bool has_inline = false;
      if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
        key = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
        has_inline = true;
      }
      const OptionSpec* opt = find_option(spec, key);
      if (!opt) usage_error(spec, "unknown option '" + arg + "'" + option_hint(spec, key));
      if (opt->value_name.empty()) {
        if (has_inline) usage_error(spec, "option '--" + opt->name + "' takes no value");
        parsed.set(opt->name, "1");
      } else if (has_inline && opt->arity == 1) {
        parsed.set(opt->name, inline_value);
      } else if (has_inline) {
        usage_error(spec, "option '--" + opt->name + "' takes " + opt->value_name + " as separate arguments");
      } else {
        if (i + static_cast<size_t>(opt->arity) >= args.size()) {
          usage_error(spec, "option '" + arg + "' needs " + (opt->arity > 1 ? "values " : "a value ") + opt->value_name);
        }
        parsed.set(opt->name, args[++i]);
        if (opt->arity > 1) parsed.set_second(opt->name, args[++i]);
      }
      continue;
    }
    parsed.positionals.push_back(arg);
  }
  int count = static_cast<int>(parsed.positionals.size());
  if (count < spec.min_positionals) {
    usage_error(spec, "missing arguments: expected " + spec.positionals);
  }
  if (count > spec.max_positionals) {
    usage_error(spec, "unexpected argument '" + parsed.positionals[spec.max_positionals] + "'");
  }
  return parsed;
}

std::string help_text(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: parla " << spec.name << (spec.positionals.empty() ? "" : " " + spec.positionals)
      << (spec.options.empty() ? "" : " [options]") << "\n\n"
      << spec.summary << "\n";
  if (!spec.details.empty()) out << "\n" << spec.details << "\n";
  out << "\noptions:\n";
  for (const auto& opt : spec.options) {
    std::string left = "  ";
    left += opt.short_name ? std::string("-") + opt.short_name + ", " : "    ";
    left += "--" + opt.name + (opt.value_name.empty() ? "" : " " + opt.value_name);
    if (left.size() < 30) left.resize(30, ' ');
    else left += "  ";
    out << left << opt.help << "\n";
  }
  out << "  -y / -n                     overwrite existing output files without asking / never\n"
         "                              (default: ask on a terminal, overwrite in scripts)\n";
  out << "  -h, --help                  show this help\n";
  return out.str();
}

}  // namespace parla::cli
