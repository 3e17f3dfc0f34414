/**
 * The interface's two languages stay in step (issue 14): messages/en.json and messages/zh.json
 * have the same keys, every message parses as ICU, and both sides of a message take the same
 * arguments and rich-text tags, so a translation can never drop a value or a link.
 */
import { describe, expect, it } from 'vitest';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import en from '../../messages/en.json';
import zh from '../../messages/zh.json';

type Tree = { [k: string]: string | Tree };

function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}

function argsOf(els: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of els) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) out.add(el.value);
    if (el.type === TYPE.tag) {
      out.add(`<${el.value}>`);
      argsOf(el.children, out);
    }
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      out.add(el.value);
      for (const o of Object.values(el.options)) argsOf(o.value, out);
    }
  }
  return out;
}

const EN = flatten(en as Tree);
const ZH = flatten(zh as Tree);

describe('messages', () => {
  it('English and Chinese have exactly the same keys', () => {
    expect([...ZH.keys()].filter((k) => !EN.has(k))).toEqual([]);
    expect([...EN.keys()].filter((k) => !ZH.has(k))).toEqual([]);
  });

  it('every message parses, and both languages use the same arguments and tags', () => {
    const mismatched: string[] = [];
    for (const [key, enText] of EN) {
      const a = [...argsOf(parse(enText))].sort();
      const b = [...argsOf(parse(ZH.get(key) ?? ''))].sort();
      if (a.join() !== b.join()) mismatched.push(`${key}: en ${a.join(',')} / zh ${b.join(',')}`);
    }
    expect(mismatched).toEqual([]);
  });

  it('the Chinese side is translated, not copied (apart from names and codes)', () => {
    const same = [...EN].filter(([k, v]) => ZH.get(k) === v && /[a-z]{3,}/.test(v.replace(/\{[^}]*\}|<[^>]*>/g, '')));
    // Proper names and formats read the same in both languages.
    const allowed = new Set(['AdminPage.layoutHf', 'Collections.csv', 'Collections.json']);
    expect(same.map(([k]) => k).filter((k) => !allowed.has(k))).toEqual([]);
  });
});
