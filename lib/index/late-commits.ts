/**
 * Labels that may still appear below the catch-up's high-water mark. On PostgreSQL an id is taken
 * when a row is inserted, not when its transaction commits: with two workers committing at once,
 * ids 201-300 can become visible after 301-400, and a catch-up that only reads "above the highest
 * id seen" would skip them until the next full check (30 s). So every id inside a range the
 * catch-up read but did not see is remembered for TTL_MS (longer than an ingest transaction may
 * last) and looked up again at each catch-up; ids of other models, of deleted or rolled-back rows
 * simply expire. A range with too many holes to track (another model's backlog) asks for the full check instead.
 */
export const LATE_COMMIT_TTL_MS = 150_000; // commitBatch's transaction timeout is 120 s
export const MAX_TRACKED = 20_000;

export class LateCommits {
  /** label → when it was first found missing (ms). */
  private readonly holes = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.holes.size;
  }

  /**
   * After reading the rows with after < id ≤ upTo: remember the ids of that range not among
   * `seen`. Returns false when there were too many to track (the caller runs the full check).
   */
  recordRange(after: number, upTo: number, seen: Set<number>): boolean {
    const holes = upTo - after - seen.size;
    if (holes <= 0) return true;
    if (holes + this.holes.size > MAX_TRACKED) return false;
    const t = this.now();
    for (let id = after + 1; id <= upTo; id++) if (!seen.has(id) && !this.holes.has(id)) this.holes.set(id, t);
    return true;
  }

  /** The ids to look up again (expired ones are dropped first). */
  pending(): number[] {
    const cutoff = this.now() - LATE_COMMIT_TTL_MS;
    for (const [id, t] of this.holes) if (t < cutoff) this.holes.delete(id);
    return [...this.holes.keys()];
  }

  /** These appeared (or are in the index already): stop looking for them. */
  found(ids: Iterable<number>): void {
    for (const id of ids) this.holes.delete(id);
  }
}
