// Shard writing and the CorpusReader. Audio is stored as int16 (augmented audio is
// already quantised by its own noise floor), motion as float32, both little-endian.
#include "train/shard.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace parla::train {
namespace fs = std::filesystem;
using nlohmann::json;

static_assert(std::endian::native == std::endian::little, "shards are little-endian");

std::string shard_name(int shard) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05d", shard);
  return buf;
}

namespace {

json meta_to_json(const ClipMeta& m) {
  return {{"id", m.id},
          {"engine", m.engine},
          {"voice", m.voice},
          {"language", m.language},
          {"text", m.text},
          {"text_source", m.text_source},
          {"rate", m.rate},
          {"pitch", m.pitch},
          {"speed", m.speed},
          {"augmentation", m.augmentation},
          {"split", split_name(m.split)},
          {"seed", m.seed}};
}

ClipMeta meta_from_json(const json& j) {
  ClipMeta m;
  m.id = j.at("id");
  m.engine = j.at("engine");
  m.voice = j.at("voice");
  m.language = j.at("language");
  m.text = j.at("text");
  m.text_source = j.at("text_source");
  m.rate = j.at("rate");
  m.pitch = j.at("pitch");
  m.speed = j.at("speed");
  m.augmentation = j.at("augmentation");
  auto split = split_from_name(j.at("split").get<std::string>());
  if (!split) throw InputError("unknown split '" + j.at("split").get<std::string>() + "'");
  m.split = *split;
  m.seed = j.at("seed");
  return m;
}

}  // namespace

void write_shard(const fs::path& dir, int shard, const std::vector<Clip>& clips,
                 const std::vector<std::string>& unmapped,
                 const std::vector<std::string>& failures) {
  std::string name = shard_name(shard);
  json index{{"format", "parla-corpus-shard"}, {"version", kShardFormatVersion},
             {"binary", name + ".bin"},        {"unmapped_phones", unmapped},
             {"failed_syntheses", failures},   {"clips", json::array()}};
  OutputFile bin_file(dir / (name + ".bin"));
  {
    std::ofstream bin(bin_file.temp_path(), std::ios::binary);
    std::int64_t offset = 0;
    for (const Clip& c : clips) {
      std::vector<std::int16_t> pcm(c.audio.size());
      for (size_t i = 0; i < pcm.size(); ++i) {
        pcm[i] =
            static_cast<std::int16_t>(std::lround(std::clamp(c.audio[i], -1.f, 1.f) * 32767.f));
      }
      bin.write(reinterpret_cast<const char*>(pcm.data()),
                static_cast<std::streamsize>(pcm.size() * 2));
      for (const MotionFrame& f : c.motion.frames) {
        bin.write(reinterpret_cast<const char*>(f.data()), sizeof(float) * kChannelCount);
      }
      json phones = json::array();
      for (const Phone& p : c.phones) {
        phones.push_back({p.ipa, p.start_sample, p.end_sample, viseme_name(p.viseme),
                          std::round(p.prominence * 1000) / 1000});
      }
      json clip = meta_to_json(c.meta);
      clip["offset"] = offset;
      clip["samples"] = c.audio.size();
      clip["frames"] = c.motion.frame_count();
      clip["phones"] = phones;
      index["clips"].push_back(clip);
      offset += static_cast<std::int64_t>(pcm.size() * 2 +
                                          c.motion.frames.size() * sizeof(float) * kChannelCount);
    }
    if (!bin) throw Error("cannot write shard " + quoted(bin_file.temp_path()));
  }
  bin_file.commit();
  OutputFile json_file(dir / (name + ".json"));
  write_text_file(json_file.temp_path(), index.dump(1));
  json_file.commit();
}

CorpusReader::CorpusReader(const fs::path& dir) : dir_(dir) {
  fs::path index_path = dir / kCorpusIndexName;
  check_input_file(index_path, "corpus index");
  json index;
  try {
    index = json::parse(read_text_file(index_path));
  } catch (const json::exception& e) {
    throw InputError("corpus index " + quoted(index_path) + " is not valid JSON: " + e.what());
  }
  if (index.value("format", "") != "parla-corpus") {
    throw InputError(quoted(index_path) + " is not a Parla corpus index");
  }
  static const std::map<std::string, Viseme> visemes = [] {
    std::map<std::string, Viseme> m;
    for (int v = 0; v < kVisemeCount; ++v)
      m[std::string(viseme_name(static_cast<Viseme>(v)))] = static_cast<Viseme>(v);
    return m;
  }();
  for (const auto& shard_file : index.at("shards")) {
    fs::path shard_path = dir / shard_file.get<std::string>();
    try {
      json shard = json::parse(read_text_file(shard_path));
      int shard_index = static_cast<int>(shard_files_.size());
      shard_files_.push_back(dir / shard.at("binary").get<std::string>());
      shard_first_.push_back(clips_.size());
      for (const auto& u : shard.value("unmapped_phones", json::array()))
        unmapped_phones_.push_back(u);
      for (const auto& f : shard.value("failed_syntheses", json::array()))
        failed_syntheses_.push_back(f);
      int clip_index = 0;
      for (const auto& c : shard.at("clips")) {
        ClipRef ref{shard_index, clip_index++, meta_from_json(c),
                    c.at("samples").get<std::int64_t>()};
        std::vector<Phone> phones;
        for (const auto& p : c.at("phones")) {
          Phone ph{p.at(0), p.at(1), p.at(2), visemes.at(p.at(3).get<std::string>()), p.at(4)};
          phones.push_back(ph);
        }
        if (c.at("frames").get<std::int64_t>() != motion_frames_for(ref.samples)) {
          throw InputError("clip " + ref.meta.id +
                           " has a frame count that does not match its audio");
        }
        clips_.push_back(std::move(ref));
        phones_.push_back(std::move(phones));
        offsets_.push_back(c.at("offset"));
      }
    } catch (const json::exception& e) {
      throw InputError("corpus shard " + quoted(shard_path) + " is corrupt: " + e.what());
    } catch (const std::out_of_range& e) {
      throw InputError("corpus shard " + quoted(shard_path) + " names an unknown viseme");
    }
  }
}

std::vector<ClipRef> CorpusReader::clips(Split split) const {
  std::vector<ClipRef> out;
  for (const ClipRef& c : clips_) {
    if (c.meta.split == split) out.push_back(c);
  }
  return out;
}

Clip CorpusReader::load(const ClipRef& ref) const {
  size_t position =
      ref.shard >= 0 && ref.shard < shard_count()
          ? shard_first_[static_cast<size_t>(ref.shard)] + static_cast<size_t>(ref.index)
          : clips_.size();
  if (ref.index < 0 || position >= clips_.size() || clips_[position].shard != ref.shard) {
    throw InputError("no clip " + ref.meta.id + " in corpus " + quoted(dir_));
  }
  auto it = clips_.begin() + static_cast<std::ptrdiff_t>(position);
  const fs::path& bin_path = shard_files_.at(static_cast<size_t>(ref.shard));
  std::ifstream in(bin_path, std::ios::binary);
  if (!in) throw InputError("cannot open corpus shard " + quoted(bin_path));
  in.seekg(offsets_[position]);
  Clip clip;
  clip.meta = it->meta;
  clip.phones = phones_[position];
  std::vector<std::int16_t> pcm(static_cast<size_t>(it->samples));
  in.read(reinterpret_cast<char*>(pcm.data()), static_cast<std::streamsize>(pcm.size() * 2));
  clip.audio.resize(pcm.size());
  for (size_t i = 0; i < pcm.size(); ++i) clip.audio[i] = pcm[i] / 32767.f;
  clip.motion.frames.resize(static_cast<size_t>(motion_frames_for(it->samples)));
  for (MotionFrame& f : clip.motion.frames)
    in.read(reinterpret_cast<char*>(f.data()), sizeof(float) * kChannelCount);
  if (!in)
    throw InputError("corpus shard " + quoted(bin_path) + " is truncated at clip " + it->meta.id);
  return clip;
}

}  // namespace parla::train
