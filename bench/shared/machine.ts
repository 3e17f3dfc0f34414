/**
 * The header every bench prints first: what machine, which software, when, which command.
 * Figures without it cannot be compared with anything, so every bench calls `printHeader`.
 */
import './help'; // --help on every bench script that imports this module
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CACHE = path.join(ROOT, 'bench', '.cache');

function pkgVersion(name: string): string {
  try {
    const p = path.join(ROOT, 'node_modules', name, 'package.json');
    return JSON.parse(fs.readFileSync(p, 'utf8')).version as string;
  } catch {
    return 'absent';
  }
}

function gitDescribe(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

function osName(): string {
  try {
    const m = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (m) return `${m[1]} (${os.platform()} ${os.release()})`;
  } catch {
    /* not Linux */
  }
  return `${os.platform()} ${os.release()}`;
}

/** CPU flags that decide which SIMD kernels native addons can use. */
function simdFlags(): string {
  try {
    const flags = /^flags\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(' ') ?? [];
    return ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16'].filter((f) => flags.includes(f)).join(' ') || 'none of avx2/avx512';
  } catch {
    return 'unknown';
  }
}

export interface MachineInfo {
  date: string;
  command: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  git: string;
  versions: Record<string, string>;
  loadavg: number[];
}

export function machineInfo(packages: string[] = []): MachineInfo {
  const cpus = os.cpus();
  const versions: Record<string, string> = {};
  for (const p of packages) versions[p] = pkgVersion(p);
  return {
    date: new Date().toISOString(),
    command: ['node', ...process.execArgv, ...process.argv.slice(1).map((a) => path.relative(ROOT, a) || a)].join(' '),
    cpu: `${cpus[0]?.model ?? 'unknown'} [${simdFlags()}]`,
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    node: process.version,
    git: gitDescribe(),
    versions,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Print the header as Markdown and return it (benches store it with their results). */
export function printHeader(title: string, packages: string[] = []): MachineInfo {
  const m = machineInfo(packages);
  const lines = [
    `## ${title}`,
    '',
    `- date: ${m.date}`,
    `- command: \`${m.command}\``,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}`,
    `- software: ${[`Node ${m.node}`, ...Object.entries(m.versions).map(([k, v]) => `${k} ${v}`)].join(', ')}; git ${m.git}`,
    `- load average at start (1/5/15 min): ${m.loadavg.join(' / ')} — other work on the machine skews timings`,
    '',
  ];
  console.log(lines.join('\n'));
  return m;
}

/** Print the load average again at the end, so a noisy run is visible in its own output. */
export function printFooter(): void {
  console.log(`\n- load average at end (1/5/15 min): ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')}`);
}

export function rssBytes(): number {
  return process.memoryUsage.rss();
}

/**
 * Sources newer than the prebuilt CLI (dist/build.json): bin/clipdex.mjs ran them through tsx, not
 * the bundle, once they changed, so "prebuilt" figures from a run that ends with any are invalid.
 */
export function prebuiltStale(): string[] {
  const { builtAt, inputs } = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'build.json'), 'utf8')) as { builtAt: number; inputs: string[] };
  return inputs.filter((f) => fs.statSync(path.join(ROOT, f)).mtimeMs > builtAt);
}
