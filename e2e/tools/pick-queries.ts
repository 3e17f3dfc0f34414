/**
 * Which e2e queries to use with the current model and demo/valid.tsv: prints text queries whose
 * best image (exact search) carries exactly that caption, by margin over the runner-up, and images
 * whose own caption comes first in image→text. Re-run after retraining the model or regenerating
 * the demo split, and update the constants at the top of e2e/app.spec.ts.
 *   npx tsx e2e/tools/pick-queries.ts
 */
import { loadClipModel } from '../../lib/clip';
import { readCorpus } from '../../lib/corpus';

const model = await loadClipModel('models/mini-clip', { threads: 2 });
const recs: { line: number; text: string; image: Buffer }[] = [];
for await (const r of readCorpus('demo/valid.tsv')) if (r.kind === 'pair') recs.push(r);
const imgs: Float32Array[] = [];
for (let i = 0; i < recs.length; i += 32) imgs.push(...(await model.encodeImages(recs.slice(i, i + 32).map((r) => r.image))));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
// dedupe identical images by bytes
const key = recs.map((r) => r.image.toString('base64'));
const texts = [...new Set(recs.map((r) => r.text))];
const tv = await model.encodeTexts(texts);
const out: string[] = [];
texts.forEach((t, ti) => {
  const scores = imgs.map((v, i) => ({ i, s: dot(tv[ti], v) })).sort((a, b) => b.s - a.s);
  const top = scores[0];
  // second best with different image bytes and a different caption
  const second = scores.find((x) => key[x.i] !== key[top.i] && recs[x.i].text !== t)!;
  const capsOfTop = new Set(recs.filter((r, j) => key[j] === key[top.i]).map((r) => r.text));
  const ok = recs[top.i].text === t && capsOfTop.size === 1;
  if (ok) out.push(`${(top.s - second.s).toFixed(3)}\tT2I\t${t}\tline ${recs[top.i].line}\ttop ${top.s.toFixed(3)} 2nd ${second.s.toFixed(3)} (${recs[second.i].text})`);
});
out.sort((a, b) => Number(b.split('\t')[0]) - Number(a.split('\t')[0]));
console.log(out.slice(0, 40).join('\n'));
// image -> text: first caption is own caption

let good = 0;
const i2t: string[] = [];
recs.forEach((r, i) => {
  const sc = texts.map((t, ti) => ({ t, s: dot(imgs[i], tv[ti]) })).sort((a, b) => b.s - a.s);
  const m = sc.find((x) => x.t !== r.text)!;
  const caps = new Set(recs.filter((_, j) => key[j] === key[i]).map((x) => x.text));
  if (sc[0].t === r.text && caps.size === 1) { good++; i2t.push(`${(sc[0].s - m.s).toFixed(3)}\tI2T\tline ${r.line}\t${r.text}\t2nd ${m.t}`); }
});
i2t.sort((a, b) => Number(b.split('\t')[0]) - Number(a.split('\t')[0]));
console.log(`i2t own caption first: ${good}/${recs.length}`);
console.log(i2t.slice(0, 15).join('\n'));
await model.close();
