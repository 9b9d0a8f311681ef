// tidy: long file — the validity rule in the module doc and the scanner that applies it
// stay together, step for step.
//! Scanning a window of WAL bytes into a compact index (one fixed-size record per entry or
//! damaged region), so TypeScript gets a whole batch from one native call.
//!
//! **Validity rule.** The bytes at offset `p` are a valid entry iff, in this order:
//! 1. the magic is "WALE" and the version is 2;
//! 2. the header size is at least 32;
//! 3. the reserved field is 0 (no header checksum: stoolap) or equals CRC32 of header bytes 0..28;
//! 4. the entry size is at most 64 MiB and the whole entry (header, data, CRC) is present;
//! 5. the CRC32 of the data portion equals the stored CRC;
//! 6. the data fields fit the entry size exactly, the table name is UTF-8 and the operation
//!    code is known (1..=13);
//! 7. no never-written flag bit is set, COMMIT_MARKER only on Commit and ABORT_MARKER only on
//!    Rollback entries, and a COMPRESSED payload declares a plausible decompressed size;
//! 8. the LSN is not 0.
//!
//! **Damage and resynchronisation.** When the bytes at `p` are not a valid entry, the
//! scanner writes one damage record (offset `p`, the first rule that failed, whatever header
//! fields were readable — unverified) and searches forward for the next "WALE" magic; each
//! candidate is checked by the same rule. Consecutive failures belong to one damaged region,
//! which ends at the next valid entry (or the end of the file). The entry size of an invalid
//! entry is never trusted, so a corrupted size cannot hide the valid entries after it.
//! What to do about damage (cut a torn tail, report corruption) is decided in TypeScript.
//!
//! **Windows.** A file may be scanned in windows. A window that is not the final one stops
//! with `WAL_SCAN_NEED_MORE` where an entry (or a possible magic) continues past its end;
//! the caller reads the next window from `resume` and passes `in_damage` back so a damaged
//! region spanning windows yields one record.

use crate::checksum::crc32;
use crate::constants::{
    WAL_DAMAGE_BAD_COMPRESSION, WAL_DAMAGE_BAD_FLAGS, WAL_DAMAGE_BAD_HEADER_SIZE,
    WAL_DAMAGE_BAD_LAYOUT, WAL_DAMAGE_BAD_MAGIC, WAL_DAMAGE_BAD_TABLE_NAME, WAL_DAMAGE_BAD_VERSION,
    WAL_DAMAGE_DATA_CHECKSUM, WAL_DAMAGE_ENTRY_TOO_LARGE, WAL_DAMAGE_HEADER_CHECKSUM,
    WAL_DAMAGE_TRUNCATED, WAL_DAMAGE_UNKNOWN_OPERATION, WAL_DAMAGE_ZERO_LSN,
    WAL_ENTRY_DATA_BYTES_MAX, WAL_ENTRY_MAGIC, WAL_ENTRY_VERSION, WAL_FLAGS_NEVER_WRITTEN,
    WAL_FLAG_ABORT_MARKER, WAL_FLAG_COMMIT_MARKER, WAL_FLAG_COMPRESSED, WAL_INDEX_DATA_CRC,
    WAL_INDEX_ENTRY_BYTES, WAL_INDEX_FLAGS, WAL_INDEX_HAS_HEADER, WAL_INDEX_HAS_TXN,
    WAL_INDEX_HEADER_BYTES, WAL_INDEX_HEADER_VERIFIED, WAL_INDEX_KIND, WAL_INDEX_LSN,
    WAL_INDEX_LSN_NUMBER, WAL_INDEX_OFFSET, WAL_INDEX_OPERATION, WAL_INDEX_PAYLOAD_OFFSET,
    WAL_INDEX_PAYLOAD_RAW_BYTES, WAL_INDEX_PAYLOAD_STORED_BYTES, WAL_INDEX_PRESENT,
    WAL_INDEX_PREVIOUS_LSN, WAL_INDEX_REASON, WAL_INDEX_RECORD_BYTES, WAL_INDEX_ROW_ID,
    WAL_INDEX_TABLE_NAME_BYTES, WAL_INDEX_TIMESTAMP, WAL_INDEX_TXN_ID, WAL_INDEX_TXN_ID_NUMBER,
    WAL_OP_COMMIT, WAL_OP_MAX, WAL_OP_ROLLBACK, WAL_RECORD_DAMAGE, WAL_RECORD_ENTRY, WAL_SCAN_END,
    WAL_SCAN_INDEX_FULL, WAL_SCAN_NEED_MORE,
};
use crate::lz4_block::max_decompressed_len;
use crate::wal_entry::{
    header_checksum, u16_at, u32_at, u64_at, CHECKSUM_AT, CRC, FIXED, HEADER, NAME_AT, NAME_LEN_AT,
    PAYLOAD_LEN_AFTER_NAME,
};

const RECORD: usize = WAL_INDEX_RECORD_BYTES as usize;
const MAGIC: [u8; 4] = WAL_ENTRY_MAGIC.to_le_bytes();

/// Where and why a scan call stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOutcome {
    /// Index records written.
    pub records: usize,
    /// `WAL_SCAN_END`, `WAL_SCAN_NEED_MORE` or `WAL_SCAN_INDEX_FULL`.
    pub stop: u8,
    /// Window offset to continue from (the window length after `WAL_SCAN_END`).
    pub resume: usize,
    /// For `WAL_SCAN_NEED_MORE`: bytes the next window must hold from `resume` (0 = any).
    pub needed_bytes: usize,
    /// Whether the scan stopped inside a damaged region.
    pub in_damage: bool,
}

/// Everything the index holds about one valid entry.
#[derive(Debug, Default, Clone, Copy)]
struct Entry {
    header_bytes: usize,
    total_bytes: usize,
    flags: u8,
    lsn: u64,
    previous_lsn: u64,
    txn_id: i64,
    row_id: i64,
    operation: u8,
    timestamp: i64,
    name_bytes: usize,
    payload_offset: usize,
    payload_stored_bytes: usize,
    payload_raw_bytes: usize,
    data_crc: u32,
    header_verified: bool,
}

/// What was readable at a damaged offset (all of it unverified).
#[derive(Debug, Default, Clone, Copy)]
struct Damage {
    reason: u8,
    header: Option<(u64, u64, u8)>,
    txn_id: Option<i64>,
    header_verified: bool,
}

enum Verdict {
    Valid(Entry),
    Damaged(Damage),
    NeedMore(usize),
}

fn i64_at(bytes: &[u8], at: usize) -> Option<i64> {
    u64_at(bytes, at).map(|v| i64::from_le_bytes(v.to_le_bytes()))
}

/// Checks the data fields (rules 6-8) of an entry whose CRC held.
fn check_data(window: &[u8], at: usize, mut entry: Entry, data_bytes: usize) -> Result<Entry, u8> {
    let data = at + entry.header_bytes;
    if data_bytes < FIXED {
        return Err(WAL_DAMAGE_BAD_LAYOUT);
    }
    let name_bytes = usize::from(u16_at(window, data + NAME_LEN_AT).ok_or(WAL_DAMAGE_BAD_LAYOUT)?);
    if FIXED + name_bytes > data_bytes {
        return Err(WAL_DAMAGE_BAD_LAYOUT);
    }
    let name_at = data + NAME_AT;
    let name = window
        .get(name_at..name_at + name_bytes)
        .ok_or(WAL_DAMAGE_BAD_LAYOUT)?;
    if std::str::from_utf8(name).is_err() {
        return Err(WAL_DAMAGE_BAD_TABLE_NAME);
    }
    let after_name = name_at + name_bytes;
    entry.row_id = i64_at(window, after_name).ok_or(WAL_DAMAGE_BAD_LAYOUT)?;
    entry.operation = window
        .get(after_name + 8)
        .copied()
        .ok_or(WAL_DAMAGE_BAD_LAYOUT)?;
    entry.timestamp = i64_at(window, after_name + 9).ok_or(WAL_DAMAGE_BAD_LAYOUT)?;
    let payload_bytes =
        u32_at(window, after_name + PAYLOAD_LEN_AFTER_NAME).ok_or(WAL_DAMAGE_BAD_LAYOUT)? as usize;
    if FIXED + name_bytes + payload_bytes != data_bytes {
        return Err(WAL_DAMAGE_BAD_LAYOUT);
    }
    if entry.operation == 0 || entry.operation > WAL_OP_MAX {
        return Err(WAL_DAMAGE_UNKNOWN_OPERATION);
    }
    let flags = entry.flags;
    let commit_flag_wrong = flags & WAL_FLAG_COMMIT_MARKER != 0 && entry.operation != WAL_OP_COMMIT;
    let abort_flag_wrong = flags & WAL_FLAG_ABORT_MARKER != 0 && entry.operation != WAL_OP_ROLLBACK;
    if flags & (WAL_FLAGS_NEVER_WRITTEN | 0x80) != 0 || commit_flag_wrong || abort_flag_wrong {
        return Err(WAL_DAMAGE_BAD_FLAGS);
    }
    entry.name_bytes = name_bytes;
    entry.payload_offset = after_name + PAYLOAD_LEN_AFTER_NAME + 4 - at;
    entry.payload_stored_bytes = payload_bytes;
    entry.payload_raw_bytes = payload_bytes;
    if flags & WAL_FLAG_COMPRESSED != 0 {
        let declared =
            u32_at(window, at + entry.payload_offset).ok_or(WAL_DAMAGE_BAD_COMPRESSION)?;
        let block = payload_bytes.saturating_sub(4);
        if payload_bytes < 4
            || declared > WAL_ENTRY_DATA_BYTES_MAX
            || u64::from(declared) > max_decompressed_len(block)
        {
            return Err(WAL_DAMAGE_BAD_COMPRESSION);
        }
        entry.payload_raw_bytes = declared as usize;
    }
    if entry.lsn == 0 {
        return Err(WAL_DAMAGE_ZERO_LSN);
    }
    Ok(entry)
}

/// Applies the validity rule to the bytes at `at`.
fn examine(window: &[u8], at: usize, is_final: bool) -> Verdict {
    let remaining = window.len() - at;
    let mut damage = Damage::default();
    let need = |bytes: usize, damage: Damage| {
        if is_final {
            Verdict::Damaged(Damage {
                reason: WAL_DAMAGE_TRUNCATED,
                ..damage
            })
        } else {
            Verdict::NeedMore(bytes)
        }
    };
    if remaining < MAGIC.len() {
        return need(HEADER, damage);
    }
    if window.get(at..at + MAGIC.len()) != Some(MAGIC.as_slice()) {
        return Verdict::Damaged(Damage {
            reason: WAL_DAMAGE_BAD_MAGIC,
            ..damage
        });
    }
    if remaining < HEADER {
        return need(HEADER, damage);
    }
    let flags = window.get(at + 5).copied().unwrap_or(0);
    let lsn = u64_at(window, at + 8).unwrap_or(0);
    let previous_lsn = u64_at(window, at + 16).unwrap_or(0);
    damage.header = Some((lsn, previous_lsn, flags));
    let header_bytes = usize::from(u16_at(window, at + 6).unwrap_or(0));
    let data_bytes = u32_at(window, at + 24).unwrap_or(0) as usize;
    let stored_checksum = u32_at(window, at + CHECKSUM_AT).unwrap_or(0);
    let header_ok = stored_checksum == 0
        || window.get(at..at + HEADER).map(header_checksum) == Some(stored_checksum);
    damage.header_verified = stored_checksum != 0 && header_ok;
    if header_bytes >= HEADER {
        damage.txn_id = i64_at(window, at + header_bytes);
    }
    let reason = if window.get(at + 4) != Some(&WAL_ENTRY_VERSION) {
        WAL_DAMAGE_BAD_VERSION
    } else if header_bytes < HEADER {
        WAL_DAMAGE_BAD_HEADER_SIZE
    } else if !header_ok {
        WAL_DAMAGE_HEADER_CHECKSUM
    } else if data_bytes > WAL_ENTRY_DATA_BYTES_MAX as usize {
        WAL_DAMAGE_ENTRY_TOO_LARGE
    } else {
        0
    };
    if reason != 0 {
        return Verdict::Damaged(Damage { reason, ..damage });
    }
    let total_bytes = header_bytes + data_bytes + CRC;
    if remaining < total_bytes {
        return need(total_bytes, damage);
    }
    let data_at = at + header_bytes;
    let data_crc = u32_at(window, data_at + data_bytes).unwrap_or(0);
    let computed = window
        .get(data_at..data_at + data_bytes)
        .map_or(0, |d| crc32(d, 0));
    if computed != data_crc {
        return Verdict::Damaged(Damage {
            reason: WAL_DAMAGE_DATA_CHECKSUM,
            ..damage
        });
    }
    let entry = Entry {
        header_bytes,
        total_bytes,
        flags,
        lsn,
        previous_lsn,
        txn_id: damage.txn_id.unwrap_or(0),
        data_crc,
        header_verified: damage.header_verified,
        ..Entry::default()
    };
    match check_data(window, at, entry, data_bytes) {
        Ok(entry) => Verdict::Valid(entry),
        Err(reason) => Verdict::Damaged(Damage { reason, ..damage }),
    }
}

/// Offset of the next "WALE" at or after `from`, if any.
fn find_magic(window: &[u8], from: usize) -> Option<usize> {
    let tail = window.get(from..)?;
    let mut start = 0;
    while let Some(found) = tail.get(start..)?.iter().position(|&b| b == MAGIC[0]) {
        let candidate = start + found;
        if tail.get(candidate..candidate + MAGIC.len()) == Some(MAGIC.as_slice()) {
            return Some(from + candidate);
        }
        start = candidate + 1;
    }
    None
}

/// Exact `f64` of an integer when |value| <= 2^53, NaN otherwise.
fn exact_f64(value: i128) -> f64 {
    const LIMIT: i128 = 1 << 53;
    if (-LIMIT..=LIMIT).contains(&value) {
        value as f64
    } else {
        f64::NAN
    }
}

/// Writes one index record; `slot` must fit in `index` (checked by the caller).
struct RecordWriter<'a> {
    slot: &'a mut [u8],
}

impl RecordWriter<'_> {
    fn put(&mut self, field: u32, value: &[u8]) {
        let at = field as usize;
        if let Some(dst) = self.slot.get_mut(at..at + value.len()) {
            dst.copy_from_slice(value);
        }
    }
}

fn write_entry(slot: &mut [u8], offset: u64, entry: &Entry) {
    slot.fill(0);
    let mut out = RecordWriter { slot };
    out.put(WAL_INDEX_OFFSET, &(offset as f64).to_le_bytes());
    out.put(WAL_INDEX_LSN, &entry.lsn.to_le_bytes());
    out.put(WAL_INDEX_PREVIOUS_LSN, &entry.previous_lsn.to_le_bytes());
    out.put(WAL_INDEX_TXN_ID, &entry.txn_id.to_le_bytes());
    out.put(
        WAL_INDEX_TXN_ID_NUMBER,
        &exact_f64(i128::from(entry.txn_id)).to_le_bytes(),
    );
    out.put(WAL_INDEX_ROW_ID, &entry.row_id.to_le_bytes());
    out.put(WAL_INDEX_TIMESTAMP, &entry.timestamp.to_le_bytes());
    out.put(
        WAL_INDEX_LSN_NUMBER,
        &exact_f64(i128::from(entry.lsn)).to_le_bytes(),
    );
    out.put(
        WAL_INDEX_ENTRY_BYTES,
        &(entry.total_bytes as u32).to_le_bytes(),
    );
    out.put(WAL_INDEX_DATA_CRC, &entry.data_crc.to_le_bytes());
    out.put(
        WAL_INDEX_PAYLOAD_OFFSET,
        &(entry.payload_offset as u32).to_le_bytes(),
    );
    out.put(
        WAL_INDEX_PAYLOAD_STORED_BYTES,
        &(entry.payload_stored_bytes as u32).to_le_bytes(),
    );
    out.put(
        WAL_INDEX_PAYLOAD_RAW_BYTES,
        &(entry.payload_raw_bytes as u32).to_le_bytes(),
    );
    out.put(
        WAL_INDEX_TABLE_NAME_BYTES,
        &(entry.name_bytes as u16).to_le_bytes(),
    );
    out.put(
        WAL_INDEX_HEADER_BYTES,
        &(entry.header_bytes as u16).to_le_bytes(),
    );
    let verified = if entry.header_verified {
        WAL_INDEX_HEADER_VERIFIED
    } else {
        0
    };
    let present = WAL_INDEX_HAS_HEADER | WAL_INDEX_HAS_TXN | verified;
    out.put(WAL_INDEX_KIND, &[WAL_RECORD_ENTRY]);
    out.put(WAL_INDEX_FLAGS, &[entry.flags]);
    out.put(WAL_INDEX_OPERATION, &[entry.operation]);
    out.put(WAL_INDEX_PRESENT, &[present]);
}

fn write_damage(slot: &mut [u8], offset: u64, damage: &Damage) {
    slot.fill(0);
    let mut out = RecordWriter { slot };
    out.put(WAL_INDEX_OFFSET, &(offset as f64).to_le_bytes());
    out.put(WAL_INDEX_LSN_NUMBER, &f64::NAN.to_le_bytes());
    out.put(WAL_INDEX_TXN_ID_NUMBER, &f64::NAN.to_le_bytes());
    let mut present = 0;
    let mut flags = 0;
    if let Some((lsn, previous_lsn, header_flags)) = damage.header {
        out.put(WAL_INDEX_LSN, &lsn.to_le_bytes());
        out.put(WAL_INDEX_PREVIOUS_LSN, &previous_lsn.to_le_bytes());
        out.put(
            WAL_INDEX_LSN_NUMBER,
            &exact_f64(i128::from(lsn)).to_le_bytes(),
        );
        present |= WAL_INDEX_HAS_HEADER;
        flags = header_flags;
    }
    if let Some(txn_id) = damage.txn_id {
        out.put(WAL_INDEX_TXN_ID, &txn_id.to_le_bytes());
        out.put(
            WAL_INDEX_TXN_ID_NUMBER,
            &exact_f64(i128::from(txn_id)).to_le_bytes(),
        );
        present |= WAL_INDEX_HAS_TXN;
    }
    if damage.header_verified {
        present |= WAL_INDEX_HEADER_VERIFIED;
    }
    out.put(WAL_INDEX_KIND, &[WAL_RECORD_DAMAGE]);
    out.put(WAL_INDEX_REASON, &[damage.reason]);
    out.put(WAL_INDEX_FLAGS, &[flags]);
    out.put(WAL_INDEX_PRESENT, &[present]);
}

/// Scans `window` (whose first byte is at file offset `base_offset`) from its start, writing
/// index records into `index` (a multiple of `WAL_INDEX_RECORD_BYTES`; at least one record).
/// `is_final`: the window ends at the end of the file. `in_damage`: the previous window
/// stopped inside a damaged region.
#[must_use]
pub fn scan(
    window: &[u8],
    base_offset: u64,
    is_final: bool,
    mut in_damage: bool,
    index: &mut [u8],
) -> ScanOutcome {
    let capacity = index.len() / RECORD;
    let mut records = 0usize;
    let mut at = 0usize;
    let stop = |stop, resume, needed_bytes, records, in_damage| ScanOutcome {
        records,
        stop,
        resume,
        needed_bytes,
        in_damage,
    };
    loop {
        if at >= window.len() {
            return stop(WAL_SCAN_END, window.len(), 0, records, in_damage);
        }
        if records >= capacity {
            return stop(WAL_SCAN_INDEX_FULL, at, 0, records, in_damage);
        }
        let slot_at = records * RECORD;
        let Some(slot) = index.get_mut(slot_at..slot_at + RECORD) else {
            return stop(WAL_SCAN_INDEX_FULL, at, 0, records, in_damage);
        };
        match examine(window, at, is_final) {
            Verdict::Valid(entry) => {
                write_entry(slot, base_offset + at as u64, &entry);
                records += 1;
                in_damage = false;
                at += entry.total_bytes;
            }
            Verdict::NeedMore(bytes) => {
                return stop(WAL_SCAN_NEED_MORE, at, bytes, records, in_damage);
            }
            Verdict::Damaged(damage) => {
                if !in_damage {
                    write_damage(slot, base_offset + at as u64, &damage);
                    records += 1;
                    in_damage = true;
                }
                match find_magic(window, at + 1) {
                    Some(next) => at = next,
                    None if is_final => return stop(WAL_SCAN_END, window.len(), 0, records, true),
                    None => {
                        // A magic may straddle the window end: resume 3 bytes before it.
                        let resume = (at + 1).max(window.len().saturating_sub(MAGIC.len() - 1));
                        return stop(WAL_SCAN_NEED_MORE, resume, 0, records, true);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{WAL_FLAG_COMMIT_MARKER, WAL_OP_COMMIT, WAL_OP_INSERT};
    use crate::wal_entry::{test_draft, Sealer};

    fn sealed(drafts: &[Vec<u8>]) -> Vec<u8> {
        let mut bytes: Vec<u8> = drafts.concat();
        let len = bytes.len();
        let n = Sealer::default()
            .seal_drafts(&mut bytes, len)
            .expect("drafts");
        bytes.truncate(n);
        bytes
    }

    fn sample() -> Vec<u8> {
        sealed(&[
            test_draft(1, 7, "users", WAL_OP_INSERT, &[b'a'; 100], 0),
            test_draft(2, 7, "users", WAL_OP_INSERT, b"tiny", 0),
            test_draft(3, 7, "", WAL_OP_COMMIT, &[], WAL_FLAG_COMMIT_MARKER),
        ])
    }

    fn kinds(window: &[u8], is_final: bool) -> (Vec<(u8, u8, u64)>, ScanOutcome) {
        let mut index = vec![0u8; RECORD * 64];
        let outcome = scan(window, 0, is_final, false, &mut index);
        let records = (0..outcome.records)
            .map(|i| {
                let slot = index.get(i * RECORD..(i + 1) * RECORD).expect("slot");
                let kind = *slot.get(WAL_INDEX_KIND as usize).expect("kind");
                let reason = *slot.get(WAL_INDEX_REASON as usize).expect("reason");
                (
                    kind,
                    reason,
                    u64_at(slot, WAL_INDEX_LSN as usize).expect("lsn"),
                )
            })
            .collect();
        (records, outcome)
    }

    #[test]
    fn valid_entries_are_indexed_in_order() {
        let (records, outcome) = kinds(&sample(), true);
        assert_eq!(records, vec![(1, 0, 1), (1, 0, 2), (1, 0, 3)]);
        assert_eq!(outcome.stop, WAL_SCAN_END);
        assert!(!outcome.in_damage);
    }

    #[test]
    fn torn_tail_is_one_damage_record_at_its_start() {
        let bytes = sample();
        let cut = bytes.len() - 10;
        let (records, _) = kinds(bytes.get(..cut).expect("cut"), true);
        assert_eq!(records.len(), 3);
        assert_eq!(
            records.get(2).map(|r| (r.0, r.1)),
            Some((WAL_RECORD_DAMAGE, WAL_DAMAGE_TRUNCATED))
        );
    }

    #[test]
    fn a_corrupted_size_does_not_hide_the_entries_after_it() {
        let mut bytes = sample();
        if let Some(b) = bytes.get_mut(25) {
            *b ^= 0x40;
        }
        let (records, _) = kinds(&bytes, true);
        let lsns: Vec<_> = records
            .iter()
            .filter(|r| r.0 == WAL_RECORD_ENTRY)
            .map(|r| r.2)
            .collect();
        assert_eq!(lsns, vec![2, 3]);
        assert_eq!(
            records.first().map(|r| r.1),
            Some(WAL_DAMAGE_HEADER_CHECKSUM)
        );
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let bytes = sample();
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            if let Some(b) = flipped.get_mut(bit / 8) {
                *b ^= 1 << (bit % 8);
            }
            let (records, _) = kinds(&flipped, true);
            let damaged = records.iter().filter(|r| r.0 == WAL_RECORD_DAMAGE).count();
            let valid = records.iter().filter(|r| r.0 == WAL_RECORD_ENTRY).count();
            assert_eq!((damaged, valid), (1, 2), "bit {bit}");
        }
    }

    #[test]
    fn windows_stop_where_an_entry_continues() {
        let bytes = sample();
        let (records, outcome) = kinds(bytes.get(..150).expect("part"), false);
        assert_eq!(records.len(), 1);
        assert_eq!(outcome.stop, WAL_SCAN_NEED_MORE);
        assert!(outcome.needed_bytes > 0);
    }

    #[test]
    fn index_full_resumes_at_the_next_entry() {
        let bytes = sample();
        let mut index = vec![0u8; RECORD];
        let outcome = scan(&bytes, 0, true, false, &mut index);
        assert_eq!((outcome.records, outcome.stop), (1, WAL_SCAN_INDEX_FULL));
        let (rest, _) = kinds(bytes.get(outcome.resume..).expect("rest"), true);
        assert_eq!(rest.len(), 2);
    }

    #[test]
    fn unknown_operation_with_a_valid_crc_is_damage() {
        let bytes = sealed(&[test_draft(1, 7, "t", 14, b"", 0)]);
        let (records, _) = kinds(&bytes, true);
        assert_eq!(
            records.first().map(|r| r.1),
            Some(WAL_DAMAGE_UNKNOWN_OPERATION)
        );
    }

    #[test]
    fn zero_filled_tail_is_damage_to_the_end() {
        let mut bytes = sample();
        bytes.extend_from_slice(&[0u8; 4096]);
        let (records, outcome) = kinds(&bytes, true);
        assert_eq!(records.len(), 4);
        assert_eq!(records.get(3).map(|r| r.1), Some(WAL_DAMAGE_BAD_MAGIC));
        assert!(outcome.in_damage);
    }

    #[test]
    fn index_fields_fit_the_record_without_overlapping() {
        let fields: [(u32, u32); 20] = [
            (WAL_INDEX_OFFSET, 8),
            (WAL_INDEX_LSN, 8),
            (WAL_INDEX_PREVIOUS_LSN, 8),
            (WAL_INDEX_TXN_ID, 8),
            (WAL_INDEX_TXN_ID_NUMBER, 8),
            (WAL_INDEX_ROW_ID, 8),
            (WAL_INDEX_TIMESTAMP, 8),
            (WAL_INDEX_LSN_NUMBER, 8),
            (WAL_INDEX_ENTRY_BYTES, 4),
            (WAL_INDEX_DATA_CRC, 4),
            (WAL_INDEX_PAYLOAD_OFFSET, 4),
            (WAL_INDEX_PAYLOAD_STORED_BYTES, 4),
            (WAL_INDEX_PAYLOAD_RAW_BYTES, 4),
            (WAL_INDEX_TABLE_NAME_BYTES, 2),
            (WAL_INDEX_HEADER_BYTES, 2),
            (WAL_INDEX_KIND, 1),
            (WAL_INDEX_REASON, 1),
            (WAL_INDEX_FLAGS, 1),
            (WAL_INDEX_OPERATION, 1),
            (WAL_INDEX_PRESENT, 1),
        ];
        let mut used = [false; RECORD];
        for (offset, size) in fields {
            assert_eq!(offset % size, 0, "field at {offset} is aligned to its size");
            for byte in offset..offset + size {
                let slot = used.get_mut(byte as usize).expect("inside the record");
                assert!(!*slot, "byte {byte} is used twice");
                *slot = true;
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut state = 0x9E37_79B9u32;
        let mut index = vec![0u8; RECORD * 8];
        for len in 0..400 {
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    (state & 0xFF) as u8
                })
                .collect();
            if len > 40 {
                if let Some(head) = bytes.get_mut(..4) {
                    head.copy_from_slice(&MAGIC);
                }
            }
            let _ = scan(&bytes, 0, len % 2 == 0, false, &mut index);
        }
    }
}
