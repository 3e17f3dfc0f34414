import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelManifest } from './manifest';
import { computeModelId } from './model-id';

const FIX = path.resolve(__dirname, '../../models/fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-manifest-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function copyFixture(name: string, edit?: (dir: string) => void): string {
  const dir = path.join(tmp, `${name}-${n++}`);
  fs.cpSync(path.join(FIX, name), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'expected.json'));
  edit?.(dir);
  return dir;
}

describe('readModelManifest', () => {
  it('detects the Hugging Face layout and lists the files that define the model', () => {
    const m = readModelManifest(path.join(FIX, 'hf-input-ids-only'));
    expect(m.layout).toBe('hf');
    expect(m.files).toEqual([
      'config.json',
      'onnx/text_model.onnx',
      'onnx/vision_model.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(m.config._name_or_path).toBe('clipdex/hf-input-ids-only-tiny');
  });

  it('detects the Chinese-CLIP layout', () => {
    const m = readModelManifest(path.join(FIX, 'chinese-clip-tiny'));
    expect(m.layout).toBe('chinese-clip');
    expect(m.files).toEqual(['tiny.img.fp32.onnx', 'tiny.txt.fp32.onnx', 'vocab.txt']);
    expect(path.basename(m.textModel)).toBe('tiny.txt.fp32.onnx');
  });

  it('accepts *_quantized.onnx only when the plain file is absent', () => {
    const both = copyFixture('hf-input-ids-only', (d) => fs.copyFileSync(path.join(d, 'onnx/text_model.onnx'), path.join(d, 'onnx/text_model_quantized.onnx')));
    expect(path.basename(readModelManifest(both).textModel)).toBe('text_model.onnx');
    const quantOnly = copyFixture('hf-input-ids-only', (d) => fs.renameSync(path.join(d, 'onnx/text_model.onnx'), path.join(d, 'onnx/text_model_quantized.onnx')));
    expect(path.basename(readModelManifest(quantOnly).textModel)).toBe('text_model_quantized.onnx');
  });

  it('says which file is missing and how to fix it', () => {
    const noTok = copyFixture('hf-input-ids-only', (d) => fs.rmSync(path.join(d, 'tokenizer.json')));
    expect(() => readModelManifest(noTok)).toThrow(/is missing tokenizer\.json\. Point CLIPDEX_MODEL_DIR at .* see models\/README\.md/);
    const noVision = copyFixture('hf-input-ids-only', (d) => fs.rmSync(path.join(d, 'onnx/vision_model.onnx')));
    expect(() => readModelManifest(noVision)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringContaining('missing onnx/vision_model.onnx') }));
    const noVocab = copyFixture('chinese-clip-tiny', (d) => fs.rmSync(path.join(d, 'vocab.txt')));
    expect(() => readModelManifest(noVocab)).toThrow(/Chinese-CLIP deployment but is missing vocab\.txt/);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    expect(() => readModelManifest(empty)).toThrow(expect.objectContaining({ code: 'MODEL_MISSING', message: expect.stringContaining('no CLIP model in') }));
    expect(() => readModelManifest(path.join(tmp, 'nope'))).toThrow(expect.objectContaining({ code: 'MODEL_MISSING', message: expect.stringContaining('CLIPDEX_MODEL_DIR') }));
  });

  it('rejects broken JSON and unknown clipdex.json keys', () => {
    const badJson = copyFixture('hf-input-ids-only', (d) => fs.writeFileSync(path.join(d, 'preprocessor_config.json'), '{"size": '));
    expect(() => readModelManifest(badJson)).toThrow(expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringContaining('preprocessor_config.json is not valid JSON') }));
    const badOverride = copyFixture('chinese-clip-tiny', (d) => fs.writeFileSync(path.join(d, 'clipdex.json'), '{"contextLenght": 64}'));
    expect(() => readModelManifest(badOverride)).toThrow(/clipdex\.json is invalid: .*contextLenght/);
    const badPrompt = copyFixture('chinese-clip-tiny', (d) => fs.writeFileSync(path.join(d, 'clipdex.json'), '{"promptTemplate": "a photo"}'));
    expect(() => readModelManifest(badPrompt)).toThrow(/clipdex\.json is invalid: promptTemplate: must contain \{\} where the label goes/);
    const prompts = copyFixture('chinese-clip-tiny', (d) => fs.writeFileSync(path.join(d, 'clipdex.json'), '{"promptTemplate": "{}", "promptTemplateZh": "{}的图片"}'));
    expect(readModelManifest(prompts).overrides).toMatchObject({ promptTemplate: '{}', promptTemplateZh: '{}的图片' });
  });
});

describe('computeModelId', () => {
  it('is 16 hex chars, stable, and changes with any byte or name of a model file', async () => {
    const a = copyFixture('chinese-clip-tiny');
    const m = readModelManifest(a);
    const id1 = await computeModelId(a, m.files);
    expect(id1).toMatch(/^[0-9a-f]{16}$/);
    const b = copyFixture('chinese-clip-tiny');
    expect(await computeModelId(b, readModelManifest(b).files)).toBe(id1); // same bytes elsewhere → same id
    fs.appendFileSync(path.join(a, 'vocab.txt'), 'extra\n');
    const id2 = await computeModelId(a, m.files);
    expect(id2).not.toBe(id1);
    fs.renameSync(path.join(b, 'tiny.img.fp32.onnx'), path.join(b, 'other.img.fp32.onnx'));
    expect(await computeModelId(b, readModelManifest(b).files)).not.toBe(id1);
  });
});
