import { describe, expect, it } from 'vitest';
import { fileLabel, hidePaths } from './hide-paths';

describe('hidePaths', () => {
  it('cuts absolute paths to their last segment and keeps the code, reason and hint around them', () => {
    expect(hidePaths('model folder not found: /srv/clipdex/models/mini-clip. Set CLIPDEX_MODEL_DIR to a folder with model.json'))
      .toBe('model folder not found: mini-clip. Set CLIPDEX_MODEL_DIR to a folder with model.json');
    expect(hidePaths('cannot read “/home/u/data/texts.jsonl”: line 3')).toBe('cannot read “texts.jsonl”: line 3');
    expect(hidePaths('/var/lib/clipdex/data/: read-only')).toBe('data: read-only');
    expect(hidePaths('bad file C:\\data\\x.txt here')).toBe('bad file x.txt here');
  });

  it('cuts file: URLs (SQLite database URLs) too, keeping the scheme', () => {
    expect(hidePaths('cannot open file:/srv/clipdex/data/clipdex.db: disk I/O error')).toBe('cannot open file:clipdex.db: disk I/O error');
    expect(hidePaths('database file:///srv/clipdex/data/clipdex.db is locked')).toBe('database file:clipdex.db is locked');
    expect(hidePaths('migration failed for file:/srv/x/db.sqlite')).not.toContain('/srv');
  });

  it('leaves URLs, relative paths and plain text alone', () => {
    const msg = 'DATABASE_URL postgresql://u@db.local:5432/clipdex is unreachable; models/mini-clip is the default; a/b';
    expect(hidePaths(msg)).toBe(msg);
  });
});

describe('fileLabel', () => {
  it('keeps a path inside the corpus and names an absolute one by its base name', () => {
    expect(fileLabel('sub/cat.txt')).toBe('sub/cat.txt');
    expect(fileLabel('/srv/clipdex/data/uploads/3f2a.jsonl')).toBe('3f2a.jsonl');
    expect(fileLabel(null)).toBeNull();
  });
});
