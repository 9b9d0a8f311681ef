//! One pass over a fixed-width typed column (INT64, FLOAT64, TIMESTAMP, BOOLEAN) that
//! computes everything the metadata needs from it, as stoolap's builder does (spec §5.7):
//! null counts, min / max (volume-wide and per 65,536-row group), the sorted flag, the
//! i128 integer sum and the f64 float sum (added in row order, like stoolap), and the
//! bloom filter bits.
//!
//! Output layout (little-endian), written into the caller's buffer:
//!
//! | offset | size | global record (`VOLUME_SUMMARY_GLOBAL_BYTES` = 64)              |
//! |--------|------|-----------------------------------------------------------------|
//! | 0      | 4    | u32 null_count                                                  |
//! | 4      | 4    | u32 value_count: non-NULL rows, NaN floats excluded             |
//! | 8      | 1    | u8 sorted (INT64/TIMESTAMP: non-decreasing and no NULL; else 0) |
//! | 16     | 8    | min (i64, f64 bits, or bool byte), valid when value_count > 0   |
//! | 24     | 8    | max                                                             |
//! | 32     | 16   | i128 sum of INT64 values                                        |
//! | 48     | 8    | f64 sum of FLOAT64 values (NaN excluded)                        |
//!
//! then one record per row group (`VOLUME_SUMMARY_GROUP_BYTES` = 24): u32 null_count,
//! u32 value_count, min (8), max (8). Float min/max keep the first of equal values
//! (−0.0 vs 0.0), as stoolap's strict comparisons do.

use crate::constants::{
    VOLUME_ROW_GROUP_ROWS, VOLUME_SUMMARY_GLOBAL_BYTES, VOLUME_SUMMARY_GROUP_BYTES,
};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::volume::bloom::{self, BloomBits};
use crate::volume::kind::ColumnKind;
use crate::volume::le_u64;

const GLOBAL: usize = VOLUME_SUMMARY_GLOBAL_BYTES as usize;
const GROUP: usize = VOLUME_SUMMARY_GROUP_BYTES as usize;

/// Min/max/null tracking for one range of rows.
#[derive(Clone, Copy)]
struct Range<T> {
    nulls: u32,
    values: u32,
    min: T,
    max: T,
}

impl<T: Copy + PartialOrd> Range<T> {
    const fn new(zero: T) -> Self {
        Self {
            nulls: 0,
            values: 0,
            min: zero,
            max: zero,
        }
    }

    /// Counts a non-NULL value. Only a strictly smaller / larger value replaces min / max, so
    /// of equal values the first is kept (stoolap's rule: −0.0 == 0.0 keeps whichever came first).
    fn see(&mut self, v: T) {
        if self.values == 0 || v < self.min {
            self.min = v;
        }
        if self.values == 0 || v > self.max {
            self.max = v;
        }
        self.values += 1;
    }

    /// Folds a row group's range into the volume's.
    fn absorb(&mut self, group: &Self) {
        if group.values > 0 {
            if self.values == 0 || group.min < self.min {
                self.min = group.min;
            }
            if self.values == 0 || group.max > self.max {
                self.max = group.max;
            }
        }
        self.nulls += group.nulls;
        self.values += group.values;
    }

    /// The range with min and max as 8 little-endian bytes.
    fn to_bytes(self, bytes: impl Fn(T) -> [u8; 8]) -> Range<[u8; 8]> {
        Range {
            nulls: self.nulls,
            values: self.values,
            min: bytes(self.min),
            max: bytes(self.max),
        }
    }
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(slot) = out.get_mut(at..at + bytes.len()) {
        slot.copy_from_slice(bytes);
    }
}

fn count(n: usize) -> CoreResult<u32> {
    u32::try_from(n)
        .map_err(|_| CoreError::new(ErrorCode::Limit, format!("{n} rows do not fit a u32 count")))
}

/// Size of the summary output for `rows` rows.
#[must_use]
pub fn summary_bytes(rows: usize) -> usize {
    GLOBAL + rows.div_ceil(VOLUME_ROW_GROUP_ROWS as usize) * GROUP
}

/// Summarizes one column; see the module documentation for the output layout.
///
/// # Errors
/// `InvalidArgument` for a non-fixed kind or wrongly sized slices; `Limit` above 2^32 rows.
pub fn summarize_column(
    kind: ColumnKind,
    nulls: &[u8],
    values: &[u8],
    bloom: &mut BloomBits<'_>,
    out: &mut [u8],
) -> CoreResult<()> {
    let rows = nulls.len();
    count(rows)?;
    let width = kind
        .value_bytes()
        .filter(|_| kind != ColumnKind::Dictionary);
    if width.and_then(|w| rows.checked_mul(w)) != Some(values.len())
        || out.len() != summary_bytes(rows)
    {
        return Err(CoreError::new(
            ErrorCode::InvalidArgument,
            format!(
                "{kind:?} summary of {rows} rows: got {} value bytes and {} output bytes",
                values.len(),
                out.len()
            ),
        ));
    }
    out.fill(0);
    match kind {
        ColumnKind::Int64 | ColumnKind::Timestamp => summarize_i64(kind, nulls, values, bloom, out),
        ColumnKind::Float64 => summarize_f64(nulls, values, bloom, out),
        _ => summarize_bool(nulls, values, bloom, out),
    }
    Ok(())
}

fn put_range(out: &mut [u8], at: usize, range: &Range<[u8; 8]>) {
    put(out, at, &range.nulls.to_le_bytes());
    put(out, at + 4, &range.values.to_le_bytes());
    put(out, at + 8, &range.min);
    put(out, at + 16, &range.max);
}

fn put_global(out: &mut [u8], range: &Range<[u8; 8]>, sorted: bool) {
    put(out, 0, &range.nulls.to_le_bytes());
    put(out, 4, &range.values.to_le_bytes());
    put(out, 8, &[u8::from(sorted)]);
    put(out, 16, &range.min);
    put(out, 24, &range.max);
}

fn summarize_i64(
    kind: ColumnKind,
    nulls: &[u8],
    values: &[u8],
    bloom: &mut BloomBits<'_>,
    out: &mut [u8],
) {
    let tag = if kind == ColumnKind::Int64 { 1 } else { 5 };
    let mut pending = bloom::Pending8::new(bloom::start(tag));
    let mut sorted = true;
    let mut last: Option<i64> = None;
    let mut sum: i128 = 0;
    let mut total = Range::new(0i64);
    let mut previous_hashed: Option<i64> = None;
    let group_rows = VOLUME_ROW_GROUP_ROWS as usize;
    for (group, (group_nulls, group_values)) in nulls
        .chunks(group_rows)
        .zip(values.chunks(group_rows * 8))
        .enumerate()
    {
        let mut range = Range::new(0i64);
        for (null, bytes) in group_nulls.iter().zip(group_values.chunks_exact(8)) {
            if *null != 0 {
                range.nulls += 1;
                sorted = false;
                continue;
            }
            let v = le_u64(bytes).unwrap_or(0) as i64;
            range.see(v);
            if sorted {
                if last.is_some_and(|l| v < l) {
                    sorted = false;
                }
                last = Some(v);
            }
            sum += i128::from(v);
            // Equal neighbours set the same bits: hashing once is exact and skips runs.
            if previous_hashed != Some(v) {
                pending.push(bloom, v as u64);
                previous_hashed = Some(v);
            }
        }
        total.absorb(&range);
        let bytes = range.to_bytes(i64::to_le_bytes);
        put_range(out, GLOBAL + group * GROUP, &bytes);
    }
    pending.flush(bloom);
    let bytes = total.to_bytes(i64::to_le_bytes);
    put_global(out, &bytes, sorted);
    if kind == ColumnKind::Int64 {
        put(out, 32, &sum.to_le_bytes());
    }
}

fn summarize_f64(nulls: &[u8], values: &[u8], bloom: &mut BloomBits<'_>, out: &mut [u8]) {
    let mut pending = bloom::Pending8::new(bloom::start(2));
    let mut sum = 0.0f64;
    let mut total = Range::new(0f64);
    let mut previous_hashed: Option<u64> = None;
    let group_rows = VOLUME_ROW_GROUP_ROWS as usize;
    for (group, (group_nulls, group_values)) in nulls
        .chunks(group_rows)
        .zip(values.chunks(group_rows * 8))
        .enumerate()
    {
        let mut range = Range::new(0f64);
        for (null, bytes) in group_nulls.iter().zip(group_values.chunks_exact(8)) {
            if *null != 0 {
                range.nulls += 1;
                continue;
            }
            let bits = le_u64(bytes).unwrap_or(0);
            // NaN goes into the bloom filter (raw bits) but not into zone maps or stats.
            if previous_hashed != Some(bits) {
                pending.push(bloom, bits);
                previous_hashed = Some(bits);
            }
            let v = f64::from_bits(bits);
            if v.is_nan() {
                continue;
            }
            range.see(v);
            sum += v;
        }
        total.absorb(&range);
        let bytes = range.to_bytes(|v: f64| v.to_bits().to_le_bytes());
        put_range(out, GLOBAL + group * GROUP, &bytes);
    }
    pending.flush(bloom);
    let bytes = total.to_bytes(|v: f64| v.to_bits().to_le_bytes());
    put_global(out, &bytes, false);
    put(out, 48, &sum.to_bits().to_le_bytes());
}

fn summarize_bool(nulls: &[u8], values: &[u8], bloom: &mut BloomBits<'_>, out: &mut [u8]) {
    let (mut any_true, mut any_false) = (false, false);
    let mut total = Range::new([0u8; 8]);
    let group_rows = VOLUME_ROW_GROUP_ROWS as usize;
    for (group, (group_nulls, group_values)) in nulls
        .chunks(group_rows)
        .zip(values.chunks(group_rows))
        .enumerate()
    {
        let (mut has_true, mut has_false, mut null_count) = (false, false, 0u32);
        for (null, value) in group_nulls.iter().zip(group_values) {
            if *null != 0 {
                null_count += 1;
            } else if *value != 0 {
                has_true = true;
            } else {
                has_false = true;
            }
        }
        let value_count = group_nulls.len() as u32 - null_count;
        let range = Range {
            nulls: null_count,
            values: value_count,
            min: [u8::from(!has_false), 0, 0, 0, 0, 0, 0, 0],
            max: [u8::from(has_true), 0, 0, 0, 0, 0, 0, 0],
        };
        put_range(out, GLOBAL + group * GROUP, &range);
        any_true |= has_true;
        any_false |= has_false;
        total.nulls += null_count;
        total.values += value_count;
    }
    total.min[0] = u8::from(!any_false);
    total.max[0] = u8::from(any_true);
    put_global(out, &total, false);
    for (seen, byte) in [(any_false, 0u8), (any_true, 1u8)] {
        if seen {
            bloom.insert_hash(bloom::hash(4, &[byte]));
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::volume::le_u32;

    fn run(kind: ColumnKind, nulls: &[u8], values: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let num_bits = bloom::bits_for_rows(nulls.len() as u64);
        let mut bits = vec![0u8; (num_bits.div_ceil(64) * 8) as usize];
        let mut out = vec![0u8; summary_bytes(nulls.len())];
        let mut bloom = BloomBits::new(&mut bits, num_bits).expect("sized");
        summarize_column(kind, nulls, values, &mut bloom, &mut out).expect("summarizes");
        (out, bits)
    }

    #[test]
    fn integer_summary_has_sum_min_max_and_sorted() {
        let values: Vec<u8> = [3i64, 1, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        let (out, _) = run(ColumnKind::Int64, &[0, 0, 0], &values);
        assert_eq!(le_u32(&out[4..]), Some(3));
        assert_eq!(out[8], 0, "3 then 1 is not sorted");
        assert_eq!(le_u64(&out[16..]), Some(1));
        assert_eq!(le_u64(&out[24..]), Some(3));
        assert_eq!(i128::from_le_bytes(out[32..48].try_into().expect("16")), 6);
    }

    #[test]
    fn a_null_clears_the_sorted_flag() {
        let values: Vec<u8> = [1i64, 0, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        let (out, _) = run(ColumnKind::Timestamp, &[0, 1, 0], &values);
        assert_eq!(out[8], 0);
        assert_eq!(le_u32(&out), Some(1));
    }

    #[test]
    fn nan_is_hashed_but_not_counted() {
        let values: Vec<u8> = [f64::NAN, 2.5]
            .iter()
            .flat_map(|v| v.to_bits().to_le_bytes())
            .collect();
        let (out, bits) = run(ColumnKind::Float64, &[0, 0], &values);
        assert_eq!(le_u32(&out[4..]), Some(1));
        assert_eq!(f64::from_bits(le_u64(&out[48..]).expect("sum")), 2.5);
        assert!(bloom::might_contain(
            &bits,
            64,
            bloom::hash(2, &f64::NAN.to_bits().to_le_bytes())
        ));
    }

    #[test]
    fn negative_zero_first_is_kept_as_min() {
        let values: Vec<u8> = [-0.0f64, 0.0]
            .iter()
            .flat_map(|v| v.to_bits().to_le_bytes())
            .collect();
        let (out, _) = run(ColumnKind::Float64, &[0, 0], &values);
        assert_eq!(le_u64(&out[16..]), Some((-0.0f64).to_bits()));
        assert_eq!(le_u64(&out[24..]), Some((-0.0f64).to_bits()));
    }

    #[test]
    fn bloom_bits_equal_per_row_insertion() {
        let values: Vec<u8> = [5i64, 5, 7, 5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let (_, bits) = run(ColumnKind::Int64, &[0, 0, 0, 0], &values);
        let mut expected = vec![0u8; 8];
        let mut bloom = BloomBits::new(&mut expected, 64).expect("sized");
        for v in [5i64, 5, 7, 5] {
            bloom.insert_hash(bloom::hash(1, &v.to_le_bytes()));
        }
        assert_eq!(bits, expected);
    }
}
