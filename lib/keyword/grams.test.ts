import { describe, expect, it } from 'vitest';
import { cjkGrams, docGrams, isGramWord } from './grams';

describe('CJK grams', () => {
  it('splits CJK runs into characters and neighbouring pairs, distinct, nothing across other characters', () => {
    expect(cjkGrams('红色的汽车')).toBe('红 色 红色 的 色的 汽 的汽 车 汽车');
    expect(cjkGrams('汽车 and 汽车')).toBe('汽 车 汽车');
    expect(cjkGrams('汽、车・カメ')).toBe('汽 车 カ メ カメ'); // punctuation breaks a run
    expect(cjkGrams('사진 QX-4471')).toBe('사 진 사진');
    expect(cjkGrams('no cjk')).toBe('');
    expect(docGrams({ captions: '末尾是汽', ocr: '车', filename: '' }).split(' ')).not.toContain('汽车');
  });

  it('answers one- and two-character CJK words only', () => {
    for (const w of ['牛', '汽车', 'カメ', '사진']) expect(isGramWord(w), w).toBe(true);
    for (const w of ['', '牛肉面', 'a汽', '汽。', 'ab', '・']) expect(isGramWord(w), w).toBe(false);
  });
});
