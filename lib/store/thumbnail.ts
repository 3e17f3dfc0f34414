/**
 * Thumbnails through sharp: EXIF orientation applied, sRGB, WebP, ≤ 512 px. Transparency is kept,
 * as the image page shows the original: a transparent image looks the same in the grid and on its
 * own page, over the page's tile colour (light or dark), not on a white square.
 */
import sharp from 'sharp';
import { probeImage, type DecodedImage, type ImageHeader } from '../image';

// 512: a result cell is up to ~256 CSS px wide, so 2× screens need 512 device pixels (issue 14).
export const THUMB_MAX_SIDE = 512;

// effort 1: thumbnails were the costliest part of ingest at the default effort 4 (bench/ingest-memory.ts)
const WEBP = { quality: 80, effort: 1 } as const;

export async function makeThumbnail(bytes: Buffer, maxPixels: number): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', animated: false })
    .rotate()
    .toColourspace('srgb')
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp(WEBP)
    .toBuffer();
}

/**
 * Whether makeThumbnailFromDecoded applies to an opaque image: no side over THUMB_MAX_SIDE, so
 * makeThumbnail would only re-encode the pixels lib/image decodes (oriented, sRGB). Larger images
 * are resized, and there makeThumbnail's shrink-on-load can change pixels. (lib/image flattens
 * transparency for the model; a thumbnail keeps it, so an image with alpha is never re-encoded
 * from those pixels.)
 */
export const thumbnailIsReencode = (width: number, height: number): boolean => Math.max(width, height) <= THUMB_MAX_SIDE;

/**
 * The thumbnail of an opaque image already decoded by lib/image (decodeImage), without decoding it
 * again: byte for byte what makeThumbnail(original) gives, where thumbnailIsReencode says so
 * (lib/store/thumbnail.test.ts). Ingest uses it when CLIP preprocessing decoded the image whole.
 */
export async function makeThumbnailFromDecoded(img: Pick<DecodedImage, 'data' | 'width' | 'height'>): Promise<Buffer> {
  if (!thumbnailIsReencode(img.width, img.height)) throw new Error(`makeThumbnailFromDecoded: ${img.width}×${img.height} needs a resize; use makeThumbnail`);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).webp(WEBP).toBuffer();
}

/** Above this, an original that could be shown as is still gets a (smaller) WebP thumbnail. */
export const ORIGINAL_AS_THUMB_MAX_BYTES = 64 * 1024;

/** Formats every browser shows as they are (GIF is left out: it may be animated). */
const SHOWN_AS_IS = new Set(['jpeg', 'png', 'webp']);

/**
 * issue 13: whether an original is its own thumbnail — already what makeThumbnail would make it
 * look like (no side over THUMB_MAX_SIDE, as stored (EXIF orientation 1), 8-bit sRGB or grey, with
 * or without transparency, one frame, not an APNG) in a format browsers show, and small in bytes.
 * Re-encoding such an image would cost a decode and a WebP encode (~9 ms of CPU for a 500 × 500
 * JPEG, the largest part of its ingest) for no visible change; a result page downloads at most
 * 64 KiB for it instead of ~20 KiB.
 */
export function originalIsThumbnail(h: ImageHeader, bytes: Buffer): boolean {
  return (
    SHOWN_AS_IS.has(h.format) && Math.max(h.width, h.height) <= THUMB_MAX_SIDE && h.orientation === 1 &&
    (h.space === 'srgb' || h.space === 'b-w') && h.depth === 'uchar' && h.pages === 1 && bytes.length <= ORIGINAL_AS_THUMB_MAX_BYTES &&
    !(h.format === 'png' && isAnimatedPng(bytes))
  );
}

/** An APNG (its acTL chunk comes before the first IDAT): sharp may report one page for it. */
function isAnimatedPng(bytes: Buffer): boolean {
  const actl = bytes.indexOf('acTL');
  return actl >= 0 && (bytes.indexOf('IDAT') < 0 || actl < bytes.indexOf('IDAT'));
}

export interface Thumbnail {
  bytes: Buffer;
  /** sharp's format name: webp, or the original's own format when it is its own thumbnail. */
  format: string;
}

/**
 * The thumbnail ingest stores for an image: the original itself (originalIsThumbnail), else the
 * pixels preprocessing already decoded re-encoded (makeThumbnailFromDecoded; opaque images only),
 * else makeThumbnail.
 * The choice depends on the bytes only, so every ingest of the same image makes the same one.
 */
export async function thumbnailFor(bytes: Buffer, maxPixels: number, known: { header?: ImageHeader; decoded?: DecodedImage } = {}): Promise<Thumbnail> {
  const header = known.header ?? (await probeImage(bytes, { maxPixels }));
  if (originalIsThumbnail(header, bytes)) return { bytes, format: header.format };
  const d = known.decoded;
  const reencode = d && !header.hasAlpha && thumbnailIsReencode(d.width, d.height);
  return { bytes: reencode ? await makeThumbnailFromDecoded(d) : await makeThumbnail(bytes, maxPixels), format: 'webp' };
}
