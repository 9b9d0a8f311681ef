/**
 * Seal: committed hot rows of a table become volume files (spec §8.2). Rows go in row-id
 * order (columnar batches as columns, never row by row), in chunks of `rowsPerVolume` (a multiple of the 65,536-row group), each chunk one
 * volume written durably (temp name, fsync, rename, directory fsync — `writeVolume`).
 *
 * A sealed volume is not yet part of the table: it only counts once a manifest that lists it
 * is durable (checkpoint-cycle.ts). A crash before that leaves an orphan `.vol` that the next
 * open deletes, and its rows are still in the WAL, which is only truncated after the manifest.
 */
import type { ManifestSegment } from '../manifest/table-manifest';
import { VolumeBuilder, type ColumnInput } from '../volume/volume-builder';
import { VolumeReader } from '../volume/volume-reader';
import { writeVolume } from '../volume/volume-writer';
import type { HotPiece } from './hot-rows';
import type { BatchColumn } from './row-batch';
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


/** The builder input of a batch column's rows `[start, end)` (views, no copy). */
function columnSlice(column: BatchColumn, start: number, end: number): ColumnInput {
  if (column.kind === 'values') return column.values.slice(start, end);
  return { values: column.values.subarray(start, end), nulls: column.nulls?.subarray(start, end) } as ColumnInput;
}

function pieceRows(piece: HotPiece): number {
  return 'batch' in piece ? piece.end - piece.start : 1;
}

/**
 * Seals the hot rows of `state` — `pieces` in ascending row-id order (HotRows.pieces) — into
 * one or more volumes. Runs of batch rows go to the builder as columns, single rows one by one.
 */
export async function sealRows(state: TableState, pieces: readonly HotPiece[], options: SealOptions): Promise<SealedVolume[]> {
  const chunkRows = Math.max(ROW_GROUP_ROWS, Math.floor(options.rowsPerVolume / ROW_GROUP_ROWS) * ROW_GROUP_ROWS);
  const timeColumn = timeColumnIndex(state);
  const totalRows = pieces.reduce((total, piece) => total + pieceRows(piece), 0);
  const sealed: SealedVolume[] = [];
  let piece = 0;
  let offset = 0; // rows of pieces[piece] already taken
  for (let done = 0; done < totalRows; ) {
    const rows = Math.min(chunkRows, totalRows - done);
    const builder = new VolumeBuilder(state.schema, { capacityRows: rows });
    let minRowId: bigint | undefined;
    let maxRowId = 0n;
    for (let taken = 0; taken < rows; ) {
      const current = pieces[piece]!;
      const available = pieceRows(current) - offset;
      const take = Math.min(available, rows - taken);
      if ('batch' in current) {
        const from = current.start + offset;
        const rowIds = current.batch.rowIds.subarray(from, from + take);
        builder.addBatch({ rowIds, columns: current.batch.columns.map((column) => columnSlice(column, from, from + take)) });
        minRowId ??= rowIds[0]!;
        maxRowId = rowIds[take - 1]!;
      } else {
        builder.addRow(current.rowId, current.values);
        minRowId ??= current.rowId;
        maxRowId = current.rowId;
      }
      taken += take;
      offset += take;
      if (offset === pieceRows(current)) {
        piece += 1;
        offset = 0;
      }
    }
    done += rows;
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
        rowCount: BigInt(rows),
        minRowId: minRowId!,
        maxRowId,
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
