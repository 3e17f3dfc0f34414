#!/usr/bin/env python3
"""Generate a CLIP with the shapes (and so the compute) of OpenAI's ViT-B/32 and random weights,
in the Hugging Face / Transformers.js folder layout, for the embedding and ingest benches.

  /usr/bin/python3 bench/models/make-vit-b32.py [OUT]        (default bench/.cache/vit-b32-random)

Vision: 224 px, 32 px patches (7x7+1 tokens), 12 pre-LN layers, width 768, 12 heads, MLP 3072,
quick-GELU, class-token pooling, projection 768->512. Text: 12 causal layers, width 512, 8 heads,
MLP 2048, vocab 49408, context 77, EOS (argmax id) pooling, projection 512->512. About 151 M
parameters, ~600 MB of fp32 ONNX: written to the git-ignored bench/.cache only, never committed.
The tokenizer is a CLIP byte-level BPE learned here from the emoji captions of the training corpus
(training/build/corpus/concepts.json when present, else a built-in list) with training/'s helpers.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "training"))
from make_fixtures import BYTE_ENC, clip_tokenizer_json, learn_merges  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench", ".cache", "vit-b32-random")
CTX, VOCAB, PROJ, SIZE, PATCH = 77, 49408, 512, 224, 32
MEAN, STD = [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class Block(nn.Module):
    def __init__(self, width, heads, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.out = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.fc1, self.fc2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(self, x):
        b, s, w = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).reshape(b, s, 3, h, w // h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(w // h)
        if self.causal:
            att = att.masked_fill(torch.triu(torch.ones(s, s, dtype=torch.bool), 1), float("-inf"))
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, s, w)
        x = x + self.out(y)
        return x + self.fc2(quick_gelu(self.fc1(self.ln2(x))))


class Vision(nn.Module):
    def __init__(self, width=768, layers=12, heads=12):
        super().__init__()
        self.patch = nn.Conv2d(3, width, PATCH, stride=PATCH, bias=False)
        self.cls = nn.Parameter(torch.randn(width) * 0.02)
        self.pos = nn.Parameter(torch.randn((SIZE // PATCH) ** 2 + 1, width) * 0.01)
        self.pre, self.post = nn.LayerNorm(width), nn.LayerNorm(width)
        self.blocks = nn.ModuleList([Block(width, heads, False) for _ in range(layers)])
        self.proj = nn.Linear(width, PROJ, bias=False)

    def forward(self, pixel_values):
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.pos
        x = self.pre(x)
        for blk in self.blocks:
            x = blk(x)
        return self.proj(self.post(x[:, 0]))


class Text(nn.Module):
    def __init__(self, width=512, layers=12, heads=8):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, width)
        self.pos = nn.Parameter(torch.randn(CTX, width) * 0.01)
        self.blocks = nn.ModuleList([Block(width, heads, True) for _ in range(layers)])
        self.ln = nn.LayerNorm(width)
        self.proj = nn.Linear(width, PROJ, bias=False)

    def forward(self, input_ids):
        x = self.tok(input_ids) + self.pos[: input_ids.shape[1]]
        for blk in self.blocks:
            x = blk(x)
        x = self.ln(x)
        return self.proj(x[torch.arange(x.shape[0]), input_ids.argmax(-1)])


def captions():
    p = os.path.join(ROOT, "training", "build", "corpus", "concepts.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            return [" ".join(c.get("en", [])[:4]) for c in json.load(f)]
    return ["a photo of a cat", "a red car", "grinning face", "flowers in spring", "a blue bird"] * 10


def main():
    os.makedirs(os.path.join(OUT, "onnx"), exist_ok=True)
    torch.manual_seed(32)
    merges = learn_merges(captions()[:3000], 3000)
    base = list(BYTE_ENC.values())
    vocab_list = list(dict.fromkeys(base + [c + "</w>" for c in base] + ["".join(m) for m in merges]))
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]  # highest ids: EOS pooling is argmax
    vocab = {t: i for i, t in enumerate(vocab_list)}
    sot, eot = vocab["<|startoftext|>"], vocab["<|endoftext|>"]

    def dump(name, obj):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)

    dump("tokenizer.json", clip_tokenizer_json(vocab, merges, sot, eot))
    dump("tokenizer_config.json", {
        "tokenizer_class": "CLIPTokenizer", "model_max_length": CTX, "do_lower_case": True,
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "clean_up_tokenization_spaces": False})
    dump("config.json", {
        "_name_or_path": "bench/vit-b32-random", "architectures": ["CLIPModel"], "model_type": "clip",
        "projection_dim": PROJ, "logit_scale_init_value": 2.6592,
        "text_config": {"max_position_embeddings": CTX, "vocab_size": VOCAB, "hidden_size": 512,
                        "intermediate_size": 2048, "num_attention_heads": 8, "num_hidden_layers": 12,
                        "bos_token_id": sot, "eos_token_id": eot, "pad_token_id": eot, "projection_dim": PROJ},
        "vision_config": {"image_size": SIZE, "patch_size": PATCH, "hidden_size": 768, "intermediate_size": 3072,
                          "num_attention_heads": 12, "num_hidden_layers": 12, "projection_dim": PROJ}})
    dump("preprocessor_config.json", {
        "image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": SIZE},
        "resample": 3, "do_center_crop": True, "crop_size": {"height": SIZE, "width": SIZE},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": MEAN, "image_std": STD, "do_convert_rgb": True})
    text, vision = Text().eval(), Vision().eval()
    n_params = sum(p.numel() for p in text.parameters()) + sum(p.numel() for p in vision.parameters())
    with torch.no_grad():
        torch.onnx.export(text, (torch.tensor([[sot] + [eot] * (CTX - 1)] * 2),), os.path.join(OUT, "onnx", "text_model.onnx"),
                          input_names=["input_ids"], output_names=["text_embeds"], opset_version=14, do_constant_folding=True,
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "text_embeds": {0: "batch_size"}})
        torch.onnx.export(vision, (torch.zeros(2, 3, SIZE, SIZE),), os.path.join(OUT, "onnx", "vision_model.onnx"),
                          input_names=["pixel_values"], output_names=["image_embeds"], opset_version=14, do_constant_folding=True,
                          dynamic_axes={"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}})
    print(f"{OUT}: {n_params / 1e6:.1f} M parameters, vocab {len(vocab)} BPE tokens (embedding rows {VOCAB})")


if __name__ == "__main__":
    main()
