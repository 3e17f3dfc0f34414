"""Mini-CLIP dual encoder: a small ResNet-style CNN for 96 px images and a 2-layer Transformer for
WordPiece text, both projected to a shared space; InfoNCE with a learnable temperature."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(c)
        self.c2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(c)
        nn.init.zeros_(self.b2.weight)

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        return F.relu(x + self.b2(self.c2(y)))


def down(a, b):
    return nn.Sequential(nn.Conv2d(a, b, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True))


class VisionEncoder(nn.Module):
    def __init__(self, widths=(32, 64, 128, 256), blocks=(2, 2, 2, 1), proj=256, patch=4):
        super().__init__()
        layers = [nn.Conv2d(3, widths[0], patch, stride=patch, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            if i > 0:
                layers.append(down(widths[i - 1], w))
            layers += [ResBlock(w) for _ in range(n)]
        self.body = nn.Sequential(*layers)
        self.ln = nn.LayerNorm(widths[-1])
        self.proj = nn.Linear(widths[-1], proj, bias=False)

    def forward(self, pixel_values):
        x = self.body(pixel_values)
        x = x.mean(dim=(2, 3))
        return self.proj(self.ln(x))


class TextBlock(nn.Module):
    def __init__(self, width, heads, ff):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, ff)
        self.fc2 = nn.Linear(ff, width)

    def forward(self, x, bias):
        b, n, w = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).reshape(b, n, 3, h, w // h).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(w // h)) + bias
        y = (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, w)
        x = x + self.out(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TextEncoder(nn.Module):
    def __init__(self, vocab_size, width=256, layers=2, heads=4, ff=512, max_len=32, proj=256):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, width)
        self.pos = nn.Embedding(max_len, width)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.01)
        self.blocks = nn.ModuleList([TextBlock(width, heads, ff) for _ in range(layers)])
        self.ln = nn.LayerNorm(width)
        self.proj = nn.Linear(width, proj, bias=False)

    def embed_tokens(self, input_ids):
        return self.tok(input_ids)

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.to(torch.float32)
        pos_ids = torch.cumsum(torch.ones_like(input_ids), dim=1) - 1
        x = self.embed_tokens(input_ids) + self.pos(pos_ids)
        bias = (1.0 - mask)[:, None, None, :] * -10000.0
        for blk in self.blocks:
            x = blk(x, bias)
        x = self.ln(x)
        pooled = (x * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1.0)
        return self.proj(pooled)


class MiniClip(nn.Module):
    def __init__(self, vocab_size, cfg):
        super().__init__()
        self.cfg = cfg
        self.vision = VisionEncoder(tuple(cfg["widths"]), tuple(cfg["blocks"]), cfg["proj"])
        self.text = TextEncoder(vocab_size, cfg["text_width"], cfg["text_layers"], cfg["text_heads"],
                                cfg["text_ff"], cfg["max_len"], cfg["proj"])
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_image(self, pixel_values):
        return F.normalize(self.vision(pixel_values), dim=-1)

    def encode_text(self, input_ids, attention_mask):
        return F.normalize(self.text(input_ids, attention_mask), dim=-1)


DEFAULT_CFG = {
    "widths": [32, 64, 128, 256], "blocks": [1, 1, 2, 1], "proj": 256,
    "text_width": 256, "text_layers": 2, "text_heads": 4, "text_ff": 512, "max_len": 32,
}


class VisionExport(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        return self.m.encode_image(pixel_values)


class TextExport(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m.encode_text(input_ids, attention_mask)


class Int8Embedding(nn.Module):
    """Token table stored as int8 with one float scale per row (symmetric, round to nearest).
    Exports to ONNX as Gather(int8) -> Cast -> Mul(Gather(scale))."""

    def __init__(self, weight):
        super().__init__()
        w = weight.detach().float()
        scale = w.abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / 127.0
        self.register_buffer("q", torch.round(w / scale).clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale)

    def forward(self, input_ids):
        return self.q[input_ids].to(torch.float32) * self.scale[input_ids]


def quantize_text_embeddings(model):
    """Replace the text token table by its int8 version in place (inference only)."""
    model.text.tok = Int8Embedding(model.text.tok.weight)
    return model
