// clipdex's parallel HNSW builder (issue 13, target 4). hnswlib-node inserts one point per call on
// the JavaScript thread; hnswlib itself supports concurrent insertion (per-node and per-label
// locks), as its Python binding's add_items(num_threads) uses. This addon builds an index with
// several threads, off the JavaScript thread, from Float32Array pages, and saves it with
// hnswlib's own saveIndex: the file is read by hnswlib-node's readIndex (scripts/build-hnsw-builder.mjs
// compiles it against the very hnswlib headers hnswlib-node ships, so the format is the same).
//
//   const b = new Builder(dim, maxElements, M, efConstruction, seed, threads, nice)
//   await b.add(float32Rows, uint32Labels)   // rows.length === labels.length * dim
//   await b.calibrate(float32Queries, k, uint32Efs, uint32Self?)   // recall@k at each ef, against exact search
//   await b.save(path); b.count(); b.close()
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <memory>
#include <mutex>
#include <queue>
#include <unordered_set>
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

// Lowers the calling thread's priority (Linux: setpriority on a thread id affects that thread
// only). Only the builder's own threads call it: they end with the add, so nothing needs to raise
// it back (which an unprivileged process could not do).
void lowerPriority(int nice) {
#ifdef __linux__
  if (nice <= 0) return;
  const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int was = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) setpriority(PRIO_PROCESS, tid, std::min(19, was + nice));
#else
  (void)nice;
#endif
}

// Runs fn(t, own) for t = 0 … count − 1, each on a new thread (own = true), and waits for them;
// the calls whose thread could not be started run on this thread (own = false) instead, so a
// creation failure never loses a share of the work nor leaves a thread unjoined. An exception in
// any call is caught where it happens (one escaping a thread would end the process) and the first
// one is thrown again here once every thread has been joined.
template <typename F>
void runThreads(size_t count, F fn) {
  std::mutex lock;
  std::string error;
  auto guarded = [&](size_t t, bool own) {
    try {
      fn(t, own);
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> g(lock);
      if (error.empty()) error = e.what();
    } catch (...) {
      std::lock_guard<std::mutex> g(lock);
      if (error.empty()) error = "unknown error";
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(count);
  try {
    for (size_t t = 0; t < count; t++) pool.emplace_back(guarded, t, true);
  } catch (const std::exception&) {
    // fewer threads than asked
  }
  for (size_t t = pool.size(); t < count; t++) guarded(t, false);
  for (auto& th : pool) th.join();
  if (!error.empty()) throw std::runtime_error(error);
}

// What the three workers share: the builder they run for (its busy flag is cleared when they end)
// and the promise they settle; Result() is what OnOK resolves it with.
class BuilderWorker : public Napi::AsyncWorker {
public:
  BuilderWorker(Napi::Env env, std::shared_ptr<Index> idx) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), idx_(std::move(idx)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void OnOK() override {
    idx_->busy = false;
    deferred_.Resolve(Result());
  }
  void OnError(const Napi::Error& e) override {
    idx_->busy = false;
    deferred_.Reject(e.Value());
  }

protected:
  virtual Napi::Value Result() { return Env().Undefined(); }
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Index> idx_;
};

class AddWorker : public BuilderWorker {
public:
  AddWorker(Napi::Env env, std::shared_ptr<Index> idx, Napi::Float32Array rows, Napi::Uint32Array labels)
      : BuilderWorker(env, std::move(idx)), rowsRef_(Napi::Persistent(rows)), labelsRef_(Napi::Persistent(labels)), rows_(rows.Data()),
        labels_(labels.Data()), n_(labels.ElementLength()) {}

  void Execute() override {
    std::atomic<size_t> next{0};
    std::mutex errLock;
    std::string error;
    const size_t dim = idx_->dim;
    auto work = [&](size_t, bool own) {
      if (own) lowerPriority(idx_->nice);
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
    // The builder's own threads do the work (they can be niced without touching the libuv pool
    // thread this runs on, which only waits for them).
    try {
      runThreads(std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(idx_->threads, 1)), n_)), work);
    } catch (const std::exception& e) {
      if (error.empty()) error = e.what();
    }
    if (!error.empty()) SetError("hnswlib: " + error);
  }

private:
  Napi::Reference<Napi::Float32Array> rowsRef_;
  Napi::Reference<Napi::Uint32Array> labelsRef_;
  const float* rows_;
  const uint32_t* labels_;
  size_t n_;
};

class SaveWorker : public BuilderWorker {
public:
  SaveWorker(Napi::Env env, std::shared_ptr<Index> idx, std::string path) : BuilderWorker(env, std::move(idx)), path_(std::move(path)) {}
  void Execute() override {
    try {
      // hnswlib's saveIndex does not check that its stream opened: a missing folder would be a
      // silent no-op
      {
        std::ofstream probe(path_, std::ios::binary);
        if (!probe.is_open()) throw std::runtime_error("cannot write " + path_);
      }
      idx_->hnsw->saveIndex(path_);
      std::ifstream check(path_, std::ios::binary | std::ios::ate);
      if (!check.is_open() || check.tellg() <= 0) throw std::runtime_error("cannot write " + path_ + " (nothing was written)");
    } catch (const std::exception& e) {
      SetError(std::string("hnswlib: ") + e.what());
    }
  }

private:
  std::string path_;
};

// Recall@k of the built graph at each ef, for sample queries, against exact search over every
// point it holds (issue 13, target 3: clipdex picks the smallest ef that reaches its recall
// target). The exact pass streams the points once per block of queries, on the builder's threads.
class CalibrateWorker : public BuilderWorker {
public:
  CalibrateWorker(Napi::Env env, std::shared_ptr<Index> idx, Napi::Float32Array queries, size_t k, std::vector<size_t> efs, std::vector<uint32_t> self)
      : BuilderWorker(env, std::move(idx)), queriesRef_(Napi::Persistent(queries)), queries_(queries.Data()), nq_(queries.ElementLength() / idx_->dim),
        k_(k), efs_(std::move(efs)), self_(std::move(self)), recall_(efs_.size(), 0.0) {}

  // A query that is one of the points (its label in `self`, NO_SELF otherwise) is left out of its
  // own answers, exact and searched: finding itself would fill one of the k for free.
  static constexpr uint32_t NO_SELF = 0xffffffffu;

  void Execute() override {
    auto& h = *idx_->hnsw;
    const size_t n = h.cur_element_count;
    const size_t dim = idx_->dim;
    const size_t threads = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(idx_->threads), n));
    if (nq_ == 0 || n == 0) return;
    using Heap = std::priority_queue<std::pair<float, hnswlib::labeltype>>;  // worst (largest distance) on top
    // exact: each thread scans its share of the points for every query, in blocks that stay in cache
    std::vector<std::vector<Heap>> heaps(threads, std::vector<Heap>(nq_));
    auto scan = [&](size_t t, bool own) {
      if (own) lowerPriority(idx_->nice);
      const size_t from = n * t / threads, to = n * (t + 1) / threads;
      const size_t block = 1024;
      for (size_t b = from; b < to; b += block) {
        const size_t e = std::min(to, b + block);
        for (size_t q = 0; q < nq_; q++) {
          const float* qv = queries_ + q * dim;
          Heap& heap = heaps[t][q];
          const uint32_t self = self_[q];
          for (size_t i = b; i < e; i++) {
            const hnswlib::labeltype label = h.getExternalLabel(static_cast<hnswlib::tableint>(i));
            if (self != NO_SELF && label == self) continue;
            const float d = h.fstdistfunc_(qv, h.getDataByInternalId(static_cast<hnswlib::tableint>(i)), h.dist_func_param_);
            if (heap.size() < k_) heap.emplace(d, label);
            else if (d < heap.top().first) {
              heap.pop();
              heap.emplace(d, label);
            }
          }
        }
      }
    };
    std::vector<std::unordered_set<hnswlib::labeltype>> truth(nq_);
    try {
      runThreads(threads, scan);
      for (size_t q = 0; q < nq_; q++) {
        Heap all;
        for (size_t t = 0; t < threads; t++)
          for (Heap& heap = heaps[t][q]; !heap.empty(); heap.pop()) {
            all.push(heap.top());
            if (all.size() > k_) all.pop();
          }
        for (; !all.empty(); all.pop()) truth[q].insert(all.top().second);
      }
      // the graph at each ef (searchKnn is safe from several threads; ef is set between passes)
      for (size_t j = 0; j < efs_.size(); j++) {
        h.setEf(efs_[j]);
        std::atomic<size_t> next{0}, hits{0};
        auto search = [&](size_t, bool own) {
          if (own) lowerPriority(idx_->nice);
          for (size_t q; (q = next.fetch_add(1)) < nq_;) {
            const bool hasSelf = self_[q] != NO_SELF;
            auto r = h.searchKnn(queries_ + q * dim, hasSelf ? k_ + 1 : k_);
            std::vector<std::pair<float, hnswlib::labeltype>> found;
            for (; !r.empty(); r.pop())
              if (!hasSelf || r.top().second != self_[q]) found.push_back(r.top());
            std::sort(found.begin(), found.end());
            size_t got = 0;
            for (size_t i = 0; i < found.size() && i < k_; i++) got += truth[q].count(found[i].second);
            hits += got;
          }
        };
        runThreads(threads, search);
        size_t possible = 0;
        for (auto& t : truth) possible += t.size();
        recall_[j] = possible ? static_cast<double>(hits) / static_cast<double>(possible) : 1.0;
      }
    } catch (const std::exception& e) {
      SetError(std::string("calibrate: ") + e.what());
    }
  }

protected:
  Napi::Value Result() override {
    Napi::Float64Array out = Napi::Float64Array::New(Env(), recall_.size());
    for (size_t j = 0; j < recall_.size(); j++) out[j] = recall_[j];
    return out;
  }

private:
  Napi::Reference<Napi::Float32Array> queriesRef_;
  const float* queries_;
  size_t nq_;
  size_t k_;
  std::vector<size_t> efs_;
  std::vector<uint32_t> self_;
  std::vector<double> recall_;
};

class Builder : public Napi::ObjectWrap<Builder> {
public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "Builder",
                                    {InstanceMethod("add", &Builder::Add), InstanceMethod("save", &Builder::Save),
                                     InstanceMethod("count", &Builder::Count), InstanceMethod("close", &Builder::Close),
                                     InstanceMethod("calibrate", &Builder::Calibrate)});
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

  Napi::Value Calibrate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array || !info[1].IsNumber() ||
        !info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
      Napi::TypeError::New(env, "Builder.calibrate(queries: Float32Array, k: number, efs: Uint32Array)").ThrowAsJavaScriptException();
      return env.Null();
    }
    auto queries = info[0].As<Napi::Float32Array>();
    const uint32_t k = info[1].As<Napi::Number>().Uint32Value();
    auto efArr = info[2].As<Napi::Uint32Array>();
    if (idx_ && (queries.ElementLength() % idx_->dim != 0 || k == 0)) {
      Napi::RangeError::New(env, "Builder.calibrate: queries must hold whole rows of dim floats, and k must be positive").ThrowAsJavaScriptException();
      return env.Null();
    }
    std::vector<size_t> efs;
    for (size_t j = 0; j < efArr.ElementLength(); j++) efs.push_back(std::max<size_t>(efArr[j], k + 1));
    const size_t nq = idx_ ? queries.ElementLength() / idx_->dim : 0;
    std::vector<uint32_t> self(nq, CalibrateWorker::NO_SELF);
    if (info.Length() > 3 && !info[3].IsUndefined()) {
      if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array || info[3].As<Napi::Uint32Array>().ElementLength() != nq) {
        Napi::TypeError::New(env, "Builder.calibrate: self must be a Uint32Array with one label per query (0xffffffff: none)").ThrowAsJavaScriptException();
        return env.Null();
      }
      auto selfArr = info[3].As<Napi::Uint32Array>();
      for (size_t q = 0; q < nq; q++) self[q] = selfArr[q];
    }
    if (!ready(env)) return env.Null();
    auto* w = new CalibrateWorker(env, idx_, queries, k, std::move(efs), std::move(self));
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
