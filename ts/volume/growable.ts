/** Append-only typed arrays that double their capacity, for the volume builder. */

type Typed = Uint8Array | Uint32Array | BigInt64Array | Float64Array;

export class Growable<T extends Typed> {
  #array: T;
  #length = 0;
  readonly #make: (capacity: number) => T;

  constructor(make: (capacity: number) => T, capacity: number) {
    this.#make = make;
    this.#array = make(Math.max(16, capacity));
  }

  get length(): number {
    return this.#length;
  }

  /** The backing array; valid until the next append. Elements past `length` are zero. */
  get array(): T {
    return this.#array;
  }

  /** Makes room for `count` more elements and returns the index of the first. */
  reserve(count: number): number {
    const at = this.#length;
    const needed = at + count;
    if (needed > this.#array.length) {
      const grown = this.#make(Math.max(needed, this.#array.length * 2));
      (grown as Uint8Array).set(this.#array.subarray(0, at) as Uint8Array);
      this.#array = grown;
    }
    this.#length = needed;
    return at;
  }

  /** Takes `values` as the whole content of an empty array (no copy; the caller gives it up). */
  adopt(values: T): void {
    if (this.#length !== 0) throw new Error('Growable.adopt needs an empty array');
    this.#array = values;
    this.#length = values.length;
  }

  /** Appends every element of `values`. */
  append(values: T): void {
    const at = this.reserve(values.length);
    (this.#array as Uint8Array).set(values as Uint8Array, at);
  }

  /** A view of the first `length` elements. */
  view(): T {
    return this.#array.subarray(0, this.#length) as T;
  }
}
