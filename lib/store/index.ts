/**
 * lib/store — content-addressed originals and thumbnails on disk:
 * `DATA_DIR/blobs/ab/<sha256>.<ext>` and `DATA_DIR/thumbs/ab/<sha256>.webp` (max 512 px), or
 * `thumbs/ab/<sha256>.jpg|.png|.webp` for an original that already is a thumbnail (issue 13).
 * Files are written atomically (temp file + rename) and idempotently; the same bytes are stored
 * once whatever the dataset. Reads take a sha256 only: no path from user input reaches the disk.
 */
export { createBlobStore, sha256Hex, type BlobStore, type StoredFile } from './blob-store';
export { makeThumbnail, makeThumbnailFromDecoded, originalIsThumbnail, thumbnailFor, thumbnailIsReencode, THUMB_MAX_SIDE, type Thumbnail } from './thumbnail';
