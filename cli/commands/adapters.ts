/**
 * `clipdex adapters list | activate NAME | deactivate | delete NAME` — the adapters trained by
 * `clipdex train`. Activating builds the adapter's indexes from the stored vectors (no image is
 * re-embedded) and then makes searches of the library use it.
 */
import type { Command } from 'commander';
import { openEngine } from '../engine-cli';
import { command, progressBar, termSafe } from '../output';

// lib/adapters (hnswlib, Prisma) and lib/config (zod) load when a subcommand runs (bench/startup.ts)
const libs = async () => {
  const [adapters, { getConfig }] = await Promise.all([import('../../lib/adapters'), import('../../lib/config')]);
  return { ...adapters, dataDir: getConfig().dataDir };
};

export function registerAdaptersCommand(program: Command): Command {
  const cmd = program.command('adapters').description('list, activate, deactivate or delete adapters trained by `clipdex train`');
  cmd
    .command('list')
    .description('every adapter: its model, training pairs and validation recall')
    .option('--json', 'print JSON')
    .action(
      command(async (flags: { json?: boolean }) => {
        const { listAdapters, readActiveAdapter, dataDir } = await libs();
        const [all, active] = await Promise.all([listAdapters(dataDir), readActiveAdapter(dataDir)]);
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
            termSafe(
              `${a.name === active ? '*' : ' '} ${a.name}  model ${a.modelName} (${a.modelId})  ${t.trainPairs} train / ${t.validPairs} valid pairs  ` +
                `valid mean recall ${t.baseline.mean.toFixed(2)} → ${t.best.mean.toFixed(2)}  ${a.createdAt}`,
            ) + '\n',
          );
        }
      }),
    );
  cmd
    .command('activate')
    .description('make searches use this adapter (builds its indexes from the stored vectors)')
    .argument('<name>')
    .action(
      command(async (name: string) => {
        const bar = progressBar('re-projecting');
        const t0 = performance.now();
        try {
          const { activateAdapter } = await libs();
          const engine = await openEngine();
          const reports = await activateAdapter(engine, name, (kind, done, total) =>
            bar.update({ label: `re-projecting ${kind} vectors`, processed: done, total, errors: 0, rate: done / Math.max(1e-3, (performance.now() - t0) / 1000) }),
          );
          bar.stop();
          for (const r of reports) process.stderr.write(`${r.kind} index: ${r.action}, ${r.count} vectors (${r.added} projected, ${r.removed} removed) in ${r.seconds.toFixed(2)} s\n`);
          process.stdout.write(`adapter "${name}" is active: searches use it (clipdex adapters deactivate to stop)\n`);
        } finally {
          bar.stop();
        }
      }),
    );
  cmd
    .command('deactivate')
    .description('searches go back to the model alone')
    .action(
      command(async () => {
        const { deactivateAdapter, dataDir } = await libs();
        const was = await deactivateAdapter(dataDir);
        process.stdout.write(was ? `adapter "${termSafe(was)}" deactivated\n` : 'no adapter was active\n');
      }),
    );
  cmd
    .command('delete')
    .description('delete an adapter and its indexes (deactivating it first if it is active)')
    .argument('<name>')
    .action(
      command(async (name: string) => {
        const { deleteAdapter, dataDir } = await libs();
        const { wasActive } = await deleteAdapter(dataDir, name);
        process.stdout.write(`deleted adapter "${name}"${wasActive ? ' (it was active: searches use the model alone now)' : ''}\n`);
      }),
    );
  return cmd;
}
