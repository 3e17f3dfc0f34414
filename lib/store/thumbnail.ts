/** Thumbnails through sharp: EXIF orientation applied, alpha flattened on white, WebP, ≤ 256 px. */
import sharp from 'sharp';

export const THUMB_MAX_SIDE = 256;

export async function makeThumbnail(bytes: Buffer, maxPixels: number): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', animated: false })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

