/**
 * scripts/ensure-build.mjs decides whether `npm start` and the e2e server need a `next build`.
 * Review finding 5: proxy.ts (compiled into .next) and tsconfig.json (its paths and options) were
 * not watched, so a change to proxy.ts alone kept the old proxy running. The freshness check runs
 * here on a scratch folder holding only a build stamp and the file that changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIsFresh, SOURCES } from '../../scripts/ensure-build.mjs';
import { root } from '../../scripts/paths.mjs';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-ensure-build-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A scratch project with `file` written and a build stamped `buildAfterS` seconds after it (negative: before). */
function project(file: string, buildAfterS: number): void {
  fs.mkdirSync(path.join(tmp, '.next'), { recursive: true });
  fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
  fs.writeFileSync(path.join(tmp, file), 'x');
  fs.writeFileSync(path.join(tmp, '.next', 'BUILD_ID'), 'id');
  const t = Date.now() / 1000;
  fs.utimesSync(path.join(tmp, file), t, t);
  fs.utimesSync(path.join(tmp, '.next', 'BUILD_ID'), t + buildAfterS, t + buildAfterS);
}

describe('buildIsFresh (scripts/ensure-build.mjs)', () => {
  it.each(['proxy.ts', 'tsconfig.json', 'next.config.js', 'app/page.tsx'])('a %s newer than the build makes it stale', (file) => {
    project(file, -60);
    expect(buildIsFresh(tmp)).toBe(false);
    project(file, 60);
    expect(buildIsFresh(tmp)).toBe(true);
  });

  it('no build at all is stale', () => {
    expect(buildIsFresh(tmp)).toBe(false);
  });

  it('watches every top-level file of this project that next build reads', () => {
    // Next compiles these root files when present; a new one must be added to SOURCES.
    const buildInputs = /^(proxy|middleware|instrumentation)\.(ts|js)$|^next\.config\.|^postcss\.config\.|^tsconfig\.json$/;
    const present = fs.readdirSync(root).filter((f) => buildInputs.test(f));
    expect(present).toContain('proxy.ts');
    for (const f of present) expect(SOURCES, f).toContain(f);
  });

  it('watches the interface languages: a changed message rebuilds (issue 14)', () => {
    expect(SOURCES).toContain('messages');
    expect(SOURCES).toContain('i18n');
  });
});
