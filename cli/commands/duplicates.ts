/**
 * `clipdex duplicates [--threshold x] [--dataset NAME] [--rescan] [--limit N] [--json]`: the
 * near-duplicate groups of the active model's images (issue 11).
 *
 * Without --threshold (or with the threshold of the stored links) it reads the groups stored at
 * ingest: a few queries. Another --threshold computes the groups again from the image index (one
 * k-NN query per image plus a thumbnail check per candidate: seconds for thousands of images,
 * minutes at 100k) and stores nothing. --rescan does that scan at the threshold in force and
 * stores it (the backfill for images ingested before near-duplicates existed).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openEngine } from '../engine-cli';
import { command, intOption, progressBar, termSafe } from '../output';
import { datasetNameOption } from './datasets';

interface Flags {
  threshold?: number;
  dataset?: string;
  rescan?: boolean;
  limit?: number;
  json?: boolean;
}

function thresholdOption(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError(`--threshold must be a number above 0 and at most 1 (a similarity), got "${v}"`);
  return n;
}

export function registerDuplicatesCommand(program: Command): Command {
  return program
    .command('duplicates')
    .description('near-duplicate groups (resized, recompressed or slightly cropped copies) of the indexed images')
    .option('--threshold <x>', 'similarity from 0 to 1 (default CLIPDEX_DUPLICATE_THRESHOLD, else 0.95); another value than the stored one scans the whole index', thresholdOption)
    .option('-d, --dataset <name>', 'only groups of images in this dataset', datasetNameOption)
    .option('--rescan', 'scan every image again at the threshold and store the groups (backfill; as slow as another --threshold)')
    .option('--limit <n>', 'print at most this many groups (largest first)', intOption('--limit', 1))
    .option('--json', 'print {"groups":[{"similarity","images":[{"imageId","sha256","captions"}]}]} (similarity = the group\'s weakest link)')
    .addHelpText(
      'after',
      '\nA group is images linked by pairs whose similarity, min(CLIP cosine, pixel correlation of the thumbnails), is at least the threshold.\n' +
        "A group's similarity is its weakest link. Links are found at ingest; `clipdex reindex` or --rescan finds them for older images.",
    )
    .action(command(async (flags: Flags) => run(flags)));
}

async function run(flags: Flags): Promise<void> {
  const e = await openEngine();
  const dup = await import('../../lib/duplicates');
  const modelId = e.model.info.id;
  const configured = e.config.duplicateThreshold;
  const scanRow = await dup.lastScan(e.db, modelId);
  const stored = scanRow?.threshold ?? configured;
  const threshold = flags.threshold ?? (flags.rescan ? configured : stored);
  const datasetId = flags.dataset === undefined ? undefined : await dup.datasetIdFor(e.db, flags.dataset);
  const deps = { db: e.db, index: e.indexes.image, store: e.store, modelId, threshold };
  const bar = progressBar('scanning');
  const onProgress = (p: { done: number; total: number }) => bar.update({ processed: p.done, total: p.total, errors: 0, rate: p.done / Math.max(1e-3, (performance.now() - t0) / 1000) });
  const t0 = performance.now();
  let groups: Awaited<ReturnType<typeof dup.describeGroups>>;
  let source: 'stored' | 'recomputed';
  if (flags.rescan) {
    const r = await dup.rescanDuplicates(deps, onProgress);
    bar.stop();
    process.stderr.write(`clipdex: scanned ${r.images} images at threshold ${threshold} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${r.links} links, ${r.grouped} images in groups (stored)\n`);
    groups = await dup.listGroups(e.db, modelId, { datasetId, limit: flags.limit });
    source = 'stored';
  } else if (threshold !== stored) {
    const r = await dup.findGroupsAt(deps, { datasetId, onProgress });
    bar.stop();
    process.stderr.write(`clipdex: threshold ${threshold} differs from the stored ${stored}: computed from the index in ${((performance.now() - t0) / 1000).toFixed(1)} s (not stored; --rescan stores)\n`);
    groups = await dup.describeGroups(e.db, r.groups, { limit: flags.limit });
    source = 'recomputed';
  } else {
    groups = await dup.listGroups(e.db, modelId, { datasetId, limit: flags.limit });
    source = 'stored';
    if (!scanRow && (await e.db.imageVector.count({ where: { modelId } })) > 0) {
      process.stderr.write('clipdex: note: no full scan recorded for this model; images ingested before near-duplicate detection are grouped after `clipdex duplicates --rescan` or `clipdex reindex`\n');
    }
  }
  if (flags.json) {
    const out = {
      threshold,
      source,
      total: groups.total,
      groups: groups.groups.map((g) => ({ groupId: g.groupId, similarity: round(g.similarity), images: g.images })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (!groups.total) {
    process.stdout.write(`no near-duplicate groups at threshold ${threshold}${flags.dataset ? ` in dataset "${termSafe(flags.dataset)}"` : ''}\n`);
    return;
  }
  const shown = groups.groups.length < groups.total ? ` (first ${groups.groups.length})` : '';
  process.stdout.write(`${groups.total} near-duplicate group${groups.total === 1 ? '' : 's'} at threshold ${threshold}${shown}; similarity = the group's weakest link\n`);
  for (const g of groups.groups) {
    process.stdout.write(`\ngroup ${g.groupId}: ${g.images.length} images, similarity ${round(g.similarity).toFixed(4)}\n`);
    for (const [i, im] of g.images.entries()) {
      const caption = im.captions.length ? ` "${termSafe(im.captions[0])}"${im.captions.length > 1 ? ` +${im.captions.length - 1}` : ''}` : '';
      process.stdout.write(`  ${i === 0 ? 'keep' : '    '} image ${im.imageId}  ${im.width}×${im.height} ${im.format}  ${termSafe(im.dataset)}  ${im.sha256.slice(0, 12)}${caption}\n`);
    }
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
