import type { Metadata } from 'next';
import { defaultTemplates } from '@/lib/eval';
import { ClassifyForm } from '@/components/eval/classify-form';
import { withEngine } from '@/app/_lib/with-engine';

export const metadata: Metadata = { title: 'Classify' };

export const dynamic = 'force-dynamic';

export default withEngine(async function ClassifyPage(engine) {
  // The model's own default prompts (clipdex.json), else CLIP's.
  const defaults = defaultTemplates(engine.model.info);
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
});
