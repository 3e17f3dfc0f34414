/**
 * issue 13 (start-up): what a model's load-time check found, remembered across processes, so a
 * command that starts often (`clipdex search` in a script's loop) does not hash the model's files,
 * open the image tower and run the four probes every time.
 *
 * An entry is keyed by the model folder and, for each of its files, the name, size, inode and
 * modification and change times, plus the onnxruntime version and CHECK_VERSION: any write to a
 * file, a replaced file or another runtime misses, and the full check runs again (and refuses a
 * damaged model as before). Git's index trusts the same stat fields. What it cannot see is a file
 * whose bytes change without a write through the file system (bit rot); delete
 * `<data dir>/cache/model-checks.json` to force a full check.
 *
 * The file is best effort: unreadable, malformed or unwritable means "not remembered".
 */
import fs from 'node:fs';
import path from 'node:path';
import { statFiles } from './model-id';
import type { IoInfo } from './onnx-session';

/** Bump when what the check verifies, or what an entry holds, changes. */
export const CHECK_VERSION = 1;
const MAX_ENTRIES = 16;

export interface ModelCheckRecord {
  /** The model id (computeModelId). */
  id: string;
  /** Embedding size both towers gave. */
  dim: number;
  /** The image tower's inputs and outputs as its session declared them (it opens lazily on a hit). */
  vision: { inputs: IoInfo[]; outputs: IoInfo[] };
}

type Entry = ModelCheckRecord & { key: string; at: string };

export const modelCheckFile = (dataDir: string): string => path.join(dataDir, 'cache', 'model-checks.json');

/** The entry key of a model's files as they are now (throws like statSync when a file is missing). */
export function modelCheckKey(dir: string, files: string[], runtime: string): string {
  return JSON.stringify([CHECK_VERSION, runtime, statFiles(dir, files).key]);
}

function readEntries(file: string): Entry[] {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter(isEntry) : [];
  } catch {
    return [];
  }
}

const isIo = (v: unknown): v is IoInfo[] => Array.isArray(v) && v.every((x) => x && typeof x === 'object' && typeof (x as IoInfo).name === 'string');

function isEntry(v: unknown): v is Entry {
  const e = v as Entry;
  return (
    !!e && typeof e === 'object' && typeof e.key === 'string' && typeof e.id === 'string' && Number.isInteger(e.dim) && e.dim > 0 &&
    !!e.vision && isIo(e.vision.inputs) && isIo(e.vision.outputs)
  );
}

export function readModelCheck(file: string, key: string): ModelCheckRecord | undefined {
  const e = readEntries(file).find((x) => x.key === key);
  return e ? { id: e.id, dim: e.dim, vision: e.vision } : undefined;
}

/**
 * Remember a passed check (the newest MAX_ENTRIES are kept); atomic, silent on any failure. Only
 * into a data dir that exists: a command that needs no library (predict, classify) does not create
 * one for this.
 */
export function writeModelCheck(file: string, key: string, rec: ModelCheckRecord): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const cacheDir = path.dirname(file);
  if (!fs.existsSync(path.dirname(cacheDir))) return;
  try {
    const entries = readEntries(file).filter((e) => e.key !== key);
    entries.push({ key, ...rec, at: new Date().toISOString() });
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(entries.slice(-MAX_ENTRIES)));
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do: the entry is simply not remembered
    }
  }
}
