/**
 * `--adapter <name>` for the commands that embed (evaluate, predict, classify, search): the flag,
 * else CLIPDEX_ADAPTER. An adapter of another model is refused with exit 3 (lib/adapters).
 * lib/adapters and lib/config load on first use, not at start (bench/startup.ts).
 */
import { Option } from 'commander';
import type { ClipModel } from '../lib/clip';

export const adapterOption = () =>
  new Option('--adapter <name>', 'apply an adapter trained by `clipdex train` (default: CLIPDEX_ADAPTER; see `clipdex adapters list`)');

/** The adapter name in force for this command, if any. */
export async function adapterName(flag: string | undefined): Promise<string | undefined> {
  if (flag !== undefined) return flag;
  const { getConfig } = await import('../lib/config');
  return getConfig().adapter;
}

/** `model` with the adapter applied, or `model` itself when none is asked for. */
export async function withAdapter(model: ClipModel, flag: string | undefined): Promise<ClipModel> {
  try {
    const name = await adapterName(flag);
    if (!name) return model;
    const [{ loadAdaptedModel }, { getConfig }] = await Promise.all([import('../lib/adapters'), import('../lib/config')]);
    return await loadAdaptedModel(model, getConfig().dataDir, name);
  } catch (err) {
    await model.close();
    throw err;
  }
}
