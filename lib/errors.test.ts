import { describe, expect, it } from 'vitest';
import { AppError, describeError, isDiskFull, toExitCode, toHttpStatus } from './errors';

describe('a full disk', () => {
  it('is recognised from Node, SQLite and Prisma errors, and through causes', () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' });
    const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const prisma = new Error('Invalid `tx.image.createManyAndReturn()` invocation:\n\ndatabase or disk is full');
    const wrapped = new Error('batch 3 failed', { cause: enospc });
    for (const err of [enospc, sqlite, prisma, wrapped]) {
      expect(isDiskFull(err)).toBe(true);
      expect(describeError(err)).toMatch(/^the disk that holds clipdex's data is full \(.+\)\. What was saved before is kept: free some space/);
      expect(toHttpStatus(err)).toBe(507);
      expect(toExitCode(err)).toBe(1);
    }
  });
  it('is not any other error', () => {
    for (const err of [new Error('database is locked'), new Error('EACCES: permission denied'), 'full']) {
      expect(isDiskFull(err)).toBe(false);
      expect(toHttpStatus(err)).toBe(500);
    }
    expect(describeError(new Error('boom'))).toBe('internal error: boom');
    expect(describeError(new AppError('CONFLICT', 'disk is full of cats'))).toBe('disk is full of cats');
  });
});
