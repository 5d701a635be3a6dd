//! The feature hash: FNV-1a (64-bit) over the feature's bytes, finished with
//! the MurmurHash3 `fmix64` avalanche.
//!
//! FNV-1a is fixed by its published constants and byte-oriented, so the same
//! feature hashes to the same bucket on every platform and in every version;
//! it is also incremental, which lets character n-grams of length 2..5 at one
//! position share their prefix work. `fmix64` spreads FNV's weak low bits
//! before they are masked into a bucket index.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// An incremental FNV-1a hasher.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    /// A hasher seeded with a namespace byte, so feature families never share
    /// a hash for the same string.
    #[inline]
    pub(crate) fn new(namespace: u8) -> Fnv {
        let mut h = Fnv(OFFSET);
        h.byte(namespace);
        h
    }

    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(PRIME);
    }

    #[inline]
    pub(crate) fn bytes(&mut self, bs: &[u8]) {
        for &b in bs {
            self.byte(b);
        }
    }

    /// The finished 64-bit hash.
    #[inline]
    pub(crate) fn finish(self) -> u64 {
        fmix64(self.0)
    }
}

/// One character as its UTF-8 bytes packed little-endian, with their
/// number, so a character n-gram is hashed without slicing a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedChar {
    bytes: u32,
    len: u32,
}

impl PackedChar {
    /// The space that pads a word for character n-grams.
    pub(crate) const SPACE: PackedChar = PackedChar {
        bytes: b' ' as u32,
        len: 1,
    };

    /// The characters of `s`, in order.
    #[inline]
    pub(crate) fn decode(s: &str) -> impl Iterator<Item = PackedChar> + '_ {
        let b = s.as_bytes();
        let mut i = 0;
        std::iter::from_fn(move || {
            let lead = *b.get(i)?;
            // `s` is UTF-8, so the lead byte gives the length
            let len = match lead {
                0x00..=0x7f => 1,
                0x80..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            let bytes = b[i..i + len]
                .iter()
                .rev()
                .fold(0u32, |acc, &x| (acc << 8) | u32::from(x));
            i += len;
            Some(PackedChar {
                bytes,
                len: len as u32,
            })
        })
    }

    /// Feeds the character's UTF-8 bytes to `h`, in order (branching on
    /// the length once: most characters of Arabic text take two bytes).
    #[inline(always)]
    pub(crate) fn hash_into(self, h: &mut Fnv) {
        match self.len {
            2 => {
                h.byte(self.bytes as u8);
                h.byte((self.bytes >> 8) as u8);
            }
            1 => h.byte(self.bytes as u8),
            len => {
                for k in 0..len {
                    h.byte((self.bytes >> (8 * k)) as u8);
                }
            }
        }
    }
}

#[inline]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// FNV-1a 64 of a byte string (no namespace, no mixing): used for file
/// checksums and data hashes, where a plain documented hash is wanted.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = OFFSET;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // published FNV-1a 64 test vectors
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn packed_chars_hash_as_their_bytes() {
        for s in [
            "a",
            "ب",
            "€",
            "😀",
            "",
            "aب€😀 ",
            "\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}",
        ] {
            let (mut a, mut b) = (Fnv::new(2), Fnv::new(2));
            a.bytes(s.as_bytes());
            let chars: Vec<PackedChar> = PackedChar::decode(s).collect();
            assert_eq!(chars.len(), s.chars().count(), "{s}");
            for c in chars {
                c.hash_into(&mut b);
            }
            assert_eq!(a.finish(), b.finish(), "{s}");
        }
    }

    #[test]
    fn namespaces_differ() {
        let mut a = Fnv::new(1);
        a.bytes("سلام".as_bytes());
        let mut b = Fnv::new(2);
        b.bytes("سلام".as_bytes());
        assert_ne!(a.finish(), b.finish());
    }
}

/// A [`std::hash::Hasher`] for keys that are already well-mixed 64-bit
/// hashes (such as [`Fnv::finish`]): it passes them through, so a map
/// lookup costs no second hash and no key comparison beyond one `u64`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PremixedHasher(u64);

impl std::hash::Hasher for PremixedHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // not used for u64 keys; folds any other key in, FNV-style
        let mut h = Fnv(self.0 ^ OFFSET);
        h.bytes(bytes);
        self.0 = h.finish();
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}
