//! SHA-256 of keys, the way the verifier needs it: a key of up to 119 bytes
//! (every generated key) padded in place and compressed directly, and the
//! two keys of a request digested together, their compressions interleaved
//! where the CPU has the SHA extensions so each hides the other's latency.
//!
//! Every padded copy of a key is zeroed before it goes out of scope.

use sha2::{Digest, Sha256};

/// Longest input whose padded form is one SHA-256 block.
const ONE_BLOCK_MAX: usize = 55;
/// Longest input whose padded form is two SHA-256 blocks.
const TWO_BLOCKS_MAX: usize = 119;
/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];
/// One 64-byte SHA-256 block, as `sha2` takes it.
type Block = sha2::digest::generic_array::GenericArray<u8, sha2::digest::consts::U64>;

/// Room for a key padded to two SHA-256 blocks; zeroed on drop.
#[repr(C, align(16))]
struct Padded([u8; 128]);

impl Padded {
    /// Pads `key` (FIPS 180-4, 5.1.1) into `self`, which must be all
    /// zeros; returns how many blocks it fills (1 or 2). `key` is at most
    /// [`TWO_BLOCKS_MAX`] bytes.
    #[inline(always)]
    fn pad(&mut self, key: &[u8]) -> usize {
        let blocks = if key.len() <= ONE_BLOCK_MAX { 1 } else { 2 };
        self.0[..key.len()].copy_from_slice(key);
        self.0[key.len()] = 0x80;
        let end = blocks * 64;
        self.0[end - 8..end].copy_from_slice(&(key.len() as u64 * 8).to_be_bytes());
        blocks
    }

    /// Block `i` (0 or 1).
    #[inline(always)]
    fn block(&self, i: usize) -> &[u8; 64] {
        self.0[i * 64..i * 64 + 64].try_into().expect("64 bytes")
    }
}

impl Drop for Padded {
    #[inline(always)]
    fn drop(&mut self) {
        // Sixteen-byte volatile stores: the copy of the key is gone, and
        // the compiler cannot drop the stores.
        let words = self.0.as_mut_ptr().cast::<u128>();
        for i in 0..8 {
            // SAFETY: the array is 16-byte aligned (`repr(align(16))`) and
            // holds 8 words.
            unsafe { words.add(i).write_volatile(0) };
        }
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    }
}

/// The SHA-256 digest of `key`.
pub(crate) fn digest(key: &[u8]) -> [u8; 32] {
    if key.len() > TWO_BLOCKS_MAX {
        return Sha256::digest(key).into();
    }
    let mut padded = Padded([0; 128]);
    let blocks = padded.pad(key);
    let mut state = SHA256_INITIAL;
    for i in 0..blocks {
        compress_block(&mut state, padded.block(i));
    }
    to_bytes(state)
}

/// The SHA-256 digests of `a` and `b`.
pub(crate) fn digest_pair(a: &[u8], b: &[u8]) -> ([u8; 32], [u8; 32]) {
    if a.len() > TWO_BLOCKS_MAX || b.len() > TWO_BLOCKS_MAX {
        return (digest(a), digest(b));
    }
    let (mut pa, mut pb) = (Padded([0; 128]), Padded([0; 128]));
    let (blocks_a, blocks_b) = (pa.pad(a), pb.pad(b));
    let (mut sa, mut sb) = (SHA256_INITIAL, SHA256_INITIAL);
    // Blocks compressed in pairs; the rest one at a time.
    #[cfg(target_arch = "x86_64")]
    let both = if shani::available() {
        let both = blocks_a.min(blocks_b);
        for i in 0..both {
            // SAFETY: the CPU has the features `compress_pair` enables.
            unsafe { shani::compress_pair([&mut sa, &mut sb], [pa.block(i), pb.block(i)]) };
        }
        both
    } else {
        0
    };
    #[cfg(not(target_arch = "x86_64"))]
    let both = 0;
    for i in both..blocks_a {
        compress_block(&mut sa, pa.block(i));
    }
    for i in both..blocks_b {
        compress_block(&mut sb, pb.block(i));
    }
    (to_bytes(sa), to_bytes(sb))
}

/// Compresses one block into `state` (`sha2`'s own dispatch: SHA-NI when
/// present).
#[inline(always)]
fn compress_block(state: &mut [u32; 8], block: &[u8; 64]) {
    sha2::compress256(state, std::slice::from_ref(Block::from_slice(block)));
}

/// The digest bytes of a final state.
#[inline(always)]
fn to_bytes(state: [u32; 8]) -> [u8; 32] {
    let mut digest = [0u8; 32];
    for (out, word) in digest.chunks_exact_mut(4).zip(state) {
        out.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// Two SHA-256 compressions at once with the x86 SHA extensions. One
/// compression is a chain of 32 dependent `sha256rnds2` instructions, each
/// waiting for the last: interleaving two independent chains fills those
/// waits, so both cost about what one costs alone.
#[cfg(target_arch = "x86_64")]
mod shani {
    use std::arch::x86_64::*;

    /// SHA-256's round constants (FIPS 180-4, 4.2.2).
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// Whether this CPU has what [`compress_pair`] uses (detected once,
    /// then a cached load).
    #[inline(always)]
    pub(super) fn available() -> bool {
        is_x86_feature_detected!("sha")
            && is_x86_feature_detected!("sse4.1")
            && is_x86_feature_detected!("ssse3")
    }

    /// The next four message words from the last sixteen.
    #[inline(always)]
    unsafe fn schedule(v0: __m128i, v1: __m128i, v2: __m128i, v3: __m128i) -> __m128i {
        let t1 = _mm_sha256msg1_epu32(v0, v1);
        let t2 = _mm_alignr_epi8(v3, v2, 4);
        let t3 = _mm_add_epi32(t1, t2);
        _mm_sha256msg2_epu32(t3, v3)
    }

    /// Compresses `blocks[s]` into `states[s]` for both streams.
    ///
    /// # Safety
    ///
    /// The CPU must have SHA, SSE2, SSSE3 and SSE4.1 ([`available`]).
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn compress_pair(states: [&mut [u32; 8]; 2], blocks: [&[u8; 64]; 2]) {
        // Byte order of each 32-bit word: big-endian message words.
        let swap = _mm_set_epi64x(
            0x0C0D_0E0F_0809_0A0Bu64 as i64,
            0x0405_0607_0001_0203u64 as i64,
        );
        let mut abef = [_mm_setzero_si128(); 2];
        let mut cdgh = [_mm_setzero_si128(); 2];
        let mut w = [[_mm_setzero_si128(); 4]; 2];
        for s in 0..2 {
            let state = states[s].as_ptr().cast::<__m128i>();
            let dcba = _mm_loadu_si128(state);
            let efgh = _mm_loadu_si128(state.add(1));
            let cdab = _mm_shuffle_epi32(dcba, 0xB1);
            let efgh = _mm_shuffle_epi32(efgh, 0x1B);
            abef[s] = _mm_alignr_epi8(cdab, efgh, 8);
            cdgh[s] = _mm_blend_epi16(efgh, cdab, 0xF0);
            let data = blocks[s].as_ptr().cast::<__m128i>();
            for (j, word) in w[s].iter_mut().enumerate() {
                *word = _mm_shuffle_epi8(_mm_loadu_si128(data.add(j)), swap);
            }
        }
        let saved = (abef, cdgh);
        let k = K.as_ptr().cast::<__m128i>();
        // Four rounds of each stream per step, the streams alternating.
        macro_rules! step {
            ($i:expr) => {
                let kv = _mm_loadu_si128(k.add($i));
                for s in 0..2 {
                    let msg = if $i < 4 {
                        w[s][$i % 4]
                    } else {
                        let next = schedule(
                            w[s][$i % 4],
                            w[s][($i + 1) % 4],
                            w[s][($i + 2) % 4],
                            w[s][($i + 3) % 4],
                        );
                        w[s][$i % 4] = next;
                        next
                    };
                    let t1 = _mm_add_epi32(msg, kv);
                    cdgh[s] = _mm_sha256rnds2_epu32(cdgh[s], abef[s], t1);
                    let t2 = _mm_shuffle_epi32(t1, 0x0E);
                    abef[s] = _mm_sha256rnds2_epu32(abef[s], cdgh[s], t2);
                }
            };
        }
        step!(0);
        step!(1);
        step!(2);
        step!(3);
        step!(4);
        step!(5);
        step!(6);
        step!(7);
        step!(8);
        step!(9);
        step!(10);
        step!(11);
        step!(12);
        step!(13);
        step!(14);
        step!(15);
        for s in 0..2 {
            let abef = _mm_add_epi32(abef[s], saved.0[s]);
            let cdgh = _mm_add_epi32(cdgh[s], saved.1[s]);
            let feba = _mm_shuffle_epi32(abef, 0x1B);
            let dchg = _mm_shuffle_epi32(cdgh, 0xB1);
            let dcba = _mm_blend_epi16(feba, dchg, 0xF0);
            let hgef = _mm_alignr_epi8(dchg, feba, 8);
            let state = states[s].as_mut_ptr().cast::<__m128i>();
            _mm_storeu_si128(state, dcba);
            _mm_storeu_si128(state.add(1), hgef);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    fn text(len: usize, seed: usize) -> Vec<u8> {
        (0..len)
            .map(|i| ALPHABET[(i * 7 + seed * 13) % ALPHABET.len()])
            .collect()
    }

    #[test]
    fn digests_are_sha256_at_every_length() {
        for len in 0..=300 {
            let key = text(len, 1);
            let expected: [u8; 32] = Sha256::digest(&key).into();
            assert_eq!(digest(&key), expected, "length {len}");
        }
    }

    #[test]
    fn pairs_are_two_sha256_digests_at_every_pair_of_lengths() {
        // Every combination of one block, two blocks and the streaming
        // fallback, on both sides, block boundaries included.
        let lengths: Vec<usize> = (0..=130).chain([200, 300]).collect();
        for &la in &lengths {
            for &lb in &lengths {
                let (a, b) = (text(la, 1), text(lb, 2));
                let expected: ([u8; 32], [u8; 32]) =
                    (Sha256::digest(&a).into(), Sha256::digest(&b).into());
                assert_eq!(digest_pair(&a, &b), expected, "lengths {la}, {lb}");
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_interleaved_compression_matches_sha2s() {
        if !shani::available() {
            eprintln!("skipped: this CPU has no SHA extensions");
            return;
        }
        let blocks: Vec<[u8; 64]> = (0..8)
            .map(|seed| text(64, seed).try_into().unwrap())
            .collect();
        for pair in blocks.windows(2) {
            let other: [u32; 8] =
                std::array::from_fn(|i| 0x0123_4567u32.wrapping_mul(i as u32 + 3));
            let (mut a, mut b) = (SHA256_INITIAL, other);
            let (mut ea, mut eb) = (a, b);
            compress_block(&mut ea, &pair[0]);
            compress_block(&mut eb, &pair[1]);
            // SAFETY: checked above.
            unsafe { shani::compress_pair([&mut a, &mut b], [&pair[0], &pair[1]]) };
            assert_eq!((a, b), (ea, eb));
        }
    }
}
