import type { Metadata } from 'next';
import { DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_ZH } from '@/lib/eval';
import { ClassifyForm } from '@/components/eval/classify-form';

export const metadata: Metadata = { title: 'Classify' };

export default function ClassifyPage() {
  return (
    <div className="stack">
      <h1>Zero-shot classification</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        Give an image and a few labels: each label is put into a prompt, and the probabilities are the softmax of the model’s logit scale times the
        cosine similarity between the image and each prompt — no training needed.
      </p>
      <ClassifyForm defaultTemplate={DEFAULT_TEMPLATE} defaultTemplateZh={DEFAULT_TEMPLATE_ZH} />
    </div>
  );
}
