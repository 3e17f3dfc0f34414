"""Reference image preprocessing (the exact steps clipdex reproduces with sharp).

1. decode; apply the EXIF orientation; convert to RGBA (palette, greyscale, LA, CMYK, 16-bit -> 8-bit)
2. composite on white: out = alpha * rgb + (1 - alpha) * 255  (PIL Image.alpha_composite)
3. resize so the shortest edge is 96 with PIL bicubic (Image.BICUBIC, a = -0.5):
   new_short = 96, new_long = int(96 * long / short)  (as transformers' CLIPImageProcessor);
   skipped when the shortest edge is already 96
4. centre crop 96 x 96: top = (h - 96) // 2, left = (w - 96) // 2
5. rescale by 1/255, normalise with mean 0.5 and std 0.5 per channel: (x / 255 - 0.5) / 0.5
6. layout CHW float32, batch first: [N, 3, 96, 96]
"""
import numpy as np
from PIL import Image, ImageOps

from common import IMAGE_SIZE, MEAN, STD


def preprocess(path_or_image, size=IMAGE_SIZE):
    im = path_or_image if isinstance(path_or_image, Image.Image) else Image.open(path_or_image)
    im = ImageOps.exif_transpose(im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = Image.fromarray((np.asarray(im, dtype=np.float64) / 257.0).round().clip(0, 255).astype(np.uint8))
    im = im.convert("RGBA")
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    bg.alpha_composite(im)
    im = bg.convert("RGB")
    w, h = im.size
    short, long = (w, h) if w <= h else (h, w)
    if short != size:
        new_long = int(size * long / short)
        new = (size, new_long) if w <= h else (new_long, size)
        im = im.resize(new, Image.BICUBIC)
    w, h = im.size
    top, left = (h - size) // 2, (w - size) // 2
    im = im.crop((left, top, left + size, top + size))
    x = np.asarray(im, dtype=np.float32) / 255.0
    x = (x - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return x.transpose(2, 0, 1).astype(np.float32)
