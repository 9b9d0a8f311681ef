//! CRC-32/ISO-HDLC (the zlib/PNG CRC, `crc32fast::hash`), the checksum of every stoolap
//! file. Check value: CRC of ASCII "123456789" is 0xCBF43926.

/// CRC32 of `data`, continuing from `initial` (the CRC of the bytes that came before;
/// 0 for a fresh checksum). `crc32(b, crc32(a, 0)) == crc32(a ++ b, 0)`.
#[must_use]
pub fn crc32(data: &[u8], initial: u32) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(initial);
    hasher.update(data);
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn check_value_matches_the_standard() {
        assert_eq!(crc32(b"123456789", 0), 0xCBF4_3926);
    }

    #[test]
    fn empty_input_is_zero() {
        assert_eq!(crc32(b"", 0), 0);
    }

    #[test]
    fn incremental_equals_one_shot() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let (head, tail) = data.split_at(3_333);
        assert_eq!(crc32(tail, crc32(head, 0)), crc32(&data, 0));
    }
}
