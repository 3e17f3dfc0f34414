/**
 * lib/datasets — what a dataset may be called: one rule (checkDatasetName) for the CLI, the API,
 * the pages and the ingest core, and resolveDatasetName to reach an existing dataset by a name
 * given by a user. (name.ts has no imports beyond lib/errors: a browser bundle may use it alone.)
 */
export { checkDatasetName, isValidDatasetName, MAX_DATASET_NAME_CHARS } from './name';
export { resolveDatasetName } from './lookup';
