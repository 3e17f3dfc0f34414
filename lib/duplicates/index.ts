/**
 * lib/duplicates — near-duplicate images (issue 11). At ingest each new image's nearest neighbours
 * in the image index (itself excluded) become links when min(CLIP cosine, pixel correlation of
 * the thumbnails) ≥ the threshold (CLIPDEX_DUPLICATE_THRESHOLD, `Config.duplicateThreshold`); links form groups (connected
 * components, per model: vectors of different models are never compared). Search collapses hits
 * by group (`duplicateGroupsOf`); `/duplicates` and `clipdex duplicates` review them.
 */
export { duplicateGroupsOf, membersOfGroups, regroup, groupMatesOf, groupLinks, saveLinks, type GroupInfo, type DuplicateLink } from './groups';
export { addPending, clearPending, linkPending, findLinks, forgetDuplicateScan, linkNewImages, rememberSignatures, markDuplicatesScanned, rescanDuplicates, findGroupsAt, NEIGHBOURS, type DuplicateDeps, type ScanProgress } from './detect';
export { listGroups, describeGroups, storedLinks, lastScan, datasetIdFor, type DuplicateGroup, type DuplicateImage } from './list';
export { checkThreshold, DEFAULT_DUPLICATE_THRESHOLD } from './settings';
export { pixelSignatures, signaturesFromRgb, signatureSimilarity, type Signatures } from './signature';
