/**
 * Model identity: sha256 over the model's files — each relative name, its size and its bytes, in
 * sorted name order — first 16 hex chars. Streamed (models can be GBs) and cached per process,
 * keyed by the files' sizes, inodes and times so an edited folder is hashed again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const cache = new Map<string, string>();

export interface FilesStat {
  /** The file names, sorted. */
  names: string[];
  sizes: bigint[];
  /**
   * Each file's size, inode, device, modification and change times: any write to a file, or a
   * replaced one, changes it — a same-size copy that kept the old mtime (cp -p, rsync -a) still
   * changes the inode or the change time. Git's index trusts the same fields.
   */
  key: string;
}

/** The stat fields of a model's files (computeModelId's cache and check-cache.ts key by them). */
export function statFiles(dir: string, files: string[]): FilesStat {
  const names = [...files].sort();
  const stats = names.map((f) => fs.statSync(path.join(dir, f), { bigint: true }));
  const key = JSON.stringify([path.resolve(dir), names.map((f, i) => [f, ...[stats[i].size, stats[i].ino, stats[i].dev, stats[i].mtimeNs, stats[i].ctimeNs].map(String)])]);
  return { names, sizes: stats.map((s) => s.size), key };
}

export async function computeModelId(dir: string, files: string[]): Promise<string> {
  const { names, sizes, key } = statFiles(dir, files);
  const hit = cache.get(key);
  if (hit) return hit;
  const hash = crypto.createHash('sha256');
  for (let i = 0; i < names.length; i++) {
    hash.update(`${names[i]}\0${sizes[i]}\0`);
    for await (const chunk of fs.createReadStream(path.join(dir, names[i]), { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  }
  const id = hash.digest('hex').slice(0, 16);
  cache.set(key, id);
  return id;
}
