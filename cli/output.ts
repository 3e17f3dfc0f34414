/**
 * Shared CLI output: the one action wrapper (errors → one prefix and exit code), terminal-safe
 * text, progress bar, per-line error lists.
 */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { CommanderError, InvalidArgumentError } from 'commander';
import { describeError, toExitCode } from '../lib/errors';

export interface LineErrorLike {
  line: number;
  reason: string;
  file?: string;
}

// C0 controls, DEL, C1 controls (U+009B is an 8-bit CSI) and the BiDi embeddings, overrides and
// isolates that can reorder what a terminal shows ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a corpus or a user, made safe to print to a terminal: every control character shows
 * as a visible escape (ESC → `\x1b`, U+202E → `\u202e`), so a caption cannot set the window title,
 * clear the screen or reorder the line. `keep` lists characters to leave as they are (a whole
 * report keeps its `\n` and `\t`). `--json` output stays exact: JSON.stringify escapes C0 controls
 * itself, and a parser reads back the original text.
 */
export function termSafe(s: string, keep = ''): string {
  return s.replace(UNSAFE, (c) => {
    if (keep.includes(c)) return c;
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Commander's usage errors: control characters escaped, and a line over 400 characters cut in
 * the middle (where commander quotes the refused argument), so the reason at its end survives.
 */
export function usageSafe(s: string): string {
  return termSafe(s, '\n\t')
    .split('\n')
    .map((l) => (l.length > 400 ? `${l.slice(0, 120)}… (${l.length - 320} characters cut) …${l.slice(-200)}` : l))
    .join('\n');
}

/** Human output on stdout: a report of lines, control characters escaped, newline added. */
export function printReport(text: string): void {
  process.stdout.write(`${termSafe(text, '\n\t')}\n`);
}

export const formatLineError = (e: LineErrorLike) => termSafe(`${e.file ? `${e.file}: ` : ''}line ${e.line}: ${e.reason}`, '\t');

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
      // idempotent: a command may stop the bar before printing and again on its way out
      if (started) bar.stop();
      started = false;
    },
  };
}

/** Print an error the way users should see it and set the exit code (lib/errors decides it). */
export function fail(err: unknown): void {
  process.stderr.write(`clipdex: ${termSafe(describeError(err), '\n\t')}\n`);
  if (process.env.CLIPDEX_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = toExitCode(err);
}

/**
 * The one wrapper for a command's action: whatever it throws is printed by `fail` (one prefix,
 * `clipdex: `) with the exit code lib/errors gives it. Commander's own usage errors pass through
 * to main(), which maps them to exit 2.
 */
export function command<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof CommanderError) throw err;
      fail(err);
    }
  };
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
