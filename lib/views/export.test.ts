import { describe, expect, it } from 'vitest';
import { exportFileName, rowsOfHits, toCsv, toJson } from './export';
import type { HitView } from './search-view';

const hits: HitView[] = [
  { kind: 'image', imageId: 7, score: 0.8125, captions: ['a dog, "happy"', 'second'], dataset: 'demo', width: 72, height: 72, thumbUrl: '/api/thumbs/ab', imageUrl: '/api/images/ab', ocrText: null, signals: {} },
  { kind: 'image', imageId: 9, score: 0.5, captions: [], dataset: 'd2', width: 10, height: 10, thumbUrl: '/api/thumbs/cd', imageUrl: '/api/images/cd', ocrText: null, signals: {} },
];

describe('export', () => {
  it('makes absolute URLs and ranks from the hits', () => {
    const rows = rowsOfHits(hits, 'http://host:3000');
    expect(rows[0]).toMatchObject({ rank: 1, imageId: 7, text: 'a dog, "happy"', pageUrl: 'http://host:3000/images/7', imageUrl: 'http://host:3000/api/images/ab' });
    expect(rows[1]).toMatchObject({ rank: 2, text: '' });
  });

  it('caption results list the originals of their images', () => {
    const rows = rowsOfHits([{ kind: 'text', textId: 3, score: 0.4, text: '海边的狗', dataset: 'zh', images: [{ imageId: 1, thumbUrl: '/api/thumbs/ef' }] }], 'http://h');
    expect(rows[0]).toMatchObject({ kind: 'text', textId: 3, imageUrls: ['http://h/api/images/ef'] });
    expect(toCsv(rows)).toContain(',海边的狗,zh,,,,http://h/api/images/ef\r\n');
  });

  it('CSV: BOM, header, RFC 4180 quoting, CRLF', () => {
    const csv = toCsv(rowsOfHits(hits.slice(0, 1), 'http://h'));
    expect(csv.startsWith('\uFEFFrank,kind,imageId,textId,score,text,dataset,pageUrl,imageUrl,thumbUrl,imageUrls\r\n')).toBe(true);
    expect(csv).toContain('1,image,7,,0.8125,"a dog, ""happy""",demo,http://h/images/7,http://h/api/images/ab,http://h/api/thumbs/ab,\r\n');
  });

  it('CSV: a caption that looks like a formula is not run by a spreadsheet', () => {
    const rows = rowsOfHits([{ ...hits[0], captions: ['=HYPERLINK("x")'] } as HitView, { ...hits[1], dataset: '+cmd' } as HitView], 'http://h');
    const csv = toCsv(rows);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain(",'+cmd,");
  });

  it('JSON keeps the query beside the rows', () => {
    const json = JSON.parse(toJson({ query: { q: 'dog' } }, rowsOfHits(hits, 'http://h')));
    expect(json.query).toEqual({ q: 'dog' });
    expect(json.results).toHaveLength(2);
  });

  it('file names are safe and dated', () => {
    expect(exportFileName('a/b: 红 裙?', 'csv', new Date('2026-11-30T06:05:00Z'))).toBe('clipdex-a-b-红-裙-20261130-0605.csv');
    expect(exportFileName('', 'json', new Date('2026-01-02T03:04:00Z'))).toBe('clipdex-results-20260102-0304.json');
  });
});
