'use client';
import { useActionState } from 'react';
import { useTranslations } from 'next-intl';
import type { FormAction } from '@/lib/views/action-result';

export interface AdapterRow {
  name: string;
  modelName: string;
  fitsModel: boolean;
  active: boolean;
  trainPairs: number;
  validPairs: number;
  trainFile: string;
  baseline: number;
  best: number;
  bestEpoch: number;
  createdAt: string;
}

/** The adapters with Activate / Deactivate / Delete; activation re-projects the stored vectors. */
export function AdapterList({ rows, action, canManage }: { rows: AdapterRow[]; action: FormAction<{ message: string }>; canManage: boolean }) {
  const t = useTranslations('Adapters');
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <div className="stack">
      {!rows.length ? <p className="muted">{t('none')}</p> : null}
      <table data-testid="adapter-list" hidden={!rows.length}>
        <thead>
          <tr>
            <th>{t('adapter')}</th>
            <th>{t('trainedOn')}</th>
            <th>{t('validRecall')}</th>
            <th>{t('model')}</th>
            <th>
              <span className="visually-hidden">{t('actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.name} data-testid={`adapter-${a.name}`}>
              <td>
                <strong>{a.name}</strong> {a.active ? <span className="badge done">{t('active')}</span> : null}
              </td>
              <td className="small">
                {t('pairs', { train: a.trainPairs, file: a.trainFile, valid: a.validPairs })}
              </td>
              <td>
                {a.baseline.toFixed(2)} → {a.best.toFixed(2)} <span className="small muted">{t('bestEpoch', { epoch: a.bestEpoch })}</span>
              </td>
              <td className="small">{a.fitsModel ? a.modelName : <span className="alert error">{t('otherModel', { name: a.modelName })}</span>}</td>
              <td>
                <form action={formAction} className="row">
                  <input type="hidden" name="name" value={a.name} />
                  {a.active ? (
                    <button className="btn" name="op" value="deactivate" disabled={pending || !canManage}>
                      {t('deactivate')}
                    </button>
                  ) : (
                    <button className="btn primary" name="op" value="activate" disabled={pending || !canManage || !a.fitsModel}>
                      {t('activate')}
                    </button>
                  )}
                  <button className="btn danger" name="op" value="delete" disabled={pending || !canManage}>
                    {t('delete')}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {state ? (
        <p className={`alert ${state.ok ? "ok" : "error"}`} role={state.ok ? 'status' : 'alert'} data-testid="adapter-message">
          {state.ok ? state.data.message : state.error.message}
        </p>
      ) : null}
    </div>
  );
}
