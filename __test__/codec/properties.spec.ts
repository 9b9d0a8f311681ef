/**
 * Property tests over the §4 codecs: any value round-trips exactly, and any byte string fed
 * to a decoder either decodes or throws a PermafrostError with a code — never another
 * exception, never a hang. Seeds are printed on failure (fast-check) for exact replay.
 */
import test from 'ava';
import fc from 'fast-check';
import {
  DataType,
  decodeIndexMetadata,
  decodeRowVersion,
  decodeSchema,
  decodeValue,
  encodeRowVersion,
  encodeValueToBuffer,
  Extension,
  FloatBits,
  Json,
  PermafrostError,
  Timestamp,
  TIMESTAMP_BOUNDS,
  TypedNull,
  type Value,
} from '../../ts/index';
import { decodeTableManifest } from '../../ts/manifest/table-manifest';
import { decodeSnapshotFile } from '../../ts/snapshot/snapshot-file';

const dataType = fc.constantFrom(...Object.values(DataType));

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  dataType.filter((t) => t !== DataType.Null).map((t) => TypedNull.of(t)),
  fc.boolean(),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
  fc.double().filter((d) => !Number.isNaN(d)),
  fc.string({ unit: 'grapheme' }),
  fc
    .record({ seconds: fc.bigInt({ min: TIMESTAMP_BOUNDS.secondsMin, max: TIMESTAMP_BOUNDS.secondsMax }), nanos: fc.nat(999_999_999) })
    .map(({ seconds, nanos }) => new Timestamp(seconds, nanos)),
  fc.json().map((text) => new Json(text)),
  fc.array(fc.float({ noNaN: true }), { maxLength: 16 }).map((items) => Float32Array.from(items)),
  fc
    .record({ type: fc.constantFrom(0, 1, 2, 3, 4, 5), payload: fc.uint8Array({ maxLength: 32 }) })
    .map(({ type, payload }) => new Extension(type as DataType, payload)),
  fc
    .bigInt({ min: 1n, max: (1n << 51n) - 1n })
    .map((mantissa) => new FloatBits(0x7ff0_0000_0000_0000n | mantissa))
    .filter((bits) => bits.bits !== 0x7ff8_0000_0000_0000n),
);

function assertCodedFailure(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!(error instanceof PermafrostError)) throw error;
  }
}

test('any value encodes to bytes that decode and re-encode identically', (t) => {
  fc.assert(
    fc.property(value, (input) => {
      const encoded = encodeValueToBuffer(input);
      return encodeValueToBuffer(decodeValue(encoded)).equals(encoded);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('any row of values round-trips through a RowVersion', (t) => {
  fc.assert(
    fc.property(fc.array(value, { maxLength: 12 }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (values, txnId) => {
      const encoded = encodeRowVersion({ txnId, deletedAtTxnId: 0n, createTime: 0n, values });
      return encodeRowVersion(decodeRowVersion(encoded)).equals(encoded);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

const DECODERS: Array<[string, (bytes: Uint8Array) => unknown]> = [
  ['value', decodeValue],
  ['row version', decodeRowVersion],
  ['schema', decodeSchema],
  ['index metadata', decodeIndexMetadata],
  ['table manifest', (bytes) => decodeTableManifest(bytes)],
  ['snapshot file', (bytes) => decodeSnapshotFile(bytes)],
];

for (const [name, decode] of DECODERS) {
  test(`random bytes given to the ${name} decoder never escape as anything but a coded error`, (t) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        assertCodedFailure(() => decode(bytes));
      }),
      { numRuns: 3000 },
    );
    t.pass();
  });
}

test('random mutations of valid rows never escape as anything but a coded error', (t) => {
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.nat(), fc.nat(255), (values, position, byte) => {
      const encoded = encodeRowVersion({ txnId: 1n, deletedAtTxnId: 0n, createTime: 0n, values });
      encoded[position % encoded.length] = byte;
      assertCodedFailure(() => decodeRowVersion(encoded));
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
