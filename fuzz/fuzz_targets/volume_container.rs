//! Whole-file structural check of an STV4 volume: must return Ok or Err, never panic,
//! never allocate beyond what the bytes justify.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = permafrost_core::volume::container::check_container(data);
});
