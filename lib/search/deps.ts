import type { Engine } from '../engine';

/** What a search needs of the engine. */
export type SearchDeps = Pick<Engine, 'db' | 'model' | 'indexes'>;
