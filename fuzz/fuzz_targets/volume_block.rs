//! Block decoders behind the CRC gate: byte 0 picks the kind, bytes 1..5 the row count
//! (capped), bytes 5..9 the declared raw length, byte 9 the dictionary size; the rest is the
//! stored block.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permafrost_core::volume::{block, ColumnKind};

fuzz_target!(|data: &[u8]| {
    if data.len() < 10 {
        return;
    }
    let Ok(kind) = ColumnKind::from_tag(u32::from(data[0] % 7)) else { return };
    let rows = (u32::from_le_bytes([data[1], data[2], data[3], data[4]]) % 70_000) as usize;
    let raw_len = (u32::from_le_bytes([data[5], data[6], data[7], data[8]]) % (1 << 22)) as usize;
    let dict = u32::from(data[9]);
    let src = &data[10..];
    let mut scratch = Vec::new();
    match kind.value_bytes() {
        Some(width) => {
            let mut nulls = vec![0u8; rows];
            let mut values = vec![0u8; rows * width];
            let _ = block::decode_fixed_block(kind, src, raw_len, dict, &mut scratch, &mut nulls, &mut values);
        }
        None => {
            if let Ok(raw) = block::inflate(src, raw_len, &mut scratch) {
                let _ = block::check_bytes_block(raw, rows);
            }
        }
    }
});
