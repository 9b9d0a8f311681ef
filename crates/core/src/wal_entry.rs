//! WAL entry framing, format version 2 (spec §2.3), and the sealing of entry drafts.
//!
//! | offset | size | field        | notes                                                      |
//! |--------|------|--------------|------------------------------------------------------------|
//! | 0      | 4    | magic        | `u32` 0x454C4157, bytes "WALE"                              |
//! | 4      | 1    | version      | 2                                                          |
//! | 5      | 1    | flags        | COMPRESSED 0x01, COMMIT_MARKER 0x02, ABORT_MARKER 0x04     |
//! | 6      | 2    | header size  | `u16`, 32 (readers skip extra bytes when larger)           |
//! | 8      | 8    | LSN          | `u64`, never 0                                             |
//! | 16     | 8    | previous LSN | `u64`                                                      |
//! | 24     | 4    | entry size   | `u32` length of the data portion, at most 64 MiB           |
//! | 28     | 4    | reserved     | stoolap: 0. permafrost: CRC32 of header bytes 0..28         |
//! | 32     | n    | data         | see below                                                  |
//! | 32+n   | 4    | CRC32        | of the data portion only                                   |
//!
//! Data portion: `i64` txn id, `u16` table-name length, table name (UTF-8), `i64` row id,
//! `u8` operation, `i64` timestamp (ns since the epoch), `u32` payload length, payload.
//! `entry size = 31 + name length + payload length`, exactly.
//!
//! **Header checksum (a deviation stoolap tolerates).** stoolap writes 0 in the reserved
//! field and never reads it. permafrost writes CRC32 of header bytes `[0, 28)` there and, when
//! the field is non-zero, requires it to match: a flipped flag, LSN or size is then caught
//! instead of trusted. A zero field means "no header checksum" (every stoolap entry).
//!
//! **Drafts.** The TypeScript writer lays out each entry exactly as above with the payload
//! uncompressed, `entry size` for that layout, and zeros for the reserved field and the CRC.
//! [`seal_drafts`] turns a run of drafts into final entries in place: payloads of at least
//! 64 bytes are replaced by their LZ4+size form when that is strictly shorter (flag
//! COMPRESSED set, sizes adjusted, later entries moved down), then the CRC and the header
//! checksum are filled in. Sealing only ever shrinks, so it can work in the same buffer.

use crate::checksum::crc32;
use crate::constants::{
    WAL_COMPRESSION_THRESHOLD_BYTES, WAL_CRC_BYTES, WAL_DATA_FIXED_BYTES,
    WAL_DATA_NAME_LENGTH_OFFSET, WAL_DATA_NAME_OFFSET, WAL_ENTRY_DATA_BYTES_MAX, WAL_ENTRY_MAGIC,
    WAL_ENTRY_VERSION, WAL_FLAG_COMPRESSED, WAL_HEADER_BYTES, WAL_HEADER_CHECKSUM_OFFSET,
    WAL_HEADER_ENTRY_SIZE_OFFSET, WAL_HEADER_FLAGS_OFFSET, WAL_HEADER_SIZE_OFFSET,
};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::lz4_block;
use crate::lz4_small::{SmallCompressor, SMALL_INPUT_LIMIT};
use lz4_flex::block::{compress_into_with_table, CompressTable};

pub(crate) const HEADER: usize = WAL_HEADER_BYTES as usize;
pub(crate) const CRC: usize = WAL_CRC_BYTES as usize;
pub(crate) const FIXED: usize = WAL_DATA_FIXED_BYTES as usize;
pub(crate) const NAME_LEN_AT: usize = WAL_DATA_NAME_LENGTH_OFFSET as usize;
pub(crate) const NAME_AT: usize = WAL_DATA_NAME_OFFSET as usize;
pub(crate) const CHECKSUM_AT: usize = WAL_HEADER_CHECKSUM_OFFSET as usize;
const SIZE_AT: usize = WAL_HEADER_ENTRY_SIZE_OFFSET as usize;
const FLAGS_AT: usize = WAL_HEADER_FLAGS_OFFSET as usize;
const HEADER_SIZE_AT: usize = WAL_HEADER_SIZE_OFFSET as usize;
/// Data offset of the payload length, counted from the end of the table name:
/// row id 8 + operation 1 + timestamp 8.
pub(crate) const PAYLOAD_LEN_AFTER_NAME: usize = 17;

/// Reads a little-endian `u16` at `at`, if the bytes are there.
pub(crate) fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let field = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(field.try_into().ok()?))
}

/// Reads a little-endian `u32` at `at`, if the bytes are there.
pub(crate) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let field = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(field.try_into().ok()?))
}

/// Reads a little-endian `u64` at `at`, if the bytes are there.
pub(crate) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let field = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(field.try_into().ok()?))
}

/// Writes `value` at `at`; the caller has checked that the bytes exist.
fn put(bytes: &mut [u8], at: usize, value: &[u8]) {
    if let Some(field) = bytes.get_mut(at..at + value.len()) {
        field.copy_from_slice(value);
    }
}

/// The header checksum permafrost stores in the reserved field: CRC32 of bytes `[0, 28)`.
#[must_use]
pub fn header_checksum(header: &[u8]) -> u32 {
    crc32(header.get(..CHECKSUM_AT).unwrap_or(header), 0)
}

fn draft_error(offset: usize, message: impl Into<String>) -> CoreError {
    CoreError::at(ErrorCode::InvalidArgument, offset, message)
}

/// Geometry of one draft, checked against the bytes that remain.
struct Draft {
    data_bytes: usize,
    name_bytes: usize,
    payload_bytes: usize,
}

fn read_draft(buf: &[u8], at: usize, end: usize) -> CoreResult<Draft> {
    let remaining = end - at;
    if remaining < HEADER + FIXED + CRC {
        return Err(draft_error(
            at,
            "WAL draft is shorter than the smallest entry",
        ));
    }
    if u32_at(buf, at) != Some(WAL_ENTRY_MAGIC)
        || buf.get(at + 4) != Some(&WAL_ENTRY_VERSION)
        || u16_at(buf, at + HEADER_SIZE_AT) != Some(WAL_HEADER_BYTES as u16)
    {
        return Err(draft_error(at, "WAL draft header is malformed"));
    }
    if buf
        .get(at + FLAGS_AT)
        .is_some_and(|f| f & WAL_FLAG_COMPRESSED != 0)
    {
        return Err(draft_error(at, "WAL draft is already compressed"));
    }
    let data_bytes = u32_at(buf, at + SIZE_AT).unwrap_or(0) as usize;
    if data_bytes > WAL_ENTRY_DATA_BYTES_MAX as usize || data_bytes + HEADER + CRC > remaining {
        return Err(draft_error(at, "WAL draft entry size overruns the drafts"));
    }
    let data = at + HEADER;
    let name_bytes = usize::from(u16_at(buf, data + NAME_LEN_AT).unwrap_or(u16::MAX));
    let payload_len_at = data + NAME_AT + name_bytes + PAYLOAD_LEN_AFTER_NAME;
    let payload_bytes = u32_at(buf, payload_len_at).map_or(usize::MAX, |n| n as usize);
    if FIXED
        .checked_add(name_bytes)
        .and_then(|n| n.checked_add(payload_bytes))
        != Some(data_bytes)
    {
        return Err(draft_error(
            at,
            "WAL draft entry size disagrees with its fields",
        ));
    }
    Ok(Draft {
        data_bytes,
        name_bytes,
        payload_bytes,
    })
}

/// Fills in the data CRC and the header checksum of the entry at `at` (data already final).
fn finish_entry(buf: &mut [u8], at: usize, data_bytes: usize) {
    let data_end = at + HEADER + data_bytes;
    let crc = buf
        .get(at + HEADER..data_end)
        .map_or(0, |data| crc32(data, 0));
    put(buf, data_end, &crc.to_le_bytes());
    put(buf, at + CHECKSUM_AT, &[0; 4]);
    let checksum = buf.get(at..at + HEADER).map_or(0, header_checksum);
    put(buf, at + CHECKSUM_AT, &checksum.to_le_bytes());
}

/// Reusable state for [`seal_drafts`]: an LZ4 hash table and a scratch buffer, so sealing
/// many small entries allocates nothing per entry.
#[derive(Default)]
pub struct Sealer {
    /// Payloads below 64 KiB (all but a few): same bytes as lz4_flex, no table reset per entry.
    small: SmallCompressor,
    table: CompressTable,
    scratch: Vec<u8>,
}

impl Sealer {
    /// Puts the LZ4+size form of `payload` in the scratch buffer and returns its length,
    /// if it is strictly shorter than `payload`.
    fn compress(&mut self, payload: &[u8]) -> Option<usize> {
        let raw = u32::try_from(payload.len()).ok()?;
        let bound = lz4_block::compress_bound(payload.len());
        self.scratch.resize(4 + bound, 0);
        put(&mut self.scratch, 0, &raw.to_le_bytes());
        let out = self.scratch.get_mut(4..)?;
        let written = if payload.len() < SMALL_INPUT_LIMIT {
            self.small.compress(payload, out)?
        } else {
            compress_into_with_table(payload, out, &mut self.table).ok()?
        };
        let framed = 4 + written;
        (framed < payload.len()).then_some(framed)
    }

    /// Seals the drafts in `buf[..len]` in place (see the module documentation) and returns
    /// the length of the sealed entries, which is at most `len`.
    ///
    /// # Errors
    /// `InvalidArgument` when a draft is malformed (a bug in the caller), with its offset.
    pub fn seal_drafts(&mut self, buf: &mut [u8], len: usize) -> CoreResult<usize> {
        if len > buf.len() {
            return Err(draft_error(0, "draft length exceeds the buffer"));
        }
        let (mut read, mut write) = (0usize, 0usize);
        while read < len {
            let draft = read_draft(buf, read, len)?;
            let total = HEADER + draft.data_bytes + CRC;
            let payload_at = HEADER + NAME_AT + draft.name_bytes + PAYLOAD_LEN_AFTER_NAME + 4;
            let compressed = if draft.payload_bytes >= WAL_COMPRESSION_THRESHOLD_BYTES as usize {
                let payload = buf
                    .get(read + payload_at..read + payload_at + draft.payload_bytes)
                    .unwrap_or_default();
                self.compress(payload)
            } else {
                None
            };
            match compressed.and_then(|n| self.scratch.get(..n)) {
                Some(framed) => {
                    // Header and data up to the payload move down; then the new payload.
                    buf.copy_within(read..read + payload_at, write);
                    let data_bytes = draft.data_bytes - draft.payload_bytes + framed.len();
                    put(buf, write + SIZE_AT, &(data_bytes as u32).to_le_bytes());
                    let flags = buf.get(write + FLAGS_AT).copied().unwrap_or(0);
                    put(buf, write + FLAGS_AT, &[flags | WAL_FLAG_COMPRESSED]);
                    put(
                        buf,
                        write + payload_at - 4,
                        &(framed.len() as u32).to_le_bytes(),
                    );
                    put(buf, write + payload_at, framed);
                    finish_entry(buf, write, data_bytes);
                    write += HEADER + data_bytes + CRC;
                }
                None => {
                    if read != write {
                        buf.copy_within(read..read + total, write);
                    }
                    finish_entry(buf, write, draft.data_bytes);
                    write += total;
                }
            }
            read += total;
        }
        Ok(write)
    }
}

#[cfg(test)]
pub(crate) use tests::draft as test_draft;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{WAL_FLAG_COMMIT_MARKER, WAL_OP_COMMIT, WAL_OP_INSERT};

    /// A draft as the TypeScript writer lays it out.
    pub(crate) fn draft(
        lsn: u64,
        txn: i64,
        name: &str,
        op: u8,
        payload: &[u8],
        flags: u8,
    ) -> Vec<u8> {
        let data_bytes = FIXED + name.len() + payload.len();
        let mut out = Vec::new();
        out.extend_from_slice(&WAL_ENTRY_MAGIC.to_le_bytes());
        out.push(WAL_ENTRY_VERSION);
        out.push(flags);
        out.extend_from_slice(&32u16.to_le_bytes());
        out.extend_from_slice(&lsn.to_le_bytes());
        out.extend_from_slice(&lsn.saturating_sub(1).to_le_bytes());
        out.extend_from_slice(&(data_bytes as u32).to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&txn.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&7i64.to_le_bytes());
        out.push(op);
        out.extend_from_slice(&1_700_000_000_000_000_000i64.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&[0; 4]);
        out
    }

    fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
        let len = bytes.len();
        let sealed = Sealer::default()
            .seal_drafts(&mut bytes, len)
            .expect("valid drafts");
        bytes.truncate(sealed);
        bytes
    }

    #[test]
    fn small_payload_is_stored_raw_with_crc_over_data_only() {
        let sealed = seal(draft(1, 5, "t", WAL_OP_INSERT, b"abc", 0));
        let data = sealed.get(32..sealed.len() - 4).expect("data");
        let crc = u32_at(&sealed, sealed.len() - 4).expect("crc");
        assert_eq!(crc, crc32(data, 0));
        assert_eq!(sealed.get(5), Some(&0));
        let reserved = u32_at(&sealed, 28).expect("reserved");
        assert_eq!(reserved, header_checksum(sealed.get(..32).expect("header")));
    }

    #[test]
    fn compressible_payload_matches_lz4_flex_compress_prepend_size() {
        let payload = vec![b'x'; 200];
        let sealed = seal(draft(1, 5, "t", WAL_OP_INSERT, &payload, 0));
        assert_eq!(sealed.get(5), Some(&WAL_FLAG_COMPRESSED));
        let expected = lz4_flex::compress_prepend_size(&payload);
        let payload_at = 32 + FIXED + 1;
        assert_eq!(
            sealed.get(payload_at..sealed.len() - 4),
            Some(expected.as_slice())
        );
        assert_eq!(u32_at(&sealed, payload_at - 4), Some(expected.len() as u32));
        assert_eq!(
            u32_at(&sealed, 24),
            Some((FIXED + 1 + expected.len()) as u32)
        );
    }

    #[test]
    fn payload_of_63_bytes_is_never_compressed() {
        let sealed = seal(draft(1, 5, "t", WAL_OP_INSERT, &[0u8; 63], 0));
        assert_eq!(sealed.get(5), Some(&0));
    }

    #[test]
    fn incompressible_payload_stays_raw() {
        let payload: Vec<u8> = (0..64u32).map(|i| (i * 151 % 256) as u8).collect();
        let sealed = seal(draft(1, 5, "t", WAL_OP_INSERT, &payload, 0));
        assert_eq!(sealed.get(5), Some(&0));
    }

    #[test]
    fn drafts_after_a_compressed_one_move_down_intact() {
        let mut bytes = draft(1, 5, "t", WAL_OP_INSERT, &[b'y'; 500], 0);
        let second = draft(2, 5, "", WAL_OP_COMMIT, &[], WAL_FLAG_COMMIT_MARKER);
        bytes.extend_from_slice(&second);
        let sealed = seal(bytes);
        let tail = sealed.get(sealed.len() - second.len()..).expect("tail");
        assert_eq!(tail.get(..24), second.get(..24));
        assert_eq!(u64_at(tail, 8), Some(2));
    }

    #[test]
    fn malformed_draft_is_an_invalid_argument() {
        let mut bytes = draft(1, 5, "t", WAL_OP_INSERT, b"abc", 0);
        put(&mut bytes, 24, &1000u32.to_le_bytes());
        let len = bytes.len();
        let err = Sealer::default()
            .seal_drafts(&mut bytes, len)
            .expect_err("bad size");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
    }
}
