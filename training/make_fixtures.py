#!/usr/bin/env python3
"""Tiny random-weight CLIP fixtures for clipdex's loader tests (issue 2, item 2).

    /usr/bin/python3 training/make_fixtures.py        # from the repository root; ~10 s on 2 cores

Writes, seeded and deterministic apart from ONNX byte layout:
  models/fixtures/chinese-clip-tiny/   Chinese-CLIP deployment layout
      tiny.img.fp32.onnx   image [N,3,32,32] -> unnorm_image_features [N,24]
      tiny.txt.fp32.onnx   text  int64 [N,52] -> unnorm_text_features [N,24]
      vocab.txt            small BERT WordPiece vocabulary (Chinese characters + English words)
  models/fixtures/hf-input-ids-only/   Transformers.js layout, text model takes input_ids only
      onnx/text_model.onnx    input_ids [N,S] -> text_embeds [N,24], last_hidden_state
      onnx/vision_model.onnx  pixel_values [N,3,32,32] -> image_embeds [N,24], last_hidden_state
      tokenizer.json, tokenizer_config.json, config.json, preprocessor_config.json
  expected.json in each: token ids of a few texts and the embeddings for given inputs.

The known-good values are computed here independently of the Node code: token ids by reference
tokenizers written after OpenAI's simple_tokenizer.py (CLIP BPE) and BERT's BasicTokenizer +
WordPiece, pixels by PIL bicubic (as transformers' CLIPImageProcessor and Chinese-CLIP's
torchvision transforms do), embeddings by torch (eval mode).
"""
import base64
import collections
import json
import math
import os
import re
import unicodedata

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

torch.set_num_threads(1)  # a model trains beside us; fixtures are tiny
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "models", "fixtures")
IMAGES = os.path.join(ROOT, "test", "fixtures", "corpus", "images")
DIM = 24
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def f32b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def pil_pixels(img, size, mode):
    """CHW float32 the way CLIPImageProcessor ('crop') / Chinese-CLIP ('squash') make them."""
    img = img.convert("RGB")
    if mode == "crop":
        w, h = img.size
        short, long_ = (w, h) if w <= h else (h, w)
        new_long = int(size * long_ / short)
        nw, nh = (size, new_long) if w <= h else (new_long, size)
        img = img.resize((nw, nh), resample=Image.BICUBIC)
        top, left = (nh - size) // 2, (nw - size) // 2
        img = img.crop((left, top, left + size, top + size))
    else:
        img = img.resize((size, size), resample=Image.BICUBIC)
    a = np.asarray(img, dtype=np.float32) / 255.0
    a = (a - np.array(CLIP_MEAN, dtype=np.float32)) / np.array(CLIP_STD, dtype=np.float32)
    return a.transpose(2, 0, 1).astype(np.float32)


def export(model, args, path, input_names, output_names, dynamic_axes):
    model.eval()
    torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic_axes, opset_version=14, do_constant_folding=True)
    model.eval()  # export leaves the module in training mode


# --------------------------------------------------------------------------- tiny encoders

class TinyText(nn.Module):
    """Embedding + one attention layer; pools at a chosen position (CLS or EOS)."""

    def __init__(self, vocab, ctx, width=32, causal=False):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.pos = nn.Parameter(torch.randn(ctx, width) * 0.1)
        self.qkv = nn.Linear(width, 3 * width)
        self.ln = nn.LayerNorm(width)
        self.proj = nn.Linear(width, DIM, bias=False)
        self.causal = causal

    def hidden(self, ids, key_mask):
        s = ids.shape[1]
        x = self.tok(ids) + self.pos[:s]
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        att = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])
        bias = torch.zeros_like(att)
        if key_mask is not None:
            bias = bias.masked_fill(key_mask[:, None, :] == 0, -1e4)
        if self.causal:
            future = torch.triu(torch.ones(s, s, dtype=torch.bool), diagonal=1)
            bias = bias.masked_fill(future[None], -1e4)
        return self.ln(x + torch.softmax(att + bias, dim=-1) @ v)


class ChineseClipText(TinyText):
    def forward(self, text):
        h = self.hidden(text, text.ne(0).long())  # Chinese-CLIP: attention_mask = text != pad (0)
        return self.proj(h[:, 0])  # [CLS]


class HfBertText(TinyText):
    """BERT-style: input_ids + attention_mask + token_type_ids, pools at [CLS]."""

    def __init__(self, vocab, ctx):
        super().__init__(vocab, ctx)
        self.types = nn.Embedding(2, 32)

    def forward(self, input_ids, attention_mask, token_type_ids):
        s = input_ids.shape[1]
        x = self.tok(input_ids) + self.types(token_type_ids) + self.pos[:s]
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        att = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])
        att = att.masked_fill(attention_mask[:, None, :] == 0, -1e4)
        h = self.ln(x + torch.softmax(att, dim=-1) @ v)
        return self.proj(h[:, 0]), h


class HfTextIdsOnly(TinyText):
    def forward(self, input_ids):
        h = self.hidden(input_ids, None)  # causal, no mask input: pad after EOS cannot matter
        eos = input_ids.argmax(dim=-1)  # CLIP pools at the first highest id (EOS)
        pooled = h[torch.arange(h.shape[0]), eos]
        return self.proj(pooled), h


class TinyVision(nn.Module):
    def __init__(self, width=32, patch=8, size=32):
        super().__init__()
        self.patch = nn.Conv2d(3, width, patch, stride=patch)
        self.pos = nn.Parameter(torch.randn((size // patch) ** 2, width) * 0.1)
        self.ln = nn.LayerNorm(width)
        self.proj = nn.Linear(width, DIM, bias=False)

    def hidden(self, px):
        x = self.patch(px).flatten(2).transpose(1, 2) + self.pos
        return self.ln(torch.tanh(x))


class ChineseClipVision(TinyVision):
    def forward(self, image):
        return self.proj(self.hidden(image).mean(dim=1))


class HfVision(TinyVision):
    def forward(self, pixel_values):
        h = self.hidden(pixel_values)
        return self.proj(h.mean(dim=1)), h


# --------------------------------------------------------------------------- BERT WordPiece reference

def bert_vocab():
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list("一只猫狗的红色绿蓝方块汽车我爱北京天安门小大鸟鱼")
    words = ["a", "the", "cat", "dog", "photo", "of", "red", "green", "blue", "square", "car",
             "play", "is", "in", ",", ".", "!", "?", "'", "-", "1", "2", "4"]
    pieces = ["##s", "##ing", "##ed", "##ly", "##e", "##r", "##y", "##2", "##4"]
    letters = list("abcdefghijklmnopqrstuvwxyz")
    out, seen = [], set()
    for t in special + chars + words + pieces + letters + ["##" + c for c in letters]:
        if t not in seen:
            out.append(t)
            seen.add(t)
    return out


def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def bert_tokenize(text, vocab_index):
    # BasicTokenizer: clean, space around CJK, lowercase + strip accents, split on punctuation.
    text = "".join(" " if ch in "\t\n\r" or unicodedata.category(ch) == "Zs" else ch for ch in text
                   if not (ord(ch) in (0, 0xFFFD) or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r")))
    text = "".join(f" {ch} " if _is_cjk(ord(ch)) else ch for ch in text)
    tokens = []
    for word in text.lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        cur = ""
        for ch in word:
            if _is_punct(ch):
                if cur:
                    tokens.append(cur)
                tokens.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            tokens.append(cur)
    ids = []
    for tok in tokens:  # WordPiece: greedy longest match, '##' continuation, whole word -> [UNK] on failure
        if len(tok) > 100:
            ids.append(vocab_index["[UNK]"])
            continue
        start, sub, bad = 0, [], False
        while start < len(tok):
            end, found = len(tok), None
            while start < end:
                piece = ("##" if start > 0 else "") + tok[start:end]
                if piece in vocab_index:
                    found = piece
                    break
                end -= 1
            if found is None:
                bad = True
                break
            sub.append(vocab_index[found])
            start = end
        ids.extend([vocab_index["[UNK]"]] if bad else sub)
    return ids


def chinese_clip_ids(text, vocab_index, ctx):
    body = bert_tokenize(text, vocab_index)[: ctx - 2]
    ids = [vocab_index["[CLS]"]] + body + [vocab_index["[SEP]"]]
    return ids + [vocab_index["[PAD]"]] * (ctx - len(ids))


# --------------------------------------------------------------------------- CLIP BPE reference

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENC = bytes_to_unicode()
# OpenAI's pattern with \p{L} -> [^\W\d_] and \p{N} -> \d (equal for the fixture texts, which are ASCII/Latin).
CLIP_PAT = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|[^\s\w]+|_+", re.IGNORECASE)


def clip_words(text):
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip().lower()
    return ["".join(BYTE_ENC[b] for b in tok.encode("utf-8")) for tok in CLIP_PAT.findall(text)]


def bpe(word, ranks):
    parts = list(word[:-1]) + [word[-1] + "</w>"]
    while len(parts) > 1:
        cand = [(ranks[(a, b)], (a, b)) for a, b in zip(parts, parts[1:]) if (a, b) in ranks]
        if not cand:
            break
        a, b = min(cand)[1]
        merged, i = [], 0
        while i < len(parts):
            if i < len(parts) - 1 and parts[i] == a and parts[i + 1] == b:
                merged.append(a + b)
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return parts


def learn_merges(corpus, n):
    words = collections.Counter()
    for line in corpus:
        for w in clip_words(line):
            words[tuple(list(w[:-1]) + [w[-1] + "</w>"])] += 1
    merges = []
    for _ in range(n):
        pairs = collections.Counter()
        for w, c in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        nxt = collections.Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            nxt[tuple(out)] += c
        words = nxt
    return merges


def clip_tokenizer_json(vocab, merges, sot, eot):
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": True, "special": True} for t in ("<|startoftext|>", "<|endoftext|>")
        ],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFC"},
            {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
            {"type": "Lowercase"},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"},
             "behavior": "Removed", "invert": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]},
        "post_processor": {"type": "RobertaProcessing", "sep": ["<|endoftext|>", eot], "cls": ["<|startoftext|>", sot],
                           "trim_offsets": False, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<|endoftext|>", "continuing_subword_prefix": "",
                  "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    }


# --------------------------------------------------------------------------- fixtures

def make_chinese_clip():
    out = os.path.join(FIX, "chinese-clip-tiny")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    vocab = bert_vocab()
    index = {t: i for i, t in enumerate(vocab)}
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    ctx, size = 52, 32
    text, vision = ChineseClipText(len(vocab), ctx).eval(), ChineseClipVision(size=size).eval()
    export(text, (torch.zeros(2, ctx, dtype=torch.long),), os.path.join(out, "tiny.txt.fp32.onnx"),
           ["text"], ["unnorm_text_features"], {"text": {0: "batch"}, "unnorm_text_features": {0: "batch"}})
    export(vision, (torch.zeros(2, 3, size, size),), os.path.join(out, "tiny.img.fp32.onnx"),
           ["image"], ["unnorm_image_features"], {"image": {0: "batch"}, "unnorm_image_features": {0: "batch"}})
    texts = ["一只猫", "A photo of a red car!", "我爱北京天安门", "Playing dogs, 42 cats?", "héllo wörld",
             "猫" * 60]
    ids = [chinese_clip_ids(t, index, ctx) for t in texts]
    with torch.no_grad():
        feats = text(torch.tensor(ids)).numpy()
    rng = np.random.default_rng(7)
    pixels = rng.standard_normal((2, 3, size, size)).astype(np.float32)
    fixture_img = pil_pixels(Image.open(os.path.join(IMAGES, "rgb-40x30.png")), size, "squash")
    with torch.no_grad():
        img_feats = vision(torch.from_numpy(np.concatenate([pixels, fixture_img[None]]))).numpy()
    dump(os.path.join(out, "expected.json"), {
        "note": "made by training/make_fixtures.py; embeddings are raw model outputs (not normalised)",
        "contextLength": ctx, "imageSize": size, "dim": DIM,
        "texts": [{"text": t, "input_ids": i, "unnorm_text_features": f.tolist()} for t, i, f in zip(texts, ids, feats)],
        "pixels": [{"pixel_values_b64": f32b64(p), "unnorm_image_features": f.tolist()} for p, f in zip(pixels, img_feats[:2])],
        "images": [{"file": "test/fixtures/corpus/images/rgb-40x30.png", "resize": "squash 40x30 -> 32x32, PIL bicubic",
                    "pixel_values_b64": f32b64(fixture_img), "unnorm_image_features": img_feats[2].tolist()}],
    })


def make_hf_input_ids_only():
    out = os.path.join(FIX, "hf-input-ids-only")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    torch.manual_seed(2)
    corpus = ["a photo of a cat", "a photo of a dog", "two dogs playing in the park", "a red car",
              "a green square", "a blue bird", "pizza with cheese", "the cat is on the mat",
              "a diagram of a robot", "emoji of a smiling face", "flowers in spring", "hello world"]
    merges = learn_merges(corpus, 120)
    base = list(BYTE_ENC.values())
    vocab_list = base + [c + "</w>" for c in base] + ["".join(m) for m in merges]
    vocab_list = list(dict.fromkeys(vocab_list)) + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {t: i for i, t in enumerate(vocab_list)}
    sot, eot = vocab["<|startoftext|>"], vocab["<|endoftext|>"]
    ranks = {m: i for i, m in enumerate(merges)}
    ctx, size = 16, 32
    dump(os.path.join(out, "tokenizer.json"), clip_tokenizer_json(vocab, merges, sot, eot))
    dump(os.path.join(out, "tokenizer_config.json"), {
        "tokenizer_class": "CLIPTokenizer", "model_max_length": ctx, "do_lower_case": True,
        "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "clean_up_tokenization_spaces": False})
    dump(os.path.join(out, "config.json"), {
        "_name_or_path": "clipdex/hf-input-ids-only-tiny", "architectures": ["CLIPModel"], "model_type": "clip",
        "projection_dim": DIM, "logit_scale_init_value": 2.6592,
        "text_config": {"max_position_embeddings": ctx, "vocab_size": len(vocab), "hidden_size": 32,
                        "bos_token_id": sot, "eos_token_id": eot, "pad_token_id": 1},
        "vision_config": {"image_size": size, "patch_size": 8, "hidden_size": 32}})
    dump(os.path.join(out, "preprocessor_config.json"), {
        "image_processor_type": "CLIPImageProcessor", "do_resize": True, "size": {"shortest_edge": size},
        "resample": 3, "do_center_crop": True, "crop_size": {"height": size, "width": size},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": CLIP_MEAN, "image_std": CLIP_STD, "do_convert_rgb": True})
    text, vision = HfTextIdsOnly(len(vocab), ctx, causal=True).eval(), HfVision(size=size).eval()
    export(text, (torch.tensor([[sot] + [eot] * (ctx - 1)] * 2),), os.path.join(out, "onnx", "text_model.onnx"),
           ["input_ids"], ["text_embeds", "last_hidden_state"],
           {"input_ids": {0: "batch_size", 1: "sequence_length"}, "text_embeds": {0: "batch_size"},
            "last_hidden_state": {0: "batch_size", 1: "sequence_length"}})
    export(vision, (torch.zeros(2, 3, size, size),), os.path.join(out, "onnx", "vision_model.onnx"),
           ["pixel_values"], ["image_embeds", "last_hidden_state"],
           {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}})
    texts = ["a photo of a cat", "Two dogs, playing!", "pizza 42", "  A   red\tCAR  ",
             "the cat is on the mat with a dog and a bird in spring"]
    rows = []
    for t in texts:
        ids = [vocab[p] for w in clip_words(t) for p in bpe(w, ranks)]
        full = [sot] + ids + [eot]
        kept = full if len(full) <= ctx else full[: ctx - 1] + [eot]  # truncate, keep the EOS
        mask = [1] * len(kept) + [0] * (ctx - len(kept))
        rows.append((t, full, kept + [eot] * (ctx - len(kept)), mask))
    with torch.no_grad():
        embeds, _ = text(torch.tensor([r[2] for r in rows]))
    rng = np.random.default_rng(11)
    pixels = rng.standard_normal((2, 3, size, size)).astype(np.float32)
    files = ["rgb-32x32.png", "rgb-40x30.png", "rgb-200x150.png"]
    imgs = [pil_pixels(Image.open(os.path.join(IMAGES, f)), size, "crop") for f in files]
    with torch.no_grad():
        img_embeds, _ = vision(torch.from_numpy(np.concatenate([pixels, np.stack(imgs)])))
    dump(os.path.join(out, "expected.json"), {
        "note": "made by training/make_fixtures.py; embeddings are raw model outputs (not normalised)",
        "contextLength": ctx, "imageSize": size, "dim": DIM, "padId": eot,
        "texts": [{"text": t, "ids_unpadded": full, "input_ids": ids, "attention_mask": m, "text_embeds": e.tolist()}
                  for (t, full, ids, m), e in zip(rows, embeds.numpy())],
        "pixels": [{"pixel_values_b64": f32b64(p), "image_embeds": e.tolist()} for p, e in zip(pixels, img_embeds[:2].numpy())],
        "images": [{"file": f"test/fixtures/corpus/images/{f}", "resize": r, "pixel_values_b64": f32b64(p),
                    "image_embeds": e.tolist()}
                   for f, r, p, e in zip(files, ["none (exact size)", "upscale: shortest edge 30->32 (42x32), centre crop 32, PIL bicubic",
                                                   "downscale: shortest edge 150->32 (42x32), centre crop 32, PIL bicubic"],
                                         imgs, img_embeds[2:].numpy())],
    })


def make_hf_bert_vocab_only():
    """HF layout whose text model takes input_ids + attention_mask + token_type_ids, with only a
    vocab.txt (no tokenizer.json) and a squash resize (size {height, width}, no centre crop)."""
    out = os.path.join(FIX, "hf-bert-vocab-only")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    torch.manual_seed(3)
    vocab = bert_vocab()
    index = {t: i for i, t in enumerate(vocab)}
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    ctx, size = 12, 32
    # model_max_length 512 as BERT tokenizers write it: text_config.max_position_embeddings (12) must win
    dump(os.path.join(out, "tokenizer_config.json"), {"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                                                       "model_max_length": 512, "pad_token": "[PAD]"})
    dump(os.path.join(out, "config.json"), {"_name_or_path": "clipdex/hf-bert-vocab-only-tiny", "model_type": "chinese_clip",
                                            "projection_dim": DIM, "logit_scale": math.log(50.0),
                                            "text_config": {"max_position_embeddings": ctx, "vocab_size": len(vocab)},
                                            "vision_config": {"image_size": size}})
    dump(os.path.join(out, "preprocessor_config.json"), {
        "do_resize": True, "size": {"height": size, "width": size}, "resample": 3, "do_center_crop": False,
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": CLIP_MEAN, "image_std": CLIP_STD})
    text, vision = HfBertText(len(vocab), ctx).eval(), HfVision(size=size).eval()
    dummy = torch.ones(2, ctx, dtype=torch.long)
    axes = {0: "batch_size", 1: "sequence_length"}
    export(text, (dummy, dummy, torch.zeros(2, ctx, dtype=torch.long)), os.path.join(out, "onnx", "text_model.onnx"),
           ["input_ids", "attention_mask", "token_type_ids"], ["text_embeds", "last_hidden_state"],
           {"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "text_embeds": {0: "batch_size"},
            "last_hidden_state": axes})
    export(vision, (torch.zeros(2, 3, size, size),), os.path.join(out, "onnx", "vision_model.onnx"),
           ["pixel_values"], ["image_embeds", "last_hidden_state"],
           {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}})
    texts = ["一只红色的猫", "A photo of a blue car.", "dogs playing in the park, 24 of them"]
    ids = [chinese_clip_ids(t, index, ctx) for t in texts]
    mask = [[1 if i != 0 else 0 for i in row] for row in ids]
    with torch.no_grad():
        embeds, _ = text(torch.tensor(ids), torch.tensor(mask), torch.zeros(len(ids), ctx, dtype=torch.long))
    rng = np.random.default_rng(13)
    pixels = rng.standard_normal((2, 3, size, size)).astype(np.float32)
    img = pil_pixels(Image.open(os.path.join(IMAGES, "rgb-40x30.png")), size, "squash")
    with torch.no_grad():
        img_embeds, _ = vision(torch.from_numpy(np.concatenate([pixels, img[None]])))
    dump(os.path.join(out, "expected.json"), {
        "note": "made by training/make_fixtures.py; embeddings are raw model outputs (not normalised)",
        "contextLength": ctx, "imageSize": size, "dim": DIM, "logitScale": 50.0,
        "texts": [{"text": t, "input_ids": i, "attention_mask": m, "text_embeds": e.tolist()}
                  for t, i, m, e in zip(texts, ids, mask, embeds.numpy())],
        "pixels": [{"pixel_values_b64": f32b64(p), "image_embeds": e.tolist()} for p, e in zip(pixels, img_embeds[:2].numpy())],
        "images": [{"file": "test/fixtures/corpus/images/rgb-40x30.png", "resize": "squash 40x30 -> 32x32 (size {height, width}, no crop), PIL bicubic",
                    "pixel_values_b64": f32b64(img), "image_embeds": img_embeds[2].numpy().tolist()}],
    })


if __name__ == "__main__":
    make_chinese_clip()
    make_hf_input_ids_only()
    make_hf_bert_vocab_only()
    for root, _, names in os.walk(FIX):
        for n in sorted(names):
            p = os.path.join(root, n)
            print(f"{os.path.getsize(p):>9}  {os.path.relpath(p, ROOT)}")
