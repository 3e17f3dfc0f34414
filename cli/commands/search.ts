/**
 * `clipdex search (--text Q | --image PATH | both) [--mode image|text] [--mode hybrid|semantic|keyword]
 * [--no-collapse] [--k N] [--offset N] [--min-score X] [--dataset NAME] [--json]` — the four
 * directions: text→image (default for --text), text→text, image→image (default for --image),
 * image→text; an image with a text refines it ("but red"). --text is the query language
 * (lib/query): words, "phrase", -exclude, word^2, dataset:, format:, width>=, added>=, has:text, sort:new.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../lib/errors';
import type { ImageHit, SearchRanking, SearchResult, TextHit } from '../../lib/search';
// lib/search loads the database and the model: imported when the command runs, not for --help
import { MAX_WINDOW } from '../../lib/search/limits';
import { parseQueryChecked } from '../../lib/query/limits';
import { adapterOption } from '../adapter-option'; // issue 12
import { openEngine } from '../engine-cli';
import { command, intOption, numberOption, termSafe } from '../output';

const WANTS = ['image', 'text'] as const;
const RANKINGS = ['hybrid', 'semantic', 'keyword'] as const;
const MODE_HELP = `${WANTS.join('|')} (what to return, default image) and/or ${RANKINGS.join('|')} (how images are ranked, default hybrid); repeat it or separate with commas`;

/** --mode, repeatable and comma-separated: the words so far. */
const collectModes = (value: string, prev: string[]) => [...prev, ...value.split(',').map((v) => v.trim())];

interface SearchFlags {
  text?: string;
  image?: string;
  mode: string[];
  collapse: boolean;
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

/** Why an image hit matched, in a few words: the keyword fields, and near-duplicates left out. */
function why(h: ImageHit): string {
  const parts: string[] = [];
  const kw = h.signals.keyword;
  if (kw) parts.push(`words in ${kw.fields.map((f) => (f === 'ocr' ? 'image text' : f === 'filename' ? 'file name' : 'caption')).join(', ')}`);
  if (h.similar) parts.push(`+${h.similar.count} similar`);
  return parts.length ? `  (${parts.join('; ')})` : '';
}

export function formatHits(r: SearchResult<ImageHit> | SearchResult<TextHit>): string {
  if (!r.hits.length) return 'no results';
  const lines = r.hits.map((h, i) => {
    const rank = String(r.offset + i + 1).padStart(3);
    const score = h.score.toFixed(4);
    if (h.kind === 'image') {
      const cap = h.captions.length ? `"${clip(h.captions[0])}"${h.captions.length > 1 ? ` (+${h.captions.length - 1} more)` : ''}` : '(no caption)';
      return `${rank}. ${score}  image #${h.imageId}  [${h.dataset}] ${h.width}×${h.height} ${h.sha256.slice(0, 12)}  ${cap}${why(h)}`;
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
    .option('-m, --mode <mode>', MODE_HELP, collectModes, [])
    .option('--no-collapse', 'show near-duplicates one by one (default: one per group, the others in `similar`)')
    .option('-k, --k <n>', 'results per page', intOption('--k', 1, MAX_WINDOW), 10)
    .option('--offset <n>', 'results to skip', intOption('--offset', 0), 0)
    .option('--min-score <x>', 'drop results with a lower cosine similarity', numberOption('--min-score'))
    .option('-d, --dataset <name>', 'only this dataset')
    .option('--json', 'print results as JSON')
    .addOption(adapterOption().default(undefined, 'CLIPDEX_ADAPTER, else the activated adapter'))
    .action(
      command(async (flags: SearchFlags, cmd: Command) => {
        if (flags.text === undefined && flags.image === undefined) {
          cmd.error('clipdex search: give --text Q, --image PATH, or both (an image refined by a text)', { exitCode: 2, code: 'clipdex.usage' });
        }
        const bad = flags.mode.filter((m) => !(WANTS as readonly string[]).includes(m) && !(RANKINGS as readonly string[]).includes(m));
        const wants = flags.mode.filter((m) => (WANTS as readonly string[]).includes(m));
        const rankings = flags.mode.filter((m) => (RANKINGS as readonly string[]).includes(m));
        if (bad.length || new Set(wants).size > 1 || new Set(rankings).size > 1) {
          const got = bad.length ? `got "${termSafe(bad[0]).slice(0, 40)}"` : `got ${flags.mode.join(', ')}`;
          cmd.error(`clipdex search: --mode takes ${MODE_HELP}, at most one of each; ${got}`, { exitCode: 2, code: 'clipdex.usage' });
        }
        // The query's limits before the engine opens: a refusal costs nothing (and the
        // engine's start-up, a native module, dies with SIGSEGV in a process whose arguments hold ~60 KB).
        if (flags.text !== undefined) parseQueryChecked(flags.text);
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
            query: bytes === undefined ? { text: flags.text! } : flags.text !== undefined ? { image: bytes, text: flags.text } : { image: bytes },
            want: (wants[0] ?? 'image') as 'image' | 'text',
            ranking: (rankings[0] ?? 'hybrid') as SearchRanking,
            collapse: flags.collapse,
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
