/**
 * A column's bloom filter (spec §5.7): stoolap's FNV-1a, three probes, ~10 bits per row.
 * The hashing lives in the Rust core; this class only holds the stored bits and maps a JS
 * value to the tag and payload stoolap hashes. All extension values (and NULL) hash the
 * same, so the filter cannot exclude a particular Json or Vector value.
 */
import { encodeUtf8 } from '../codec/byte-writer';
import { FloatBits, Timestamp, type Value } from '../codec/values';
import { callNative, native } from '../native';
import { timestampNanos } from './volume-value';

export class BloomFilter {
  /** u64 on disk: the logical bit count. */
  readonly numBits: bigint;
  /** The bit words as stored (little-endian u64s). */
  readonly bytes: Uint8Array;

  constructor(numBits: bigint, bytes: Uint8Array) {
    this.numBits = numBits;
    this.bytes = bytes;
  }

  /** Bits stoolap gives a filter for `rowCount` rows: max(max(R, 1) × 10, 64). */
  static bitsForRows(rowCount: number): number {
    const n = native();
    return Math.max(Math.max(rowCount, 1) * n.VOLUME_BLOOM_BITS_PER_ROW, n.VOLUME_BLOOM_BITS_MIN);
  }

  /** False only when `value` is certainly not in the column. */
  mightContain(value: Value): boolean {
    const [tag, payload] = bloomKey(value);
    // stoolap's from_parts clamp: more bits than stored, or 0, means words × 64.
    const maxBits = BigInt(Math.floor(this.bytes.length / 8) * 64);
    const effective = this.numBits > maxBits || this.numBits === 0n ? (maxBits > 0n ? maxBits : 1n) : this.numBits;
    return callNative((binding) => binding.volumeBloomMightContain(this.bytes, Number(effective), tag, payload));
  }
}

const EMPTY = new Uint8Array(0);

/** The tag and payload stoolap's `hash_value` uses for a value. */
export function bloomKey(value: Value): [number, Uint8Array] {
  const eight = (write: (view: DataView) => void): Uint8Array => {
    const bytes = new Uint8Array(8);
    write(new DataView(bytes.buffer));
    return bytes;
  };
  if (typeof value === 'bigint') return [1, eight((v) => v.setBigInt64(0, value, true))];
  if (typeof value === 'number') return [2, eight((v) => v.setFloat64(0, value, true))];
  if (value instanceof FloatBits) return [2, eight((v) => v.setBigUint64(0, value.bits, true))];
  if (typeof value === 'string') return [3, encodeUtf8(value)];
  if (typeof value === 'boolean') return [4, Uint8Array.of(value ? 1 : 0)];
  if (value instanceof Timestamp) return [5, eight((v) => v.setBigInt64(0, timestampNanos(value), true))];
  return [0, EMPTY];
}
