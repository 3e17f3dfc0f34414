#!/usr/bin/env python3
"""clipdex mini-CLIP pipeline.

usage: python3 training/run.py STEP [STEP ...] [options]      (Debian's /usr/bin/python3)
steps:
  fetch    check apt packages / node modules, fetch the pinned npm data packages into training/.cache
  corpus   build concepts, captions, vocab and the 96 px image array in training/build/corpus
  train    train the model (training/build/ckpt.pt); --steps N (20000), --minutes M (time cap, 55), --batch B (256)
  export   write models/mini-clip (ONNX, configs, tokenizer, parity.json, parity images)
  check    verify models/mini-clip with onnxruntime-node and @huggingface/tokenizers (node)
  eval     recall table (random 10% split and unseen Fluent high-contrast style, EN and ZH)
  demo     write demo/train.tsv and demo/valid.tsv and check the demo queries
  card     write models/mini-clip/MODEL_CARD.md from the training metadata and eval table
  all      every step in order (what `npm run model:train` runs); training is 55 min from scratch,
           batch 256, peak lr 2e-3, cosine to 2% (the shipped recipe)
  --quick  a smoke run (30 steps) through the whole pipeline
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and not os.environ.get("MINICLIP_ANY_PYTHON"):
    # Debian's torch/onnx/PIL live in the system interpreter; re-run with it (pyenv shims etc.)
    if os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)

from common import REPO_ROOT, TRAINING_DIR, log  # noqa: E402

DEFAULT_STEPS = 20000    # upper bound; the time cap ends training first
DEFAULT_MINUTES = 55     # training time cap: training must fit in 60 minutes on a 2-core CPU machine
CONTINUE_MINUTES = 0     # `all`: optionally continue from those weights at a lower peak lr (off)
CONTINUE_LR = 6e-4


def record_time(step, seconds):
    """Keep the last measured duration of every step (the model card quotes them)."""
    import json
    from common import BUILD_DIR
    path = os.path.join(BUILD_DIR, "step_times.json")
    times = {}
    if os.path.exists(path):
        with open(path) as f:
            times = json.load(f)
    times[step] = round(seconds, 1)
    os.makedirs(BUILD_DIR, exist_ok=True)
    with open(path, "w") as f:
        json.dump(times, f, indent=2)


def step_check():
    r = subprocess.run(["node", os.path.join(TRAINING_DIR, "check_parity.mjs")], cwd=REPO_ROOT)
    if r.returncode != 0:
        raise SystemExit("parity check failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", nargs="+", choices=["fetch", "corpus", "train", "export", "check", "eval", "demo", "card", "all"])
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--minutes", type=float, default=None, help="training time cap in minutes (default 55; none with --quick)")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--resume", action="store_true", help="train: continue from training/build/ckpt.pt")
    ap.add_argument("--continue-minutes", type=float, default=None,
                    help=f"all: after training, continue for this many minutes at lr {CONTINUE_LR} (default {CONTINUE_MINUTES}; 0 with --quick)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 30 training steps")
    a = ap.parse_args()
    steps = a.steps or (30 if a.quick else DEFAULT_STEPS)
    minutes = a.minutes if a.minutes is not None else (None if a.quick else DEFAULT_MINUTES)
    t0 = time.time()
    everything = ["fetch", "corpus", "train", "export", "check", "eval", "demo", "card"]
    todo = everything if "all" in a.step else a.step
    for s in todo:
        log(f"=== {s}")
        ts = time.time()
        if s == "fetch":
            from fetch import fetch
            fetch()
        elif s == "corpus":
            from fetch import check_system
            check_system()
            from corpus import build
            build()
        elif s == "train":
            from train import train
            train(steps=steps, batch=a.batch, lr=a.lr, minutes=minutes, tag="quick" if a.quick else "full", resume=a.resume)
            cont = a.continue_minutes if a.continue_minutes is not None else (0 if a.quick else CONTINUE_MINUTES)
            if "all" in a.step and cont > 0:
                log(f"=== train (continued, {cont} min, lr {CONTINUE_LR})")
                train(steps=DEFAULT_STEPS, batch=a.batch, lr=CONTINUE_LR, minutes=cont, tag="full", resume=True)
        elif s == "export":
            from export import export
            export()
        elif s == "check":
            step_check()
        elif s == "eval":
            from evaluate import evaluate
            evaluate()
        elif s == "demo":
            from demo import demo
            demo()
        elif s == "card":
            from modelcard import write_card
            write_card()
        record_time(s, time.time() - ts)
    log(f"done: {', '.join(todo)} in {(time.time() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
