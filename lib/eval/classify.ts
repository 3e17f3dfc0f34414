/**
 * Zero-shot classification as CLIP does it: each label is put in a prompt template and encoded;
 * an image's probabilities are softmax(logitScale × cosine) over the labels. Without a template,
 * a label written in Chinese characters gets "一张{}的照片。" (Chinese-CLIP's prompt) and any other
 * label "a photo of a {}." (CLIP's), so mixed lists work too — unless the model's clipdex.json
 * names the prompts it was made for (`promptTemplate`, `promptTemplateZh`; the bundled mini-clip
 * was trained on bare emoji names and uses "{}").
 */
import { AppError } from '../errors';
import type { EvalModel } from './embed-corpus';

const DEFAULT_TEMPLATE = 'a photo of a {}.';
const DEFAULT_TEMPLATE_ZH = '一张{}的照片。';

export interface LabelScore {
  label: string;
  /** softmax probability in [0, 1] */
  probability: number;
  /** cosine similarity between image and prompt */
  score: number;
  prompt: string;
}

export interface ClassifyOptions {
  /** Prompt with `{}` where the label goes; default by the label's script. */
  template?: string;
}

const HAN = /\p{Script=Han}/u;

/** The default prompts of a model: its clipdex.json's, else CLIP's and Chinese-CLIP's. */
export function defaultTemplates(info?: { promptTemplates?: { en?: string; zh?: string } }): { en: string; zh: string } {
  return { en: info?.promptTemplates?.en ?? DEFAULT_TEMPLATE, zh: info?.promptTemplates?.zh ?? DEFAULT_TEMPLATE_ZH };
}

export function defaultTemplateFor(label: string, defaults = defaultTemplates()): string {
  return HAN.test(label) ? defaults.zh : defaults.en;
}

/** "cat, dog,,狗" → ["cat", "dog", "狗"]; refuses an empty list and repeated labels. */
export function parseLabels(input: string | string[]): string[] {
  const raw = Array.isArray(input) ? input : input.split(/[,，\n]/);
  const labels = raw.map((l) => l.trim()).filter((l) => l.length > 0);
  if (labels.length < 2) throw new AppError('INVALID_INPUT', `give at least two labels, separated by commas (got ${labels.length})`);
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) throw new AppError('INVALID_INPUT', `label "${l}" is given twice`);
    seen.add(l);
  }
  return labels;
}

export function promptsFor(labels: string[], template?: string, defaults = defaultTemplates()): string[] {
  if (template !== undefined && !template.includes('{}')) {
    throw new AppError('INVALID_INPUT', `template "${template}" has no {} where the label goes (e.g. "a photo of a {}.")`);
  }
  return labels.map((l) => (template ?? defaultTemplateFor(l, defaults)).replaceAll('{}', l));
}

/** Numerically stable softmax. */
export function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((x) => x / sum);
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Label scores of one image vector against encoded prompts, best first. */
function scoreLabels(image: Float32Array, labels: string[], prompts: string[], promptVecs: Float32Array[], logitScale: number): LabelScore[] {
  const cos = promptVecs.map((p) => dot(image, p));
  const probs = softmax(cos.map((c) => logitScale * c));
  return labels
    .map((label, i) => ({ label, probability: probs[i], score: cos[i], prompt: prompts[i] }))
    .sort((a, b) => b.probability - a.probability);
}

export interface ClassifiedImage {
  labels: LabelScore[];
}

/** Classifies each image (raw bytes) against the labels; one result per image, in order. */
export async function classifyImages(
  images: Buffer[],
  labelsInput: string | string[],
  model: EvalModel,
  opts: ClassifyOptions = {},
): Promise<ClassifiedImage[]> {
  const labels = parseLabels(labelsInput);
  const prompts = promptsFor(labels, opts.template, defaultTemplates(model.info));
  const promptVecs = await model.encodeTexts(prompts);
  const pixels: Float32Array[] = [];
  for (const bytes of images) pixels.push(await model.preprocessImage(bytes));
  const vecs = pixels.length ? await model.encodePixels(pixels) : [];
  return vecs.map((v) => ({ labels: scoreLabels(v, labels, prompts, promptVecs, model.info.logitScale) }));
}
