/**
 * `--help` (or `-h`) on any bench script: prints the script's own header comment (what it
 * measures, its flags, how to run it) and exits before any work starts. It acts when imported, so
 * an entry point imports it (directly, or through ./stats or ./machine) and a benchmark never
 * starts a ten-minute run for a user who only asked how to run it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The first doc comment of a source text, without its comment marks. */
export function headerComment(source: string): string | undefined {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!m) return undefined;
  return m[1]
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

function exitOnHelp(argv: string[]): void {
  if (!argv.slice(2).some((a) => a === '--help' || a === '-h')) return;
  const file = argv[1] ?? '';
  const doc = fs.existsSync(file) ? headerComment(fs.readFileSync(file, 'utf8')) : undefined;
  process.stdout.write(`${path.relative(process.cwd(), file) || file}\n\n${doc ?? '(this script has no description)'}\n`);
  process.exit(0);
}

exitOnHelp(process.argv);
