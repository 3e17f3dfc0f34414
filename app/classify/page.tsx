import type { Metadata } from 'next';
import { getEngine } from '@/lib/engine';
import { defaultTemplates } from '@/lib/eval';
import { ClassifyForm } from '@/components/eval/classify-form';

export const metadata: Metadata = { title: 'Classify' };

export const dynamic = 'force-dynamic';

export default async function ClassifyPage() {
  // The model's own default prompts (clipdex.json), else CLIP's; a model that fails to load still
  // gets the page, and the classify request then says what is wrong.
  const defaults = defaultTemplates(await getEngine().then((e) => e.model.info, () => undefined));
  return (
    <div className="stack">
      <h1>Zero-shot classification</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        Give an image and a few labels: each label is put into a prompt, and the probabilities are the softmax of the model’s logit scale times the
        cosine similarity between the image and each prompt — no training needed.
      </p>
      <ClassifyForm defaultTemplate={defaults.en} defaultTemplateZh={defaults.zh} />
    </div>
  );
}
