import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { listDatasets } from '@/lib/db';
import { listAdapters, readActiveAdapter } from '@/lib/adapters';
import { formatBytes } from '@/lib/uploads';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { TRAIN_DEFAULTS } from '@/lib/train/defaults';
import { TrainForm } from '@/components/train/train-form';
import { AdapterList } from '@/components/train/adapter-list';
import { manageAdapter, startTraining } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('TrainPage'))('title') };
}
export const dynamic = 'force-dynamic';

export default withEngine(async function TrainPage(engine) {
  const [datasets, adapters, active, session] = await Promise.all([
    listDatasets(engine.db),
    listAdapters(engine.config.dataDir),
    readActiveAdapter(engine.config.dataDir),
    getAdminSession(),
  ]);
  const info = engine.model.info;
  const t = await getTranslations('TrainPage');
  return (
    <div className="stack">
      <h1>{t('heading')}</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        {t('intro', { model: info.name })}
      </p>
      <TrainForm
        action={startTraining}
        datasets={datasets.map((d) => d.name)}
        maxUploadLabel={formatBytes(engine.config.maxUploadBytes)}
        canRun={session.admin}
        defaults={TRAIN_DEFAULTS}
      />
      <section className="stack">
        <h2>{t('adapters')}</h2>
        <p className="small muted" style={{ margin: 0 }}>
          {t('adaptersHelp')}
        </p>
        <AdapterList
          action={manageAdapter}
          canManage={session.admin}
          rows={adapters.map((a) => ({
            name: a.name,
            modelName: a.modelName,
            fitsModel: a.modelId === info.id && a.dim === info.dim,
            active: a.name === active,
            trainPairs: a.training.trainPairs,
            validPairs: a.training.validPairs,
            trainFile: a.training.trainFile,
            baseline: a.training.baseline.mean,
            best: a.training.best.mean,
            bestEpoch: a.training.bestEpoch,
            createdAt: a.createdAt,
          }))}
        />
      </section>
    </div>
  );
});
