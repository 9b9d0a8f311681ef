/**
 * The one error class of permafrost. Every failure carries a stable `code` (listed below and
 * in the README), a message that says what went wrong and where (file, byte offset), and the
 * underlying error as `cause` when there is one. Codes never change within a major version;
 * messages may.
 */

/** Every code a `PermafrostError` can carry, with its meaning. */
export const ERROR_CODES = {
  ERR_TRUNCATED: 'the bytes end before a field they declare is complete',
  ERR_CORRUPT: 'the bytes are structurally invalid (bad magic, inconsistent lengths, invalid UTF-8, malformed LZ4)',
  ERR_CHECKSUM: 'a stored CRC32 does not match the bytes it covers',
  ERR_UNKNOWN_TAG: 'a type tag, operation code or enum byte has a value this version does not know',
  ERR_UNSUPPORTED_VERSION: 'a file declares a format version this build does not read',
  ERR_LIMIT: 'a declared size or count exceeds a hard limit or the bytes that remain',
  ERR_INVALID_ARGUMENT: 'the caller passed a value the function cannot accept',
  ERR_INVALID_NAME: 'a table name cannot be used as a directory name',
  ERR_LOCKED: 'another handle or process holds the database directory',
  ERR_CLOSED: 'the handle was closed',
  ERR_POISONED: 'an earlier write or fsync failed; the handle refuses writes until reopened',
  ERR_IO: 'the operating system reported an I/O error (see `cause`)',
  ERR_NOT_FOUND: 'a file, table or row that must exist does not',
  ERR_CONSTRAINT: 'a write breaks a rule of the data: a row id or table that already exists',
  ERR_CONFLICT: 'a concurrent transaction committed a change to the same row first; retry the transaction',
  ERR_NATIVE_BINDING: 'the native addon could not be loaded or does not match this package',
  ERR_INTERNAL: 'a bug in permafrost (a Rust panic or a broken invariant); please report it',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where an error happened, and what caused it. */
export interface ErrorLocation {
  /** The file the bytes came from, when known. */
  readonly file?: string | undefined;
  /** Byte offset of the offending field, counted from the start of `file` (or of the input). */
  readonly offset?: number | undefined;
  /** The error this one wraps. */
  readonly cause?: unknown;
}

function describe(what: string, file: string | undefined, offset: number | undefined): string {
  if (file !== undefined && offset !== undefined) return `${what} (${file}, offset ${offset})`;
  if (file !== undefined) return `${what} (${file})`;
  if (offset !== undefined) return `${what} (offset ${offset})`;
  return what;
}

export class PermafrostError extends Error {
  override readonly name = 'PermafrostError';
  readonly code: ErrorCode;
  /** What went wrong, without the location suffix. */
  readonly what: string;
  readonly file: string | undefined;
  readonly offset: number | undefined;

  constructor(code: ErrorCode, what: string, location: ErrorLocation = {}) {
    super(describe(what, location.file, location.offset), location.cause === undefined ? undefined : { cause: location.cause });
    this.code = code;
    this.what = what;
    this.file = location.file;
    this.offset = location.offset;
  }

  /**
   * The same error placed in a file: `baseOffset` (where the decoded bytes started in that
   * file) is added to this error's offset. Used by readers that decode slices of a file.
   */
  locate(file: string | undefined, baseOffset = 0): PermafrostError {
    const offset = this.offset === undefined ? (baseOffset === 0 ? undefined : baseOffset) : this.offset + baseOffset;
    return new PermafrostError(this.code, this.what, { file: file ?? this.file, offset, cause: this.cause });
  }
}

/** True when `value` is a `PermafrostError`, optionally with the given code. */
export function isPermafrostError(value: unknown, code?: ErrorCode): value is PermafrostError {
  return value instanceof PermafrostError && (code === undefined || value.code === code);
}

/** Wraps an operating-system error (`errno` style) from `node:fs`. */
export function ioError(what: string, cause: unknown, file?: string): PermafrostError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new PermafrostError('ERR_IO', `${what}${detail}`, { file, cause });
}
