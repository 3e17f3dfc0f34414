"""Step `corpus`: build the concept list, captions (EN + ZH), the rendered 96 px image array and
the tokenizer vocabulary from the fetched sources.

Outputs (training/build/corpus/):
  concepts.json  one entry per concept: key, source, en/zh captions, primary en/zh query text
  images.json    one entry per image: concept index, style, variant, source path, split
  images.npy     uint8 [N, 96, 96, 3], composited on white, content-cropped, PIL bicubic resize
  vocab.txt      WordPiece vocabulary built from every caption
  skipped.log    every image left out, with the reason
Splits: style fluent-high-contrast -> "heldout" (never trained on); a seeded random 10% of the
(concept, style) units of the four trained emoji styles -> "val" (their skin-tone variants are
dropped); everything else -> "train" (openclipart is train-only).
"""
import json
import os
import random
import re
import subprocess
import unicodedata
from multiprocessing import Pool

import numpy as np
from PIL import Image

from common import (BUILD_DIR, CACHE_DIR, IMAGE_SIZE, OPENCLIPART_DIR, SEED, TRAINING_DIR, EMOJI_STYLES,
                    log, read_json, src, write_json)
import tokenizer as tok

CORPUS_DIR = os.path.join(BUILD_DIR, "corpus")
RENDER_DIR = os.path.join(CACHE_DIR, "render")
MAX_PIXELS = 40_000_000          # larger images are skipped (logged); some openclipart PNGs are 600 MP
Image.MAX_IMAGE_PIXELS = None    # we check the header size ourselves before decoding
SKIN_SUFFIXES = ["-medium-light", "-medium-dark", "-default", "-light", "-medium", "-dark"]
SKIN_HEX = {"1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"}


def norm_hex(h):
    return "-".join(p for p in h.upper().split("-") if p != "FE0F")


def slug(s):
    s = unicodedata.normalize("NFKD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("\u2019", "").replace("'", "").replace("&", "and")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def clean_text(s):
    s = s.replace("_", " ").strip()
    return re.sub(r"\s+", " ", s)


def uniq(xs):
    out, seen = [], set()
    for x in xs:
        x = clean_text(x)
        if x and x.lower() not in seen:
            seen.add(x.lower())
            out.append(x)
    return out


# ---------------------------------------------------------------- emoji concepts
def emoji_concepts():
    en = read_json(os.path.join(src("emojibase-data"), "en", "data.json"))
    zh = {norm_hex(x["hexcode"]): x for x in read_json(os.path.join(src("emojibase-data"), "zh", "data.json"))}
    cldr = read_json(os.path.join(src("cldr-annotations-full"), "annotations", "zh", "annotations.json"))
    cldr = cldr["annotations"]["annotations"]
    ds = read_json(os.path.join(src("emoji-datasource-google"), "emoji.json"))
    ds_by_hex = {norm_hex(d["unified"]): d for d in ds}

    concepts = {}
    for e in en:
        if e.get("group") in (None, 2):          # regional indicators, skin-tone components
            continue
        h = norm_hex(e["hexcode"])
        d = ds_by_hex.get(h)
        en_caps = [e["label"]] + list(e.get("tags") or [])
        if d:
            en_caps += [re.sub(r"\d+$", "", n) for n in d.get("short_names") or []]
            if d.get("name"):
                en_caps.append(d["name"].lower())
        z = zh.get(h)
        c = cldr.get(e["emoji"]) or cldr.get(e["emoji"].replace("\ufe0f", ""))
        zh_primary = (c or {}).get("tts", [None])[0] or (z or {}).get("label")
        zh_caps = []
        if zh_primary:
            zh_caps.append(zh_primary)
        if z:
            zh_caps += [z["label"]] + list(z.get("tags") or [])
        if c:
            zh_caps += list(c.get("default") or [])
        concepts[h] = {
            "key": "emoji:" + h, "source": "emoji", "emoji": e["emoji"],
            "en_name": clean_text(e["label"]), "zh_name": clean_text(zh_primary) if zh_primary else None,
            "en": uniq(en_caps), "zh": uniq(zh_caps),
            "skins": [norm_hex(s["hexcode"]) for s in e.get("skins") or []],
        }
    return concepts, ds


def emoji_images(concepts, ds):
    """[(concept_key, style, variant, path)] for Noto, Twemoji and the three Fluent styles."""
    out, skipped = [], []
    for style, pkg, flag in [("noto", "emoji-datasource-google", "has_img_google"),
                             ("twemoji", "emoji-datasource-twitter", "has_img_twitter")]:
        meta = read_json(os.path.join(src(pkg), "emoji.json"))
        img_dir = os.path.join(src(pkg), "img", pkg.split("-")[-1], "64")
        for d in meta:
            h = norm_hex(d["unified"])
            if h not in concepts:
                continue
            if d.get(flag) and os.path.exists(os.path.join(img_dir, d["image"])):
                out.append((h, style, "base", os.path.join(img_dir, d["image"])))
            for sk, v in (d.get("skin_variations") or {}).items():
                if sk.upper() in SKIN_HEX and v.get(flag) and os.path.exists(os.path.join(img_dir, v["image"])):
                    out.append((h, style, "skin", os.path.join(img_dir, v["image"])))
    # Fluent: file names are slugs of the CLDR English names (+ skin-tone suffix)
    sl = {}
    for h, c in concepts.items():
        sl.setdefault(slug(c["en_name"]), h)
    for d in ds:
        h = norm_hex(d["unified"])
        if h in concepts and d.get("name"):
            sl.setdefault(slug(d["name"]), h)
    icons = os.path.join(src("fluentui-emoji"), "icons")
    jobs = []
    for style, folder in [("fluent-flat", "flat"), ("fluent-color", "modern"), ("fluent-high-contrast", "high-contrast")]:
        for f in sorted(os.listdir(os.path.join(icons, folder))):
            name = f[:-4]
            h, variant = sl.get(name), "base"
            if h is None:
                for s in SKIN_SUFFIXES:
                    if name.endswith(s) and name[: -len(s)] in sl:
                        h, variant = sl[name[: -len(s)]], ("base" if s == "-default" else "skin")
                        break
            if h is None:
                skipped.append((os.path.join(icons, folder, f), "no emoji name matches the file name"))
                continue
            dst = os.path.join(RENDER_DIR, folder, name + ".png")
            jobs.append([os.path.join(icons, folder, f), dst])
            out.append((h, style, variant, dst))
    return out, jobs, skipped


# ---------------------------------------------------------------- openclipart
AUTHOR_TAIL = re.compile(r"^(.*?)_[^_]+_[^_]*_(\d\d|)$")


def clipart_title(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    m = AUTHOR_TAIL.match(stem)
    if m and m.group(1):
        stem = m.group(1)
    words = re.split(r"[_\-\s.]+", stem)
    words = [re.sub(r"\d+$", "", w.lower()) for w in words]
    words = [w for w in words if len(w) > 1 and not re.search(r"\d", w) and w not in ("md", "pt", "step")]
    return " ".join(words)


def clipart():
    items = []
    for root, _dirs, files in os.walk(OPENCLIPART_DIR):
        for f in sorted(files):
            if not f.endswith(".png"):
                continue
            path = os.path.join(root, f)
            title = clipart_title(path)
            rel = os.path.relpath(root, OPENCLIPART_DIR).split(os.sep)
            folder = [re.sub(r"[_\-]+", " ", p) for p in rel if p not in (".", "unsorted", "special")]
            if not title or len(title) < 3:
                title = folder[-1] if folder else ""
            if not title:
                continue
            items.append((path, title, folder))
    items.sort()
    return items


# ---------------------------------------------------------------- pixels
def load_rgba(path, max_pixels=MAX_PIXELS):
    im = Image.open(path)
    if im.size[0] * im.size[1] > max_pixels:
        raise ValueError(f"{im.size[0]}x{im.size[1]} is over {max_pixels} pixels")
    im.load()
    if im.mode != "RGBA":
        im = im.convert("RGBA")
    return im


def on_white(im):
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    bg.alpha_composite(im)
    return bg.convert("RGB")


def content_crop(rgb, margin=0.04):
    a = np.asarray(rgb)
    ys, xs = np.where((a < 248).any(axis=2))
    if len(xs) == 0:
        raise ValueError("blank image")
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    side = int(max(x1 - x0, y1 - y0) * (1 + 2 * margin)) + 1
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    box = (int(round(cx - side / 2)), int(round(cy - side / 2)))
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(rgb.crop((box[0], box[1], box[0] + side, box[1] + side)), (0, 0))
    # PIL fills out-of-range crop with black; repaint those borders white
    c = np.asarray(canvas).copy()
    ox0, oy0 = max(0, -box[0]), max(0, -box[1])
    ox1 = side - max(0, box[0] + side - rgb.size[0])
    oy1 = side - max(0, box[1] + side - rgb.size[1])
    mask = np.ones((side, side), bool)
    mask[oy0:oy1, ox0:ox1] = False
    c[mask] = 255
    return Image.fromarray(c)


def prepare(path):
    try:
        im = load_rgba(path)
        if max(im.size) > 1024:
            im.thumbnail((1024, 1024), Image.BICUBIC)
        rgb = content_crop(on_white(im))
        rgb = rgb.resize((IMAGE_SIZE, IMAGE_SIZE), Image.BICUBIC)
        return np.asarray(rgb, dtype=np.uint8), None
    except Exception as e:  # noqa: BLE001 - every failure is logged and the image skipped
        return None, f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- main
def build(limit=None):
    os.makedirs(CORPUS_DIR, exist_ok=True)
    concepts, ds = emoji_concepts()
    log(f"{len(concepts)} emoji concepts")
    imgs, jobs, skipped = emoji_images(concepts, ds)
    log(f"rendering {len(jobs)} Fluent SVGs with sharp (cached in {RENDER_DIR})")
    jobs_file = os.path.join(CORPUS_DIR, "render_jobs.json")
    with open(jobs_file, "w") as f:
        json.dump(jobs, f)
    r = subprocess.run(["node", os.path.join(TRAINING_DIR, "render_svg.mjs"), jobs_file], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("SVG rendering failed:\n" + r.stderr[-2000:])
    log(r.stdout.strip())
    for line in r.stderr.splitlines():
        if line.startswith("skip "):
            skipped.append((line[5:].split(":")[0], line))

    concept_list = list(concepts.values())
    index = {c["key"][6:]: i for i, c in enumerate(concept_list)}
    records = [{"concept": index[h], "style": st, "variant": v, "path": p} for h, st, v, p in imgs]

    # openclipart: one concept per cleaned title
    clip_index = {}
    for path, title, folder in clipart():
        if title not in clip_index:
            clip_index[title] = len(concept_list)
            concept_list.append({"key": "clipart:" + title, "source": "openclipart", "emoji": None,
                                 "en_name": title, "zh_name": None, "en": [title], "zh": [], "skins": [],
                                 "folders": []})
        c = concept_list[clip_index[title]]
        for w in folder[-2:]:
            if w not in c["folders"]:
                c["folders"].append(w)
        records.append({"concept": clip_index[title], "style": "openclipart", "variant": "base", "path": path})
    for c in concept_list:
        if c["source"] == "openclipart":
            c["en"] = uniq(c["en"] + [f"{c['en_name']} {c['folders'][-1]}"] if c["folders"] else c["en"])

    # splits
    rng = random.Random(SEED)
    units = sorted({(r["concept"], r["style"]) for r in records if r["style"] in EMOJI_STYLES})
    rng.shuffle(units)
    val_units = set(units[: len(units) // 10])
    for r in records:
        if r["style"] == "fluent-high-contrast":
            r["split"] = "heldout"
        elif (r["concept"], r["style"]) in val_units:
            r["split"] = "val" if r["variant"] == "base" else "drop"
        else:
            r["split"] = "train"
    records = [r for r in records if r["split"] != "drop"]
    # a val/heldout unit needs exactly one base image
    seen = set()
    kept = []
    for r in records:
        if r["split"] in ("val", "heldout"):
            k = (r["concept"], r["style"])
            if k in seen or r["variant"] != "base":
                continue
            seen.add(k)
        kept.append(r)
    records = kept
    if limit:
        rng.shuffle(records)
        records = records[:limit]

    log(f"preparing {len(records)} images at {IMAGE_SIZE}px on 2 processes")
    with Pool(2) as pool:
        results = pool.map(prepare, [r["path"] for r in records], chunksize=32)
    arrays, final = [], []
    for r, (a, err) in zip(records, results):
        if a is None:
            skipped.append((r["path"], err))
            continue
        arrays.append(a)
        final.append(r)
    images = np.stack(arrays)
    np.save(os.path.join(CORPUS_DIR, "images.npy"), images)
    write_json(os.path.join(CORPUS_DIR, "images.json"), final, indent=None)
    write_json(os.path.join(CORPUS_DIR, "concepts.json"), concept_list, indent=None)
    with open(os.path.join(CORPUS_DIR, "skipped.log"), "w", encoding="utf-8") as f:
        for p, why in skipped:
            f.write(f"{p}\t{why}\n")

    texts = []
    for c in concept_list:
        texts += c["en"] + c["zh"]
    vocab = tok.build_vocab(texts)
    with open(os.path.join(CORPUS_DIR, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(vocab) + "\n")

    from collections import Counter
    stats = Counter((r["style"], r["split"]) for r in final)
    log("images by (style, split):", dict(sorted(stats.items())))
    log(f"{len(concept_list)} concepts, vocab {len(vocab)}, skipped {len(skipped)} (see skipped.log)")


if __name__ == "__main__":
    import sys
    build(int(sys.argv[1]) if len(sys.argv) > 1 else None)
