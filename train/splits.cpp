// Corpus split names.
#include "train/train.h"

namespace parla::train {

std::string_view split_name(Split s) {
  switch (s) {
    case Split::Train:
      return "train";
    case Split::Val:
      return "val";
    case Split::Test:
      return "test";
  }
  return "train";
}

std::optional<Split> split_from_name(std::string_view name) {
  if (name == "train") return Split::Train;
  if (name == "val") return Split::Val;
  if (name == "test") return Split::Test;
  return std::nullopt;
}

}  // namespace parla::train
