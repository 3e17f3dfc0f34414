import { getEngine } from '@/lib/engine';
import { AppError } from '@/lib/errors';
import { classifyImages } from '@/lib/eval';
import { handle, json, readForm, readImageField } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/**
 * POST /api/classify (multipart/form-data): `image` (a file), `labels` ("cat,dog,…"), optional
 * `template` ("a photo of a {}.") → { labels: [{ label, probability, score, prompt }] }, best first.
 */
export async function POST(req: Request) {
  return handle(async () => {
    const form = await readForm(req, 'an "image" file and "labels"');
    const bytes = await readImageField(form);
    const labels = form.get('labels');
    if (typeof labels !== 'string') throw new AppError('INVALID_INPUT', 'the form has no "labels" (comma-separated)');
    const template = form.get('template');
    const engine = await getEngine();
    const [res] = await classifyImages([bytes], labels, engine.model, {
      template: typeof template === 'string' && template.trim() ? template.trim() : undefined,
    });
    return json({ model: { id: engine.model.info.id, name: engine.model.info.name, logitScale: engine.model.info.logitScale }, labels: res.labels });
  });
}
