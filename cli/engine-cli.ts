/**
 * What a CLI command opens: the engine (database, model, indexes; repair messages go to stderr),
 * or the model alone for the commands that need no database (evaluate on a file, predict,
 * classify), with the same settings the engine uses.
 *
 * lib/engine, lib/clip and lib/config are imported on first use, not at start: they pull in
 * onnxruntime, sharp, Prisma and hnswlib (a few hundred ms), which `--help` and usage errors
 * never need (bench/startup.ts).
 */
import type { ClipModel } from '../lib/clip';
import type { Engine, EngineOptions } from '../lib/engine';

let engineModule: Promise<typeof import('../lib/engine')> | undefined;
const loadEngineModule = () => (engineModule ??= import('../lib/engine'));

export async function openEngine(opts: Pick<EngineOptions, 'imageTowerInWorker'> = {}): Promise<Engine> {
  const { getEngine } = await loadEngineModule();
  const engine = await getEngine({ log: (m) => process.stderr.write(`clipdex: ${m}\n`), follow: false, ...opts });
  if (engine.interruptedJobs) process.stderr.write(`clipdex: ${engine.interruptedJobs} job(s) left running by a stopped process were marked failed\n`);
  return engine;
}

/** Close the engine if this process opened one (saving the indexes); a no-op otherwise. */
export async function closeOpenedEngine(): Promise<void> {
  if (engineModule) await (await engineModule).closeEngine();
}

/** The configured model alone (CLIPDEX_MODEL_DIR); the caller closes it. */
export async function openModel(): Promise<ClipModel> {
  const [{ loadClipModel }, { getConfig }] = await Promise.all([import('../lib/clip'), import('../lib/config')]);
  const cfg = getConfig();
  return loadClipModel(cfg.modelDir, { threads: cfg.threads, maxImagePixels: cfg.maxImagePixels, batchSize: cfg.batchSize });
}
