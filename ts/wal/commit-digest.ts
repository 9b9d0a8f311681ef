/**
 * The payload permafrost puts in a transaction's Commit entry (stoolap writes an empty one
 * and never reads it), so recovery can prove a committed transaction is complete:
 *
 * | offset | size | field                                                          |
 * |--------|------|----------------------------------------------------------------|
 * | 0      | 4    | tag, bytes "PFTX"                                              |
 * | 4      | 4    | `u32` entries of the transaction logged before this marker     |
 * | 8      | 8    | `u64` LSN of the first of them (0 when there are none)          |
 * | 16     | 8    | `u64` LSN of the last of them (0 when there are none)           |
 *
 * A transaction is applied only when the valid entries found for it match its digest. Any
 * damaged entry of it — wherever the damage is, even in its transaction id — makes the count
 * disagree, so the transaction is dropped and reported rather than applied in part. For DDL
 * (txn −2) a digest covers the DDL entries since the previous Commit(−2), i.e. its own entry.
 * A Commit entry without this payload (written by stoolap) falls back to stoolap's rule.
 */
const TAG = Uint8Array.of(0x50, 0x46, 0x54, 0x58);
export const COMMIT_DIGEST_BYTES = 24;

export interface CommitDigest {
  readonly entryCount: number;
  readonly firstLsn: bigint;
  readonly lastLsn: bigint;
}

export function encodeCommitDigest(digest: CommitDigest): Buffer {
  const out = Buffer.alloc(COMMIT_DIGEST_BYTES);
  out.set(TAG, 0);
  out.writeUInt32LE(digest.entryCount, 4);
  out.writeBigUInt64LE(digest.firstLsn, 8);
  out.writeBigUInt64LE(digest.lastLsn, 16);
  return out;
}

/** The digest in a Commit entry's payload, or undefined when it carries none. */
export function decodeCommitDigest(payload: Uint8Array): CommitDigest | undefined {
  if (payload.length !== COMMIT_DIGEST_BYTES) return undefined;
  for (let index = 0; index < TAG.length; index += 1) if (payload[index] !== TAG[index]) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { entryCount: view.getUint32(4, true), firstLsn: view.getBigUint64(8, true), lastLsn: view.getBigUint64(16, true) };
}
