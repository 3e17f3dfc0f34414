import { json, route } from '@/app/api/_lib/http';
import { openApiDocument } from '@/app/api/_lib/openapi';

export const dynamic = 'force-dynamic';

/**
 * GET /api/openapi.json — the API's OpenAPI 3.1 document, generated from the routes' zod schemas.
 * It needs no engine, so it is served even while the engine cannot open (a missing model).
 */
export const GET = route({ engine: false }, async () => json(openApiDocument()));
