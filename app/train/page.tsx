import type { Metadata } from 'next';
import { listDatasets } from '@/lib/db';
import { listAdapters, readActiveAdapter } from '@/lib/adapters';
import { formatBytes } from '@/lib/uploads';
import { getAdminSession } from '@/app/_lib/session';
import { withEngine } from '@/app/_lib/with-engine';
import { TRAIN_DEFAULTS } from '@/lib/train/defaults';
import { TrainForm } from '@/components/train/train-form';
import { AdapterList } from '@/components/train/adapter-list';
import { manageAdapter, startTraining } from './actions';

export const metadata: Metadata = { title: 'Train' };
export const dynamic = 'force-dynamic';

export default withEngine(async function TrainPage(engine) {
  const [datasets, adapters, active, session] = await Promise.all([
    listDatasets(engine.db),
    listAdapters(engine.config.dataDir),
    readActiveAdapter(engine.config.dataDir),
    getAdminSession(),
  ]);
  const info = engine.model.info;
  return (
    <div className="stack">
      <h1>Train an adapter</h1>
      <p className="muted" style={{ marginTop: 0 }}>
        Fits a small adapter over the model ({info.name}) on your own image–text pairs, on the CPU, in seconds to minutes: each tower’s vectors go through a
        learnt residual map (linear, or a small MLP) trained with CLIP’s contrastive loss, and the epoch with the best validation text → image mean recall is kept. The model
        itself is unchanged; nothing is re-embedded. An adapter is used only once you activate it.
      </p>
      <TrainForm
        action={startTraining}
        datasets={datasets.map((d) => d.name)}
        maxUploadLabel={formatBytes(engine.config.maxUploadBytes)}
        canRun={session.admin}
        defaults={TRAIN_DEFAULTS}
      />
      <section className="stack">
        <h2>Adapters</h2>
        <p className="small muted" style={{ margin: 0 }}>
          Activating one re-projects the stored vectors into its own indexes (no image is re-embedded); searches then use it until you deactivate it.
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
