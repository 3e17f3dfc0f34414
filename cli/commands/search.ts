/**
 * `clipdex search (--text Q | --image PATH) [--mode image|text] [--k N] [--offset N]
 * [--min-score X] [--dataset NAME] [--json]` — the four directions: text→image (default for
 * --text), text→text, image→image (default for --image), image→text.
 */
import fs from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { AppError } from '../../lib/errors';
import type { ImageHit, SearchResult, TextHit } from '../../lib/search';
// lib/search loads the database and the model: imported when the command runs, not for --help
import { MAX_WINDOW } from '../../lib/search/limits';
import { adapterOption } from '../adapter-option'; // issue 12
import { openEngine } from '../engine-cli';
import { command, intOption, numberOption, termSafe } from '../output';

interface SearchFlags {
  text?: string;
  image?: string;
  mode: 'image' | 'text';
  k: number;
  offset: number;
  minScore?: number;
  dataset?: string;
  json?: boolean;
  adapter?: string;
}

// Captions come from corpora: control characters are shown escaped, never sent to the terminal.
const clip = (raw: string, n = 80) => {
  const s = termSafe(raw);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

export function formatHits(r: SearchResult<ImageHit> | SearchResult<TextHit>): string {
  if (!r.hits.length) return 'no results';
  const lines = r.hits.map((h, i) => {
    const rank = String(r.offset + i + 1).padStart(3);
    const score = h.score.toFixed(4);
    if (h.kind === 'image') {
      const cap = h.captions.length ? `"${clip(h.captions[0])}"${h.captions.length > 1 ? ` (+${h.captions.length - 1} more)` : ''}` : '(no caption)';
      return `${rank}. ${score}  image #${h.imageId}  [${h.dataset}] ${h.width}×${h.height} ${h.sha256.slice(0, 12)}  ${cap}`;
    }
    return `${rank}. ${score}  text #${h.textId}  [${h.dataset}] "${clip(h.text)}"  (${h.images.length} image${h.images.length === 1 ? '' : 's'})`;
  });
  if (r.hasMore) lines.push(`… more with --offset ${r.offset + r.k}`);
  return lines.join('\n');
}

export function registerSearchCommand(program: Command): Command {
  return program
    .command('search')
    .description('search by text or by image; results are images (default) or texts (--mode text)')
    .option('--text <query>', 'query text')
    .option('--image <path>', 'query image file')
    .addOption(new Option('-m, --mode <mode>', 'what to return').choices(['image', 'text']).default('image'))
    .option('-k, --k <n>', 'results per page', intOption('--k', 1, MAX_WINDOW), 10)
    .option('--offset <n>', 'results to skip', intOption('--offset', 0), 0)
    .option('--min-score <x>', 'drop results with a lower cosine similarity', numberOption('--min-score'))
    .option('-d, --dataset <name>', 'only this dataset')
    .option('--json', 'print results as JSON')
    .addOption(adapterOption().default(undefined, 'CLIPDEX_ADAPTER, else the activated adapter'))
    .action(
      command(async (flags: SearchFlags, cmd: Command) => {
        if ((flags.text === undefined) === (flags.image === undefined)) {
          cmd.error('clipdex search: give exactly one of --text Q or --image PATH', { exitCode: 2, code: 'clipdex.usage' });
        }
        let bytes: Buffer | undefined;
        if (flags.image !== undefined) {
          try {
            bytes = await fs.readFile(flags.image);
          } catch (err) {
            throw new AppError('NOT_FOUND', `cannot read image ${flags.image} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
          }
        }
        const base = await openEngine();
        const [{ search }, { adaptEngine, searchAdapterName }] = await Promise.all([import('../../lib/search'), import('../../lib/adapters')]);
        // issue 12: --adapter, else CLIPDEX_ADAPTER, else the activated adapter
        const adapter = flags.adapter ?? (await searchAdapterName(base.config));
        const engine = adapter ? await adaptEngine(base, adapter) : base;
        const r = await search(
          {
            query: bytes === undefined ? { text: flags.text! } : { image: bytes },
            want: flags.mode,
            k: flags.k,
            offset: flags.offset,
            minScore: flags.minScore,
            dataset: flags.dataset,
          },
          engine,
        );
        process.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatHits(r)}\n`);
      }),
    );
}
