/** Opening the engine for a CLI command: repair messages go to stderr. */
import { getEngine, type Engine } from '../lib/engine';

export async function openEngine(): Promise<Engine> {
  const engine = await getEngine({ log: (m) => process.stderr.write(`clipdex: ${m}\n`) });
  if (engine.interruptedJobs) process.stderr.write(`clipdex: ${engine.interruptedJobs} job(s) left running by a stopped process were marked failed\n`);
  return engine;
}
