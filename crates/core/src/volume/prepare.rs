//! Per-row passes of the volume builder that TypeScript would otherwise run row by row:
//! zeroing the values of NULL rows, normalizing booleans, re-numbering a batch's
//! dictionary ids into the builder's first-appearance order, and the DICTIONARY column
//! summary (null counts and the min / max string rank per row group).
//!
//! Integer arrays cross as little-endian bytes (u32 ids and ranks, i32 remap entries).

use crate::constants::VOLUME_ROW_GROUP_ROWS;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::volume::le_u32;
use crate::volume::summary::summary_bytes;

const GLOBAL: usize = crate::constants::VOLUME_SUMMARY_GLOBAL_BYTES as usize;
const GROUP: usize = crate::constants::VOLUME_SUMMARY_GROUP_BYTES as usize;

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

/// Zeroes the `width`-byte values of every NULL row (stoolap stores the kind's zero value
/// there; bulk inputs may hold anything).
///
/// # Errors
/// `InvalidArgument` when `values` is not `nulls.len() × width` bytes.
pub fn zero_null_rows(nulls: &[u8], values: &mut [u8], width: usize) -> CoreResult<()> {
    if width == 0 || Some(values.len()) != nulls.len().checked_mul(width) {
        return Err(invalid(format!(
            "{} null flags need {} value bytes of width {width}, got {}",
            nulls.len(),
            nulls.len().saturating_mul(width),
            values.len()
        )));
    }
    for (null, value) in nulls.iter().zip(values.chunks_exact_mut(width)) {
        if *null != 0 {
            value.fill(0);
        }
    }
    Ok(())
}

/// Copies booleans as 0 / 1 (any non-zero byte is true).
///
/// # Errors
/// `InvalidArgument` when the slices differ in length.
pub fn normalize_booleans(src: &[u8], dst: &mut [u8]) -> CoreResult<()> {
    if src.len() != dst.len() {
        return Err(invalid(format!(
            "{} booleans into {} bytes",
            src.len(),
            dst.len()
        )));
    }
    dst.copy_from_slice(src);
    normalize_booleans_in_place(dst);
    Ok(())
}

/// Rewrites booleans as 0 / 1 in place (any non-zero byte is true).
pub fn normalize_booleans_in_place(values: &mut [u8]) {
    for v in values {
        *v = u8::from(*v != 0);
    }
}

/// `remap_dictionary_ids_in_place` reading the batch ids from `ids` and writing the
/// builder ids to `out` (the same length).
///
/// # Errors
/// `InvalidArgument` for slices of mismatched sizes.
pub fn remap_dictionary_ids(
    ids: &[u8],
    nulls: &[u8],
    remap: &mut [u8],
    next_id: u32,
    out: &mut [u8],
    new_ids: &mut [u8],
) -> CoreResult<Result<usize, usize>> {
    if out.len() != ids.len() {
        return Err(invalid(format!(
            "{} id bytes into {} bytes",
            ids.len(),
            out.len()
        )));
    }
    out.copy_from_slice(ids);
    remap_dictionary_ids_in_place(out, nulls, remap, next_id, new_ids)
}

/// Re-numbers a batch's dictionary ids (u32 LE per row) in place into the builder's ids;
/// NULL rows get id 0 (the kind's zero value, as stoolap stores them). `remap` holds one
/// i32 LE per batch dictionary id: the builder id when the string is already known, else
/// −1; an unknown id seen for the first time gets `next_id`, `next_id + 1`, … in order of
/// first appearance, is recorded in `remap`, and is appended to `new_ids` (u32 LE batch
/// ids, room for one per remap entry).
///
/// Returns `Ok(count of new ids)`, or `Err(row)` for the first non-NULL row whose id is
/// outside the batch dictionary (rows before it are already re-numbered).
///
/// # Errors
/// `InvalidArgument` for slices of mismatched sizes.
pub fn remap_dictionary_ids_in_place(
    ids: &mut [u8],
    nulls: &[u8],
    remap: &mut [u8],
    next_id: u32,
    new_ids: &mut [u8],
) -> CoreResult<Result<usize, usize>> {
    let rows = nulls.len();
    if Some(ids.len()) != rows.checked_mul(4)
        || remap.len() % 4 != 0
        || new_ids.len() != remap.len()
    {
        return Err(invalid(format!(
            "{rows} rows: {} id bytes, {} remap bytes, {} new-id bytes",
            ids.len(),
            remap.len(),
            new_ids.len()
        )));
    }
    let dictionary = remap.len() / 4;
    let mut next = next_id;
    let mut added = 0usize;
    for (row, (null, slot)) in nulls.iter().zip(ids.chunks_exact_mut(4)).enumerate() {
        if *null != 0 {
            slot.fill(0);
            continue;
        }
        let id = le_u32(slot).unwrap_or(u32::MAX) as usize;
        if id >= dictionary {
            return Ok(Err(row));
        }
        let Some(entry) = remap.get_mut(id * 4..id * 4 + 4) else {
            return Ok(Err(row));
        };
        let mut mapped = <[u8; 4]>::try_from(&*entry).map_or(-1, i32::from_le_bytes);
        if mapped < 0 {
            mapped = i32::try_from(next).map_err(|_| {
                CoreError::new(ErrorCode::Limit, "dictionary ids exceed i32".to_string())
            })?;
            entry.copy_from_slice(&mapped.to_le_bytes());
            if let Some(record) = new_ids.get_mut(added * 4..added * 4 + 4) {
                record.copy_from_slice(&(id as u32).to_le_bytes());
            }
            added += 1;
            next += 1;
        }
        slot.copy_from_slice(&(mapped as u32).to_le_bytes());
    }
    Ok(Ok(added))
}

/// The DICTIONARY column summary, in `summary.rs`' layout: null and value counts, and as
/// min / max the smallest and largest `rank` (u32 LE per id: the string's position in
/// UTF-8 byte order) of the non-NULL rows, globally and per 65,536-row group.
///
/// # Errors
/// `InvalidArgument` for wrongly sized slices or an id without a rank.
pub fn summarize_dictionary(
    nulls: &[u8],
    ids: &[u8],
    rank: &[u8],
    out: &mut [u8],
) -> CoreResult<()> {
    let rows = nulls.len();
    if Some(ids.len()) != rows.checked_mul(4)
        || out.len() != summary_bytes(rows)
        || rank.len() % 4 != 0
    {
        return Err(invalid(format!(
            "dictionary summary of {rows} rows: {} id bytes, {} rank bytes, {} output bytes",
            ids.len(),
            rank.len(),
            out.len()
        )));
    }
    let ranks: Vec<u32> = rank
        .chunks_exact(4)
        .map(|r| le_u32(r).unwrap_or(0))
        .collect();
    out.fill(0);
    let size = VOLUME_ROW_GROUP_ROWS as usize;
    let (mut total_nulls, mut total_values) = (0u32, 0u32);
    let (mut low, mut high) = (u32::MAX, 0u32);
    for (group, (group_nulls, group_ids)) in
        nulls.chunks(size).zip(ids.chunks(size * 4)).enumerate()
    {
        let (mut g_nulls, mut g_values, mut g_low, mut g_high) = (0u32, 0u32, u32::MAX, 0u32);
        for (null, id) in group_nulls.iter().zip(group_ids.chunks_exact(4)) {
            if *null != 0 {
                g_nulls += 1;
                continue;
            }
            let id = le_u32(id).unwrap_or(u32::MAX) as usize;
            let r = *ranks.get(id).ok_or_else(|| {
                invalid(format!(
                    "dictionary id {id} has no rank ({} strings)",
                    ranks.len()
                ))
            })?;
            g_low = g_low.min(r);
            g_high = g_high.max(r);
            g_values += 1;
        }
        let at = GLOBAL + group * GROUP;
        put(out, at, &g_nulls.to_le_bytes())?;
        put(out, at + 4, &g_values.to_le_bytes())?;
        if g_values > 0 {
            put(out, at + 8, &u64::from(g_low).to_le_bytes())?;
            put(out, at + 16, &u64::from(g_high).to_le_bytes())?;
            low = low.min(g_low);
            high = high.max(g_high);
        }
        total_nulls += g_nulls;
        total_values += g_values;
    }
    put(out, 0, &total_nulls.to_le_bytes())?;
    put(out, 4, &total_values.to_le_bytes())?;
    if total_values > 0 {
        put(out, 16, &u64::from(low).to_le_bytes())?;
        put(out, 24, &u64::from(high).to_le_bytes())?;
    }
    Ok(())
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) -> CoreResult<()> {
    let len = out.len();
    out.get_mut(at..at + bytes.len())
        .ok_or_else(|| invalid(format!("summary output of {len} bytes has no room at {at}")))?
        .copy_from_slice(bytes);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::volume::le_u64;

    fn le(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn null_rows_are_zeroed() {
        let mut values = vec![7u8; 16];
        zero_null_rows(&[0, 1], &mut values, 8).unwrap();
        assert_eq!(values, [vec![7u8; 8], vec![0u8; 8]].concat());
    }

    #[test]
    fn booleans_become_zero_or_one() {
        let mut out = [9u8; 3];
        normalize_booleans(&[0, 2, 255], &mut out).unwrap();
        assert_eq!(out, [0, 1, 1]);
    }

    #[test]
    fn ids_are_renumbered_in_first_appearance_order() {
        // Batch dictionary [x, y, z]; the builder already knows z as 0.
        let mut remap: Vec<u8> = [-1i32, -1, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let ids = le(&[1, 2, 0, 1, 9]);
        let mut out = vec![0u8; ids.len()];
        let mut new_ids = vec![0u8; remap.len()];
        let added = remap_dictionary_ids(
            &ids,
            &[0, 0, 0, 0, 1],
            &mut remap,
            1,
            &mut out,
            &mut new_ids,
        )
        .unwrap();
        assert_eq!(added, Ok(2));
        assert_eq!(out, le(&[1, 0, 2, 1, 0]));
        assert_eq!(&new_ids[..8], le(&[1, 0]).as_slice());
    }

    #[test]
    fn an_id_outside_the_batch_dictionary_names_its_row() {
        let mut remap = vec![0xFFu8; 8];
        let ids = le(&[0, 5]);
        let mut out = vec![0u8; 8];
        let mut new_ids = vec![0u8; 8];
        assert_eq!(
            remap_dictionary_ids(&ids, &[0, 0], &mut remap, 0, &mut out, &mut new_ids).unwrap(),
            Err(1)
        );
    }

    #[test]
    fn dictionary_summary_has_group_ranks_and_null_counts() {
        let rows = 70_000;
        let nulls: Vec<u8> = (0..rows).map(|i| u8::from(i % 10 == 0)).collect();
        let ids: Vec<u32> = (0..rows)
            .map(|i| if i < 65_536 { (i % 2) as u32 } else { 2 })
            .collect();
        let rank = le(&[2, 0, 1]);
        let mut out = vec![0u8; summary_bytes(rows)];
        summarize_dictionary(&nulls, &le(&ids), &rank, &mut out).unwrap();
        assert_eq!(le_u32(&out), Some(7000));
        assert_eq!((le_u64(&out[16..]), le_u64(&out[24..])), (Some(0), Some(2)));
        let g1 = GLOBAL + GROUP;
        assert_eq!(
            (le_u64(&out[g1 + 8..]), le_u64(&out[g1 + 16..])),
            (Some(1), Some(1))
        );
    }
}
