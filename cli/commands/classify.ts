/**
 * `clipdex classify <image…> --labels "cat,dog" [--template "a photo of a {}."] [--json]` —
 * zero-shot classification: softmax over the model's logit scale × cosine, best labels first.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../lib/errors';
import type { ClassifiedImage } from '../../lib/eval';
import { adapterOption, withAdapter } from '../adapter-option'; // issue 12
import { openModel } from '../engine-cli';
import { command, termSafe } from '../output';

interface ClassifyFlags {
  labels: string;
  template?: string;
  top?: string;
  json?: boolean;
  adapter?: string;
}

export async function runClassify(files: string[], flags: ClassifyFlags): Promise<{ file: string; result: ClassifiedImage }[]> {
  const { classifyImages, parseLabels } = await import('../../lib/eval'); // heavy: loaded when run, not for --help
  const labels = parseLabels(flags.labels);
  const images = await Promise.all(
    files.map(async (f) => {
      try {
        return await fs.readFile(f);
      } catch (err) {
        throw new AppError('NOT_FOUND', `cannot read image ${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
      }
    }),
  );
  const model = await withAdapter(await openModel(), flags.adapter);
  try {
    const results: ClassifiedImage[] = [];
    for (let i = 0; i < images.length; i++) {
      try {
        results.push(...(await classifyImages([images[i]], labels, model, { template: flags.template })));
      } catch (err) {
        if (err instanceof AppError) throw new AppError(err.code, `${files[i]}: ${err.message}`, { cause: err });
        throw err;
      }
    }
    return results.map((result, i) => ({ file: files[i], result }));
  } finally {
    await model.close();
  }
}

export function registerClassifyCommand(program: Command): Command {
  return program
    .command('classify')
    .description('zero-shot classification of images against labels (CLIP prompts, softmax over the logit scale)')
    .argument('<images...>', 'image files')
    .requiredOption('--labels <list>', 'comma-separated labels, e.g. "cat,dog,bird" or "猫,狗"')
    .option('--template <text>', 'prompt with {} for the label (default: the model\'s clipdex.json promptTemplate/promptTemplateZh, else "a photo of a {}." or "一张{}的照片。" for Chinese labels; the bundled mini-clip uses "{}")')
    .option('--top <n>', 'labels to print per image (default all)')
    .addOption(adapterOption())
    .option('--json', 'print JSON: [{"file","labels":[{"label","probability","score","prompt"}]}]')
    .action(
      command(async (images: string[], flags: ClassifyFlags) => {
        const out = await runClassify(images, flags);
        const top = flags.top ? Math.max(1, Number.parseInt(flags.top, 10) || 1) : Infinity;
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(out.map((o) => ({ file: o.file, labels: o.result.labels.slice(0, top) })))}\n`);
          return;
        }
        for (const o of out) {
          process.stdout.write(`${termSafe(o.file)}\n`);
          for (const l of o.result.labels.slice(0, top)) {
            process.stdout.write(`  ${(100 * l.probability).toFixed(2).padStart(6)}%  ${termSafe(l.label)}\n`);
          }
        }
      }),
    );
}
