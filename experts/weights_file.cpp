// Reading torch::save archives without LibTorch. The archive's `<prefix>/data.pkl` is
// a pickle (protocol 2) of the saved object: nested modules (`__torch__.* Module`
// objects whose state dicts hold tensors and submodules) from the C++ serializer, or
// dicts from Python's torch.save. Each tensor is
//   torch._utils._rebuild_tensor_v2(persistent_id(('storage', torch.FloatStorage, key,
//                                    'cpu', numel)), offset, shape, stride, grad, hooks)
// and its storage is the raw little-endian entry `<prefix>/data/<key>`. The pickle
// machine below knows exactly the opcodes such files use and rejects any other.
#include <bit>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "experts/runtime.h"
#include "experts/tensor_archive.h"

namespace parla::experts {

static_assert(std::endian::native == std::endian::little, "storages are little-endian");

std::int64_t TensorData::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::int64_t TensorView::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

namespace {

// A pickled value: only the kinds these archives contain. Values point at each other
// without owning: the reader owns them all, so a container that holds itself (the memo
// makes that possible) is neither leaked nor destroyed recursively.
struct Value {
  enum class Kind { None, Bool, Int, String, Tuple, List, Dict, Global, Object, Storage, Tensor };
  Kind kind = Kind::None;
  std::int64_t integer = 0;                                 // Bool, Int
  std::string text;                                         // String; Global "module name"
  std::vector<Value*> items;                                // Tuple, List
  std::vector<std::pair<Value*, Value*>> entries;           // Dict
  Value* state = nullptr;                                   // Object: its BUILD state
  // Storage: dtype and key; Tensor: its storage, offset, shape and stride.
  TensorData::DType dtype = TensorData::DType::Float32;
  std::string storage_key;
  std::int64_t storage_numel = 0, offset = 0;
  std::vector<std::int64_t> shape, stride;
};
using ValuePtr = Value*;

// Text from the file (class names, tensor names) as it may appear in a message.
std::string shown(const std::string& text) { return excerpt(text, 64); }

// Flattening limits: Parla's files nest a few levels deep and hold under 2500 values; a
// memo reference can make a container hold itself (endless) or share one many times
// (exponential), so depth, values visited and name length are bounded.
constexpr int kMaxNesting = 64;
constexpr std::size_t kMaxFlattenedValues = 20'000;
constexpr std::size_t kMaxTensorNameBytes = 1024;

class PickleReader {
 public:
  PickleReader(std::span<const std::uint8_t> bytes, const StoredZip& zip)
      : bytes_(bytes), zip_(zip) {}

  ValuePtr run() {
    for (;;) {
      const std::uint8_t op = next(1)[0];
      switch (op) {
        case 0x80: next(1); break;  // PROTO
        case '.':                   // STOP
          if (stack_.size() != 1) fail("malformed pickle (stack at STOP)");
          return stack_.back();
        case 'c': {  // GLOBAL "module\nname\n"
          auto g = make(Value::Kind::Global);
          g->text = line();
          g->text += " " + line();
          stack_.push_back(g);
          break;
        }
        case 'q': memo_[next(1)[0]] = top(); break;                          // BINPUT
        case 'r': memo_[le32(next(4))] = top(); break;                       // LONG_BINPUT
        case 'h': stack_.push_back(memo(next(1)[0])); break;                 // BINGET
        case 'j': stack_.push_back(memo(le32(next(4)))); break;              // LONG_BINGET
        case '(': marks_.push_back(stack_.size()); break;                    // MARK
        case ')': stack_.push_back(make(Value::Kind::Tuple)); break;         // EMPTY_TUPLE
        case '}': stack_.push_back(make(Value::Kind::Dict)); break;          // EMPTY_DICT
        case ']': stack_.push_back(make(Value::Kind::List)); break;          // EMPTY_LIST
        case 'N': stack_.push_back(make(Value::Kind::None)); break;          // NONE
        case 0x88: case 0x89: {                                              // NEWTRUE, NEWFALSE
          auto b = make(Value::Kind::Bool);
          b->integer = op == 0x88;
          stack_.push_back(b);
          break;
        }
        case 'K': push_int(next(1)[0]); break;                               // BININT1
        case 'M': push_int(le16(next(2))); break;                            // BININT2
        case 'J': push_int(static_cast<std::int32_t>(le32(next(4)))); break;  // BININT
        case 'X': {                                                          // BINUNICODE
          const std::uint32_t length = le32(next(4));
          auto s = make(Value::Kind::String);
          const std::uint8_t* p = next(length);
          s->text.assign(reinterpret_cast<const char*>(p), length);
          stack_.push_back(s);
          break;
        }
        case 't': {  // TUPLE
          auto t = make(Value::Kind::Tuple);
          t->items = pop_to_mark();
          stack_.push_back(t);
          break;
        }
        case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
          auto t = make(Value::Kind::Tuple);
          t->items.resize(op - 0x84);
          for (auto it = t->items.rbegin(); it != t->items.rend(); ++it) *it = pop();
          stack_.push_back(t);
          break;
        }
        case 'a': {  // APPEND
          ValuePtr item = pop();
          expect(top(), Value::Kind::List, "APPEND")->items.push_back(item);
          break;
        }
        case 'e': {  // APPENDS
          std::vector<ValuePtr> items = pop_to_mark();
          auto& list = expect(top(), Value::Kind::List, "APPENDS")->items;
          list.insert(list.end(), items.begin(), items.end());
          break;
        }
        case 's': {  // SETITEM
          ValuePtr value = pop(), key = pop();
          expect(top(), Value::Kind::Dict, "SETITEM")->entries.emplace_back(key, value);
          break;
        }
        case 'u': {  // SETITEMS
          std::vector<ValuePtr> items = pop_to_mark();
          if (items.size() % 2 != 0) fail("malformed pickle (odd SETITEMS)");
          auto& dict = expect(top(), Value::Kind::Dict, "SETITEMS")->entries;
          for (std::size_t i = 0; i < items.size(); i += 2) dict.emplace_back(items[i], items[i + 1]);
          break;
        }
        case 'Q': stack_.push_back(storage(pop())); break;  // BINPERSID
        case 'R': {                                         // REDUCE
          ValuePtr args = pop(), callable = pop();
          stack_.push_back(reduce(*callable, *expect(args, Value::Kind::Tuple, "REDUCE")));
          break;
        }
        case 0x81: {  // NEWOBJ: a TorchScript module object, filled by BUILD
          pop();  // the constructor's arguments: BUILD sets the state
          ValuePtr cls = pop();
          expect(cls, Value::Kind::Global, "NEWOBJ");
          if (cls->text.rfind("__torch__", 0) != 0) fail("unexpected class " + shown(cls->text));
          auto object = make(Value::Kind::Object);
          object->text = cls->text;
          stack_.push_back(object);
          break;
        }
        case 'b': {  // BUILD
          ValuePtr state = pop();
          ValuePtr target = top();
          if (target->kind == Value::Kind::Object) {
            target->state = state;
          } else if (target->kind != Value::Kind::Dict) {  // a dict's attributes (_metadata)
            fail("malformed pickle (BUILD)");
          }
          break;
        }
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          fail(std::string("unsupported pickle opcode ") + hex + " at byte " +
               std::to_string(pos_ - 1));
        }
      }
    }
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError("cannot read weight file " + quoted(zip_.path()) + ": " + problem);
  }

 private:
  ValuePtr make(Value::Kind kind) {
    values_.push_back(std::make_unique<Value>());
    values_.back()->kind = kind;
    return values_.back().get();
  }

  static std::uint32_t le16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
  static std::uint32_t le32(const std::uint8_t* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
  }

  const std::uint8_t* next(std::size_t n) {
    if (pos_ + n > bytes_.size()) fail("truncated pickle");
    const std::uint8_t* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::string line() {
    std::string s;
    for (char c; (c = static_cast<char>(next(1)[0])) != '\n';) s += c;
    return s;
  }
  ValuePtr top() {
    if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) {
      fail("malformed pickle (empty stack)");
    }
    return stack_.back();
  }
  ValuePtr pop() {
    ValuePtr v = top();
    stack_.pop_back();
    return v;
  }
  std::vector<ValuePtr> pop_to_mark() {
    if (marks_.empty()) fail("malformed pickle (no MARK)");
    std::vector<ValuePtr> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()),
                                stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  ValuePtr memo(std::uint32_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail("malformed pickle (memo " + std::to_string(index) + ")");
    return it->second;
  }
  void push_int(std::int64_t value) {
    auto v = make(Value::Kind::Int);
    v->integer = value;
    stack_.push_back(v);
  }
  ValuePtr expect(const ValuePtr& v, Value::Kind kind, const char* where) {
    if (v->kind != kind) fail(std::string("malformed pickle (") + where + ")");
    return v;
  }
  std::int64_t integer(const ValuePtr& v) { return expect(v, Value::Kind::Int, "integer")->integer; }
  std::vector<std::int64_t> integers(const ValuePtr& v) {
    std::vector<std::int64_t> out;
    for (const ValuePtr& item : expect(v, Value::Kind::Tuple, "shape")->items) {
      out.push_back(integer(item));
    }
    return out;
  }

  // ('storage', torch.FloatStorage, key, location, numel)
  ValuePtr storage(const ValuePtr& pid) {
    const auto& f = expect(pid, Value::Kind::Tuple, "persistent id")->items;
    if (f.size() != 5 || f[0]->kind != Value::Kind::String || f[0]->text != "storage" ||
        f[1]->kind != Value::Kind::Global || f[2]->kind != Value::Kind::String) {
      fail("malformed persistent id");
    }
    auto s = make(Value::Kind::Storage);
    if (f[1]->text == "torch FloatStorage") {
      s->dtype = TensorData::DType::Float32;
    } else if (f[1]->text == "torch LongStorage") {
      s->dtype = TensorData::DType::Int64;
    } else {
      fail("unsupported storage type " + shown(f[1]->text) + " (float32 and int64 only)");
    }
    s->storage_key = f[2]->text;
    s->storage_numel = integer(f[4]);
    return s;
  }

  ValuePtr reduce(const Value& callable, const Value& args) {
    if (callable.kind != Value::Kind::Global) fail("malformed pickle (REDUCE)");
    if (callable.text == "collections OrderedDict" && args.items.empty()) {
      return make(Value::Kind::Dict);
    }
    if (callable.text != "torch._utils _rebuild_tensor_v2" || args.items.size() < 4 ||
        args.items[0]->kind != Value::Kind::Storage) {
      fail("unsupported pickle call " + shown(callable.text));
    }
    auto t = make(Value::Kind::Tensor);
    t->dtype = args.items[0]->dtype;
    t->storage_key = args.items[0]->storage_key;
    t->storage_numel = args.items[0]->storage_numel;
    t->offset = integer(args.items[1]);
    t->shape = integers(args.items[2]);
    t->stride = integers(args.items[3]);
    if (t->shape.size() != t->stride.size()) fail("tensor with mismatched shape and stride");
    return t;
  }

  std::span<const std::uint8_t> bytes_;
  const StoredZip& zip_;
  std::size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::map<std::uint32_t, ValuePtr> memo_;
  std::vector<std::unique_ptr<Value>> values_;  // every value made, owned here
};

template <typename T>
void copy_strided(const TensorView& t, T* out) {
  const T* base = static_cast<const T*>(t.data) + t.offset;
  if (t.shape.empty()) {
    std::memcpy(out, base, sizeof(T));
    return;
  }
  if (t.shape.size() == 1) {
    for (std::int64_t i = 0; i < t.shape[0]; ++i) out[i] = base[i * t.stride[0]];
    return;
  }
  if (t.shape.size() == 2) {
    const std::int64_t rows = t.shape[0], cols = t.shape[1], s0 = t.stride[0], s1 = t.stride[1];
    for (std::int64_t i = 0; i < rows; ++i) {
      const T* row = base + i * s0;
      if (s1 == 1) {
        std::memcpy(out + i * cols, row, sizeof(T) * cols);
      } else {
        for (std::int64_t j = 0; j < cols; ++j) out[i * cols + j] = row[j * s1];
      }
    }
    return;
  }
  std::vector<std::int64_t> index(t.shape.size(), 0);
  const std::int64_t count = t.numel();
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t at = 0;
    for (std::size_t d = 0; d < index.size(); ++d) at += index[d] * t.stride[d];
    out[i] = base[at];
    for (std::size_t d = index.size(); d-- > 0;) {  // next row-major index
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
}

// Turns the unpickled object into named views: modules and dicts give their keys,
// lists their indices; non-tensor attributes (`training`) are skipped.
class Flattener {
 public:
  Flattener(const StoredZip& zip, std::string prefix, const PickleReader& reader)
      : zip_(zip), prefix_(std::move(prefix)), reader_(reader) {}

  void add(const Value& v, const std::string& name, std::map<std::string, TensorView>& out,
           int depth = 0) {
    if (depth > kMaxNesting) {
      reader_.fail("malformed pickle (nested deeper than " + std::to_string(kMaxNesting) +
                   " levels, or a container that holds itself)");
    }
    if (++visited_ > kMaxFlattenedValues) {
      reader_.fail("malformed pickle (more than " + std::to_string(kMaxFlattenedValues) +
                   " values to flatten)");
    }
    if (name.size() > kMaxTensorNameBytes) {
      reader_.fail("tensor name longer than " + std::to_string(kMaxTensorNameBytes) + " bytes");
    }
    auto child = [&](const std::string& key) { return name.empty() ? key : name + "." + key; };
    switch (v.kind) {
      case Value::Kind::Object:
        if (v.state) add(*v.state, name, out, depth + 1);
        break;
      case Value::Kind::Dict:
        for (const auto& [key, value] : v.entries) {
          if (key->kind != Value::Kind::String) reader_.fail("non-string key in a tensor dict");
          add(*value, child(key->text), out, depth + 1);
        }
        break;
      case Value::Kind::List:
      case Value::Kind::Tuple:
        for (std::size_t i = 0; i < v.items.size(); ++i) {
          add(*v.items[i], child(std::to_string(i)), out, depth + 1);
        }
        break;
      case Value::Kind::Tensor: out[name] = view(v, name); break;
      default: break;
    }
  }

 private:
  TensorView view(const Value& t, const std::string& name) {
    const std::size_t element = t.dtype == TensorData::DType::Float32 ? 4 : 8;
    auto cached = storages_.find(t.storage_key);
    if (cached == storages_.end()) {
      cached = storages_.emplace(t.storage_key, zip_.read(prefix_ + "data/" + t.storage_key)).first;
    }
    std::span<const std::uint8_t> storage = cached->second;
    if (storage.size() != static_cast<std::size_t>(t.storage_numel) * element) {
      reader_.fail("storage of tensor '" + shown(name) + "' has " + std::to_string(storage.size()) +
                   " bytes, expected " + std::to_string(t.storage_numel * element));
    }
    // Every element the view touches lies inside its storage, and it has no more elements
    // than the storage (Parla's files hold no broadcast views), so what a loader
    // allocates for it is bounded by the file's size. Checked arithmetic: the file
    // chooses every number here.
    bool empty = false;
    for (std::size_t d = 0; d < t.shape.size(); ++d) {
      if (t.shape[d] < 0 || t.stride[d] < 0) reader_.fail("negative shape in '" + shown(name) + "'");
      empty = empty || t.shape[d] == 0;
    }
    auto outside = [&] { reader_.fail("tensor '" + shown(name) + "' lies outside its storage"); };
    if (t.offset < 0) outside();
    std::int64_t numel = 1, last = t.offset;  // elements; the furthest element touched
    for (std::size_t d = 0; d < t.shape.size() && !empty; ++d) {
      std::int64_t reach = 0;
      if (__builtin_mul_overflow(numel, t.shape[d], &numel) || numel > t.storage_numel) {
        reader_.fail("tensor '" + shown(name) + "' has more elements than its storage holds (" +
                     std::to_string(t.storage_numel) + ")");
      }
      if (__builtin_mul_overflow(t.shape[d] - 1, t.stride[d], &reach) ||
          __builtin_add_overflow(last, reach, &last) || last >= t.storage_numel) {
        outside();
      }
    }
    if (!empty && last >= t.storage_numel) outside();
    if (reinterpret_cast<std::uintptr_t>(storage.data()) % element != 0) {
      reader_.fail("storage of tensor '" + shown(name) + "' is misaligned");
    }
    return TensorView{t.dtype, t.shape, t.stride, t.offset, storage.data()};
  }

  const StoredZip& zip_;
  std::string prefix_;  // "<archive name>/"
  const PickleReader& reader_;
  std::map<std::string, std::span<const std::uint8_t>> storages_;  // CRC-checked once each
  std::size_t visited_ = 0;  // values add() has seen
};

// `<prefix>/data.pkl` of the archive.
std::string pickle_entry(const StoredZip& zip, const std::filesystem::path& path) {
  for (const std::string& name : zip.names()) {
    const std::size_t slash = name.find('/');
    if (slash != std::string::npos && name.substr(slash + 1) == "data.pkl") return name;
  }
  throw InputError("cannot read weight file " + quoted(path) +
                   ": no data.pkl (not a torch::save archive)");
}

}  // namespace

void copy_values(const TensorView& view, void* dst) {
  if (view.dtype == TensorData::DType::Float32) {
    copy_strided(view, static_cast<float*>(dst));
  } else {
    copy_strided(view, static_cast<std::int64_t*>(dst));
  }
}

TensorView transposed(TensorView view) {
  std::swap(view.shape[0], view.shape[1]);
  std::swap(view.stride[0], view.stride[1]);
  return view;
}

TensorView view_of(const TensorData& tensor) {
  TensorView view{tensor.dtype, tensor.shape, std::vector<std::int64_t>(tensor.shape.size()), 0,
                  tensor.dtype == TensorData::DType::Float32
                      ? static_cast<const void*>(tensor.floats.data())
                      : static_cast<const void*>(tensor.ints.data())};
  std::int64_t stride = 1;
  for (std::size_t d = tensor.shape.size(); d-- > 0;) {
    view.stride[d] = stride;
    stride *= tensor.shape[d];
  }
  return view;
}

TensorArchive::TensorArchive(const std::filesystem::path& path) : zip_(path) {
  const std::string pickle = pickle_entry(zip_, path);
  PickleReader reader(zip_.read(pickle), zip_);
  ValuePtr root = reader.run();
  Flattener(zip_, pickle.substr(0, pickle.size() - std::string("data.pkl").size()), reader)
      .add(*root, "", tensors_);
}

TensorMap read_tensor_file(const std::filesystem::path& path) {
  TensorArchive archive(path);
  TensorMap out;
  for (const auto& [name, view] : archive.tensors()) {
    TensorData& t = out[name];
    t.dtype = view.dtype;
    t.shape = view.shape;
    if (view.dtype == TensorData::DType::Float32) {
      t.floats.resize(static_cast<std::size_t>(view.numel()));
      copy_values(view, t.floats.data());
    } else {
      t.ints.resize(static_cast<std::size_t>(view.numel()));
      copy_values(view, t.ints.data());
    }
  }
  return out;
}

}  // namespace parla::experts
