// parse_json_input: nlohmann's DOM parser behind a SAX hook that keeps the byte
// position of every error, including number overflow (which nlohmann reports without
// one), so the message can say where and quote a short excerpt instead of the token.
#include "core/json_input.h"

namespace parla {
namespace {

using DomParser = nlohmann::detail::json_sax_dom_parser<nlohmann::json>;

// Hides DomParser::parse_error (sax_parse calls it on the static type): records the
// error instead of throwing nlohmann's message, which quotes the whole token.
struct PositionedDomParser : DomParser {
  explicit PositionedDomParser(nlohmann::json& result) : DomParser(result, /*allow_exceptions=*/false) {}

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const Exception& ex) {
    failed = true;
    error_byte = position;
    error_id = ex.id;
    problem = ex.what();
    return false;
  }

  bool failed = false;
  std::size_t error_byte = 0;
  int error_id = 0;
  std::string problem;
};

// nlohmann's own words for the problem, without the bytes it quotes ("last read: ...").
std::string problem_words(const PositionedDomParser& parser) {
  if (parser.error_id == 406) return "a number too large for a double";
  std::string words = parser.problem;
  if (auto dash = words.find(" - "); dash != std::string::npos) words = words.substr(dash + 3);
  if (auto quote = words.find("; last read"); quote != std::string::npos) words.resize(quote);
  if (auto colon = words.find("]"); colon != std::string::npos && words.front() == '[') {
    words = words.substr(colon + 1);
  }
  return excerpt(words, 80);
}

}  // namespace

nlohmann::json parse_json_input(std::string_view text, std::string_view what) {
  nlohmann::json result;
  PositionedDomParser parser(result);
  bool ok = nlohmann::json::sax_parse(text, &parser, nlohmann::json::input_format_t::json,
                                      /*strict=*/true);
  if (ok && !parser.failed) return result;
  // nlohmann's position is one past the last byte read; point at that byte.
  std::size_t at = parser.error_byte > 0 ? parser.error_byte - 1 : 0;
  if (at > text.size()) at = text.size();
  std::size_t from = at >= 8 ? at - 8 : 0;
  throw InputError(std::string(what) + ": not valid JSON at " + text_position(text, at) +
                   " near '" + excerpt(text.substr(from), 24) + "': " + problem_words(parser));
}

}  // namespace parla
