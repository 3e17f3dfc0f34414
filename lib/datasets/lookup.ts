import { findDataset, type Db } from '../db';
import { checkDatasetName } from './name';

/**
 * The name of an existing dataset to act on (delete, filter): checked by the one rule, except
 * that a dataset created before the rule existed, under a name the rule now refuses, can still be
 * named exactly (so it can be deleted). Unknown and invalid → the rule's INVALID_INPUT.
 */
export async function resolveDatasetName(db: Db, raw: string): Promise<string> {
  try {
    return checkDatasetName(raw);
  } catch (err) {
    if (raw.length <= 400 && (await findDataset(db, raw))) return raw;
    throw err;
  }
}
