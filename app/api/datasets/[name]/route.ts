import { getEngine } from '@/lib/engine';
import { deleteDataset } from '@/lib/ingest';
import { assertAdminRequest } from '@/app/_lib/session';
import { handle, json } from '@/app/api/_lib/http';

export const dynamic = 'force-dynamic';

/** DELETE /api/datasets/:name → { deleted: { name, images, texts } } (admin token when configured). */
export async function DELETE(req: Request, ctx: { params: Promise<{ name: string }> }) {
  return handle(async () => {
    assertAdminRequest(req);
    const { name } = await ctx.params;
    const engine = await getEngine();
    const gone = await deleteDataset(engine, decodeURIComponent(name));
    return json({ deleted: { name: gone.name, images: gone.images, texts: gone.texts } });
  });
}
