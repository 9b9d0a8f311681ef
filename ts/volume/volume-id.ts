/**
 * Volume ids (spec §5.1): microseconds since the Unix epoch, strictly increasing within
 * the process even when asked twice in the same microsecond (then last + 1), as a bigint.
 * The id names the file (`vol_<16 hex>.vol`) and is the segment id in the table manifest.
 */

/** Microseconds since the epoch from the high-resolution clock. */
export function epochMicros(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}

/** A generator of strictly increasing ids over `clock` (injectable for tests). */
export function volumeIdGenerator(clock: () => bigint = epochMicros): () => bigint {
  let last = 0n;
  return () => {
    const now = clock();
    last = now > last ? now : last + 1n;
    return last;
  };
}

/** The process-wide volume id source. */
export const nextVolumeId: () => bigint = volumeIdGenerator();
