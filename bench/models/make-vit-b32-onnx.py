#!/usr/bin/env python3
"""The ViT-B/32-shaped CLIP of make-vit-b32.py without PyTorch: the same shapes (and so the same
compute) and random weights, written as ONNX graphs directly with the `onnx` package, for the
embedding and ingest benches on machines without PyTorch (Debian: `apt-get install python3-onnx`).

  /usr/bin/python3 bench/models/make-vit-b32-onnx.py [OUT]   (default bench/.cache/vit-b32-random)

Vision: 224 px, 32 px patches (7x7+1 tokens), 12 pre-LN layers, width 768, 12 heads, MLP 3072,
quick-GELU, class-token pooling, projection 768->512. Text: 12 causal layers, width 512, 8 heads,
MLP 2048, 49408 embedding rows, context 77, mean pooling over the real tokens, projection
512->512; it reads the attention mask as a key mask and for the pooling. About 151 M parameters, ~600 MB of fp32 ONNX, written to the
git-ignored bench/.cache only. The tokenizer is models/mini-clip's (its ids fit the embedding
rows); with random weights only the shapes matter. Every folder file is what Transformers.js and
clipdex load for a Hugging Face CLIP.
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", ".cache", "vit-b32-random")
CTX, VOCAB, PROJ, SIZE, PATCH = 77, 49408, 512, 224, 32
MEAN, STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]
OPSET = 17  # LayerNormalization
rng = np.random.default_rng(32)


class Graph:
    """Nodes and random initializers, with generated names."""

    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def weight(self, shape, std=0.02, value=None):
        arr = np.full(shape, value, np.float32) if value is not None else (rng.standard_normal(shape) * std).astype(np.float32)
        n = self.name("w")
        self.inits.append(numpy_helper.from_array(arr, n))
        return n

    def const(self, arr):
        n = self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(arr), n))
        return n

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def linear(self, x, fan_in, fan_out, bias=True):
        y = self.op("MatMul", [x, self.weight((fan_in, fan_out))])
        return self.op("Add", [y, self.weight((fan_out,), value=0.0)]) if bias else y

    def layer_norm(self, x, width):
        return self.op("LayerNormalization", [x, self.weight((width,), value=1.0), self.weight((width,), value=0.0)], axis=-1, epsilon=1e-5)

    def block(self, x, width, heads, mask=None):
        d = width // heads
        qkv = self.linear(self.layer_norm(x, width), width, 3 * width)
        qkv = self.op("Transpose", [self.op("Reshape", [qkv, self.const(np.array([0, 0, 3, heads, d], np.int64))])], perm=[2, 0, 3, 1, 4])
        q, k, v = (self.op("Gather", [qkv, self.const(np.array(i, np.int64))], axis=0) for i in range(3))
        att = self.op("Mul", [self.op("MatMul", [q, self.op("Transpose", [k], perm=[0, 1, 3, 2])]), self.const(np.array(d**-0.5, np.float32))])
        if mask is not None:
            att = self.op("Add", [att, mask])
        y = self.op("MatMul", [self.op("Softmax", [att], axis=-1), v])
        y = self.op("Reshape", [self.op("Transpose", [y], perm=[0, 2, 1, 3]), self.const(np.array([0, 0, width], np.int64))])
        x = self.op("Add", [x, self.linear(y, width, width)])
        h = self.linear(self.layer_norm(x, width), width, 4 * width)
        h = self.op("Mul", [h, self.op("Sigmoid", [self.op("Mul", [h, self.const(np.array(1.702, np.float32))])])])  # quick-GELU
        return self.op("Add", [x, self.linear(h, 4 * width, width)])

    def save(self, inputs, output, out_shape, path):
        graph = helper.make_graph(self.nodes, os.path.basename(path), inputs, [helper.make_tensor_value_info(output, TensorProto.FLOAT, out_shape)], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="clipdex bench/models/make-vit-b32-onnx.py")
        onnx.checker.check_model(model)
        onnx.save(model, path)


def vision(path, width=768, layers=12, heads=12):
    g = Graph()
    x = g.op("Conv", ["pixel_values", g.weight((width, 3, PATCH, PATCH))], kernel_shape=[PATCH, PATCH], strides=[PATCH, PATCH])
    x = g.op("Transpose", [g.op("Reshape", [x, g.const(np.array([0, width, -1], np.int64))])], perm=[0, 2, 1])
    batch = g.op("Gather", [g.op("Shape", ["pixel_values"]), g.const(np.array([0], np.int64))], axis=0)
    cls = g.op("Expand", [g.weight((1, 1, width)), g.op("Concat", [batch, g.const(np.array([1, width], np.int64))], axis=0)])
    x = g.op("Add", [g.op("Concat", [cls, x], axis=1), g.weight(((SIZE // PATCH) ** 2 + 1, width), std=0.01)])
    x = g.layer_norm(x, width)
    for _ in range(layers):
        x = g.block(x, width, heads)
    x = g.layer_norm(g.op("Gather", [x, g.const(np.array(0, np.int64))], axis=1), width)
    out = g.linear(x, width, PROJ, bias=False)
    g.nodes.append(helper.make_node("Identity", [out], ["image_embeds"]))
    inp = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])
    g.save([inp], "image_embeds", ["batch", PROJ], path)


def text(path, width=512, layers=12, heads=8):
    g = Graph()
    seq = g.op("Gather", [g.op("Shape", ["input_ids"]), g.const(np.array([1], np.int64))], axis=0)
    x = g.op("Gather", [g.weight((VOCAB, width)), "input_ids"], axis=0)
    zero = g.const(np.array([0], np.int64))
    x = g.op("Add", [x, g.op("Slice", [g.weight((CTX, width), std=0.01), zero, seq, zero])])
    # causal (future positions) plus padding (attention_mask 0) as one additive mask [b, 1, s, s]
    causal = g.const(np.triu(np.full((CTX, CTX), -1e4, np.float32), 1))
    causal = g.op("Slice", [g.op("Slice", [causal, zero, seq, zero]), zero, seq, g.const(np.array([1], np.int64))])
    keys = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT), g.const(np.array([1, 2], np.int64))])
    keys = g.op("Mul", [g.op("Sub", [g.const(np.array(1.0, np.float32)), keys]), g.const(np.array(-1e4, np.float32))])
    mask = g.op("Add", [causal, keys])
    for _ in range(layers):
        x = g.block(x, width, heads, mask)
    # the mean over the real tokens (with causal attention the first token sees only itself)
    m = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT), g.const(np.array([2], np.int64))])
    axis1 = g.const(np.array([1], np.int64))
    x = g.op("Div", [g.op("ReduceSum", [g.op("Mul", [g.layer_norm(x, width), m]), axis1], keepdims=0), g.op("ReduceSum", [m, axis1], keepdims=0)])
    out = g.linear(x, width, PROJ, bias=False)
    g.nodes.append(helper.make_node("Identity", [out], ["text_embeds"]))
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])
    am = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])
    g.save([ids, am], "text_embeds", ["batch", PROJ], path)


def main():
    os.makedirs(os.path.join(OUT, "onnx"), exist_ok=True)
    mini = os.path.join(ROOT, "models", "mini-clip")
    for f in ["tokenizer.json", "special_tokens_map.json", "vocab.txt"]:
        shutil.copy(os.path.join(mini, f), os.path.join(OUT, f))
    with open(os.path.join(mini, "tokenizer_config.json"), encoding="utf-8") as f:
        tok = json.load(f)
    tok["model_max_length"] = CTX

    def dump(name, obj):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)

    dump("tokenizer_config.json", tok)
    dump("config.json", {
        "_name_or_path": "bench/vit-b32-random", "architectures": ["CLIPModel"], "model_type": "clip",
        "projection_dim": PROJ, "logit_scale_init_value": 2.6592,
        "text_config": {"model_type": "clip_text_model", "max_position_embeddings": CTX, "vocab_size": VOCAB, "hidden_size": 512,
                        "intermediate_size": 2048, "num_attention_heads": 8, "num_hidden_layers": 12,
                        "pad_token_id": 0, "bos_token_id": 2, "eos_token_id": 3, "projection_dim": PROJ},
        "vision_config": {"model_type": "clip_vision_model", "image_size": SIZE, "patch_size": PATCH, "hidden_size": 768,
                          "intermediate_size": 3072, "num_attention_heads": 12, "num_hidden_layers": 12, "projection_dim": PROJ}})
    dump("preprocessor_config.json", {
        "image_processor_type": "CLIPImageProcessor", "feature_extractor_type": "CLIPFeatureExtractor", "processor_class": "CLIPProcessor",
        "do_resize": True, "size": {"shortest_edge": SIZE}, "resample": 3, "do_center_crop": True,
        "crop_size": {"height": SIZE, "width": SIZE}, "do_rescale": True, "rescale_factor": 1 / 255,
        "do_normalize": True, "image_mean": MEAN, "image_std": STD, "do_convert_rgb": True})
    text(os.path.join(OUT, "onnx", "text_model.onnx"))
    vision(os.path.join(OUT, "onnx", "vision_model.onnx"))
    sizes = {f: os.path.getsize(os.path.join(OUT, "onnx", f)) for f in os.listdir(os.path.join(OUT, "onnx"))}
    print(f"{OUT}: {', '.join(f'{k} {v / 2**20:.0f} MiB' for k, v in sorted(sizes.items()))}")


if __name__ == "__main__":
    main()
