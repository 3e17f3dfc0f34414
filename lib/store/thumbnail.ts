/** Thumbnails through sharp: EXIF orientation applied, alpha flattened on white, WebP, ≤ 512 px. */
import sharp from 'sharp';
import type { DecodedImage } from '../image';

// 512: a result cell is up to ~256 CSS px wide, so 2× screens need 512 device pixels (issue 14).
export const THUMB_MAX_SIDE = 512;

// effort 1: thumbnails were the costliest part of ingest at the default effort 4 (bench/ingest-memory.ts)
const WEBP = { quality: 80, effort: 1 } as const;

export async function makeThumbnail(bytes: Buffer, maxPixels: number): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', animated: false })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp(WEBP)
    .toBuffer();
}

/**
 * Whether makeThumbnailFromDecoded applies: the image is its own thumbnail (no side over THUMB_MAX_SIDE),
 * so makeThumbnail would only re-encode the pixels lib/image decodes (oriented, flattened, sRGB).
 * Larger images are resized, and there makeThumbnail's shrink-on-load can change pixels.
 */
export const thumbnailIsReencode = (width: number, height: number): boolean => Math.max(width, height) <= THUMB_MAX_SIDE;

/**
 * The thumbnail of an image already decoded by lib/image (decodeImage), without decoding it again:
 * byte for byte what makeThumbnail(original) gives, where thumbnailIsReencode says so
 * (lib/store/thumbnail.test.ts). Ingest uses it when CLIP preprocessing decoded the image whole.
 */
export async function makeThumbnailFromDecoded(img: Pick<DecodedImage, 'data' | 'width' | 'height'>): Promise<Buffer> {
  if (!thumbnailIsReencode(img.width, img.height)) throw new Error(`makeThumbnailFromDecoded: ${img.width}×${img.height} needs a resize; use makeThumbnail`);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).webp(WEBP).toBuffer();
}
