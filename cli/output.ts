/** Shared CLI output: progress bar, per-line error lists, failure handling. */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import { describeError, toExitCode } from '../lib/errors';

export interface LineErrorLike {
  line: number;
  reason: string;
  file?: string;
}

export const formatLineError = (e: LineErrorLike) => `${e.file ? `${e.file}: ` : ''}line ${e.line}: ${e.reason}`;

/** Print at most `max` errors, then how many more and how to get them all. */
export function printLineErrors(errors: LineErrorLike[], total: number, opts: { max?: number; errorsFile?: string } = {}): void {
  const max = opts.max ?? 20;
  for (const e of errors.slice(0, max)) process.stderr.write(`  ${formatLineError(e)}\n`);
  const more = total - Math.min(max, errors.length);
  if (more > 0) {
    process.stderr.write(
      opts.errorsFile ? `  … and ${more} more (all ${total} written to ${opts.errorsFile})\n` : `  … and ${more} more (use --errors FILE to write them all)\n`,
    );
  } else if (opts.errorsFile && total > 0) {
    process.stderr.write(`  (all ${total} written to ${opts.errorsFile})\n`);
  }
}

/** Append-only writer for --errors FILE (one `line N: reason` a line). */
export function openErrorsFile(file: string | undefined): { write(e: LineErrorLike): void; close(): Promise<void> } | undefined {
  if (!file) return undefined;
  const out = fs.createWriteStream(file, { flags: 'w' });
  return {
    write: (e) => void out.write(`${formatLineError(e)}\n`),
    close: () => new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}

export interface Bar {
  update(p: { processed: number; total: number; errors: number; rate: number; label?: string }): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (logs and pipes stay clean). */
export function progressBar(label: string, enabled = process.stderr.isTTY === true): Bar {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: '{label} [{bar}] {value}/{total} | {rate}/s | errors {errors} | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { label: p.label ?? label, rate: p.rate.toFixed(1), errors: p.errors };
      if (!started) {
        bar.start(Math.max(p.total, 1), p.processed, payload);
        started = true;
      }
      bar.setTotal(Math.max(p.total, p.processed, 1));
      bar.update(p.processed, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Print an error the way users should see it and set the exit code (lib/errors decides it). */
export function fail(err: unknown): void {
  process.stderr.write(`clipdex: ${describeError(err)}\n`);
  if (process.env.CLIPDEX_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = toExitCode(err);
}

/** Commander option parsers that reject bad numbers with a usage error (exit 2). */
export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${name} must be an integer ≥ ${min}, got "${v}"` : `${name} must be an integer from ${min} to ${max}, got "${v}"`);
    }
    return n;
  };
}

export function numberOption(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${v}"`);
    return n;
  };
}
