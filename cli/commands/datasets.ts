/** `clipdex datasets list [--json]`, `clipdex datasets delete NAME`. */
import { InvalidArgumentError, type Command } from 'commander';
// lib/datasets/name is light; the database and ingest modules load when a subcommand runs, not for --help
import { checkDatasetName } from '../../lib/datasets/name';
import { openEngine } from '../engine-cli';
import { command, termSafe } from '../output';

/**
 * Commander parser for a dataset name option (`clipdex ingest --dataset`): the one rule of
 * lib/datasets, refused as a usage error (exit 2) before anything is opened.
 */
export function datasetNameOption(v: string): string {
  try {
    return checkDatasetName(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function registerDatasetsCommand(program: Command): Command {
  const datasets = program.command('datasets').description('list or delete datasets');
  datasets
    .command('list')
    .description('every dataset with its counts and status')
    .option('--json', 'print as JSON')
    .action(
      command(async (flags: { json?: boolean }) => {
        const e = await openEngine();
        const { listDatasets } = await import('../../lib/db');
        const rows = await listDatasets(e.db);
        if (flags.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        if (!rows.length) return void process.stdout.write('no datasets (add one with clipdex ingest <path>)\n');
        // Names made before the one name rule may hold control characters: shown escaped.
        const names = rows.map((r) => termSafe(r.name));
        const w = Math.max(4, ...names.map((n) => n.length));
        process.stdout.write(`${'name'.padEnd(w)}  status     format  images   texts   links\n`);
        rows.forEach((r, i) => {
          process.stdout.write(
            `${names[i].padEnd(w)}  ${r.status.padEnd(9)}  ${r.format.padEnd(6)}  ${String(r.images).padStart(6)}  ${String(r.texts).padStart(6)}  ${String(r.links).padStart(6)}\n`,
          );
        });
      }),
    );
  datasets
    .command('delete')
    .description('delete a dataset: its rows, its vectors in the indexes, and originals no other dataset uses')
    .argument('<name>', 'dataset name')
    .action(
      command(async (name: string) => {
        if (name.length > 400) checkDatasetName(name); // refuse a huge argument before opening anything
        const e = await openEngine();
        const [{ resolveDatasetName }, { deleteDataset }] = await Promise.all([import('../../lib/datasets'), import('../../lib/ingest')]);
        const gone = await deleteDataset(e, await resolveDatasetName(e.db, name));
        process.stdout.write(`deleted dataset "${termSafe(gone.name)}": ${gone.images} images, ${gone.texts} texts, ${gone.imageLabels.length + gone.textLabels.length} vectors; ${gone.orphanShas.length} stored originals removed\n`);
      }),
    );
  return datasets;
}
