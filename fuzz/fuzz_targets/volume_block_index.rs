//! Block index checks: byte 0 = column count, bytes 1..9 = row count, 9..17 = available
//! bytes; the rest are kind tags then index entries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permafrost_core::volume::{container, ColumnKind};

fuzz_target!(|data: &[u8]| {
    if data.len() < 17 {
        return;
    }
    let columns = usize::from(data[0] % 8);
    let rows = u64::from_le_bytes(data[1..9].try_into().unwrap_or([0; 8])) % (1 << 24);
    let available = u64::from_le_bytes(data[9..17].try_into().unwrap_or([0; 8]));
    let rest = &data[17..];
    if rest.len() < columns {
        return;
    }
    let kinds: Vec<ColumnKind> = rest[..columns].iter().filter_map(|t| ColumnKind::from_tag(u32::from(*t % 7)).ok()).collect();
    let _ = container::check_block_index(&rest[columns..], &kinds, rows, available);
});
