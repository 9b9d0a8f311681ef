/**
 * What a damaged region of a WAL file is, in words and in a stable error code. The native
 * scanner reports why the bytes at an offset are not a valid entry (`WAL_DAMAGE_*`); the
 * reader adds one rule of its own (an LSN that does not increase).
 */
import { type ErrorCode, PermafrostError } from '../errors';
import { native } from '../native';

const n = native();

/** Why bytes are not a valid entry. Values below 100 come from the scanner. */
export const DamageReason = Object.freeze({
  BadMagic: n.WAL_DAMAGE_BAD_MAGIC,
  BadVersion: n.WAL_DAMAGE_BAD_VERSION,
  BadHeaderSize: n.WAL_DAMAGE_BAD_HEADER_SIZE,
  HeaderChecksum: n.WAL_DAMAGE_HEADER_CHECKSUM,
  EntryTooLarge: n.WAL_DAMAGE_ENTRY_TOO_LARGE,
  Truncated: n.WAL_DAMAGE_TRUNCATED,
  DataChecksum: n.WAL_DAMAGE_DATA_CHECKSUM,
  BadLayout: n.WAL_DAMAGE_BAD_LAYOUT,
  UnknownOperation: n.WAL_DAMAGE_UNKNOWN_OPERATION,
  BadTableName: n.WAL_DAMAGE_BAD_TABLE_NAME,
  BadFlags: n.WAL_DAMAGE_BAD_FLAGS,
  BadCompression: n.WAL_DAMAGE_BAD_COMPRESSION,
  ZeroLsn: n.WAL_DAMAGE_ZERO_LSN,
  /** A valid entry whose LSN is not above the LSN of the valid entry before it. */
  LsnRegression: 100,
});

const DESCRIPTIONS = new Map<number, [ErrorCode, string]>([
  [DamageReason.BadMagic, ['ERR_CORRUPT', 'bytes are not a WAL entry (bad "WALE" magic)']],
  [DamageReason.BadVersion, ['ERR_UNSUPPORTED_VERSION', 'WAL entry has a format version other than 2']],
  [DamageReason.BadHeaderSize, ['ERR_CORRUPT', 'WAL entry header size is below 32']],
  [DamageReason.HeaderChecksum, ['ERR_CHECKSUM', 'WAL entry header checksum does not match']],
  [DamageReason.EntryTooLarge, ['ERR_LIMIT', 'WAL entry size exceeds the 64 MiB limit']],
  [DamageReason.Truncated, ['ERR_TRUNCATED', 'WAL entry continues past the end of the file']],
  [DamageReason.DataChecksum, ['ERR_CHECKSUM', 'WAL entry CRC32 does not match its data']],
  [DamageReason.BadLayout, ['ERR_CORRUPT', 'WAL entry fields do not fit its entry size']],
  [DamageReason.UnknownOperation, ['ERR_UNKNOWN_TAG', 'WAL entry has an unknown operation code']],
  [DamageReason.BadTableName, ['ERR_CORRUPT', 'WAL entry table name is not valid UTF-8']],
  [DamageReason.BadFlags, ['ERR_CORRUPT', 'WAL entry flags are inconsistent with its operation']],
  [DamageReason.BadCompression, ['ERR_CORRUPT', 'WAL entry compressed payload declares an impossible size']],
  [DamageReason.ZeroLsn, ['ERR_CORRUPT', 'WAL entry has LSN 0']],
  [DamageReason.LsnRegression, ['ERR_CORRUPT', 'WAL entry LSN does not increase']],
]);

/** The error code and description of a damage reason. */
export function describeDamage(reason: number): { readonly code: ErrorCode; readonly what: string } {
  const [code, what] = DESCRIPTIONS.get(reason) ?? ['ERR_CORRUPT', `WAL damage reason ${reason}`];
  return { code, what };
}

/** A damaged region of a WAL file: bytes that are not valid entries. */
export interface WalDamage {
  readonly file: string;
  /** Offset of the first damaged byte. */
  readonly offset: number;
  /** Bytes up to the next valid entry or the end of the file. */
  readonly lengthBytes: number;
  readonly code: ErrorCode;
  /** Why the first bytes of the region are not an entry. */
  readonly what: string;
  readonly reason: number;
  /** The LSN found in the damaged header, when readable; trustworthy only if `headerVerified`. */
  readonly lsn?: bigint | undefined;
  /** The transaction id found in the damaged data, when readable (never verified). */
  readonly txnId?: bigint | undefined;
  readonly headerVerified: boolean;
  /** True when no valid entry follows it in the last WAL file: a torn tail. */
  readonly atTail: boolean;
}

/** A `PermafrostError` describing `damage`, located in its file. */
export function damageError(damage: WalDamage): PermafrostError {
  const lsn = damage.lsn === undefined ? '' : `, LSN ${damage.lsn}${damage.headerVerified ? '' : ' (unverified)'}`;
  return new PermafrostError(damage.code, `${damage.what} (${damage.lengthBytes} damaged bytes${lsn})`, {
    file: damage.file,
    offset: damage.offset,
  });
}
