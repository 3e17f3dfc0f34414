/**
 * The largest result window (offset + k) one search may ask for. In its own module, free of
 * imports, so the CLI can build its option parsers without loading the database and the model.
 */
export const MAX_WINDOW = 1000;
