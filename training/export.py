"""Step `export`: write models/mini-clip/ in the Hugging Face / Transformers.js CLIP layout, plus
parity.json (known-good tokenizer ids, pixel values and embeddings) and the parity images."""
import base64
import gzip
import json
import math
import os
import shutil

import numpy as np
from PIL import Image

from common import (BUILD_DIR, IMAGE_SIZE, MAX_LEN, MEAN, MODEL_DIR, STD, TRAINING_DIR, log, read_json,
                    setup_torch, src, write_json)
from corpus import CORPUS_DIR, content_crop, load_rgba, on_white
from preprocess import preprocess
import tokenizer as tok

torch = setup_torch()
from model import MiniClip, TextExport, VisionExport, quantize_text_embeddings  # noqa: E402
from train import CKPT  # noqa: E402

OPSET = 14
PARITY_TEXTS = [
    "cat", "dog", "pizza", "猫", "汽车", "a red car", "Grinning face with big eyes",
    "小狗在公园里玩", "Café Olé! 🍕 pizza-slice", "  Hello,\tWORLD\n ", "[CLS] cat [SEP]",
    "热狗 hot dog", "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three",
]


QUANTIZE = True   # ship the text token table as int8 (recall checked by eval, fp32 vs int8)


def load_model(quantized=QUANTIZE):
    ck = torch.load(CKPT, map_location="cpu")
    model = MiniClip(ck["vocab_size"], ck["cfg"])
    model.load_state_dict(ck["state"])
    if quantized:
        quantize_text_embeddings(model)
    model.eval()
    return model, ck


def b64f32(a):
    a = np.ascontiguousarray(a, dtype="<f4")
    return base64.b64encode(a.tobytes()).decode()


def make_parity_images(out_dir):
    """Three small files: exactly 96x96 RGB (no resize), a larger non-square JPEG, a PNG with alpha."""
    os.makedirs(out_dir, exist_ok=True)
    g = os.path.join(src("emoji-datasource-google"), "img", "google", "64")
    t = os.path.join(src("emoji-datasource-twitter"), "img", "twitter", "64")
    # 1. 96x96 RGB PNG, Noto cat face composited on white (input size: no resize happens)
    cat = content_crop(on_white(load_rgba(os.path.join(g, "1f431.png")))).resize((IMAGE_SIZE, IMAGE_SIZE), Image.BICUBIC)
    cat.save(os.path.join(out_dir, "cat-96x96.png"))
    # 2. 200x130 JPEG: Twemoji pizza and car side by side on white (non-square, downscaled + cropped)
    canvas = Image.new("RGB", (200, 130), (255, 255, 255))
    pizza = on_white(load_rgba(os.path.join(t, "1f355.png"))).resize((110, 110), Image.BICUBIC)
    car = on_white(load_rgba(os.path.join(t, "1f697.png"))).resize((70, 70), Image.BICUBIC)
    canvas.paste(pizza, (45, 10))
    canvas.paste(car, (150, 55))
    canvas.save(os.path.join(out_dir, "pizza-200x130.jpg"), quality=90)
    # 3. 72x72 RGBA PNG with transparency: Fluent flat dog face (upscaled, alpha composited on white)
    fl = os.path.join(TRAINING_DIR, ".cache", "render", "flat", "dog-face.png")
    dog = load_rgba(fl).resize((72, 72), Image.LANCZOS)
    dog.save(os.path.join(out_dir, "dog-72x72-alpha.png"))
    return ["cat-96x96.png", "pizza-200x130.jpg", "dog-72x72-alpha.png"]


def export():
    model, ck = load_model()
    os.makedirs(os.path.join(MODEL_DIR, "onnx"), exist_ok=True)
    tk = tok.WordPieceTokenizer.from_vocab_file(os.path.join(CORPUS_DIR, "vocab.txt"), MAX_LEN)
    shutil.copyfile(os.path.join(CORPUS_DIR, "vocab.txt"), os.path.join(MODEL_DIR, "vocab.txt"))
    write_json(os.path.join(MODEL_DIR, "tokenizer.json"), tok.tokenizer_json(tk.vocab, MAX_LEN), indent=None)
    write_json(os.path.join(MODEL_DIR, "tokenizer_config.json"), tok.tokenizer_config(MAX_LEN))
    write_json(os.path.join(MODEL_DIR, "special_tokens_map.json"), {
        "unk_token": tok.UNK, "sep_token": tok.SEP, "pad_token": tok.PAD, "cls_token": tok.CLS, "mask_token": tok.MASK})

    vis_path = os.path.join(MODEL_DIR, "onnx", "vision_model.onnx")
    txt_path = os.path.join(MODEL_DIR, "onnx", "text_model.onnx")
    with torch.no_grad():
        torch.onnx.export(VisionExport(model), (torch.zeros(2, 3, IMAGE_SIZE, IMAGE_SIZE),), vis_path,
                          input_names=["pixel_values"], output_names=["image_embeds"],
                          dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
                          opset_version=OPSET, do_constant_folding=True)
        ids = torch.tensor([[2, 10, 11, 3], [2, 12, 3, 0]], dtype=torch.long)
        torch.onnx.export(TextExport(model), (ids, (ids != 0).long()), txt_path,
                          input_names=["input_ids", "attention_mask"], output_names=["text_embeds"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                        "attention_mask": {0: "batch", 1: "sequence"},
                                        "text_embeds": {0: "batch"}},
                          opset_version=OPSET, do_constant_folding=True)
    model.eval()  # torch.onnx.export leaves the module in training mode
    import onnx
    for p in (vis_path, txt_path):
        onnx.checker.check_model(onnx.load(p))

    meta = read_json(os.path.join(BUILD_DIR, "train_meta.json"))
    cfg = ck["cfg"]
    scale = float(model.logit_scale.clamp(max=math.log(100.0)).exp().item())
    write_json(os.path.join(MODEL_DIR, "config.json"), {
        "_name_or_path": "clipdex/mini-clip",
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": cfg["proj"],
        "logit_scale": scale,
        "logit_scale_init_value": math.log(1 / 0.07),
        "text_config": {
            "model_type": "clip_text_model", "vocab_size": len(tk.vocab), "hidden_size": cfg["text_width"],
            "intermediate_size": cfg["text_ff"], "num_hidden_layers": cfg["text_layers"],
            "num_attention_heads": cfg["text_heads"], "max_position_embeddings": MAX_LEN,
            "projection_dim": cfg["proj"], "pad_token_id": tk.pad_id, "bos_token_id": tk.ids[tok.CLS],
            "eos_token_id": tk.ids[tok.SEP],
        },
        "vision_config": {
            "model_type": "clip_vision_model", "image_size": IMAGE_SIZE, "num_channels": 3,
            "hidden_sizes": cfg["widths"], "depths": cfg["blocks"], "patch_size": 4, "projection_dim": cfg["proj"],
        },
        "clipdex": {
            "normalized": True,
            "logit_scale_note": "logit_scale is the multiplier exp(t) of the learned log-temperature t; "
                                "similarity logits = logit_scale * cos(image, text)",
            "architecture": "mini-clip: ResNet-style CNN (patch-4 stem) + 2-layer Transformer, mean pooled",
            "languages": ["en", "zh"],
            "scope": "icons, emoji and clip art; not photographs",
            "trained_steps": meta["steps"], "train_seconds": meta["seconds"],
            "text_token_table": "int8 with per-row float scale" if QUANTIZE else "float32",
        },
    })
    write_json(os.path.join(MODEL_DIR, "preprocessor_config.json"), {
        "image_processor_type": "CLIPImageProcessor",
        "feature_extractor_type": "CLIPFeatureExtractor",
        "processor_class": "CLIPProcessor",
        "do_convert_rgb": True,
        "do_resize": True,
        "size": {"shortest_edge": IMAGE_SIZE},
        "resample": 3,
        "do_center_crop": True,
        "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": MEAN,
        "image_std": STD,
    })

    # clipdex's own model settings: the zero-shot prompt this model was trained for. Its captions are
    # bare emoji names and keywords, never "a photo of a …": with CLIP's English template, "a photo
    # of a pizza." outscores the right label on most demo images; with "{}" the right label wins
    # (measured: 8 of 9 demo images vs 3 of 9, labels cloud/car/pizza/dog/cat/penguin).
    # The Chinese default "一张{}的照片。" is kept: it classifies the same images right.
    write_json(os.path.join(MODEL_DIR, "clipdex.json"), {"promptTemplate": "{}"})

    # ---------------------------------------------------------------- parity
    texts = []
    with torch.no_grad():
        for t in PARITY_TEXTS:
            ids = tk.encode(t)
            e = model.encode_text(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
            texts.append({"text": t, "tokens": tk.tokenize(t), "full_input_ids": tk.encode_full(t),
                          "input_ids": ids, "attention_mask": [1] * len(ids),
                          "text_embeds": [float(v) for v in e.numpy()]})
    pdir = os.path.join(MODEL_DIR, "parity")
    if os.path.isdir(pdir):
        shutil.rmtree(pdir)
    imgs = []
    with torch.no_grad():
        for f in make_parity_images(pdir):
            x = preprocess(os.path.join(pdir, f))
            e = model.encode_image(torch.from_numpy(x)[None])[0]
            im = Image.open(os.path.join(pdir, f))
            imgs.append({"file": "parity/" + f, "width": im.size[0], "height": im.size[1], "mode": im.mode,
                         "pixel_values": {"dtype": "float32", "byte_order": "little", "shape": [1, 3, IMAGE_SIZE, IMAGE_SIZE],
                                          "base64": b64f32(x)},
                         "image_embeds": [float(v) for v in e.numpy()]})
    write_json(os.path.join(MODEL_DIR, "parity.json"), {
        "description": "Known-good outputs of models/mini-clip computed in PyTorch by training/export.py. "
                       "texts[].input_ids: [CLS] + word pieces truncated to max_length-2 + [SEP] "
                       "(full_input_ids: what @huggingface/tokenizers encode() returns before truncation). "
                       "images[].pixel_values: training/preprocess.py output (PIL bicubic), float32 little-endian, base64. "
                       "Embeddings are L2-normalised. Compare with max abs diff <= tolerance.",
        "tolerance": 1e-4, "max_length": MAX_LEN, "pad_token_id": tk.pad_id, "image_size": IMAGE_SIZE,
        "texts": texts, "images": imgs,
    })

    # tokenizer cases for the Node check: every caption + edge cases
    with open(os.path.join(CORPUS_DIR, "concepts.json"), encoding="utf-8") as f:
        concepts = json.load(f)
    cases = sorted({t for c in concepts for t in c["en"] + c["zh"]})
    cases += PARITY_TEXTS + ["", "   ", "İstanbul ΣΑΣ", "naïve façade", "𠀀𠀁 astral CJK", "emoji 👩‍👩‍👧 zwj",
                             "tab\tand\u00a0nbsp\u3000ideographic", "x" * 120, "ｆｕｌｌｗｉｄｔｈ", "don't stop", "[MASK][PAD]x[UNK]"]
    write_json(os.path.join(BUILD_DIR, "tokenizer_cases.json"),
               [{"text": t, "ids": tk.encode_full(t)} for t in cases], indent=None)
    # a gzipped copy ships with the model, so a fresh clone's test suite checks every case too
    with open(os.path.join(BUILD_DIR, "tokenizer_cases.json"), "rb") as src, \
            gzip.GzipFile(os.path.join(MODEL_DIR, "parity", "tokenizer_cases.json.gz"), "wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(MODEL_DIR) for f in fs)
    log(f"exported to {MODEL_DIR} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    export()
