/** Thumbnails through sharp: EXIF orientation applied, alpha flattened on white, WebP, ≤ 256 px. */
import sharp from 'sharp';

export const THUMB_MAX_SIDE = 256;

export async function makeThumbnail(bytes: Buffer, maxPixels: number): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', animated: false })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    // effort 1: thumbnails were the costliest part of ingest at the default effort 4 (bench/ingest-memory.ts)
    .webp({ quality: 80, effort: 1 })
    .toBuffer();
}

