import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { defaultTemplates } from '@/lib/eval';
import { ClassifyForm } from '@/components/eval/classify-form';
import { withEngine } from '@/app/_lib/with-engine';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('ClassifyPage'))('title') };
}

export const dynamic = 'force-dynamic';

export default withEngine(async function ClassifyPage(engine) {
  // The model's own default prompts (clipdex.json), else CLIP's.
  const defaults = defaultTemplates(engine.model.info);
  const t = await getTranslations('ClassifyPage');
  return (
    <div className="stack">
      <h1>{t('heading')}</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        {t('intro')}
      </p>
      <ClassifyForm defaultTemplate={defaults.en} defaultTemplateZh={defaults.zh} />
    </div>
  );
});
