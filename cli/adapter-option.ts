/**
 * `--adapter <name>` for the commands that embed (evaluate, predict, classify, search): the flag,
 * else CLIPDEX_ADAPTER. An adapter of another model is refused with exit 3 (lib/adapters).
 */
import { Option } from 'commander';
import type { ClipModel } from '../lib/clip';
import { getConfig } from '../lib/config';
import { loadAdaptedModel } from '../lib/adapters';

export const adapterOption = () =>
  new Option('--adapter <name>', 'apply an adapter trained by `clipdex train` (default: CLIPDEX_ADAPTER; see `clipdex adapters list`)');

/** The adapter name in force for this command, if any. */
export function adapterName(flag: string | undefined): string | undefined {
  return flag ?? getConfig().adapter;
}

/** `model` with the adapter applied, or `model` itself when none is asked for. */
export async function withAdapter(model: ClipModel, flag: string | undefined): Promise<ClipModel> {
  const name = adapterName(flag);
  if (!name) return model;
  try {
    return await loadAdaptedModel(model, getConfig().dataDir, name);
  } catch (err) {
    await model.close();
    throw err;
  }
}
