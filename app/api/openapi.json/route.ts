import { json, route } from '@/app/api/_lib/http';
import { openApiDocument } from '@/app/api/_lib/openapi';

export const dynamic = 'force-dynamic';

/** GET /api/openapi.json — the API's OpenAPI 3.1 document, generated from the routes' zod schemas. */
export const GET = route({}, async () => json(openApiDocument()));
