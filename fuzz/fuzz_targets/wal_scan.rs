//! WAL scanner on arbitrary bytes. Byte 0 chooses `is_final`, `in_damage` and the index
//! capacity; the rest is the window. Invariants: no panic, the resume point stays inside the
//! window, and records fit the index. Then, behind the CRC gate: the window is sealed as
//! drafts (when it parses as drafts) and the first sealed entry must scan back as valid or as
//! damage by a field rule, never as a CRC or header-checksum mismatch. (Later entries are not
//! checked: after field damage the scanner resynchronises and may frame inside a payload.)
#![no_main]
use libfuzzer_sys::fuzz_target;
use permafrost_core::constants::{
    WAL_DAMAGE_DATA_CHECKSUM, WAL_DAMAGE_HEADER_CHECKSUM, WAL_INDEX_KIND, WAL_INDEX_REASON,
    WAL_INDEX_RECORD_BYTES, WAL_RECORD_DAMAGE,
};
use permafrost_core::wal_entry::Sealer;
use permafrost_core::wal_scan::scan;

const RECORD: usize = WAL_INDEX_RECORD_BYTES as usize;

fuzz_target!(|data: &[u8]| {
    let Some((&control, window)) = data.split_first() else { return };
    let mut index = vec![0u8; RECORD * (1 + usize::from(control >> 4))];
    let outcome = scan(window, 7, control & 1 == 1, control & 2 == 2, &mut index);
    assert!(outcome.resume <= window.len());
    assert!(outcome.records * RECORD <= index.len());

    let mut drafts = window.to_vec();
    let len = drafts.len();
    let Ok(sealed) = Sealer::default().seal_drafts(&mut drafts, len) else { return };
    assert!(sealed <= len);
    let mut index = vec![0u8; RECORD * 64];
    let outcome = scan(&drafts[..sealed], 0, true, false, &mut index);
    if let Some(first) = index.chunks_exact(RECORD).take(outcome.records).next() {
        if first[WAL_INDEX_KIND as usize] == WAL_RECORD_DAMAGE {
            let reason = first[WAL_INDEX_REASON as usize];
            assert!(reason != WAL_DAMAGE_DATA_CHECKSUM && reason != WAL_DAMAGE_HEADER_CHECKSUM);
        }
    }
});
