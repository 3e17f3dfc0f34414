/**
 * Near-duplicate links of the images a distributed ingest added. Workers hold no index (web nodes
 * and the CLI do: a replica of PostgreSQL), so the process that started the ingest links them: each
 * new vector is searched in its replica, caught up first, as lib/ingest does per committed batch.
 *
 * It links as the slices report, not after the last one: the work then overlaps the workers'
 * instead of adding a tail to every ingest (issue 15's bench: 1.4 s of an 8.4 s ingest). Each pass
 * first brings the replica up to every row committed before it (`catchUpFully`: however many rows,
 * and not content with a catch-up already in flight), so of two images from different slices the
 * one linked second always finds the first (committed before its slice reported). A pass that
 * fails (the database away) leaves its images for `finish`, which links every image the ingest
 * committed and no pass linked — including those of a slice retried after its worker died between
 * its commit and its report, which reports nothing added. The slices record their new images as
 * pending in their transactions and each pass clears what it linked: if this process dies first,
 * the next ingest links them (lib/duplicates linkPending), as after a killed in-process ingest.
 *
 * An ingest into a library with no image of the model records it as scanned only when `finish`
 * has linked everything (passes never do): a crash or a failed last pass leaves no false claim.
 */
import { loadModelVectors } from '../db';
import { clearPending, linkNewImages, markDuplicatesScanned } from '../duplicates';
import type { IngestDeps } from '../ingest/types';

type Deps = Pick<IngestDeps, 'config' | 'db' | 'model' | 'indexes' | 'store'>;

/** Pages bound the memory of a pass (5000 × 2 KB at 512 dimensions). */
const PAGE = 5000;

export interface AddedLinker {
  /** Queue a slice's reported image vector labels; passes run one at a time, in the background. */
  add(labels: number[]): void;
  /** Wait for the queued passes, then link whatever of `all` no pass linked; throws what that last pass meets. */
  finish(all: number[]): Promise<void>;
  /** Seconds spent linking (the passes run beside the workers). */
  readonly seconds: number;
}

/**
 * `allNew`: the library had no image of this model when the ingest began, so once `finish` has
 * linked every image it may record the library as scanned; `off`: the ingest links nothing
 * (`--no-near-duplicates`).
 */
export function addedImageLinker(deps: Deps, opts: { allNew: boolean; off?: boolean }): AddedLinker {
  const linked = new Set<number>();
  const pending: number[] = [];
  let chain: Promise<void> = Promise.resolve();
  let seconds = 0;
  const modelId = deps.model.info.id;
  const dupDeps = { db: deps.db, index: deps.indexes.image, store: deps.store, modelId, threshold: deps.config.duplicateThreshold };

  const pass = async () => {
    if (opts.off) return void pending.splice(0);
    const labels = [...new Set(pending.splice(0))].filter((l) => !linked.has(l)).sort((a, b) => a - b);
    if (!labels.length) return;
    const t = performance.now();
    try {
      await deps.indexes.image.catchUpFully();
      for (let i = 0; i < labels.length; i += PAGE) {
        const page = labels.slice(i, i + PAGE);
        const vs = await loadModelVectors(deps.db, 'image', modelId, page);
        await linkNewImages(dupDeps, { labels: vs.map((v) => v.label), vectors: vs.map((v) => v.vector) }, { claimScan: false });
        await clearPending(deps.db, modelId, page);
        for (const l of page) linked.add(l);
      }
    } finally {
      seconds += (performance.now() - t) / 1000;
    }
  };

  return {
    add(labels) {
      if (!labels.length) return;
      pending.push(...labels);
      // A failed pass is not lost: its labels stay unlinked and `finish` links them.
      chain = chain.then(pass).catch(() => undefined);
    },
    async finish(all) {
      await chain;
      pending.push(...all);
      await pass();
      if (opts.allNew && !opts.off && all.every((l) => linked.has(l))) await markDuplicatesScanned(dupDeps);
    },
    get seconds() {
      return seconds;
    },
  };
}
