/**
 * lib/image — the one place that talks to sharp for decoding: bytes → oriented, alpha-free,
 * 8-bit sRGB pixels, with a pixel limit against decompression bombs. lib/clip preprocesses from
 * these pixels (or runs decodePipeline with its resize fused in); lib/store reuses
 * decodeImage/probeImage for sizes and formats.
 */
export {
  decodeImage,
  decodePipeline,
  probeImage,
  runDecode,
  type DecodedImage,
  type DecodeOptions,
  type ImageHeader,
} from './decode';
