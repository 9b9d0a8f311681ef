/**
 * A table's hot rows (committed since the last seal): rows written one by one, kept as
 * `Value[]` by row id, plus row batches committed by `insertColumns`, kept as columns
 * (row-batch.ts). Reads see one map-like collection; a batch row is materialised only when
 * read.
 *
 * Invariants: batches are ordered by first row id and their id ranges are disjoint (a batch
 * only takes ids above every id the table has seen). A row id is held by at most one of
 * {a visible batch row, the map}: writing a row a batch holds hides it there first.
 */
import type { Value } from '../codec/values';
import type { RowBatch } from './row-batch';

/** A single hot row, or the visible rows `[start, end)` of a batch (see `HotRows.pieces`). */
export type HotPiece = { readonly rowId: bigint; readonly values: Value[] } | { readonly batch: RowBatch; readonly start: number; readonly end: number };

export class HotRows implements Iterable<[bigint, Value[]]> {
  readonly #rows = new Map<bigint, Value[]>();
  readonly #batches: RowBatch[] = [];
  #batchRows = 0;

  /** Visible rows. */
  get size(): number {
    return this.#rows.size + this.#batchRows;
  }

  /** The committed batches, oldest first (read-only: use the methods to change rows). */
  get batches(): readonly RowBatch[] {
    return this.#batches;
  }

  /** Rows kept one by one (not in a batch). */
  get singleRows(): ReadonlyMap<bigint, Value[]> {
    return this.#rows;
  }

  /** The batch holding visible row `rowId`, and its position. */
  #locate(rowId: bigint): { batch: RowBatch; index: number } | undefined {
    const batches = this.#batches;
    let low = 0;
    let high = batches.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const batch = batches[middle]!;
      if (rowId < batch.firstId) high = middle - 1;
      else if (rowId > batch.lastId) low = middle + 1;
      else {
        const index = batch.indexOf(rowId);
        return index < 0 ? undefined : { batch, index };
      }
    }
    return undefined;
  }

  has(rowId: bigint): boolean {
    return this.#rows.has(rowId) || (this.#batches.length > 0 && this.#locate(rowId) !== undefined);
  }

  get(rowId: bigint): Value[] | undefined {
    const row = this.#rows.get(rowId);
    if (row !== undefined || this.#batches.length === 0) return row;
    const found = this.#locate(rowId);
    return found === undefined ? undefined : found.batch.values(found.index);
  }

  set(rowId: bigint, values: Value[]): void {
    if (this.#batches.length > 0) this.#hide(rowId);
    this.#rows.set(rowId, values);
  }

  delete(rowId: bigint): boolean {
    const deleted = this.#rows.delete(rowId);
    return (this.#batches.length > 0 && this.#hide(rowId)) || deleted;
  }

  #hide(rowId: bigint): boolean {
    const found = this.#locate(rowId);
    if (found === undefined) return false;
    found.batch.hide(found.index);
    this.#batchRows -= 1;
    return true;
  }

  /** Adds a committed batch; its ids must lie above every id this collection holds. */
  addBatch(batch: RowBatch): void {
    // Batches take fresh ids, so this is an append; the search only guards the order invariant.
    let at = this.#batches.length;
    while (at > 0 && this.#batches[at - 1]!.firstId > batch.firstId) at -= 1;
    this.#batches.splice(at, 0, batch);
    this.#batchRows += batch.liveCount;
  }

  clear(): void {
    this.#rows.clear();
    this.#batches.length = 0;
    this.#batchRows = 0;
  }

  /** Moves every batch row into the map (before changes that rewrite rows, e.g. ALTER). */
  flatten(): void {
    const batches = this.#batches.splice(0);
    this.#batchRows = 0;
    for (const batch of batches) for (const [rowId, values] of batch.entries()) this.#rows.set(rowId, values);
  }

  /**
   * Every visible row in ascending row-id order, as pieces: single rows, and runs of
   * consecutive visible rows of one batch (`[start, end)` positions) — so sealing can hand
   * runs to the volume builder as columns.
   */
  *pieces(): Generator<HotPiece> {
    const singles = [...this.#rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let next = 0;
    const single = (rowId: bigint): HotPiece => ({ rowId, values: this.#rows.get(rowId)! });
    for (const batch of this.#batches) {
      let start = -1;
      for (let index = 0; index < batch.length; index += 1) {
        const rowId = batch.rowIds[index]!;
        const interleaved = next < singles.length && singles[next]! < rowId;
        if (start >= 0 && (interleaved || batch.isHidden(index))) {
          yield { batch, start, end: index };
          start = -1;
        }
        while (next < singles.length && singles[next]! < rowId) yield single(singles[next++]!);
        if (start < 0 && !batch.isHidden(index)) start = index;
      }
      if (start >= 0) yield { batch, start, end: batch.length };
    }
    while (next < singles.length) yield single(singles[next++]!);
  }

  *keys(): Generator<bigint> {
    yield* this.#rows.keys();
    for (const batch of this.#batches) {
      for (let index = 0; index < batch.length; index += 1) if (!batch.isHidden(index)) yield batch.rowIds[index]!;
    }
  }

  *values(): Generator<Value[]> {
    for (const [, values] of this) yield values;
  }

  /** Map rows first, then batch rows in id order. Safe against `set` of the row just yielded. */
  *[Symbol.iterator](): Generator<[bigint, Value[]]> {
    yield* [...this.#rows];
    for (const batch of [...this.#batches]) yield* batch.entries();
  }
}
