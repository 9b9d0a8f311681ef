//! stoolap's per-column bloom filter (`ColumnBloomFilter`, spec §5.7), bit for bit.
//!
//! * Size: `num_bits = max(max(R, 1) × 10, 64)`, stored as `ceil(num_bits / 64)` u64 words
//!   in little-endian order — so bit `b` is bit `b % 8` of byte `b / 8`.
//! * Hash: 64-bit FNV-1a over `[tag] ++ payload` (Integer 1 + i64 LE, Float 2 + f64 bits,
//!   Text 3 + UTF-8, Boolean 4 + one byte, Timestamp 5 + i64 nanos, any extension 0 + nothing).
//! * Insert: `h1 = h`, `h2 = h >> 32`; for i in 0..3 set bit `(h1 + i·h2 mod 2^64) mod num_bits`.
//!   stoolap does this in `usize`; we use u64, i.e. its 64-bit behaviour.
//!
//! Two exact speed-ups keep the answer identical: the `mod num_bits` uses a Barrett
//! multiply-based remainder when `num_bits < 2^32` (exact for every 64-bit numerator), and
//! when `h1 + 2·h2` does not wrap, the 2nd and 3rd bits come from the first remainder by
//! conditional subtraction.

use crate::error::{CoreError, CoreResult, ErrorCode};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a state after `tag`.
#[must_use]
pub const fn start(tag: u8) -> u64 {
    (FNV_OFFSET ^ tag as u64).wrapping_mul(FNV_PRIME)
}

/// Continues an FNV-1a hash over `bytes`.
#[must_use]
pub fn mix(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    h
}

/// The hash stoolap inserts for a value with this tag and payload.
#[must_use]
pub fn hash(tag: u8, payload: &[u8]) -> u64 {
    mix(start(tag), payload)
}

/// Hash of an 8-byte payload (i64, f64 bits or timestamp nanos) after `tag`.
#[inline]
#[must_use]
pub fn hash8(tag_state: u64, value: u64) -> u64 {
    let mut h = tag_state;
    for b in value.to_le_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    h
}

/// `x mod d` for a fixed `2 <= d < 2^32` by multiplication (Barrett): with
/// `m = floor((2^64 - 1) / d)` and `q = floor(x·m / 2^64)`, `q` is `floor(x / d)` or one
/// less (the error of `x·m / 2^64` against `x / d` is below `x / 2^64 < 1`), so
/// `x − q·d` needs at most one subtraction of `d`. Exact for every 64-bit `x`; two
/// multiplications instead of a 64-bit division.
#[derive(Clone, Copy)]
struct FastMod {
    divisor: u64,
    multiplier: u64,
}

impl FastMod {
    fn new(divisor: u64) -> Option<Self> {
        (2..(1u64 << 32)).contains(&divisor).then(|| Self {
            divisor,
            multiplier: u64::MAX / divisor,
        })
    }

    #[inline]
    fn rem(self, x: u64) -> u64 {
        let q = ((u128::from(x) * u128::from(self.multiplier)) >> 64) as u64;
        let r = x - q * self.divisor;
        if r >= self.divisor {
            r - self.divisor
        } else {
            r
        }
    }
}

/// A bloom filter bit array the caller owns (the bytes that go into the metadata).
pub struct BloomBits<'a> {
    bytes: &'a mut [u8],
    num_bits: u64,
    fast: Option<FastMod>,
}

impl<'a> BloomBits<'a> {
    /// Wraps `bytes`, which must be exactly `ceil(num_bits / 64) × 8` bytes.
    ///
    /// # Errors
    /// `InvalidArgument` for a zero bit count or a wrongly sized buffer.
    pub fn new(bytes: &'a mut [u8], num_bits: u64) -> CoreResult<Self> {
        let expected = num_bits.div_ceil(64).checked_mul(8);
        if num_bits == 0 || expected != Some(bytes.len() as u64) {
            return Err(CoreError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "a bloom filter of {num_bits} bits needs {} bytes, got {}",
                    expected.unwrap_or(u64::MAX),
                    bytes.len()
                ),
            ));
        }
        Ok(Self {
            bytes,
            num_bits,
            fast: FastMod::new(num_bits),
        })
    }

    #[inline]
    fn set(&mut self, bit: u64) {
        // bit < num_bits ≤ bytes.len() × 8 by construction.
        if let Some(byte) = usize::try_from(bit >> 3)
            .ok()
            .and_then(|i| self.bytes.get_mut(i))
        {
            *byte |= 1 << (bit & 7);
        }
    }

    /// Inserts a hash exactly as stoolap's `insert_hash`.
    #[inline]
    pub fn insert_hash(&mut self, h: u64) {
        let h2 = h >> 32;
        if let Some(fast) = self.fast {
            if h.checked_add(h2 << 1).is_some() {
                let n = self.num_bits;
                let a = fast.rem(h);
                let b = fast.rem(h2);
                let mut second = a + b;
                if second >= n {
                    second -= n;
                }
                let mut third = second + b;
                if third >= n {
                    third -= n;
                }
                self.set(a);
                self.set(second);
                self.set(third);
                return;
            }
        }
        for i in 0..3u64 {
            let bit = h.wrapping_add(i.wrapping_mul(h2)) % self.num_bits;
            self.set(bit);
        }
    }
}

/// Values `Pending8` hashes together.
const BATCH: usize = 8;

/// 8-byte payloads waiting to be inserted (`hash8` after one tag), hashed a batch at a
/// time: the FNV-1a chains of a batch are independent, so they run interleaved instead of
/// one 8-multiplication chain after another (~20 % off a column's bloom pass here). The
/// bits are those of one `insert_hash(hash8(tag_state, v))` per value: setting a bit is
/// idempotent and order-free.
pub struct Pending8 {
    tag_state: u64,
    values: [u64; BATCH],
    len: usize,
}

impl Pending8 {
    #[must_use]
    pub fn new(tag_state: u64) -> Self {
        Self {
            tag_state,
            values: [0; BATCH],
            len: 0,
        }
    }

    /// Queues `value`; inserts the batch into `bits` once it is full.
    #[inline]
    pub fn push(&mut self, bits: &mut BloomBits<'_>, value: u64) {
        if let Some(slot) = self.values.get_mut(self.len) {
            *slot = value;
            self.len += 1;
        }
        if self.len == BATCH {
            let mut h = [self.tag_state; BATCH];
            for byte in 0..8 {
                for (lane, value) in h.iter_mut().zip(self.values) {
                    *lane = (*lane ^ ((value >> (8 * byte)) & 0xff)).wrapping_mul(FNV_PRIME);
                }
            }
            for hash in h {
                bits.insert_hash(hash);
            }
            self.len = 0;
        }
    }

    /// Inserts what is still queued.
    pub fn flush(&mut self, bits: &mut BloomBits<'_>) {
        for value in self.values.iter().take(self.len) {
            bits.insert_hash(hash8(self.tag_state, *value));
        }
        self.len = 0;
    }
}

/// stoolap's `might_contain_hash` on a stored filter, including `from_parts`' clamp:
/// a bit count above the stored words, or 0, becomes `words × 64` (at least 1). An empty
/// filter can exclude nothing, so it answers true.
#[must_use]
pub fn might_contain(bytes: &[u8], num_bits: u64, h: u64) -> bool {
    let max_bits = (bytes.len() as u64 / 8) * 64;
    let n = if num_bits > max_bits || num_bits == 0 {
        max_bits.max(1)
    } else {
        num_bits
    };
    let h2 = h >> 32;
    (0..3u64).all(|i| {
        let bit = h.wrapping_add(i.wrapping_mul(h2)) % n;
        usize::try_from(bit >> 3)
            .ok()
            .and_then(|i| bytes.get(i))
            .is_none_or(|byte| byte & (1 << (bit & 7)) != 0)
    })
}

/// Bit count stoolap gives a filter for `row_count` rows: `max(max(R, 1) × 10, 64)`.
#[must_use]
pub fn bits_for_rows(row_count: u64) -> u64 {
    row_count
        .max(1)
        .saturating_mul(u64::from(crate::constants::VOLUME_BLOOM_BITS_PER_ROW))
        .max(u64::from(crate::constants::VOLUME_BLOOM_BITS_MIN))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reference_insert(words: &mut [u64], num_bits: u64, h: u64) {
        let h2 = h >> 32;
        for i in 0..3u64 {
            let bit = h.wrapping_add(i.wrapping_mul(h2)) % num_bits;
            words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn fast_mod_is_exact() {
        let mut state = 0x9E37_79B9_7F4A_7C15;
        for divisor in [
            2u64,
            3,
            64,
            70,
            655_360,
            10_485_760,
            1_000_003,
            (1 << 32) - 1,
        ] {
            let fast = FastMod::new(divisor).expect("in range");
            for x in [0, 1, u64::MAX, u64::MAX - 1, divisor, divisor - 1] {
                assert_eq!(fast.rem(x), x % divisor);
            }
            for _ in 0..20_000 {
                let x = xorshift(&mut state);
                assert_eq!(fast.rem(x), x % divisor, "{x} mod {divisor}");
            }
        }
    }

    #[test]
    fn insert_matches_the_reference_formula() {
        let mut state = 42u64;
        for num_bits in [64u64, 650, 10_000_000, 5_000_000_000] {
            let words_len = num_bits.div_ceil(64) as usize;
            let mut reference = vec![0u64; words_len];
            let mut bytes = vec![0u8; words_len * 8];
            let mut bits = BloomBits::new(&mut bytes, num_bits).expect("sized");
            for k in 0..5000u64 {
                // Include hashes near u64::MAX so the wrapping path is exercised.
                let h = if k % 10 == 0 {
                    u64::MAX - (k << 20)
                } else {
                    xorshift(&mut state)
                };
                bits.insert_hash(h);
                reference_insert(&mut reference, num_bits, h);
            }
            let expected: Vec<u8> = reference.iter().flat_map(|w| w.to_le_bytes()).collect();
            assert_eq!(bytes, expected, "num_bits {num_bits}");
        }
    }

    #[test]
    fn batched_insertion_sets_the_bits_of_one_insertion_per_value() {
        let mut state = 9u64;
        for count in [0usize, 1, 7, 8, 9, 1000, 1003] {
            let values: Vec<u64> = (0..count).map(|_| xorshift(&mut state)).collect();
            let (mut one, mut batched) = (vec![0u8; 8 * 193], vec![0u8; 8 * 193]);
            let mut bits = BloomBits::new(&mut one, 12_345).expect("sized");
            for v in &values {
                bits.insert_hash(hash8(start(5), *v));
            }
            let mut bits = BloomBits::new(&mut batched, 12_345).expect("sized");
            let mut pending = Pending8::new(start(5));
            for v in &values {
                pending.push(&mut bits, *v);
            }
            pending.flush(&mut bits);
            assert_eq!(one, batched, "{count} values");
        }
    }

    #[test]
    fn fnv_matches_known_vector() {
        // FNV-1a 64 of the single byte 'a' (0x61) is 0xaf63dc4c8601ec8c.
        assert_eq!(hash(0x61, &[]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash8(start(1), 7), hash(1, &7i64.to_le_bytes()));
    }

    #[test]
    fn inserted_values_are_found() {
        let mut bytes = vec![0u8; 8 * 2];
        let mut bits = BloomBits::new(&mut bytes, 100).expect("sized");
        bits.insert_hash(hash(3, b"hello"));
        assert!(might_contain(&bytes, 100, hash(3, b"hello")));
        assert!(might_contain(&[], 0, 1), "an empty filter excludes nothing");
    }

    #[test]
    fn sizing_follows_stoolap() {
        assert_eq!(bits_for_rows(0), 64);
        assert_eq!(bits_for_rows(3), 64);
        assert_eq!(bits_for_rows(7), 70);
        assert_eq!(bits_for_rows(1 << 20), 10 << 20);
    }
}
