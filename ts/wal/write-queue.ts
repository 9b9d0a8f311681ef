/**
 * The ordered path from staged drafts to the file: everything the writer hands to the OS goes
 * through here, in LSN order.
 *
 * - A full staging buffer is sealed on the libuv pool (`walSealDraftsAsync`) while appends
 *   continue into another buffer (`sealInBackground`).
 * - A columnar batch's rows are drafted and sealed on the pool in one call per chunk
 *   (`walDraftSealRowsAsync`, `draftRowsInBackground`), into buffers recycled after writing.
 * - A file switch (rotation) queues behind batches still being sealed, so every entry lands in
 *   the file its LSN belongs to (`switchTo`).
 * - `drain` writes, in order, everything staged or queued when it was called — later appends
 *   go to a later drain, so a busy producer cannot starve a durability round.
 * - A group-commit round writes only what its oldest waiter needs plus whatever is already
 *   sealed behind it, and learns the LSN it covered: it can fsync while later batches are
 *   still being drafted. `writeReadyNow` does it at once when nothing needed is still sealing
 *   (so the round's fsync starts in the same tick); `drainReady` waits for what is.
 * - With nothing in flight, `flush` seals in place and writes at once (the common commit path).
 *
 * Every queued batch knows the LSN of its last entry, so the queue can say which LSN the bytes
 * handed to the OS reach (a round's answer): everything up to it is written.
 *
 * A crash loses whatever is still queued or staged: none of it was acknowledged. A write
 * failure is reported through the sink (which poisons the writer); the queue is then cleared.
 */
import { PermafrostError } from '../errors';
import { callNative, callNativeAsync } from '../native';
import { rowsHeader, type DraftBuffer, type RowsDraft } from './draft-buffer';

/**
 * Written buffers kept for reuse: enough for the chunks of the commits in flight. A fresh
 * buffer of this size is an mmap, page faults on first touch and external memory that drives
 * V8's GC, so reuse matters more than the bytes held.
 */
const MAX_SPARE_BUFFERS = 16;
const MIN_BUFFER_BYTES = 64 * 1024;
/** Staged drafts up to this size are sealed in place and copied out, keeping the big buffer. */
const COPY_STAGED_BYTES = 16 * 1024;

/** Where queued work ends up. */
export interface WriteSink<Segment> {
  /** Writes `bytes[0, length)` at the end of the current file; throws (poisoned) on failure. */
  write(bytes: Uint8Array, length: number): void;
  /** Makes `segment` the current file. */
  switchTo(segment: Segment): void;
  /** LSN of the last entry staged so far (every queued or staged entry is at or below it). */
  stagedLsn(): bigint;
  /** Throws when the writer may no longer write (closed or poisoned). */
  assertWritable(): void;
  /** Poisons the writer with `error` and returns the error to throw. */
  fail(error: unknown): Error;
}

interface Sealed {
  readonly buffer: Buffer;
  readonly sealedBytes: number;
  /** False for a copy that may share memory with other buffers (never reused). */
  readonly reusable: boolean;
}

interface Batch {
  readonly sealing: Promise<Sealed>;
  /** LSN of the batch's last entry. */
  readonly lastLsn: bigint;
  /** `sealing`'s value once fulfilled, so a round can write it without a microtask hop. */
  sealed?: Sealed | undefined;
}

type Item<Segment> = Batch | { readonly segment: Segment };

export class WriteQueue<Segment> {
  readonly #drafts: DraftBuffer;
  readonly #sink: WriteSink<Segment>;
  #items: Array<Item<Segment>> = [];
  #tail: Promise<void> = Promise.resolve();
  #draining = 0;
  /** Items ever queued / ever written: a drain writes up to the count queued when it started. */
  #queued = 0;
  #written = 0;
  /** Written buffers, reused for the next detach or chunk. */
  #spares: Buffer[] = [];
  /** LSN of the last entry handed to the OS. */
  #writtenLsn: bigint;

  /** `writtenLsn`: the LSN every entry already in the file reaches. */
  constructor(drafts: DraftBuffer, sink: WriteSink<Segment>, writtenLsn: bigint) {
    this.#drafts = drafts;
    this.#sink = sink;
    this.#writtenLsn = writtenLsn;
  }

  /** True while sealed batches or file switches wait to be written. */
  get busy(): boolean {
    return this.#items.length > 0 || this.#draining > 0;
  }

  /** True while a file switch waits behind sealed batches. */
  get switchPending(): boolean {
    return this.#items.some((item) => 'segment' in item);
  }

  #detach(): { buffer: Buffer; length: number } {
    return this.#drafts.detach(this.#buffer(MIN_BUFFER_BYTES));
  }

  /** The smallest spare of at least `bytes` bytes, or a new buffer. */
  #buffer(bytes: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.#spares.length; i += 1) {
      const length = this.#spares[i]!.length;
      if (length >= bytes && (best < 0 || length < this.#spares[best]!.length)) best = i;
    }
    if (best >= 0) return this.#spares.splice(best, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.max(bytes, MIN_BUFFER_BYTES));
  }

  /** Keeps `buffer` for reuse; when the spares are full, the smallest one gives way. */
  #recycle(buffer: Buffer): void {
    if (this.#spares.length < MAX_SPARE_BUFFERS) {
      this.#spares.push(buffer);
      return;
    }
    let smallest = 0;
    for (let i = 1; i < this.#spares.length; i += 1) if (this.#spares[i]!.length < this.#spares[smallest]!.length) smallest = i;
    if (this.#spares[smallest]!.length < buffer.length) this.#spares[smallest] = buffer;
  }

  #enqueue(item: Item<Segment>): void {
    this.#items.push(item);
    this.#queued += 1;
  }

  #enqueueBatch(sealing: Promise<Sealed>, lastLsn: bigint): void {
    const batch: Batch = { sealing, lastLsn };
    sealing.then(
      (sealed) => void (batch.sealed = sealed),
      () => undefined, // a rejection is observed by the drain; never unhandled
    );
    this.#enqueue(batch);
  }

  /** Hands the staged drafts to the libuv pool to be sealed; appends continue meanwhile. */
  sealInBackground(): void {
    const lastLsn = this.#sink.stagedLsn();
    const { buffer, length } = this.#detach();
    const sealing = callNativeAsync((binding) => binding.walSealDraftsAsync(buffer, length)).then((sealedBytes) => ({ buffer, sealedBytes, reusable: true }));
    this.#enqueueBatch(sealing, lastLsn);
  }

  /**
   * Drafts and seals `rows` on the pool, behind everything staged or queued so far, into a
   * buffer of at least `draftBytesGuess` bytes (a short guess costs one more native call).
   * The rows' buffers must stay unchanged until they are written.
   */
  draftRowsInBackground(rows: RowsDraft, draftBytesGuess: number): void {
    // Staged entries have earlier LSNs. They are sealed here: the flush trigger keeps them
    // small (usually one commit entry), and a pool job would cost a thread hand-off.
    this.#queueStaged();
    const { tableName, operation, rowIds, columns, firstRow, endRow } = rows;
    const header = rowsHeader(rows); // its own copy: the job outlives this call
    const run = async (buffer: Buffer, retried: boolean): Promise<Sealed> => {
      const result = await callNativeAsync((binding) =>
        binding.walDraftSealRowsAsync(buffer, header, tableName, operation, rowIds, columns.kinds, columns.nullTypes, columns.buffers, firstRow, endRow),
      );
      if (result >= 0) return { buffer, sealedBytes: result, reusable: true };
      if (retried || -result <= buffer.length) {
        throw new PermafrostError('ERR_INTERNAL', `row drafts asked for ${-result} bytes with ${buffer.length} given`);
      }
      this.#recycle(buffer);
      return run(Buffer.allocUnsafeSlow(-result), true);
    };
    this.#enqueueBatch(run(this.#buffer(draftBytesGuess), false), rows.firstLsn + BigInt(endRow - firstRow) - 1n);
  }

  /** Seals the staged drafts here and queues them behind the batches in flight. */
  #queueStaged(): void {
    if (this.#drafts.length === 0) return;
    const lastLsn = this.#sink.stagedLsn();
    let sealed: Sealed;
    if (this.#drafts.length <= COPY_STAGED_BYTES) {
      // Usually one commit entry: a copy is cheaper than trading the staging buffer for a spare.
      const bytes = Buffer.from(this.#drafts.seal());
      this.#drafts.clear();
      sealed = { buffer: bytes, sealedBytes: bytes.length, reusable: false };
    } else {
      const { buffer, length } = this.#detach();
      sealed = { buffer, sealedBytes: callNative((binding) => binding.walSealDrafts(buffer, length)), reusable: true };
    }
    this.#enqueue({ sealing: Promise.resolve(sealed), lastLsn, sealed });
  }

  /** Seals and writes the staged drafts in this thread. Only when nothing is in flight. */
  flush(): void {
    if (this.#drafts.length === 0) return;
    const lastLsn = this.#sink.stagedLsn();
    const bytes = this.#drafts.seal();
    this.#sink.write(bytes, bytes.length);
    this.#drafts.clear();
    this.#writtenLsn = lastLsn;
  }

  /** Everything staged so far goes to the current file; everything after it to `segment`. */
  switchTo(segment: Segment): void {
    if (!this.busy) {
      this.flush();
      this.#sink.switchTo(segment);
      return;
    }
    this.#queueStaged();
    this.#enqueue({ segment });
  }

  /** Writes, in order, everything staged or queued now (see the module header). */
  drain(): Promise<void> {
    if (!this.busy) {
      this.flush();
      return Promise.resolve();
    }
    this.#queueStaged();
    const target = this.#queued;
    return this.#serialized(() => this.#writeItems(target));
  }

  /**
   * Writes what a round for waiters from `neededLsn` on needs, without waiting: the queue in
   * order while each batch is sealed, stopping at the first batch still sealing once the file
   * reaches `neededLsn`, then the staged drafts if nothing is left queued. Answers the LSN the
   * bytes handed to the OS reach — or undefined when a needed batch is still sealing or a
   * drain is running (what it wrote stays written; then use `drainReady`).
   */
  writeReadyNow(neededLsn: bigint): bigint | undefined {
    return this.#draining > 0 ? undefined : this.#writeReady(neededLsn);
  }

  /** `writeReadyNow`, waiting for the batches `neededLsn` needs (behind any running drain). */
  drainReady(neededLsn: bigint): Promise<bigint> {
    return this.#serialized(async () => {
      for (;;) {
        const covered = this.#writeReady(neededLsn);
        if (covered !== undefined) return covered;
        const head = this.#items[0] as Batch; // a needed batch still sealing
        try {
          head.sealed = await head.sealing;
        } catch (error) {
          throw this.#sink.fail(error);
        }
      }
    });
  }

  #writeReady(neededLsn: bigint): bigint | undefined {
    if (this.#items.length > 0) this.#queueStaged();
    while (this.#items.length > 0) {
      const item = this.#items[0]!;
      if (!('segment' in item) && item.sealed === undefined) {
        if (this.#writtenLsn >= neededLsn) break;
        return undefined;
      }
      this.#writeHead();
    }
    if (this.#items.length === 0) this.flush();
    return this.#coveredLsn();
  }

  /** Writes the oldest queued item (a file switch, or a batch whose `sealed` is known). */
  #writeHead(): void {
    const item = this.#items[0]!;
    if ('segment' in item) {
      this.#items.shift();
      this.#written += 1;
      this.#sink.switchTo(item.segment);
      return;
    }
    const sealed = item.sealed!;
    this.#sink.assertWritable();
    this.#items.shift();
    this.#written += 1;
    this.#sink.write(sealed.buffer, sealed.sealedBytes);
    this.#writtenLsn = item.lastLsn;
    if (sealed.reusable) this.#recycle(sealed.buffer);
  }

  /** Everything up to this LSN is handed to the OS (everything, once nothing waits). */
  #coveredLsn(): bigint {
    return this.#items.length === 0 && this.#drafts.length === 0 ? this.#sink.stagedLsn() : this.#writtenLsn;
  }

  /** Runs `task` after every drain started before it (drains never interleave). */
  #serialized<T>(task: () => Promise<T>): Promise<T> {
    this.#draining += 1;
    const run = this.#tail.then(task);
    this.#tail = run.then(
      () => void (this.#draining -= 1),
      () => void (this.#draining -= 1),
    );
    return run;
  }

  /** Writes queued items up to number `target`, waiting for each to be sealed. */
  async #writeItems(target: number): Promise<void> {
    while (this.#written < target && this.#items.length > 0) {
      const item = this.#items[0]!;
      if (!('segment' in item) && item.sealed === undefined) {
        try {
          item.sealed = await item.sealing;
        } catch (error) {
          throw this.#sink.fail(error);
        }
      }
      this.#writeHead();
    }
    this.#sink.assertWritable();
  }

  /** Forgets everything queued (the writer was poisoned). */
  clear(): void {
    this.#items = [];
  }
}
