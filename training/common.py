"""Shared paths and settings for the mini-CLIP training pipeline."""
import json
import os
import sys
import time

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TRAINING_DIR)
CACHE_DIR = os.path.join(TRAINING_DIR, ".cache")      # downloaded npm tarballs + extracted sources
BUILD_DIR = os.path.join(TRAINING_DIR, "build")       # corpus arrays, checkpoints, logs
SRC_DIR = os.path.join(CACHE_DIR, "src")
MODEL_DIR = os.path.join(REPO_ROOT, "models", "mini-clip")
DEMO_DIR = os.path.join(REPO_ROOT, "demo")
OPENCLIPART_DIR = "/usr/share/openclipart/png"

IMAGE_SIZE = 96          # model input (pixels)
MAX_LEN = 32             # tokenizer context length ([CLS] ... [SEP])
PROJECTION_DIM = 256
MEAN = [0.5, 0.5, 0.5]
STD = [0.5, 0.5, 0.5]

# The visual style that is never trained or tuned on (unseen-style evaluation).
HELDOUT_STYLE = "fluent-high-contrast"
TRAIN_STYLES = ["noto", "twemoji", "fluent-flat", "fluent-color", "openclipart"]
EMOJI_STYLES = ["noto", "twemoji", "fluent-flat", "fluent-color"]
SEED = 1234


def src(name):
    return os.path.join(SRC_DIR, name, "package")


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, obj, indent=2):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent)
        f.write("\n")


def setup_torch():
    # passive OpenMP waiting: the 2 cores are shared with other jobs, spinning threads hurt badly
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    torch.set_num_threads(int(os.environ.get("MINICLIP_THREADS", "2")))
    return torch


def die(msg):
    print("error: " + msg, file=sys.stderr, flush=True)
    sys.exit(2)
