import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { DataType } from '../../ts/codec/data-type';
import { VolumeBuilder, encodeVolumeSync, type VolumeSchema } from '../../ts/index';

/** A fresh temp directory, removed when the test ends. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'permafrost-volume-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function schema(...columns: [string, DataType][]): VolumeSchema {
  return { columns: columns.map(([name, dataType]) => ({ name, dataType })) };
}

/** Concatenated bytes of an encoded volume. */
export function volumeBytes(build: (builder: VolumeBuilder) => void, volumeSchema: VolumeSchema, compress = true): Buffer {
  const builder = new VolumeBuilder(volumeSchema);
  build(builder);
  return Buffer.concat(encodeVolumeSync(builder.finish(), { compress }).pieces);
}

export { DataType };
