/**
 * How a result's thumbnail is drawn sharply (issue 14):
 * - Thumbnails are made at most THUMB_MAX_SIDE (512) px on their long side, enough for a grid cell
 *   of ≤ 256 CSS px at 2× pixel density. Thumbnails made before that were 256 px: for an original
 *   of at most 512 px the original itself is offered to 2× screens through srcset (small, so cheap).
 * - A small original is never stretched past twice its own size to fill the cell (that only blurs
 *   it): the image is capped at 2 × its natural size and centred in the cell.
 */
import type { CSSProperties } from 'react';

/** The long side of thumbnails made before issue 14 (lib/store/thumbnail.ts made 256 px then). */
const OLD_THUMB_SIDE = 256;
const SMALL_ORIGINAL_SIDE = 512;
/** At most this many times an image's natural size in CSS pixels. */
const MAX_UPSCALE = 2;

export interface ThumbSource {
  thumbUrl: string;
  imageUrl?: string;
  width: number;
  height: number;
}

export function thumbImageProps(hit: ThumbSource): { src: string; srcSet?: string; width: number; height: number; style: CSSProperties } {
  const side = Math.max(hit.width, hit.height);
  const srcSet = hit.imageUrl && side > OLD_THUMB_SIDE && side <= SMALL_ORIGINAL_SIDE ? `${hit.thumbUrl} 1x, ${hit.imageUrl} 2x` : undefined;
  return {
    src: hit.thumbUrl,
    srcSet,
    width: hit.width,
    height: hit.height,
    style: { maxWidth: hit.width * MAX_UPSCALE, maxHeight: hit.height * MAX_UPSCALE },
  };
}
