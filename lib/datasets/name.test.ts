import { describe, expect, it } from 'vitest';
import { checkDatasetName, isValidDatasetName, MAX_DATASET_NAME_CHARS } from './name';

describe('checkDatasetName (the one dataset-name rule)', () => {
  it('accepts ordinary names, %, unicode and emoji, trimmed and NFC-normalised', () => {
    expect(checkDatasetName('demo')).toBe('demo');
    expect(checkDatasetName('  100% cotton ')).toBe('100% cotton');
    expect(checkDatasetName('%76ictim')).toBe('%76ictim');
    expect(checkDatasetName('红色连衣裙 v2.1')).toBe('红色连衣裙 v2.1');
    expect(checkDatasetName('👨‍👩‍👧 family')).toBe('👨‍👩‍👧 family'); // ZWJ sequences are not controls
    expect(checkDatasetName('a..b')).toBe('a..b');
    expect(checkDatasetName('cafe\u0301')).toBe('café'); // NFD → NFC
    expect(checkDatasetName('x'.repeat(MAX_DATASET_NAME_CHARS))).toHaveLength(MAX_DATASET_NAME_CHARS);
    expect(checkDatasetName('😀'.repeat(MAX_DATASET_NAME_CHARS))).toHaveLength(MAX_DATASET_NAME_CHARS * 2); // counted in characters
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['\t', /empty/],
    ['../../etc', /slash/],
    ['a/b', /slash/],
    ['a\\b', /slash/],
    ['..', /cannot be a dataset name/],
    ['.', /cannot be a dataset name/],
    ['a\x01b', /U\+0001 at position 2/],
    ['a\tb', /TAB at position 2/],
    ['a\0b', /NUL/],
    ['\x1b[31mred', /ESC at position 1/],
    ['a\u0085b', /U\+0085/],
    ['evil\u202etxt.exe', /U\+202E/],
    ['x'.repeat(MAX_DATASET_NAME_CHARS + 1), /101 characters long; at most 100/],
    ['x'.repeat(10_240), /10240 characters long; at most 100/],
  ])('refuses %j with a message saying why', (name, message) => {
    let err: unknown;
    try {
      checkDatasetName(name);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect((err as Error).message).toMatch(message);
    expect(isValidDatasetName(name)).toBe(false);
  });

  it('refuses a non-string', () => {
    expect(() => checkDatasetName(undefined)).toThrow(/give the dataset a name/);
    expect(isValidDatasetName(42)).toBe(false);
  });
});
