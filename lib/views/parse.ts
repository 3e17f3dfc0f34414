/**
 * Turning zod's verdict on request input into the one AppError (INVALID_INPUT, a 400 / exit 2)
 * with a message a user can act on: it names each bad parameter, what it got, and what is
 * allowed (for an unknown parameter, every allowed name).
 */
import type { z } from 'zod';
import { AppError } from '../errors';

const shown = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.slice(0, 40) : v);

export function describeIssues(issues: z.core.$ZodIssue[], input: Record<string, unknown>, allowed: string[], what = 'parameter'): string {
  const messages = issues.map((iss) => {
    const name = iss.path.join('.');
    if (iss.code === 'unrecognized_keys') {
      const keys = iss.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ');
      return `unknown ${what}${iss.keys.length > 1 ? 's' : ''} ${keys} (allowed: ${allowed.join(', ')})`;
    }
    if (iss.code === 'invalid_value') {
      return `${name} must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}; got ${shown(input[name])}`;
    }
    // Custom messages already name the field; zod's own get the field in front.
    return iss.message.startsWith(name) || !name ? iss.message : `${name}: ${iss.message}`;
  });
  // Two checks on one value (e.g. "not a safe integer" and "too large") may word the same problem.
  return [...new Set(messages)].join('; ');
}

/** Parse `input` with `schema` (a zod object), or throw AppError INVALID_INPUT naming every problem. */
export function parseInput<S extends z.ZodObject>(schema: S, input: Record<string, unknown>, what = 'parameter'): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AppError('INVALID_INPUT', describeIssues(r.error.issues, input, Object.keys(schema.shape), what));
}

/**
 * URLSearchParams or FormData string fields as a plain object. A parameter given twice is refused
 * (which one would win is not obvious); an empty value counts as absent.
 */
export function fieldsOf(src: URLSearchParams | FormData, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of src.entries()) {
    if (skip.includes(key)) continue;
    if (typeof value !== 'string') throw new AppError('INVALID_INPUT', `${key.slice(0, 40)} must be a text field, not a file`);
    if (Object.hasOwn(out, key)) throw new AppError('INVALID_INPUT', `${key.slice(0, 40)} is given more than once; give it once`);
    if (value.trim() !== '') out[key] = value;
  }
  return out;
}
