/** `clipdex stats [--json]` — what is stored and indexed, and recent jobs. */
import type { Command } from 'commander';
import { openEngine } from '../engine-cli';
import { command, printReport } from '../output';

/** The ef searches use, and where it comes from (a rebuild's calibration, or the configuration). */
function efOf(d: { ef: number; calibration?: { recall: number; k: number; queries: number } }): string {
  return d.calibration ? `${d.ef} (calibrated at the last rebuild: recall@${d.calibration.k} ${d.calibration.recall.toFixed(3)} on ${d.calibration.queries} sample queries)` : `${d.ef} (configured)`;
}

export function registerStatsCommand(program: Command): Command {
  return program
    .command('stats')
    .description('counts of datasets, images, texts, vectors and index entries; recent jobs')
    .option('--json', 'print as JSON')
    .action(
      command(async (flags: { json?: boolean }) => {
        const e = await openEngine();
        const [{ collectStats }, { listJobs }] = await Promise.all([import('../../lib/db'), import('../../lib/jobs')]);
        const db = await collectStats(e.db);
        const stats = {
          dataDir: e.config.dataDir,
          model: e.model.info,
          database: db,
          index: { image: e.indexes.image.describe(), text: e.indexes.text.describe() },
          needsReembed: e.indexReport.needsReembed,
          jobs: (await listJobs(e.db, { limit: 5 })).map((j) => ({ id: j.id, kind: j.kind, status: j.status, processed: j.processed, total: j.total, errors: j.errors, message: j.message, createdAt: j.createdAt })),
        };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
          return;
        }
        const lines = [
          `data dir     ${stats.dataDir}`,
          `model        ${e.model.info.name} (${e.model.info.id}, ${e.model.info.layout}, dim ${e.model.info.dim})`,
          `datasets     ${db.datasets}`,
          `images       ${db.images}   texts ${db.texts}   links ${db.links}`,
          `vectors      ${db.imageVectors} image, ${db.textVectors} text (all models)`,
          `index        image ${stats.index.image.count} (+${stats.index.image.deleted} deleted), text ${stats.index.text.count} (+${stats.index.text.deleted} deleted)`,
          `search ef    image ${efOf(stats.index.image)}, text ${efOf(stats.index.text)}`,
        ];
        if (stats.needsReembed.images || stats.needsReembed.texts) lines.push(`to re-embed  ${stats.needsReembed.images} images, ${stats.needsReembed.texts} texts (run clipdex reindex)`);
        for (const j of stats.jobs) lines.push(`job          ${j.createdAt.toISOString()} ${j.kind} ${j.status} ${j.processed}/${j.total}${j.errors ? ` (${j.errors} errors)` : ''}${j.message ? ` — ${j.message}` : ''}`);
        printReport(lines.join('\n'));
      }),
    );
}
