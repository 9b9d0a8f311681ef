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
 * - With nothing in flight, `flush` seals in place and writes at once (the common commit path).
 *
 * A crash loses whatever is still queued or staged: none of it was acknowledged. A write
 * failure is reported through the sink (which poisons the writer); the queue is then cleared.
 */
import { PermafrostError } from '../errors';
import { callNative, callNativeAsync } from '../native';
import { rowsHeader, type DraftBuffer, type RowsDraft } from './draft-buffer';

/** Written buffers kept for reuse: enough for the chunks of a few commits in flight. */
const MAX_SPARE_BUFFERS = 8;
const MIN_BUFFER_BYTES = 64 * 1024;

/** Where queued work ends up. */
export interface WriteSink<Segment> {
  /** Writes `bytes[0, length)` at the end of the current file; throws (poisoned) on failure. */
  write(bytes: Uint8Array, length: number): void;
  /** Makes `segment` the current file. */
  switchTo(segment: Segment): void;
  /** Throws when the writer may no longer write (closed or poisoned). */
  assertWritable(): void;
  /** Poisons the writer with `error` and returns the error to throw. */
  fail(error: unknown): Error;
}

interface Sealed {
  readonly buffer: Buffer;
  readonly sealedBytes: number;
}

type Item<Segment> = { readonly sealing: Promise<Sealed> } | { readonly segment: Segment };

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

  constructor(drafts: DraftBuffer, sink: WriteSink<Segment>) {
    this.#drafts = drafts;
    this.#sink = sink;
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
    return this.#drafts.detach(this.#spares.pop());
  }

  /** A spare of at least `bytes` bytes, or a new buffer. */
  #buffer(bytes: number): Buffer {
    const spare = this.#spares.pop();
    if (spare !== undefined && spare.length >= bytes) return spare;
    if (spare !== undefined) this.#recycle(spare);
    return Buffer.allocUnsafeSlow(Math.max(bytes, MIN_BUFFER_BYTES));
  }

  #recycle(buffer: Buffer): void {
    if (this.#spares.length < MAX_SPARE_BUFFERS) this.#spares.unshift(buffer);
  }

  #enqueue(item: Item<Segment>): void {
    this.#items.push(item);
    this.#queued += 1;
  }

  /** Hands the staged drafts to the libuv pool to be sealed; appends continue meanwhile. */
  sealInBackground(): void {
    const { buffer, length } = this.#detach();
    const sealing = callNativeAsync((binding) => binding.walSealDraftsAsync(buffer, length)).then((sealedBytes) => ({ buffer, sealedBytes }));
    sealing.catch(() => undefined); // observed by the drain; never an unhandled rejection
    this.#enqueue({ sealing });
  }

  /**
   * Drafts and seals `rows` on the pool, behind everything staged or queued so far, into a
   * buffer of at least `draftBytesGuess` bytes (a short guess costs one more native call).
   * The rows' buffers must stay unchanged until they are written.
   */
  draftRowsInBackground(rows: RowsDraft, draftBytesGuess: number): void {
    if (this.#drafts.length > 0) this.sealInBackground(); // staged entries have earlier LSNs
    const { tableName, operation, rowIds, columns, firstRow, endRow } = rows;
    const header = rowsHeader(rows); // its own copy: the job outlives this call
    const run = async (buffer: Buffer, retried: boolean): Promise<Sealed> => {
      const result = await callNativeAsync((binding) =>
        binding.walDraftSealRowsAsync(buffer, header, tableName, operation, rowIds, columns.kinds, columns.nullTypes, columns.buffers, firstRow, endRow),
      );
      if (result >= 0) return { buffer, sealedBytes: result };
      if (retried || -result <= buffer.length) {
        throw new PermafrostError('ERR_INTERNAL', `row drafts asked for ${-result} bytes with ${buffer.length} given`);
      }
      this.#recycle(buffer);
      return run(Buffer.allocUnsafeSlow(-result), true);
    };
    const sealing = run(this.#buffer(draftBytesGuess), false);
    sealing.catch(() => undefined); // observed by the drain; never an unhandled rejection
    this.#enqueue({ sealing });
  }

  /** Seals the staged drafts here and queues them behind the batches in flight. */
  #queueStaged(): void {
    if (this.#drafts.length === 0) return;
    const { buffer, length } = this.#detach();
    const sealedBytes = callNative((binding) => binding.walSealDrafts(buffer, length));
    this.#enqueue({ sealing: Promise.resolve({ buffer, sealedBytes }) });
  }

  /** Seals and writes the staged drafts in this thread. Only when nothing is in flight. */
  flush(): void {
    if (this.#drafts.length === 0) return;
    const bytes = this.#drafts.seal();
    this.#sink.write(bytes, bytes.length);
    this.#drafts.clear();
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
    this.#draining += 1;
    const run = this.#tail.then(() => this.#drainUpTo(target));
    this.#tail = run.then(
      () => void (this.#draining -= 1),
      () => void (this.#draining -= 1),
    );
    return run;
  }

  async #drainUpTo(target: number): Promise<void> {
    while (this.#written < target && this.#items.length > 0) {
      const item = this.#items[0]!;
      if ('segment' in item) {
        this.#items.shift();
        this.#written += 1;
        this.#sink.switchTo(item.segment);
        continue;
      }
      let sealed: Sealed;
      try {
        sealed = await item.sealing;
      } catch (error) {
        throw this.#sink.fail(error);
      }
      this.#sink.assertWritable();
      this.#items.shift();
      this.#written += 1;
      this.#sink.write(sealed.buffer, sealed.sealedBytes);
      this.#recycle(sealed.buffer);
    }
    this.#sink.assertWritable();
  }

  /** Forgets everything queued (the writer was poisoned). */
  clear(): void {
    this.#items = [];
  }
}
