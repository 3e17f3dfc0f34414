/**
 * One error type for the whole core. Each code maps to an HTTP status and a CLI exit code in one
 * place, so the web app and the CLI report the same failure the same way.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'MODEL_MISSING'
  | 'MODEL_INVALID'
  | 'INDEX_DIM_MISMATCH'
  | 'UNAUTHORIZED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_FORMAT'
  | 'CONFLICT'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  MODEL_MISSING: 503,
  MODEL_INVALID: 503,
  INDEX_DIM_MISMATCH: 503,
  UNAUTHORIZED: 401,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_FORMAT: 415,
  CONFLICT: 409,
  CONFIG_INVALID: 503,
  INTERNAL: 500,
};

/** CLI exit codes: 1 = nothing done / general, 2 = usage or bad input, 3 = model/index setup. */
const EXIT_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: 2,
  NOT_FOUND: 2,
  MODEL_MISSING: 3,
  MODEL_INVALID: 3,
  INDEX_DIM_MISMATCH: 3,
  UNAUTHORIZED: 2,
  PAYLOAD_TOO_LARGE: 2,
  UNSUPPORTED_FORMAT: 2,
  CONFLICT: 1,
  CONFIG_INVALID: 2,
  INTERNAL: 1,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/**
 * A full disk, as Node reports it (ENOSPC) or as SQLite does (SQLITE_FULL, "database or disk is
 * full"), anywhere in the error's causes.
 */
export function isDiskFull(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.code === 'ENOSPC' || e.code === 'SQLITE_FULL') return true;
    if (typeof e.message === 'string' && /ENOSPC|no space left on device|database or disk is full/i.test(e.message)) return true;
  }
  return false;
}

export function toHttpStatus(err: unknown): number {
  if (isAppError(err)) return err.status;
  return isDiskFull(err) ? 507 : 500;
}

export function toExitCode(err: unknown): number {
  return isAppError(err) ? EXIT_CODE[err.code] : 1;
}

/** A message safe to show a user: AppError messages as they are, others generic plus the cause. */
export function describeError(err: unknown): string {
  if (isAppError(err)) return err.message;
  if (isDiskFull(err)) {
    // Prisma's messages open with the call ("Invalid `tx.image.create()` invocation:") and end with the cause.
    const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
    const detail = lines.at(-1) ?? 'no space left';
    return `the disk that holds clipdex's data is full (${detail}). What was saved before is kept: free some space on it (or move the data directory to a larger disk and point CLIPDEX_DATA_DIR there) and run the same command again.`;
  }
  if (err instanceof Error) return `internal error: ${err.message}`;
  return `internal error: ${String(err)}`;
}
