import { AppError } from '@/lib/errors';
import { discardStagedUpload } from '@/lib/staged-uploads';
import { json, route } from '@/app/api/_lib/http';
import { uploadIdParams } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/** DELETE /api/uploads/:id → { discarded: id }: drop a staged upload that will not be used. */
export const DELETE = route({ admin: true, params: uploadIdParams }, async ({ engine, params }) => {
  if (!(await discardStagedUpload(engine.config.dataDir, params.id))) {
    throw new AppError('NOT_FOUND', `no staged upload ${params.id.slice(0, 60)} (already used, or expired after an hour)`);
  }
  return json({ discarded: params.id });
});
