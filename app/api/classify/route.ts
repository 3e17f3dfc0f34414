import { classifyImages } from '@/lib/eval';
import { parseInput, fieldsOf } from '@/lib/views/parse';
import { json, readForm, readImageField, route } from '@/app/api/_lib/http';
import { classifyFormSchema } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * POST /api/classify (multipart/form-data): `image` (a file), `labels` ("cat,dog,…"), optional
 * `template` ("a photo of a {}.") → { model, labels: [{ label, probability, score, prompt }] }, best first.
 */
export const POST = route({}, async ({ req, engine }) => {
  const form = await readForm(req, 'an "image" file and "labels"');
  const bytes = await readImageField(form);
  const fields = parseInput(classifyFormSchema, fieldsOf(form, ['image']), 'form field');
  const [res] = await classifyImages([bytes], fields.labels, engine.model, { template: fields.template?.trim() || undefined });
  return json({ model: { id: engine.model.info.id, name: engine.model.info.name, logitScale: engine.model.info.logitScale }, labels: res.labels });
});
