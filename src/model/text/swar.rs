//! Byte scans eight bytes at a time in plain safe Rust ("SIMD within a register"): the one
//! bit trick the JSON escaper and the plain-text renderer share.

/// The high bit of every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// Every byte of a word set to `b`.
pub(crate) const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `v` that is zero, and no other bit (exact: no carry from
/// one byte into the next, unlike the shorter `(v - ONES) & !v & HIGH`).
#[inline]
pub(crate) fn zero_bytes(v: u64) -> u64 {
    !(((v & !HIGH) + !HIGH) | v) & HIGH
}

/// The bytes of `word`, little-endian, as one `u64`.
#[inline]
pub(crate) fn load(word: &[u8]) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&word[..8]);
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_bytes_marks_exactly_the_zero_bytes_of_every_pattern_with_one_or_two_zeros() {
        for i in 0..8 {
            for j in 0..8 {
                for fill in [0x01u8, 0x80, 0xff, 0x7f] {
                    let mut b = [fill; 8];
                    b[i] = 0;
                    b[j] = 0;
                    let want = (0..8)
                        .filter(|&k| b[k] == 0)
                        .fold(0u64, |acc, k| acc | 0x80 << (8 * k));
                    assert_eq!(zero_bytes(load(&b)), want, "{b:?}");
                }
            }
        }
        assert_eq!(
            zero_bytes(splat(b'a') ^ load(b"xxaxxxxa")),
            0x80 << 16 | 0x80 << 56
        );
    }
}
