"""Step `train`: train the mini-CLIP on the built corpus (train split only).

Each batch: B concepts are sampled (80% emoji, 20% openclipart); for each, an image of a trained
style and an English or Chinese caption. Two items with the same concept or the same caption
text are both positives (multi-positive InfoNCE, symmetric, learnable temperature).
Augmentations (on the 96 px white-background images): random zoom/shift, greyscale, outline
(Sobel edges as dark lines on white) and ink (two-level threshold) renderings.
"""
import json
import math
import os
import random
import time

import numpy as np

from common import BUILD_DIR, MAX_LEN, SEED, log, setup_torch, write_json
from corpus import CORPUS_DIR
import tokenizer as tok

torch = setup_torch()
import torch.nn.functional as F  # noqa: E402
from model import DEFAULT_CFG, MiniClip  # noqa: E402

CKPT = os.path.join(BUILD_DIR, "ckpt.pt")


def load_corpus():
    images = np.load(os.path.join(CORPUS_DIR, "images.npy"), mmap_mode="r")
    with open(os.path.join(CORPUS_DIR, "images.json"), encoding="utf-8") as f:
        recs = json.load(f)
    with open(os.path.join(CORPUS_DIR, "concepts.json"), encoding="utf-8") as f:
        concepts = json.load(f)
    tk = tok.WordPieceTokenizer.from_vocab_file(os.path.join(CORPUS_DIR, "vocab.txt"), MAX_LEN)
    return images, recs, concepts, tk


class Sampler:
    def __init__(self, recs, concepts, tk, rng, clipart_p=0.2):
        self.rng, self.tk, self.concepts, self.clipart_p = rng, tk, concepts, clipart_p
        by = {}
        for i, r in enumerate(recs):
            if r["split"] != "train":
                continue
            by.setdefault(r["concept"], {}).setdefault(r["style"], {"base": [], "skin": []})[r["variant"]].append(i)
        self.by = by
        self.emoji = [c for c in by if concepts[c]["source"] == "emoji"]
        self.clip = [c for c in by if concepts[c]["source"] != "emoji"]
        self.cache = {}

    def ids(self, text):
        if text not in self.cache:
            self.cache[text] = self.tk.encode(text)
        return self.cache[text]

    def caption(self, c):
        rng = self.rng
        con = self.concepts[c]
        use_zh = con["zh"] and rng.random() < 0.5
        caps = con["zh"] if use_zh else con["en"]
        primary = caps[0]
        u = rng.random()
        if u < 0.4:
            return primary
        if u < 0.8 or len(caps) < 2:
            return rng.choice(caps)
        extra = rng.sample(caps[1:], min(len(caps) - 1, rng.randint(1, 3)))
        sep = "，" if use_zh and rng.random() < 0.5 else ", "
        return sep.join([primary] + extra) if rng.random() < 0.7 else " ".join(extra)

    def batch(self, n):
        rng = self.rng
        idx, cons, texts = [], [], []
        for _ in range(n):
            c = rng.choice(self.clip) if (self.clip and rng.random() < self.clipart_p) else rng.choice(self.emoji)
            styles = self.by[c]
            st = styles[rng.choice(sorted(styles))]
            pool = st["base"] if (st["base"] and (not st["skin"] or rng.random() < 0.5)) else st["skin"]
            idx.append(rng.choice(pool))
            cons.append(c)
            texts.append(self.caption(c))
        return idx, cons, texts


def to_ids(sampler, texts):
    seqs = [sampler.ids(t) for t in texts]
    n = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), n, dtype=torch.long)
    mask = torch.zeros(len(seqs), n, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def zoom_shift(x, rng):
    """Random zoom (object at 0.7-1.1 of its size) and shift, white fill; 4 scale groups a batch."""
    b, _, h, w = x.shape
    out = torch.ones_like(x)
    perm = torch.randperm(b)
    for grp in perm.chunk(4):
        s = rng.uniform(0.7, 1.1)
        k = max(8, int(round(h * s)))
        y = F.interpolate(x[grp], size=(k, k), mode="bilinear", align_corners=False, antialias=k < h)
        for j, i in enumerate(grp.tolist()):
            dx, dy = rng.randint(-8, 8), rng.randint(-8, 8)
            if k <= h:   # paste into the white frame
                x0, y0 = (w - k) // 2 + dx, (h - k) // 2 + dy
                sx0, sy0 = max(0, -x0), max(0, -y0)
                x0c, y0c = max(0, x0), max(0, y0)
                x1c, y1c = min(w, x0 + k), min(h, y0 + k)
                out[i, :, y0c:y1c, x0c:x1c] = y[j, :, sy0:sy0 + (y1c - y0c), sx0:sx0 + (x1c - x0c)]
            else:        # crop a window
                x0 = min(max(0, (k - w) // 2 + dx), k - w)
                y0 = min(max(0, (k - h) // 2 + dy), k - h)
                out[i] = y[j, :, y0:y0 + h, x0:x0 + w]
    return out


def luminance(x):
    """[B,3,H,W] -> [B,1,H,W] (ITU-R 601 weights)."""
    return (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)


def gradient_magnitude(x):
    """Per-channel central-difference gradient magnitude, replicate-padded (same shape as x)."""
    p = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gx = p[:, :, 1:-1, 2:] - p[:, :, 1:-1, :-2]
    gy = p[:, :, 2:, 1:-1] - p[:, :, :-2, 1:-1]
    return torch.sqrt(gx * gx + gy * gy)


def line_art(x, rng):
    """Monochrome line-art rendering: edges of every colour channel, thickened by a max-pool of a
    random width (3, 5 or 7 px at 96 px), drawn black on white, with the darkest regions filled."""
    b = x.shape[0]
    mag = gradient_magnitude(x).amax(dim=1, keepdim=True)
    k = rng.choice([3, 5, 7])
    thick = F.max_pool2d(mag, k, stride=1, padding=k // 2)
    lum = luminance(x)
    dark = torch.tensor([rng.uniform(0.15, 0.35) for _ in range(b)]).view(b, 1, 1, 1)
    ink = (thick > 0.25) | (lum < dark)
    return torch.where(ink, torch.full_like(lum, 0.08), torch.ones_like(lum))


def augment(x, rng):
    """x: float [B,3,H,W] in [0,1] on white. Returns an augmented copy (same range).
    Shares: 10% greyscale, 8% thin outline (Sobel edges as dark lines), 8% ink (two-level
    threshold), 20% line art (thick black edges on white, see `line_art`), the rest in colour."""
    b = x.shape[0]
    x = zoom_shift(x, rng)
    u = torch.tensor([rng.random() for _ in range(b)])
    pick = lambda lo, hi: ((u >= lo) & (u < hi)).nonzero().flatten()  # noqa: E731
    grey, outline, ink, art = pick(0.0, 0.10), pick(0.10, 0.18), pick(0.18, 0.26), pick(0.26, 0.46)

    out = x.clone()
    if len(grey):
        out[grey] = luminance(x[grey]).expand(-1, 3, -1, -1)
    if len(outline):
        edges = (1.0 - (gradient_magnitude(luminance(x[outline])) * 3.0).clamp(0, 1)) * 0.87 + 0.13
        out[outline] = edges.expand(-1, 3, -1, -1)
    if len(ink):
        lum = luminance(x[ink])
        thr = torch.tensor([rng.uniform(0.45, 0.85) for _ in range(len(ink))]).view(-1, 1, 1, 1)
        out[ink] = torch.where(lum < thr, torch.full_like(lum, 0.13), torch.ones_like(lum)).expand(-1, 3, -1, -1)
    if len(art):
        out[art] = line_art(x[art], rng).expand(-1, 3, -1, -1)
    return out


def pixels(images, idx):
    a = torch.from_numpy(np.stack([images[i] for i in idx])).permute(0, 3, 1, 2).float() / 255.0
    return a


def normalize(x):
    return (x - 0.5) / 0.5


def clip_loss(model, img, txt, cons, tkeys):
    scale = model.logit_scale.clamp(max=math.log(100.0)).exp()
    logits = scale * img @ txt.t()
    c = torch.tensor(cons)
    k = torch.tensor(tkeys)
    pos = ((c[:, None] == c[None, :]) | (k[:, None] == k[None, :])).float()
    tgt = pos / pos.sum(1, keepdim=True)
    li = -(tgt * F.log_softmax(logits, 1)).sum(1).mean()
    lt = -(tgt.t() * F.log_softmax(logits.t(), 1)).sum(1).mean()
    acc = (logits.argmax(1) == torch.arange(len(cons))).float().mean().item()
    return (li + lt) / 2, acc


class SplitThreads:
    """Measured on the idle 2-core machine (batch 128): the CNN runs ~2x faster on two threads, but
    the small text Transformer runs slower on two than on one (thread start-up dominates its small
    matmuls). So the image side (augmentation, forward, backward) runs on `max_threads` and the
    text side on one; the backward pass is split at the embeddings to make that possible."""

    def __init__(self, max_threads):
        self.max = max_threads

    def image(self):
        torch.set_num_threads(self.max)

    def text(self):
        torch.set_num_threads(1)


def train(steps=2000, batch=256, lr=2e-3, minutes=None, tag="full", resume=False):
    rng = random.Random(SEED)
    torch.manual_seed(SEED)
    max_threads = torch.get_num_threads()
    images, recs, concepts, tk = load_corpus()
    images = np.ascontiguousarray(images)
    sampler = Sampler(recs, concepts, tk, rng)
    cfg = dict(DEFAULT_CFG, max_len=MAX_LEN)
    model = MiniClip(len(tk.vocab), cfg)
    prev = None
    if resume:   # continue from build/ckpt.pt (weights only; fresh optimizer with a short warm-up)
        ck = torch.load(CKPT, map_location="cpu")
        model.load_state_dict(ck["state"])
        prev = json.load(open(os.path.join(BUILD_DIR, "train_meta.json")))
        log(f"resuming from {CKPT} ({prev['steps']} steps, {prev['seconds'] / 60:.1f} min)")
    model.vision = model.vision.to(memory_format=torch.channels_last)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"params: vision {sum(p.numel() for p in model.vision.parameters()):,} text "
        f"{sum(p.numel() for p in model.text.parameters()):,} total {n_params:,}; vocab {len(tk.vocab)}")
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "ln" in n or ".b" in n or "logit_scale" in n else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.98), eps=1e-6)
    warm = min(40, steps // 10)

    def lr_at(step, prog):
        if step < warm:
            return lr * (step + 1) / warm
        return lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(1.0, prog))))

    t0 = time.time()
    model.train()
    hist = []
    step = 0
    threads = SplitThreads(max_threads)
    while True:
        el = time.time() - t0
        prog = step / steps
        if minutes:
            prog = max(prog, el / (minutes * 60))
        if prog >= 1.0:
            break
        cur_lr = lr_at(step, prog)
        for gr in opt.param_groups:
            gr["lr"] = cur_lr
        idx, cons, texts = sampler.batch(batch)
        threads.image()
        x = normalize(augment(pixels(images, idx), rng)).contiguous(memory_format=torch.channels_last)
        img = model.encode_image(x)
        threads.text()
        ids, mask = to_ids(sampler, texts)
        tkeys = [hash(tuple(sampler.ids(t))) for t in texts]
        txt = model.encode_text(ids, mask)
        img_d, txt_d = img.detach().requires_grad_(), txt.detach().requires_grad_()
        loss, acc = clip_loss(model, img_d, txt_d, cons, tkeys)
        opt.zero_grad(set_to_none=True)
        loss.backward()                      # grads of the loss wrt both embeddings (and logit_scale)
        txt.backward(txt_d.grad)             # text tower, one thread
        threads.image()
        img.backward(img_d.grad)             # image tower, all threads
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        hist.append((loss.item(), acc))
        if step % 25 == 0:
            el = time.time() - t0
            lv = np.mean([h[0] for h in hist[-25:]])
            av = np.mean([h[1] for h in hist[-25:]])
            log(f"step {step} ({100 * prog:.0f}%) loss {lv:.3f} acc {av:.3f} scale {model.logit_scale.exp().item():.1f} "
                f"lr {cur_lr:.2e} {el / 60:.1f} min ({(step + 1) * batch / el:.0f} img/s, {torch.get_num_threads()} threads)")
        step += 1
    seconds = time.time() - t0
    model.eval()
    torch.save({"state": model.state_dict(), "cfg": cfg, "vocab_size": len(tk.vocab)}, CKPT)
    segments = (prev.get("segments") or [{"steps": prev["steps"], "seconds": prev["seconds"], "lr": prev["lr"]}]) if prev else []
    segments.append({"steps": step, "seconds": round(seconds, 1), "lr": lr})
    total_steps = sum(x["steps"] for x in segments)
    seconds = sum(x["seconds"] for x in segments)
    step = total_steps
    write_json(os.path.join(BUILD_DIR, "train_meta.json"), {
        "segments": segments,
        "tag": tag, "steps": step, "max_steps": steps, "minutes_cap": minutes, "batch": batch, "lr": lr, "seconds": round(seconds, 1),
        "params": n_params, "threads": max_threads, "split_threads": "image %d, text 1" % max_threads, "final_loss": float(np.mean([h[0] for h in hist[-50:]])),
        "logit_scale": float(model.logit_scale.clamp(max=math.log(100.0)).exp().item()),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    })
    log(f"trained {step} steps in {seconds / 60:.1f} min -> {CKPT}")


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--minutes", type=float, default=None)
    a = ap.parse_args()
    train(a.steps, a.batch, a.lr, a.minutes)
