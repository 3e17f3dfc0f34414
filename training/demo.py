"""Step `demo`: write demo/train.tsv and demo/valid.tsv (EasyNLP format: `text<TAB>base64 image`,
one pair a line, UTF-8, LF), English and Chinese captions mixed, 72 px PNG images (alpha kept,
palette-quantised to stay small), then check that the required queries find the right emoji in
the top 5 of the demo images with the exported model (PyTorch weights, same as the ONNX files)."""
import base64
import hashlib
import io
import json
import os
import random

import numpy as np
from PIL import Image

from common import BUILD_DIR, DEMO_DIR, MAX_LEN, SEED, log, setup_torch
from corpus import CORPUS_DIR, load_rgba
from preprocess import preprocess
import tokenizer as tok

SIZE = 72
MUST = ["1F431", "1F408", "1F436", "1F415", "1F355", "1F697", "1F695", "1F699", "1F408-200D-2B1B", "1F63A",
        "1F638", "1F639", "1F63B", "1F63C", "1F429", "1F32D", "1F354", "1F68C", "1F693"]
N_TRAIN, N_VALID = 1000, 200
CHECK_QUERIES = {"cat": {"1F431", "1F408", "1F408-200D-2B1B", "1F63A", "1F638", "1F639", "1F63B", "1F63C", "1F63D", "1F640", "1F63F", "1F63E"},
                 "dog": {"1F436", "1F415", "1F429", "1F9AE", "1F415-200D-1F9BA"},
                 "pizza": {"1F355"},
                 "猫": {"1F431", "1F408", "1F408-200D-2B1B", "1F63A", "1F638", "1F639", "1F63B", "1F63C", "1F63D", "1F640", "1F63F", "1F63E"},
                 "汽车": {"1F697", "1F699", "1F695", "1F698", "1F3CE"}}


def png_b64(path):
    im = load_rgba(path)
    im = im.resize((SIZE, SIZE), Image.LANCZOS) if im.size[0] == im.size[1] else fit(im)
    q = im.quantize(256, method=Image.FASTOCTREE)
    b = io.BytesIO()
    q.save(b, "PNG", optimize=True)
    return base64.b64encode(b.getvalue()).decode()


def fit(im):
    im = im.copy()
    im.thumbnail((SIZE, SIZE), Image.LANCZOS)
    return im


def build():
    with open(os.path.join(CORPUS_DIR, "images.json"), encoding="utf-8") as f:
        recs = json.load(f)
    with open(os.path.join(CORPUS_DIR, "concepts.json"), encoding="utf-8") as f:
        concepts = json.load(f)
    rng = random.Random(SEED)
    by = {}
    for r in recs:
        if r["variant"] != "base" or r["style"] == "fluent-high-contrast":
            continue
        by.setdefault(r["concept"], []).append(r)
    emoji = [c for c in by if concepts[c]["source"] == "emoji" and concepts[c]["zh_name"]]
    clip = [c for c in by if concepts[c]["source"] == "openclipart"]
    key2c = {concepts[c]["key"][6:]: c for c in emoji}
    must = [key2c[k] for k in MUST if k in key2c]
    rest = [c for c in emoji if c not in must]
    rng.shuffle(rest)
    rng.shuffle(clip)
    chosen = must + rest[:540] + clip[:60]

    def caption(c, lang):
        con = concepts[c]
        if lang == "zh" and con["zh"]:
            caps = con["zh"]
        else:
            caps = con["en"]
        return caps[0] if rng.random() < 0.6 else rng.choice(caps)

    train, valid = [], []
    for i, c in enumerate(chosen):
        imgs = sorted(by[c], key=lambda r: r["style"])
        rng.shuffle(imgs)
        dest = valid if (i % 5 == 4 and c not in must) else train
        for j, r in enumerate(imgs[: 4 if c in must else 2]):
            data = png_b64(r["path"])
            langs = ["en", "zh"] if c in must else [rng.choice(["en", "zh"])]
            for lang in langs:
                dest.append((caption(c, lang) if not (c in must and j == 0) else
                             (concepts[c]["en_name"] if lang == "en" else concepts[c]["zh_name"]), data, c))
    rng.shuffle(train)
    rng.shuffle(valid)
    train, valid = train[:N_TRAIN], valid[:N_VALID]
    os.makedirs(DEMO_DIR, exist_ok=True)
    for name, rows in (("train.tsv", train), ("valid.tsv", valid)):
        with open(os.path.join(DEMO_DIR, name), "w", encoding="utf-8", newline="\n") as f:
            for text, data, _ in rows:
                assert "\t" not in text and "\n" not in text
                f.write(f"{text}\t{data}\n")
    size = sum(os.path.getsize(os.path.join(DEMO_DIR, n)) for n in ("train.tsv", "valid.tsv"))
    n_imgs = len({hashlib.sha256(d.encode()).hexdigest() for _, d, _ in train + valid})
    zh = sum(1 for t, _, _ in train + valid if any("\u4e00" <= ch <= "\u9fff" for ch in t))
    log(f"demo: {len(train)} train + {len(valid)} valid pairs, {n_imgs} distinct images, "
        f"{zh} Chinese captions, {size / 1e6:.2f} MB")
    return train + valid, concepts


def check(rows, concepts):
    """Top-5 text->image on the demo images (train + valid), distinct images only."""
    torch = setup_torch()
    from export import load_model
    model, _ = load_model()
    tk = tok.WordPieceTokenizer.from_vocab_file(os.path.join(CORPUS_DIR, "vocab.txt"), MAX_LEN)
    seen, imgs, keys = set(), [], []
    for _, data, c in rows:
        h = hashlib.sha256(data.encode()).hexdigest()
        if h in seen:
            continue
        seen.add(h)
        imgs.append(preprocess(Image.open(io.BytesIO(base64.b64decode(data)))))
        keys.append(concepts[c]["key"][6:])
    with torch.no_grad():
        e = model.encode_image(torch.from_numpy(np.stack(imgs)))
        ok = True
        lines = []
        for q, want in CHECK_QUERIES.items():
            ids, mask = tk.batch([q])
            t = model.encode_text(torch.tensor(ids), torch.tensor(mask))[0]
            order = (e @ t).argsort(descending=True).tolist()
            top = order[:5]
            got = [concepts_name(concepts, keys[i]) for i in top]
            hit = any(keys[i] in want for i in top)
            first = next(r for r, i in enumerate(order, 1) if keys[i] in want)
            ok &= hit
            lines.append(f"query {q!r}: {'OK  ' if hit else 'MISS'} top 5 = {' | '.join(got)}  (first right emoji at rank {first})")
            log("demo " + lines[-1])
    with open(os.path.join(BUILD_DIR, "demo_check.txt"), "w", encoding="utf-8") as f:
        f.write(f"{len(imgs)} distinct demo images\n" + "\n".join(lines) + "\n")
    return ok


def concepts_name(concepts, key):
    for c in concepts:
        if c["key"][6:] == key:
            return c["emoji"] or c["en_name"]
    return key


def demo():
    rows, concepts = build()
    if not check(rows, concepts):
        log("WARNING: a demo query missed its emoji in the top 5")
        return False
    return True


if __name__ == "__main__":
    demo()
