//! Stateless byte work for permafrost, bit-compatible with stoolap 0.4.0.
//!
//! This crate knows nothing about paths, files, fsync or policy: it takes bytes and returns
//! bytes or verdicts. The TypeScript layer owns all orchestration (see ARCHITECTURE.md).
//! `permafrost-node` exposes it to Node; `permafrost-bench-native` measures it without Node.
//!
//! Every function treats its input as hostile: lengths are checked against what remains
//! before anything is allocated or sliced, and no input can make it panic.

#![forbid(unsafe_code)]

pub mod checksum;
pub mod constants;
pub mod error;
pub mod lz4_block;
pub mod lz4_small;
mod row_column;
pub mod volume;
pub mod wal_entry;
pub mod wal_payload;
pub mod wal_rows;
pub mod wal_scan;

pub use error::{CoreError, ErrorCode};
