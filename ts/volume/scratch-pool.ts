/**
 * Large scratch buffers reused across volume writes and reads (the encode slab, the bytes
 * a reader holds or streams). On the machines measured (docs/volumes.md) the first touch
 * of fresh memory — a page fault per 4 KiB — costs about as much as compressing the same
 * bytes, so reusing a warm buffer is worth more than any other micro-optimization.
 *
 * Only buffers that never escape to callers go through here: a buffer is given back only
 * when nothing can still read or write it. At most `IDLE_BUFFERS` buffers (and
 * `IDLE_BYTES_MAX` bytes) are kept idle, and idle buffers are dropped after `IDLE_MS`
 * (an unref'd timer: it never keeps the process alive).
 */

const IDLE_BUFFERS = 8;
const IDLE_BYTES_MAX = 256 << 20;
const IDLE_MS = 10_000;
/** Buffers smaller than this come from the allocator directly (no faults worth saving). */
const POOLED_BYTES_MIN = 1 << 20;

const idle: Buffer[] = [];
let timer: NodeJS.Timeout | undefined;

function idleBytes(): number {
  return idle.reduce((total, buffer) => total + buffer.buffer.byteLength, 0);
}

/**
 * A buffer of exactly `size` bytes (contents unspecified), backed by a pooled allocation
 * when one is large enough. Give it back with `releaseScratch` once nothing uses it.
 */
export function takeScratch(size: number): Buffer {
  if (size >= POOLED_BYTES_MIN) {
    // Smallest idle buffer that fits, so a big one stays for big requests.
    let best = -1;
    for (let i = 0; i < idle.length; i += 1) {
      const capacity = idle[i]!.buffer.byteLength;
      if (capacity >= size && (best < 0 || capacity < idle[best]!.buffer.byteLength)) best = i;
    }
    if (best >= 0) {
      const [buffer] = idle.splice(best, 1);
      return Buffer.from(buffer!.buffer, 0, size);
    }
  }
  return Buffer.allocUnsafeSlow(size);
}

/** Gives a buffer from `takeScratch` back; the caller must hold no view of it any more. */
export function releaseScratch(buffer: Buffer): void {
  const capacity = buffer.buffer.byteLength;
  if (capacity < POOLED_BYTES_MIN || buffer.byteOffset !== 0 || capacity > IDLE_BYTES_MAX) return;
  if (idle.some((b) => b.buffer === buffer.buffer)) return;
  idle.push(Buffer.from(buffer.buffer, 0, capacity));
  // Keep the largest buffers within the limits.
  idle.sort((a, b) => b.buffer.byteLength - a.buffer.byteLength);
  while (idle.length > IDLE_BUFFERS || idleBytes() > IDLE_BYTES_MAX) idle.pop();
  if (timer === undefined) {
    timer = setTimeout(() => {
      idle.length = 0;
      timer = undefined;
    }, IDLE_MS);
    timer.unref();
  } else {
    timer.refresh();
  }
}
