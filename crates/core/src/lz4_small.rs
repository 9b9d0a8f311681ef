//! LZ4 block compression of small inputs (below 65,535 bytes) that produces **exactly** the
//! bytes of lz4_flex 0.13 — `lz4_flex::block::compress` / `compress_prepend_size`, which is
//! what stoolap writes into WAL entries — without zeroing a hash table on every call.
//!
//! Why: the WAL compresses every payload of at least 64 bytes on its own (spec §2.3), and a
//! row payload is ~100–300 bytes. lz4_flex clears its 4,096-entry table before each block,
//! which costs more than compressing such a payload. Here each table slot carries the number
//! of the call that wrote it; a slot from an older call reads as position 0, which is exactly
//! what a freshly zeroed table holds, so every lookup — and therefore every output byte — is
//! the same as lz4_flex's. The table is really cleared once every 65,535 calls, when the call
//! number wraps.
//!
//! The algorithm is lz4_flex's `compress_internal` for a 4K table of 16-bit positions, no
//! dictionary, stream offset 0: greedy matching with step acceleration (`1 + misses / 32`),
//! backtracking, matches ending at least `END_OFFSET` bytes before the end, the last
//! `MFLIMIT` bytes always literals. `tests` compare the two on many inputs.

use crate::lz4_block::compress_bound;

/// Inputs must be shorter than this (lz4_flex switches to another table from here on).
pub const SMALL_INPUT_LIMIT: usize = u16::MAX as usize;

const TABLE_SLOTS: usize = 4096;
const MINMATCH: usize = 4;
const MFLIMIT: usize = 12;
const LAST_LITERALS: usize = 5;
const END_OFFSET: usize = LAST_LITERALS + 1;
const MIN_LENGTH: usize = MFLIMIT + 1;
const STEP_SHIFT: usize = 5;

/// A reusable compressor for small inputs.
pub struct SmallCompressor {
    /// `call << 16 | position`; a slot whose call is not the current one reads as 0.
    table: Box<[u32; TABLE_SLOTS]>,
    call: u32,
}

impl Default for SmallCompressor {
    fn default() -> Self {
        Self {
            table: Box::new([0; TABLE_SLOTS]),
            call: 0,
        }
    }
}

fn read_u32(input: &[u8], at: usize) -> u32 {
    input
        .get(at..at + 4)
        .and_then(|bytes| bytes.try_into().ok())
        .map_or(0, u32::from_ne_bytes)
}

/// lz4_flex's `hash` for the 16-bit table, then its shift to 12 bits.
fn slot(input: &[u8], at: usize) -> usize {
    ((read_u32(input, at).wrapping_mul(2_654_435_761) >> 16) as usize) >> 4
}

struct Out<'a> {
    bytes: &'a mut [u8],
    at: usize,
}

impl Out<'_> {
    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.at) {
            *slot = byte;
        }
        self.at += 1;
    }

    fn extend(&mut self, bytes: &[u8]) {
        if let Some(slots) = self.bytes.get_mut(self.at..self.at + bytes.len()) {
            slots.copy_from_slice(bytes);
        }
        self.at += bytes.len();
    }

    /// The extension of a literal or match length past 15.
    fn length(&mut self, mut n: usize) {
        while n >= 0xFF {
            n -= 0xFF;
            self.push(0xFF);
        }
        self.push(n as u8);
    }
}

impl SmallCompressor {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn get(&self, slot: usize) -> usize {
        let entry = self.table.get(slot).copied().unwrap_or(0);
        if entry >> 16 == self.call {
            (entry & 0xFFFF) as usize
        } else {
            0
        }
    }

    fn put(&mut self, slot: usize, position: usize) {
        if let Some(entry) = self.table.get_mut(slot) {
            *entry = self.call << 16 | (position as u32 & 0xFFFF);
        }
    }

    /// Compresses `input` (shorter than [`SMALL_INPUT_LIMIT`]) into the start of `out`, which
    /// must hold [`compress_bound`] bytes; returns the compressed length, or `None` when the input
    /// is too long or `out` too short.
    pub fn compress(&mut self, input: &[u8], out: &mut [u8]) -> Option<usize> {
        if input.len() >= SMALL_INPUT_LIMIT || out.len() < compress_bound(input.len()) {
            return None;
        }
        self.call += 1;
        if self.call > 0xFFFF {
            self.table.fill(0);
            self.call = 1;
        }
        let mut out = Out { bytes: out, at: 0 };
        let len = input.len();
        if len < MIN_LENGTH {
            last_literals(&mut out, input, 0);
            return Some(out.at);
        }
        let end_check = len - MFLIMIT;
        let mut literal_start = 0usize;
        self.put(slot(input, 0), 0);
        let mut cur = 1usize;
        loop {
            let mut misses = 1usize << STEP_SHIFT;
            let mut next = cur;
            let mut candidate;
            loop {
                let step = misses >> STEP_SHIFT;
                misses += 1;
                cur = next;
                next += step;
                if cur > end_check {
                    last_literals(&mut out, input, literal_start);
                    return Some(out.at);
                }
                let at = slot(input, cur);
                candidate = self.get(at);
                self.put(at, cur);
                // Positions are below 65,535, so every candidate is within LZ4's window.
                if read_u32(input, candidate) == read_u32(input, cur) {
                    break;
                }
            }
            let offset = (cur - candidate) as u16;
            while candidate > 0
                && cur > literal_start
                && input.get(cur - 1) == input.get(candidate - 1)
            {
                cur -= 1;
                candidate -= 1;
            }
            let literal_len = cur - literal_start;
            cur += MINMATCH;
            candidate += MINMATCH;
            let match_end = len - END_OFFSET;
            let start = cur;
            while cur < match_end && input.get(cur) == input.get(candidate + (cur - start)) {
                cur += 1;
            }
            let match_len = cur - start;
            self.put(slot(input, cur - 2), cur - 2);
            let token = (literal_len.min(0xF) as u8) << 4 | match_len.min(0xF) as u8;
            out.push(token);
            if literal_len >= 0xF {
                out.length(literal_len - 0xF);
            }
            out.extend(
                input
                    .get(literal_start..literal_start + literal_len)
                    .unwrap_or_default(),
            );
            out.extend(&offset.to_le_bytes());
            if match_len >= 0xF {
                out.length(match_len - 0xF);
            }
            literal_start = cur;
        }
    }
}

fn last_literals(out: &mut Out<'_>, input: &[u8], start: usize) {
    let literal_len = input.len() - start;
    out.push((literal_len.min(0xF) as u8) << 4);
    if literal_len >= 0xF {
        out.length(literal_len - 0xF);
    }
    out.extend(input.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: deterministic inputs of every shape.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn input(rng: &mut Rng, len: usize) -> Vec<u8> {
        match rng.below(5) {
            0 => (0..len).map(|_| rng.next() as u8).collect(),
            1 => (0..len).map(|_| b'a' + rng.below(2) as u8).collect(),
            2 => vec![0; len],
            3 => {
                // Row-payload-like: little-endian fields, small integers, repeated words.
                let mut bytes = Vec::with_capacity(len + 8);
                while bytes.len() < len {
                    let field = match rng.below(3) {
                        0 => rng.below(1000),
                        1 => 0x4059_0000_0000_0000 | rng.below(1 << 20),
                        _ => 0,
                    };
                    bytes.extend_from_slice(&field.to_le_bytes());
                }
                bytes.truncate(len);
                bytes
            }
            _ => {
                let period = 1 + rng.below(40) as usize;
                let pattern: Vec<u8> = (0..period).map(|_| rng.next() as u8).collect();
                (0..len)
                    .map(|i| {
                        if rng.below(50) == 0 {
                            rng.next() as u8
                        } else {
                            pattern.get(i % period).copied().unwrap_or(0)
                        }
                    })
                    .collect()
            }
        }
    }

    fn check(compressor: &mut SmallCompressor, data: &[u8]) {
        let mut out = vec![0u8; compress_bound(data.len())];
        let n = compressor.compress(data, &mut out).expect("small input");
        let expected = lz4_flex::block::compress(data);
        assert_eq!(
            out.get(..n),
            Some(expected.as_slice()),
            "input of {} bytes",
            data.len()
        );
    }

    #[test]
    fn matches_lz4_flex_on_many_inputs_through_one_reused_table() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut compressor = SmallCompressor::new();
        for round in 0..20_000 {
            let len = match round % 4 {
                0 => rng.below(80) as usize,
                1 => 60 + rng.below(300) as usize,
                2 => rng.below(4096) as usize,
                _ => rng.below(20_000) as usize,
            };
            check(&mut compressor, &input(&mut rng, len));
        }
    }

    #[test]
    fn matches_lz4_flex_across_the_call_number_wrap() {
        let mut rng = Rng(7);
        let mut compressor = SmallCompressor::new();
        for _ in 0..70_000 {
            let len = 64 + rng.below(64) as usize;
            check(&mut compressor, &input(&mut rng, len));
        }
    }

    #[test]
    fn matches_lz4_flex_at_the_largest_small_input() {
        let mut rng = Rng(11);
        let mut compressor = SmallCompressor::new();
        for _ in 0..5 {
            check(&mut compressor, &input(&mut rng, SMALL_INPUT_LIMIT - 1));
        }
    }

    #[test]
    fn refuses_large_inputs_and_short_outputs() {
        let mut compressor = SmallCompressor::new();
        let mut out = vec![0u8; compress_bound(SMALL_INPUT_LIMIT)];
        assert_eq!(
            compressor.compress(&vec![0; SMALL_INPUT_LIMIT], &mut out),
            None
        );
        assert_eq!(compressor.compress(&[1, 2, 3], &mut [0u8; 4]), None);
    }
}
