/**
 * A sealed volume as part of a table: the manifest's segment record plus the open reader.
 * Lookups by row id use the volume's sorted row-id array (binary search), so finding a cold
 * row costs O(log n) and decompresses only the groups the row's values live in.
 */
import type { Value } from '../codec/values';
import type { ManifestSegment } from '../manifest/table-manifest';
import type { VolumeReader } from '../volume/volume-reader';

export class ColdSegment {
  constructor(
    readonly segment: ManifestSegment,
    readonly reader: VolumeReader,
  ) {}

  get volumeId(): bigint {
    return this.segment.segmentId;
  }

  /** Position of `rowId` in the volume, or -1. */
  positionOf(rowId: bigint): number {
    if (rowId < this.segment.minRowId || rowId > this.segment.maxRowId) return -1;
    const rowIds = this.reader.rowIds;
    let low = 0;
    let high = rowIds.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = rowIds[middle]!;
      if (found === rowId) return middle;
      if (found < rowId) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The row's values in the volume's column order. */
  row(position: number): Value[] {
    return this.reader.getRow(position);
  }
}
