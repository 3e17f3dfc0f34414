import { getEngine } from '@/lib/engine';
import { AppError } from '@/lib/errors';
import { classifyImages } from '@/lib/eval';
import { handle, json } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * POST /api/classify (multipart/form-data): `image` (a file), `labels` ("cat,dog,…"), optional
 * `template` ("a photo of a {}.") → { labels: [{ label, probability, score, prompt }] }, best first.
 */
export async function POST(req: Request) {
  return handle(async () => {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError('INVALID_INPUT', 'send multipart/form-data with an "image" file and "labels"');
    }
    const image = form.get('image');
    if (!(image instanceof Blob) || image.size === 0) throw new AppError('INVALID_INPUT', 'the form has no "image" file');
    if (image.size > MAX_IMAGE_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `the image is ${(image.size / 1048576).toFixed(1)} MiB; the limit is 20 MiB`);
    const labels = form.get('labels');
    if (typeof labels !== 'string') throw new AppError('INVALID_INPUT', 'the form has no "labels" (comma-separated)');
    const template = form.get('template');
    const engine = await getEngine();
    const [res] = await classifyImages([Buffer.from(await image.arrayBuffer())], labels, engine.model, {
      template: typeof template === 'string' && template.trim() ? template.trim() : undefined,
    });
    return json({ model: { id: engine.model.info.id, name: engine.model.info.name, logitScale: engine.model.info.logitScale }, labels: res.labels });
  });
}
