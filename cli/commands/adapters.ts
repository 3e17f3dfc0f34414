/**
 * `clipdex adapters list | activate NAME | deactivate | delete NAME` — the adapters trained by
 * `clipdex train`. Activating builds the adapter's indexes from the stored vectors (no image is
 * re-embedded) and then makes searches of the library use it.
 */
import type { Command } from 'commander';
import { getConfig } from '../../lib/config';
import { activateAdapter, deactivateAdapter, deleteAdapter, listAdapters, readActiveAdapter } from '../../lib/adapters';
import { openEngine } from '../engine-cli';
import { fail, progressBar } from '../output';

export function registerAdaptersCommand(program: Command): Command {
  const cmd = program.command('adapters').description('list, activate, deactivate or delete adapters trained by `clipdex train`');
  cmd
    .command('list')
    .description('every adapter: its model, training pairs and validation recall')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      try {
        const cfg = getConfig();
        const [all, active] = await Promise.all([listAdapters(cfg.dataDir), readActiveAdapter(cfg.dataDir)]);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(all.map((a) => ({ ...a, active: a.name === active })))}\n`);
          return;
        }
        if (!all.length) {
          process.stdout.write('no adapters (train one with clipdex train <pairs> --name NAME)\n');
          return;
        }
        for (const a of all) {
          const t = a.training;
          process.stdout.write(
            `${a.name === active ? '*' : ' '} ${a.name}  model ${a.modelName} (${a.modelId})  ${t.trainPairs} train / ${t.validPairs} valid pairs  ` +
              `valid mean recall ${t.baseline.mean.toFixed(2)} → ${t.best.mean.toFixed(2)}  ${a.createdAt}\n`,
          );
        }
      } catch (err) {
        fail(err);
      }
    });
  cmd
    .command('activate')
    .description('make searches use this adapter (builds its indexes from the stored vectors)')
    .argument('<name>')
    .action(async (name: string) => {
      const bar = progressBar('re-projecting');
      const t0 = performance.now();
      try {
        const engine = await openEngine();
        const reports = await activateAdapter(engine, name, (kind, done, total) =>
          bar.update({ label: `re-projecting ${kind} vectors`, processed: done, total, errors: 0, rate: done / Math.max(1e-3, (performance.now() - t0) / 1000) }),
        );
        bar.stop();
        for (const r of reports) process.stderr.write(`${r.kind} index: ${r.action}, ${r.count} vectors (${r.added} projected, ${r.removed} removed) in ${r.seconds.toFixed(2)} s\n`);
        process.stdout.write(`adapter "${name}" is active: searches use it (clipdex adapters deactivate to stop)\n`);
      } catch (err) {
        bar.stop();
        fail(err);
      }
    });
  cmd
    .command('deactivate')
    .description('searches go back to the model alone')
    .action(async () => {
      try {
        const was = await deactivateAdapter(getConfig().dataDir);
        process.stdout.write(was ? `adapter "${was}" deactivated\n` : 'no adapter was active\n');
      } catch (err) {
        fail(err);
      }
    });
  cmd
    .command('delete')
    .description('delete an adapter and its indexes (deactivating it first if it is active)')
    .argument('<name>')
    .action(async (name: string) => {
      try {
        const { wasActive } = await deleteAdapter(getConfig().dataDir, name);
        process.stdout.write(`deleted adapter "${name}"${wasActive ? ' (it was active: searches use the model alone now)' : ''}\n`);
      } catch (err) {
        fail(err);
      }
    });
  return cmd;
}
