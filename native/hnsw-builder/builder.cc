// clipdex's parallel HNSW builder (issue 13, target 4). hnswlib-node inserts one point per call on
// the JavaScript thread; hnswlib itself supports concurrent insertion (per-node and per-label
// locks), as its Python binding's add_items(num_threads) uses. This addon builds an index with
// several threads, off the JavaScript thread, from Float32Array pages, and saves it with
// hnswlib's own saveIndex: the file is read by hnswlib-node's readIndex (scripts/build-hnsw-builder.mjs
// compiles it against the very hnswlib headers hnswlib-node ships, so the format is the same).
//
//   const b = new Builder(dim, maxElements, M, efConstruction, seed, threads, nice)
//   await b.add(float32Rows, uint32Labels)   // rows.length === labels.length * dim
//   await b.save(path); b.count(); b.close()
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <napi.h>

#include "hnswlib/hnswlib.h"

namespace {

struct Index {
  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
  size_t dim = 0;
  int threads = 1;
  int nice = 0;
  std::atomic<bool> busy{false};
};

// Lowers this thread's priority only (Linux: setpriority on a thread id affects that thread).
void lowerPriority(int nice) {
#ifdef __linux__
  if (nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
#else
  (void)nice;
#endif
}

class AddWorker : public Napi::AsyncWorker {
public:
  AddWorker(Napi::Env env, std::shared_ptr<Index> idx, Napi::Float32Array rows, Napi::Uint32Array labels)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), idx_(std::move(idx)),
        rowsRef_(Napi::Persistent(rows)), labelsRef_(Napi::Persistent(labels)), rows_(rows.Data()),
        labels_(labels.Data()), n_(labels.ElementLength()) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::atomic<size_t> next{0};
    std::mutex errLock;
    std::string error;
    const size_t dim = idx_->dim;
    auto work = [&](bool own) {
      if (!own) lowerPriority(idx_->nice);
      for (;;) {
        const size_t i = next.fetch_add(1);
        if (i >= n_) return;
        try {
          idx_->hnsw->addPoint(rows_ + i * dim, static_cast<hnswlib::labeltype>(labels_[i]));
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> g(errLock);
          if (error.empty()) error = e.what();
          next.store(n_);
          return;
        }
      }
    };
    // This libuv pool thread takes part too (its priority is left alone: the pool is shared).
    const size_t extra = std::min<size_t>(static_cast<size_t>(std::max(idx_->threads, 1) - 1), n_ > 1 ? n_ - 1 : 0);
    std::vector<std::thread> pool;
    pool.reserve(extra);
    try {
      for (size_t t = 0; t < extra; t++) pool.emplace_back(work, false);
    } catch (const std::exception& e) {
      // fewer threads than asked: the ones started and this one finish the page
    }
    work(true);
    for (auto& t : pool) t.join();
    if (!error.empty()) SetError("hnswlib: " + error);
  }

  void OnOK() override {
    idx_->busy = false;
    deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override {
    idx_->busy = false;
    deferred_.Reject(e.Value());
  }

private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Index> idx_;
  Napi::Reference<Napi::Float32Array> rowsRef_;
  Napi::Reference<Napi::Uint32Array> labelsRef_;
  const float* rows_;
  const uint32_t* labels_;
  size_t n_;
};

class SaveWorker : public Napi::AsyncWorker {
public:
  SaveWorker(Napi::Env env, std::shared_ptr<Index> idx, std::string path)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), idx_(std::move(idx)), path_(std::move(path)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      idx_->hnsw->saveIndex(path_);
    } catch (const std::exception& e) {
      SetError(std::string("hnswlib: ") + e.what());
    }
  }
  void OnOK() override {
    idx_->busy = false;
    deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override {
    idx_->busy = false;
    deferred_.Reject(e.Value());
  }

private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Index> idx_;
  std::string path_;
};

class Builder : public Napi::ObjectWrap<Builder> {
public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Builder",
                                    {InstanceMethod("add", &Builder::Add), InstanceMethod("save", &Builder::Save),
                                     InstanceMethod("count", &Builder::Count), InstanceMethod("close", &Builder::Close)});
    exports.Set("Builder", fn);
    return exports;
  }

  Builder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Builder>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 7) {
      Napi::TypeError::New(env, "Builder(dim, maxElements, M, efConstruction, seed, threads, nice)").ThrowAsJavaScriptException();
      return;
    }
    for (size_t i = 0; i < 7; i++)
      if (!info[i].IsNumber()) {
        Napi::TypeError::New(env, "Builder: argument " + std::to_string(i) + " must be a number").ThrowAsJavaScriptException();
        return;
      }
    const uint32_t dim = info[0].As<Napi::Number>().Uint32Value();
    const uint32_t maxElements = info[1].As<Napi::Number>().Uint32Value();
    const uint32_t m = info[2].As<Napi::Number>().Uint32Value();
    const uint32_t efc = info[3].As<Napi::Number>().Uint32Value();
    const uint32_t seed = info[4].As<Napi::Number>().Uint32Value();
    if (dim == 0 || maxElements == 0 || m < 2) {
      Napi::RangeError::New(env, "Builder: dim and maxElements must be positive and M at least 2").ThrowAsJavaScriptException();
      return;
    }
    idx_ = std::make_shared<Index>();
    idx_->dim = dim;
    idx_->threads = std::max(1, info[5].As<Napi::Number>().Int32Value());
    idx_->nice = std::max(0, std::min(19, info[6].As<Napi::Number>().Int32Value()));
    try {
      idx_->space.reset(new hnswlib::InnerProductSpace(dim));
      idx_->hnsw.reset(new hnswlib::HierarchicalNSW<float>(idx_->space.get(), maxElements, m, efc, seed));
    } catch (const std::exception& e) {
      idx_.reset();
      Napi::Error::New(env, std::string("hnswlib: ") + e.what()).ThrowAsJavaScriptException();
    }
  }

private:
  std::shared_ptr<Index> idx_;

  bool ready(Napi::Env env) {
    if (!idx_ || !idx_->hnsw) {
      Napi::Error::New(env, "Builder: closed").ThrowAsJavaScriptException();
      return false;
    }
    bool expected = false;
    if (!idx_->busy.compare_exchange_strong(expected, true)) {
      Napi::Error::New(env, "Builder: one add or save at a time (await the previous one)").ThrowAsJavaScriptException();
      return false;
    }
    return true;
  }

  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
      Napi::TypeError::New(env, "Builder.add(rows: Float32Array, labels: Uint32Array)").ThrowAsJavaScriptException();
      return env.Null();
    }
    auto rows = info[0].As<Napi::Float32Array>();
    auto labels = info[1].As<Napi::Uint32Array>();
    if (idx_ && rows.ElementLength() != labels.ElementLength() * idx_->dim) {
      Napi::RangeError::New(env, "Builder.add: rows must hold labels.length × dim floats").ThrowAsJavaScriptException();
      return env.Null();
    }
    if (!ready(env)) return env.Null();
    if (idx_->hnsw->cur_element_count + labels.ElementLength() > idx_->hnsw->max_elements_) {
      idx_->busy = false;
      Napi::RangeError::New(env, "Builder.add: more points than maxElements").ThrowAsJavaScriptException();
      return env.Null();
    }
    auto* w = new AddWorker(env, idx_, rows, labels);
    auto p = w->Promise();
    w->Queue();
    return p;
  }

  Napi::Value Save(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "Builder.save(path: string)").ThrowAsJavaScriptException();
      return env.Null();
    }
    if (!ready(env)) return env.Null();
    auto* w = new SaveWorker(env, idx_, info[0].As<Napi::String>().Utf8Value());
    auto p = w->Promise();
    w->Queue();
    return p;
  }

  Napi::Value Count(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), idx_ && idx_->hnsw ? static_cast<double>(idx_->hnsw->cur_element_count) : 0);
  }

  // Frees the graph now (V8 knows nothing of its native memory). Refused while an add or save runs.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!idx_) return env.Undefined();
    if (idx_->busy) {
      Napi::Error::New(env, "Builder.close: an add or save is running").ThrowAsJavaScriptException();
      return env.Null();
    }
    idx_->hnsw.reset();
    idx_->space.reset();
    idx_.reset();
    return env.Undefined();
  }
};

}  // namespace

Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return Builder::Init(env, exports); }

NODE_API_MODULE(hnsw_builder, InitAll)
