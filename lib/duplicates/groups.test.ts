import { describe, expect, it } from 'vitest';
import { groupLinks } from './groups';
import { getConfig, resetConfig } from '../config';
import { checkThreshold, DEFAULT_DUPLICATE_THRESHOLD } from './settings';

describe('groupLinks', () => {
  it('joins links into connected components named by their smallest id, with the weakest link', () => {
    const g = groupLinks([
      { imageId: 5, otherId: 9, similarity: 0.99 },
      { imageId: 9, otherId: 2, similarity: 0.96 }, // 2–5–9 through 9
      { imageId: 7, otherId: 8, similarity: 0.97 },
    ]);
    expect(Object.fromEntries(g)).toEqual({
      2: { groupId: 2, size: 3, similarity: 0.96 },
      5: { groupId: 2, size: 3, similarity: 0.96 },
      9: { groupId: 2, size: 3, similarity: 0.96 },
      7: { groupId: 7, size: 2, similarity: 0.97 },
      8: { groupId: 7, size: 2, similarity: 0.97 },
    });
  });

  it('has no group for an image without links, and none for no links', () => {
    expect(groupLinks([]).size).toBe(0);
    expect(groupLinks([{ imageId: 1, otherId: 2, similarity: 1 }]).has(3)).toBe(false);
  });
});

describe('the threshold', () => {
  it('takes a similarity in (0, 1] and names the bad value otherwise', () => {
    expect(checkThreshold('0.9')).toBe(0.9);
    expect(checkThreshold(1)).toBe(1);
    for (const bad of ['0', '-0.1', '1.01', 'abc', '', 'NaN']) expect(() => checkThreshold(bad)).toThrow(/above 0 and at most 1/);
  });

  it('comes from CLIPDEX_DUPLICATE_THRESHOLD (lib/config), else the measured default; a bad setting is CONFIG_INVALID', () => {
    const saved = process.env.CLIPDEX_DUPLICATE_THRESHOLD;
    try {
      delete process.env.CLIPDEX_DUPLICATE_THRESHOLD;
      resetConfig();
      expect(getConfig().duplicateThreshold).toBe(DEFAULT_DUPLICATE_THRESHOLD);
      process.env.CLIPDEX_DUPLICATE_THRESHOLD = '0.9';
      resetConfig();
      expect(getConfig().duplicateThreshold).toBe(0.9);
      for (const bad of ['2', '0', 'high']) {
        process.env.CLIPDEX_DUPLICATE_THRESHOLD = bad;
        resetConfig();
        expect(() => getConfig()).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/CLIPDEX_DUPLICATE_THRESHOLD: must be a similarity above 0 and at most 1/) }));
      }
    } finally {
      if (saved === undefined) delete process.env.CLIPDEX_DUPLICATE_THRESHOLD;
      else process.env.CLIPDEX_DUPLICATE_THRESHOLD = saved;
      resetConfig();
    }
  });
});
