/** `clipdex datasets list [--json]`, `clipdex datasets delete NAME`. */
import type { Command } from 'commander';
import { listDatasets } from '../../lib/db';
import { deleteDataset } from '../../lib/ingest';
import { openEngine } from '../engine-cli';
import { fail } from '../output';

export function registerDatasetsCommand(program: Command): Command {
  const datasets = program.command('datasets').description('list or delete datasets');
  datasets
    .command('list')
    .description('every dataset with its counts and status')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      try {
        const e = await openEngine();
        const rows = await listDatasets(e.db);
        if (flags.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        if (!rows.length) return void process.stdout.write('no datasets (add one with clipdex ingest <path>)\n');
        const w = Math.max(4, ...rows.map((r) => r.name.length));
        process.stdout.write(`${'name'.padEnd(w)}  status     format  images   texts   links\n`);
        for (const r of rows) {
          process.stdout.write(
            `${r.name.padEnd(w)}  ${r.status.padEnd(9)}  ${r.format.padEnd(6)}  ${String(r.images).padStart(6)}  ${String(r.texts).padStart(6)}  ${String(r.links).padStart(6)}\n`,
          );
        }
      } catch (err) {
        fail(err);
      }
    });
  datasets
    .command('delete')
    .description('delete a dataset: its rows, its vectors in the indexes, and originals no other dataset uses')
    .argument('<name>', 'dataset name')
    .action(async (name: string) => {
      try {
        const e = await openEngine();
        const gone = await deleteDataset(e, name);
        process.stdout.write(`deleted dataset "${gone.name}": ${gone.images} images, ${gone.texts} texts, ${gone.imageLabels.length + gone.textLabels.length} vectors; ${gone.orphanShas.length} stored originals removed\n`);
      } catch (err) {
        fail(err);
      }
    });
  return datasets;
}
