/**
 * Phase 1 of recovery: reads the scan index of every WAL file (in replay order) and decides,
 * without any I/O, which transactions are committed, which bytes are damaged, and whether
 * the last file ends in a torn tail. Phase 2 (`replay.ts`) only follows these decisions.
 *
 * Decision rules (deviations from stoolap are marked ✱, see docs/wal.md):
 * 1. Only valid entries count (scanner rule: magic, sizes, header checksum, CRC, fields).
 *    ✱ stoolap's analysis trusts the flags and first 8 bytes of unverified entries.
 * 2. ✱ A valid entry whose LSN is not above the previous valid LSN is rejected as damage
 *    (except the entry right after a truncation marker, which stoolap gives the marker's LSN).
 * 3. A transaction is committed iff it has a valid Commit entry (operation Commit, txn ≠ −1000)
 *    and, ✱ when that entry carries a permafrost digest, the valid entries found for the
 *    transaction match it (`commit-digest.ts`). A mismatch drops the transaction: reported,
 *    never applied in part. A digest whose entries lie below the oldest retained LSN (removed
 *    by truncation) is checked on the part that remains.
 * 4. ✱ A Commit covers the entries of its transaction since that transaction's previous
 *    Commit or Rollback; for DDL (txn −2), only its own DDL entry.
 * 5. Commit entries without a digest (stoolap's) follow stoolap's rule; ✱ in addition such a
 *    transaction is dropped (and reported) when a damaged entry names it.
 * 6. Damage followed by a valid entry, or damage in a file that is not the last, is reported
 *    corruption; damage that runs to the end of the last file is a torn tail, which the opener
 *    cuts off ✱ (stoolap appends after it).
 *
 * (Over the 300-line budget: the decision rules are one state machine over the index.)
 */
import { decodeCommitDigest, type CommitDigest } from './commit-digest';
import { type ScanBatch } from './scan-batch';
import { DDL_TXN_ID, IndexLayout, MARKER_TXN_ID, WalFlag, WalOperation } from './wal-constants';
import { DamageReason, describeDamage, type WalDamage } from './wal-damage';

// Read per entry: module-local copies (see scan-batch.ts).
const OP_COMMIT = WalOperation.Commit;
const OP_ROLLBACK = WalOperation.Rollback;
const FLAG_COMPRESSED = WalFlag.Compressed;

/** A key that identifies a transaction id or LSN in maps: a number when exact, else a bigint. */
export type NumericKey = number | bigint;

export function keyOf(value: bigint): NumericKey {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

const DDL_KEY = keyOf(DDL_TXN_ID);
const MARKER_KEY = keyOf(MARKER_TXN_ID);

export interface WalFileInfo {
  readonly name: string;
  readonly sizeBytes: number;
}

export interface WalFileSummary extends WalFileInfo {
  readonly entryCount: number;
  /** End of the last valid entry. */
  readonly validEndBytes: number;
  readonly firstLsn: bigint | undefined;
  readonly lastLsn: bigint | undefined;
}

export interface DroppedTransaction {
  readonly txnId: bigint;
  readonly commitLsn: bigint;
  readonly reason: string;
}

interface Scope {
  entries: number;
  first: NumericKey | undefined;
  last: NumericKey | undefined;
  /** DDL only: the LSN keys of the entries in the scope. */
  lsns: NumericKey[] | undefined;
}

interface OpenRegion {
  offset: number;
  reason: number;
  lsn: bigint | undefined;
  txnId: bigint | undefined;
  headerVerified: boolean;
  hasValidEntries: boolean;
}

const newScope = (ddl = false): Scope => ({ entries: 0, first: undefined, last: undefined, lsns: ddl ? [] : undefined });

/** Checks a digest against the entries found (rule 3). */
function digestMatches(scope: Scope, digest: CommitDigest, oldestRetainedLsn: bigint): boolean {
  const first = keyOf(digest.firstLsn);
  const last = keyOf(digest.lastLsn);
  if (digest.entryCount === 0) return scope.entries === 0;
  if (digest.lastLsn <= oldestRetainedLsn) return scope.entries === 0;
  if (digest.firstLsn <= oldestRetainedLsn) return scope.entries >= 1 && scope.entries <= digest.entryCount && scope.last === last;
  return scope.entries === digest.entryCount && scope.first === first && scope.last === last;
}

/** The outcome of phase 1. */
export class WalAnalysis {
  constructor(
    readonly files: readonly WalFileSummary[],
    readonly damage: readonly WalDamage[],
    readonly droppedTransactions: readonly DroppedTransaction[],
    readonly lastLsn: bigint,
    readonly maxTxnId: bigint,
    readonly inDoubtTransactions: number,
    readonly abortedTransactions: ReadonlySet<NumericKey>,
    /**
     * Committed user transactions → flat [first LSN, commit LSN, ...] ranges: the entries a
     * commit covers are those of its transaction since the transaction's previous Commit or
     * Rollback (so a reused id never drags another instance's entries in).
     */
    readonly committedRanges: ReadonlyMap<NumericKey, readonly NumericKey[]>,
    /** LSN keys of committed DDL entries and of their Commit(−2) entries. */
    readonly committedDdl: ReadonlySet<NumericKey>,
    /** Per file: offsets of valid entries rejected by rule 2. */
    readonly rejected: ReadonlyMap<string, ReadonlySet<number>>,
  ) {}

  /**
   * The scan batches phase 1 read, kept (for WALs up to a size limit) so the first replay
   * after open does not read and scan the files again. Released by `releaseBatches`.
   */
  batches: ReadonlyMap<string, readonly ScanBatch[]> | undefined;

  releaseBatches(): void {
    this.batches = undefined;
  }

  /** True when the entry `lsnKey` of user transaction `txnKey` lies in a committed range. */
  isCommitted(txnKey: NumericKey, lsnKey: NumericKey): boolean {
    const ranges = this.committedRanges.get(txnKey);
    if (ranges === undefined) return false;
    for (let k = 0; k < ranges.length; k += 2) if (lsnKey >= ranges[k]! && lsnKey <= ranges[k + 1]!) return true;
    return false;
  }

  /** The torn tail of the last file, if any (cut off at open). */
  get tornTail(): WalDamage | undefined {
    return this.damage.find((region) => region.atTail);
  }

  /** Damage other than a torn tail: corruption, reported. */
  get corruption(): readonly WalDamage[] {
    return this.damage.filter((region) => !region.atTail);
  }
}

export interface AnalyzerOptions {
  /** Entries with an LSN at or below this were removed by truncation (the first file's `<N>`). */
  readonly oldestRetainedLsn: bigint;
}

export class WalAnalyzer {
  readonly #oldestRetainedLsn: bigint;
  readonly #files: WalFileSummary[] = [];
  readonly #damage: WalDamage[] = [];
  readonly #dropped: DroppedTransaction[] = [];
  readonly #scopes = new Map<NumericKey, Scope>();
  readonly #committedRanges = new Map<NumericKey, NumericKey[]>();
  /** Latest commit LSN of each committed transaction (for reports). */
  readonly #commitLsns = new Map<NumericKey, bigint>();
  readonly #digestless = new Set<NumericKey>();
  readonly #aborted = new Set<NumericKey>();
  readonly #committedDdl = new Set<NumericKey>();
  readonly #rejected = new Map<string, Set<number>>();
  readonly #damagedTxns = new Set<NumericKey>();
  #ddlScope = newScope(true);
  #lastLsn: NumericKey = 0;
  #lastWasMarker = false;
  #maxTxnId = 0n;
  #maxTxnNumber = 0;
  // The file being read.
  #file: WalFileInfo | undefined;
  #isLastFile = false;
  #entryCount = 0;
  #validEnd = 0;
  #firstLsn: NumericKey | undefined;
  #fileLastLsn: NumericKey | undefined;
  #region: OpenRegion | undefined;

  constructor(options: AnalyzerOptions) {
    this.#oldestRetainedLsn = options.oldestRetainedLsn;
  }

  beginFile(file: WalFileInfo, isLast: boolean): void {
    this.#file = file;
    this.#isLastFile = isLast;
    this.#entryCount = 0;
    this.#validEnd = 0;
    this.#firstLsn = undefined;
    this.#fileLastLsn = undefined;
    this.#region = undefined;
  }

  #closeRegion(end: number, atEnd: boolean): void {
    const region = this.#region;
    if (region === undefined) return;
    this.#region = undefined;
    const { code, what } = describeDamage(region.reason);
    const atTail = atEnd && this.#isLastFile && !region.hasValidEntries;
    this.#damage.push({
      file: this.#file!.name,
      offset: region.offset,
      lengthBytes: end - region.offset,
      code,
      what,
      reason: region.reason,
      lsn: region.lsn,
      txnId: region.txnId,
      headerVerified: region.headerVerified,
      atTail,
    });
    if (region.txnId !== undefined) this.#damagedTxns.add(keyOf(region.txnId));
  }

  #openRegion(batch: ScanBatch, i: number, reason: number, validEntry: boolean): void {
    if (this.#region !== undefined) {
      this.#region.hasValidEntries ||= validEntry;
      return;
    }
    const present = batch.present(i);
    this.#region = {
      offset: batch.offset(i),
      reason,
      lsn: (present & IndexLayout.hasHeader) !== 0 ? batch.lsn(i) : undefined,
      txnId: (present & IndexLayout.hasTxn) !== 0 ? batch.txnId(i) : undefined,
      headerVerified: (present & IndexLayout.headerVerified) !== 0,
      hasValidEntries: validEntry,
    };
  }

  /** Rule 2: true when the entry's LSN does not increase. */
  #regresses(batch: ScanBatch, i: number, lsnKey: NumericKey): boolean {
    if (lsnKey > this.#lastLsn) return false;
    return !(lsnKey === this.#lastLsn && this.#lastWasMarker && batch.txnId(i) !== MARKER_TXN_ID);
  }

  addBatch(batch: ScanBatch): void {
    for (let i = 0; i < batch.count; i += 1) {
      if (!batch.isEntry(i)) {
        this.#openRegion(batch, i, batch.reason(i), false);
        continue;
      }
      const lsnNumber = batch.lsnNumber(i);
      const lsnKey = Number.isNaN(lsnNumber) ? batch.lsn(i) : lsnNumber;
      if (this.#regresses(batch, i, lsnKey)) {
        this.#openRegion(batch, i, DamageReason.LsnRegression, true);
        let offsets = this.#rejected.get(this.#file!.name);
        if (offsets === undefined) this.#rejected.set(this.#file!.name, (offsets = new Set()));
        offsets.add(batch.offset(i));
        continue;
      }
      this.#closeRegion(batch.offset(i), false);
      this.#acceptEntry(batch, i, lsnKey);
    }
  }

  #acceptEntry(batch: ScanBatch, i: number, lsnKey: NumericKey): void {
    this.#entryCount += 1;
    this.#validEnd = batch.offset(i) + batch.entryBytes(i);
    this.#firstLsn ??= lsnKey;
    this.#fileLastLsn = lsnKey;
    this.#lastLsn = lsnKey;
    const txnNumber = batch.txnIdNumber(i);
    const txnKey: NumericKey = Number.isNaN(txnNumber) ? batch.txnId(i) : txnNumber;
    this.#lastWasMarker = txnKey === MARKER_KEY;
    if (this.#lastWasMarker) return;
    if (typeof txnKey === 'number') {
      if (txnKey > this.#maxTxnNumber) this.#maxTxnNumber = txnKey;
    } else if (txnKey > this.#maxTxnId) this.#maxTxnId = txnKey;
    const operation = batch.operation(i);
    if (operation === OP_COMMIT) this.#onCommit(batch, i, txnKey, lsnKey);
    else if (operation === OP_ROLLBACK) {
      this.#aborted.add(txnKey);
      if (txnKey !== DDL_KEY) this.#scopes.delete(txnKey);
    } else {
      const scope = txnKey === DDL_KEY ? this.#ddlScope : this.#scopeOf(txnKey);
      scope.entries += 1;
      scope.first ??= lsnKey;
      scope.last = lsnKey;
      scope.lsns?.push(lsnKey);
    }
  }

  #scopeOf(txnKey: NumericKey): Scope {
    let scope = this.#scopes.get(txnKey);
    if (scope === undefined) this.#scopes.set(txnKey, (scope = newScope()));
    return scope;
  }

  #onCommit(batch: ScanBatch, i: number, txnKey: NumericKey, lsnKey: NumericKey): void {
    const lsn = typeof lsnKey === 'bigint' ? lsnKey : BigInt(lsnKey);
    const isDdl = txnKey === DDL_KEY;
    const digest = batch.flags(i) & FLAG_COMPRESSED ? undefined : decodeCommitDigest(batch.storedPayload(i));
    let scope = isDdl ? this.#ddlScope : this.#scopeOf(txnKey);
    if (isDdl && digest !== undefined) {
      // A Commit(−2) with a digest commits only its own DDL entries: earlier ones whose own
      // commit was lost stay uncommitted instead of failing this one.
      const members = scope.lsns!.filter((key) => key >= keyOf(digest.firstLsn));
      scope = { entries: members.length, first: members[0], last: members[members.length - 1], lsns: members };
    }
    if (digest !== undefined && !digestMatches(scope, digest, this.#oldestRetainedLsn)) {
      const found = `${scope.entries} valid entr${scope.entries === 1 ? 'y' : 'ies'}`;
      this.#dropped.push({
        txnId: batch.txnId(i),
        commitLsn: lsn,
        reason: `its commit records ${digest.entryCount} entries (LSN ${digest.firstLsn}..${digest.lastLsn}) but ${found} were found`,
      });
    } else if (isDdl) {
      for (const key of scope.lsns!) this.#committedDdl.add(key);
      this.#committedDdl.add(lsnKey);
    } else {
      let ranges = this.#committedRanges.get(txnKey);
      if (ranges === undefined) this.#committedRanges.set(txnKey, (ranges = []));
      ranges.push(scope.first ?? lsnKey, lsnKey);
      this.#commitLsns.set(txnKey, lsn);
      if (digest === undefined) this.#digestless.add(txnKey);
    }
    if (isDdl) this.#ddlScope = newScope(true);
    else this.#scopes.delete(txnKey);
  }

  endFile(): void {
    const file = this.#file!;
    this.#closeRegion(file.sizeBytes, true);
    const asBigint = (key: NumericKey | undefined) => (key === undefined ? undefined : BigInt(key));
    this.#files.push({
      ...file,
      entryCount: this.#entryCount,
      validEndBytes: this.#validEnd,
      firstLsn: asBigint(this.#firstLsn),
      lastLsn: asBigint(this.#fileLastLsn),
    });
    this.#file = undefined;
  }

  finish(): WalAnalysis {
    // Rule 5: stoolap-written commits named by a damaged entry are dropped.
    for (const key of this.#damagedTxns) {
      if (!this.#digestless.has(key)) continue;
      const commitLsn = this.#commitLsns.get(key)!;
      this.#committedRanges.delete(key);
      this.#commitLsns.delete(key);
      this.#dropped.push({ txnId: BigInt(key), commitLsn, reason: 'a damaged entry names it and its commit carries no digest' });
    }
    // Scopes still open hold entries after their transaction's last Commit or Rollback.
    let inDoubt = 0;
    for (const scope of this.#scopes.values()) if (scope.entries > 0) inDoubt += 1;
    const maxTxnId = BigInt(this.#maxTxnNumber) > this.#maxTxnId ? BigInt(this.#maxTxnNumber) : this.#maxTxnId;
    return new WalAnalysis(
      this.#files,
      this.#damage,
      this.#dropped,
      typeof this.#lastLsn === 'bigint' ? this.#lastLsn : BigInt(this.#lastLsn),
      maxTxnId,
      inDoubt,
      this.#aborted,
      this.#committedRanges,
      this.#committedDdl,
      this.#rejected,
    );
  }
}
