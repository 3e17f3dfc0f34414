"""Step `eval`: recall@1/5/10 of the trained model (PyTorch, same weights as the ONNX export).

Splits:
  val      a seeded random 10% of the (concept, style) units of the trained emoji styles
           (Noto, Twemoji, Fluent flat, Fluent color); those images were never trained on.
  heldout  the whole Fluent high-contrast style (never trained or tuned on).
For each split and language: gallery = the split's images; queries = each concept's primary name
(EN: the CLDR English name, e.g. "cat face"; ZH: the CLDR Chinese short name, e.g. "猫脸").
text->image: a hit if an image of the query's concept (or of a concept with the same name) is in the
top k. image->text: candidates are the distinct names of the split's concepts; a hit if the image's
concept name is in the top k.
"""
import os

import numpy as np

from common import BUILD_DIR, log, setup_torch, write_json

torch = setup_torch()
from export import load_model  # noqa: E402
from train import load_corpus  # noqa: E402

KS = (1, 5, 10)


def embed_images(model, arr):
    out = []
    with torch.no_grad():
        for i in range(0, len(arr), 256):
            x = torch.from_numpy(np.asarray(arr[i:i + 256])).permute(0, 3, 1, 2).float() / 255.0
            out.append(model.encode_image((x - 0.5) / 0.5))
    return torch.cat(out)


def embed_texts(model, tk, texts):
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 512):
            ids, mask = tk.batch(texts[i:i + 512])
            out.append(model.encode_text(torch.tensor(ids), torch.tensor(mask)))
    return torch.cat(out)


def recall_split(model, tk, images, recs, concepts, split, lang):
    sel = [i for i, r in enumerate(recs) if r["split"] == split]
    key = "en_name" if lang == "en" else "zh_name"
    sel = [i for i in sel if concepts[recs[i]["concept"]][key]]
    names = [concepts[recs[i]["concept"]][key] for i in sel]
    queries = sorted(set(names))
    qi = {q: j for j, q in enumerate(queries)}
    img = embed_images(model, images[sel])
    txt = embed_texts(model, tk, queries)
    sims = txt @ img.t()                                    # [Q, G]
    gal_name = torch.tensor([qi[n] for n in names])
    # text -> image: rank of the best-ranked matching image
    order = sims.argsort(dim=1, descending=True)
    hit = gal_name[order] == torch.arange(len(queries))[:, None]
    first = hit.float().argmax(dim=1)
    t2i = {k: float((first < k).float().mean()) for k in KS}
    # image -> text
    order = sims.t().argsort(dim=1, descending=True)        # [G, Q]
    rank = (order == gal_name[:, None]).float().argmax(dim=1)
    i2t = {k: float((rank < k).float().mean()) for k in KS}
    return {"gallery": len(sel), "queries": len(queries), "t2i": t2i, "i2t": i2t}


def evaluate():
    from export import QUANTIZE
    model, _ = load_model()
    images, recs, concepts, tk = load_corpus()
    res = {}
    for split in ("val", "heldout"):
        for lang in ("en", "zh"):
            res[f"{split}/{lang}"] = recall_split(model, tk, images, recs, concepts, split, lang)
    names = {"val": "random 10% of trained styles", "heldout": "unseen style: Fluent high-contrast"}
    lines = ["| split | lang | gallery | queries | t→i R@1 | t→i R@5 | t→i R@10 | i→t R@1 | i→t R@5 | i→t R@10 |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for k, r in res.items():
        split, lang = k.split("/")
        p = lambda d: " | ".join(f"{100 * d[x]:.1f}" for x in KS)  # noqa: E731
        lines.append(f"| {names[split]} | {lang.upper()} | {r['gallery']} | {r['queries']} | {p(r['t2i'])} | {p(r['i2t'])} |")
    table = "\n".join(lines)
    if QUANTIZE:
        ref, _ = load_model(quantized=False)
        diffs = []
        for split in ("val", "heldout"):
            for lang in ("en", "zh"):
                r32 = recall_split(ref, tk, images, recs, concepts, split, lang)
                res[f"{split}/{lang}"]["fp32_t2i"] = r32["t2i"]
                res[f"{split}/{lang}"]["fp32_i2t"] = r32["i2t"]
                for d in ("t2i", "i2t"):
                    for k in KS:
                        diffs.append(100 * (res[f"{split}/{lang}"][d][k] - r32[d][k]))
        table += (f"\n\nShipped model: int8 text token table. Versus the float32 table, the 24 numbers above "
                  f"change by {min(diffs):+.1f} to {max(diffs):+.1f} points (mean {sum(diffs) / len(diffs):+.2f}).")
    print(table)
    write_json(os.path.join(BUILD_DIR, "eval.json"), res)
    with open(os.path.join(BUILD_DIR, "eval.md"), "w", encoding="utf-8") as f:
        f.write(table + "\n")
    return res, table


if __name__ == "__main__":
    evaluate()
