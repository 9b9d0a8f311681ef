/**
 * Seal: committed hot rows of a table become volume files (spec §8.2). Rows go in row-id
 * order, in chunks of `rowsPerVolume` (a multiple of the 65,536-row group), each chunk one
 * volume written durably (temp name, fsync, rename, directory fsync — `writeVolume`).
 *
 * A sealed volume is not yet part of the table: it only counts once a manifest that lists it
 * is durable (checkpoint-cycle.ts). A crash before that leaves an orphan `.vol` that the next
 * open deletes, and its rows are still in the WAL, which is only truncated after the manifest.
 */
import type { Value } from '../codec/values';
import type { ManifestSegment } from '../manifest/table-manifest';
import { VolumeBuilder } from '../volume/volume-builder';
import { VolumeReader } from '../volume/volume-reader';
import { writeVolume } from '../volume/volume-writer';
import type { TableState } from './table-state';
import { micros, timeColumnIndex } from './time-column';

export const ROW_GROUP_ROWS = 65_536;

export interface SealedVolume {
  readonly segment: ManifestSegment;
  readonly reader: VolumeReader;
  readonly path: string;
  /** Time range of the table's time column in this volume, in microseconds (0, 0 if none). */
  readonly timeMinMicros: bigint;
  readonly timeMaxMicros: bigint;
}

export interface SealOptions {
  readonly volumesDir: string;
  /** Rows per volume; rounded down to a multiple of 65,536 (at least 65,536). */
  readonly rowsPerVolume: number;
  readonly compress: boolean;
  /** The checkpoint LSN the rows are sealed under (recorded as the segment's seal sequence). */
  readonly sealLsn: bigint;
  readonly nextVolumeId: () => bigint;
}


/** Seals `rows` (already sorted by row id) of `state` into one or more volumes. */
export async function sealRows(state: TableState, rows: ReadonlyArray<readonly [bigint, Value[]]>, options: SealOptions): Promise<SealedVolume[]> {
  const chunkRows = Math.max(ROW_GROUP_ROWS, Math.floor(options.rowsPerVolume / ROW_GROUP_ROWS) * ROW_GROUP_ROWS);
  const timeColumn = timeColumnIndex(state);
  const sealed: SealedVolume[] = [];
  for (let start = 0; start < rows.length; start += chunkRows) {
    const chunk = rows.slice(start, start + chunkRows);
    const builder = new VolumeBuilder(state.schema, { capacityRows: chunk.length });
    for (const [rowId, values] of chunk) builder.addRow(rowId, values);
    const frozen = await builder.finishAsync();
    const volumeId = options.nextVolumeId();
    const path = await writeVolume(options.volumesDir, state.key, volumeId, frozen, { compress: options.compress });
    const reader = await VolumeReader.open(path);
    const zone = timeColumn >= 0 ? reader.zoneMap(timeColumn) : undefined;
    sealed.push({
      path,
      reader,
      segment: {
        segmentId: volumeId,
        rowCount: BigInt(chunk.length),
        minRowId: chunk[0]![0],
        maxRowId: chunk[chunk.length - 1]![0],
        creationLsn: 0n,
        sealSeq: options.sealLsn,
        schemaVersion: 0n,
        filePath: '',
      },
      timeMinMicros: (zone && micros(zone.min)) ?? 0n,
      timeMaxMicros: (zone && micros(zone.max)) ?? 0n,
    });
  }
  return sealed;
}
