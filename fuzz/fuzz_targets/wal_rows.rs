//! Columnar row drafts and small-input LZ4 on arbitrary bytes. The input is cut into a row-id
//! buffer, one column (kind, NULL type, nulls, values, offsets) and a row range, each length
//! taken from the input itself, so hostile lengths, offsets and kinds all reach
//! `draft_rows`. Invariants: no panic; drafts that are written seal cleanly and never grow;
//! `SmallCompressor` gives lz4_flex's exact bytes for the same input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permafrost_core::lz4_block::compress_bound;
use permafrost_core::lz4_small::{SmallCompressor, SMALL_INPUT_LIMIT};
use permafrost_core::wal_entry::Sealer;
use permafrost_core::wal_rows::{draft_rows, DraftOutcome, RowBatchHeader, RowColumn};

fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(data.len());
    let (head, rest) = data.split_at(n);
    *data = rest;
    head
}

fuzz_target!(|input: &[u8]| {
    if input.len() < SMALL_INPUT_LIMIT {
        let mut out = vec![0u8; compress_bound(input.len())];
        let n = SmallCompressor::new().compress(input, &mut out).expect("small input");
        assert_eq!(&out[..n], lz4_flex::block::compress(input).as_slice());
    }
    let mut data = input;
    let lengths = take(&mut data, 6);
    if lengths.len() < 6 {
        return;
    }
    let row_ids = take(&mut data, usize::from(lengths[0]));
    let nulls = take(&mut data, usize::from(lengths[1]));
    let offsets = take(&mut data, usize::from(lengths[2]));
    let kind = lengths[3] % 9;
    let rows = usize::from(lengths[4] & 0x0F)..usize::from(lengths[4] >> 4);
    let values = data;
    let header = RowBatchHeader {
        first_lsn: 1 + u64::from(lengths[5]),
        previous_lsn: 0,
        txn_id: 1,
        table_name: b"t",
        operation: 1,
        timestamp_nanos: 0,
    };
    let column = RowColumn { kind, null_type: lengths[5], nulls, values, offsets };
    let mut out = vec![0u8; 1 << 16];
    match draft_rows(&mut out, &header, row_ids, &[column], rows) {
        Ok(DraftOutcome::Written(n)) => {
            let sealed = Sealer::default().seal_drafts(&mut out, n).expect("drafts seal");
            assert!(sealed <= n);
        }
        Ok(DraftOutcome::NeedsBytes(n)) => assert!(n > out.len()),
        Err(_) => {}
    }
});
