/**
 * lib/keyword — the keyword index (issue 11): one document per image (captions, text found in it,
 * file name) in the database clipdex already uses, FTS5 trigram on SQLite and pg_trgm on
 * PostgreSQL (migration 0002_keyword). `syncKeywordDocs` keeps it in step; `keywordSearch` asks it.
 */
export { syncKeywordDocs, rebuildKeywordDocs } from './sync';
export { keywordSearch, usableTerms, type KeywordQuery, type KeywordHit } from './search';
export { scoreDoc, type KeywordField, type KeywordTerm } from './score';
