//! Encrypted blobs (SSE-S3): envelope encryption in fixed-size AES-256-GCM segments.
//!
//! Why this shape:
//! - Each blob has its own random 256-bit data key, so a leaked key exposes one blob and nonces
//!   never repeat across blobs. The data key is stored only wrapped (AES-256-GCM) by the server's
//!   key-wrapping key, which is derived from the master key ([`KeyWrap::derive`]).
//! - The plaintext is cut into segments of [`SEGMENT_SIZE`] bytes, each sealed on its own, so a
//!   range read decrypts only the segments it touches and memory stays bounded by one segment.
//! - Segment `i`'s nonce is `prefix ‖ i` (a random per-blob prefix) and its AAD is `i ‖ last`, so
//!   segments cannot be reordered, dropped, duplicated or moved to another blob, and a blob cut at
//!   a segment boundary fails because its new final segment was not sealed as the last one.
//! - The header (segment size, nonce prefix, wrapped key) is authenticated as the key-wrap AAD
//!   together with the blob id: renaming one blob file over another fails to unwrap.
//!
//! Segments are sealed with `ring`'s AES-256-GCM (assembly using AES-NI/VAES and CLMUL, several
//! times faster than the portable `aes-gcm` crate here, which would make SSE-S3 GETs crypto-bound);
//! the once-per-blob key wrap uses `aes-gcm`. Both are standard AES-256-GCM: 12-byte nonce, AAD,
//! 16-byte tag.
//!
//! Layout of a file: `header ‖ segment₀ ‖ … ‖ segmentₙ`, each segment `ciphertext ‖ tag(16)`;
//! every segment but the last holds exactly `segment_size` plaintext bytes, the last holds
//! `0..=segment_size` (an empty blob is one empty final segment).
//!
//! ```text
//! header: "CRNE" | version u8 = 1 | segment_size u32 BE | nonce prefix [8] | wrap nonce [12]
//!         | wrapped data key [32 + 16]
//! ```

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, UnboundKey};
use std::io;

/// Plaintext bytes per segment: large enough that the 16-byte tag is noise (0.02 %), small
/// enough that a ranged read wastes little and the buffer is cheap.
pub const SEGMENT_SIZE: u32 = 64 << 10;
/// The largest segment size a header may declare (refused above: no huge allocations on read).
const MAX_SEGMENT_SIZE: u32 = 16 << 20;
const MAGIC: &[u8; 4] = b"CRNE";
const VERSION: u8 = 1;
const PREFIX_LEN: usize = 8;
pub(crate) const TAG_LEN: usize = 16;
/// Bytes of the header covered by the key-wrap AAD (everything before the wrapped key).
const HEADER_AUTH_LEN: usize = 4 + 1 + 4 + PREFIX_LEN + 12;
/// Total header length.
pub const HEADER_LEN: usize = HEADER_AUTH_LEN + 32 + TAG_LEN;

/// The key that wraps data keys. Derived, not the master key itself, so that the same master
/// key can seal secret access keys without the two uses ever sharing a key.
#[derive(Clone)]
pub struct KeyWrap(Aes256Gcm);

impl KeyWrap {
    /// HKDF-SHA256 of the master key with a label that names this one purpose.
    pub fn derive(master: &[u8; 32]) -> Self {
        KeyDeriver::new(master).wrap(b"cairn/sse-s3/data-key-wrap/v1")
    }
}

/// Derives key-wrapping keys for several purposes from one master key (SSE-S3's, one per KMS
/// key): HKDF-SHA256, the label naming the purpose, so that no two purposes share a key and
/// none of them is the master key. Keeps HKDF's pseudorandom key, not the master key.
#[derive(Clone)]
pub struct KeyDeriver(hkdf::Hkdf<sha2::Sha256>);

impl KeyDeriver {
    pub fn new(master: &[u8; 32]) -> Self {
        KeyDeriver(hkdf::Hkdf::<sha2::Sha256>::new(Some(b"cairn"), master))
    }

    /// The key-wrapping key for `label`.
    pub fn wrap(&self, label: &[u8]) -> KeyWrap {
        let mut okm = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so expand cannot fail.
        let _ = self.0.expand(label, &mut okm);
        KeyWrap(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&okm)))
    }
}

fn auth_failed() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "encrypted blob failed authentication",
    )
}

/// A blob's header, parsed and with its data key unwrapped.
pub(crate) struct Opened {
    pub cipher: LessSafeKey,
    pub prefix: [u8; PREFIX_LEN],
    pub segment_size: u32,
}

fn wrap_aad(header_auth: &[u8], blob_id: &str) -> Vec<u8> {
    let mut aad = header_auth.to_vec();
    aad.extend_from_slice(blob_id.as_bytes());
    aad
}

/// Makes a fresh data key and the header that carries it wrapped.
pub(crate) fn new_header(wrap: &KeyWrap, blob_id: &str) -> io::Result<(Vec<u8>, Opened)> {
    let data_key = Aes256Gcm::generate_key(OsRng);
    let mut prefix = [0u8; PREFIX_LEN];
    OsRng.fill_bytes(&mut prefix);
    let mut wrap_nonce = [0u8; 12];
    OsRng.fill_bytes(&mut wrap_nonce);
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.push(VERSION);
    header.extend_from_slice(&SEGMENT_SIZE.to_be_bytes());
    header.extend_from_slice(&prefix);
    header.extend_from_slice(&wrap_nonce);
    let aad = wrap_aad(&header, blob_id);
    let wrapped = wrap
        .0
        .encrypt(
            Nonce::from_slice(&wrap_nonce),
            Payload {
                msg: data_key.as_slice(),
                aad: &aad,
            },
        )
        .map_err(|_| io::Error::other("data key wrap failed"))?;
    header.extend_from_slice(&wrapped);
    Ok((
        header,
        Opened {
            cipher: segment_key(data_key.as_slice())?,
            prefix,
            segment_size: SEGMENT_SIZE,
        },
    ))
}

/// Checks a header and unwraps its data key.
pub(crate) fn open_header(wrap: &KeyWrap, blob_id: &str, header: &[u8]) -> io::Result<Opened> {
    if header.len() != HEADER_LEN || &header[..4] != MAGIC || header[4] != VERSION {
        return Err(auth_failed());
    }
    let (auth, wrapped) = header.split_at(HEADER_AUTH_LEN);
    let aad = wrap_aad(auth, blob_id);
    let wrap_nonce = &auth[4 + 1 + 4 + PREFIX_LEN..];
    let data_key = wrap
        .0
        .decrypt(
            Nonce::from_slice(wrap_nonce),
            Payload {
                msg: wrapped,
                aad: &aad,
            },
        )
        .map_err(|_| auth_failed())?;
    if data_key.len() != 32 {
        return Err(auth_failed());
    }
    let mut size = [0u8; 4];
    size.copy_from_slice(&auth[5..9]);
    let segment_size = u32::from_be_bytes(size);
    if segment_size == 0 || segment_size > MAX_SEGMENT_SIZE {
        return Err(auth_failed());
    }
    let mut prefix = [0u8; PREFIX_LEN];
    prefix.copy_from_slice(&auth[9..9 + PREFIX_LEN]);
    Ok(Opened {
        cipher: segment_key(&data_key)?,
        prefix,
        segment_size,
    })
}

/// The segment cipher for a data key.
fn segment_key(data_key: &[u8]) -> io::Result<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, data_key)
        .map(LessSafeKey::new)
        .map_err(|_| auth_failed())
}

impl Opened {
    fn nonce(&self, index: u32) -> [u8; 12] {
        let mut n = [0u8; 12];
        n[..PREFIX_LEN].copy_from_slice(&self.prefix);
        n[PREFIX_LEN..].copy_from_slice(&index.to_be_bytes());
        n
    }

    fn aad(index: u32, last: bool) -> [u8; 5] {
        let mut a = [0u8; 5];
        a[..4].copy_from_slice(&index.to_be_bytes());
        a[4] = u8::from(last);
        a
    }

    /// Encrypts one segment in place: `stored` is its plaintext followed by 16 bytes of room,
    /// where the tag goes.
    pub fn seal(&self, index: u32, last: bool, stored: &mut [u8]) -> io::Result<()> {
        let plain = stored
            .len()
            .checked_sub(TAG_LEN)
            .ok_or_else(|| io::Error::other("no room for the tag"))?;
        let (text, room) = stored.split_at_mut(plain);
        let nonce = ring::aead::Nonce::assume_unique_for_key(self.nonce(index));
        let tag = self
            .cipher
            .seal_in_place_separate_tag(nonce, Aad::from(Self::aad(index, last)), text)
            .map_err(|_| io::Error::other("segment encryption failed"))?;
        room.copy_from_slice(tag.as_ref());
        Ok(())
    }

    /// Decrypts the stored segment `buf[shift..]` (`ciphertext ‖ tag`) into the front of `buf`,
    /// so the plaintext is `buf[..buf.len() - shift - 16]`: a batch of segments read together
    /// becomes one contiguous plaintext, its tags squeezed out, with no copy. On failure the
    /// plaintext is zeroed.
    pub fn open_shifted(
        &self,
        index: u32,
        last: bool,
        buf: &mut [u8],
        shift: usize,
    ) -> io::Result<()> {
        if buf.len() < shift + TAG_LEN {
            return Err(auth_failed());
        }
        let nonce = ring::aead::Nonce::assume_unique_for_key(self.nonce(index));
        self.cipher
            .open_within(nonce, Aad::from(Self::aad(index, last)), buf, shift..)
            .map(|_| ())
            .map_err(|_| auth_failed())
    }
}

/// Where a blob's segments lie, computed from its file length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub segments: u64,
    pub plain_len: u64,
    pub segment_size: u64,
}

impl Geometry {
    pub fn of(file_len: u64, segment_size: u32) -> io::Result<Self> {
        let body = file_len
            .checked_sub(HEADER_LEN as u64)
            .ok_or_else(auth_failed)?;
        let stored = u64::from(segment_size) + TAG_LEN as u64;
        let segments = body.div_ceil(stored);
        // At least one segment, and the last one must hold at least its tag.
        if segments == 0 || body - (segments - 1) * stored < TAG_LEN as u64 {
            return Err(auth_failed());
        }
        if segments > u64::from(u32::MAX) {
            return Err(auth_failed());
        }
        Ok(Geometry {
            segments,
            plain_len: body - segments * TAG_LEN as u64,
            segment_size: u64::from(segment_size),
        })
    }

    /// File offset of segment `i`.
    pub fn offset_of(&self, i: u64) -> u64 {
        HEADER_LEN as u64 + i * (self.segment_size + TAG_LEN as u64)
    }

    /// Stored length of segment `i` (ciphertext and tag).
    pub fn stored_len(&self, i: u64) -> u64 {
        let plain = if i + 1 == self.segments {
            self.plain_len - i * self.segment_size
        } else {
            self.segment_size
        };
        plain + TAG_LEN as u64
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    /// `cargo test --release -p cairn-blob -- --ignored --nocapture seal_speed`
    #[test]
    #[ignore]
    fn seal_speed() {
        let (_, keys) = new_header(&KeyWrap::derive(&[1; 32]), "ab1").unwrap();
        let mut buf = vec![5u8; SEGMENT_SIZE as usize + TAG_LEN];
        let n = 2048;
        let t = std::time::Instant::now();
        for i in 0..n {
            keys.seal(i, false, &mut buf).unwrap();
        }
        let secs = t.elapsed().as_secs_f64();
        println!("seal: {:.0} MiB/s", f64::from(n) * 64.0 / 1024.0 / secs);
        keys.seal(0, false, &mut buf).unwrap();
        let sealed = buf.clone();
        let t = std::time::Instant::now();
        for _ in 0..n {
            buf.copy_from_slice(&sealed);
            keys.open_shifted(0, false, &mut buf, 0).unwrap();
        }
        let secs = t.elapsed().as_secs_f64();
        println!("open: {:.0} MiB/s", f64::from(n) * 64.0 / 1024.0 / secs);
    }
}
