//! Bodies of any size from one pre-filled buffer: a 2 or 5 GiB object is sent (by the client)
//! or served (by the null server) without holding it in memory.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pseudo-random bytes (xorshift), so nothing on the way compresses or dedupes them.
pub fn random_bytes(len: usize) -> Bytes {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    Bytes::from(v)
}

/// `len` bytes: `buf` over and over, in frames of at most `chunk` bytes (zero-copy slices).
pub struct Repeat {
    buf: Bytes,
    chunk: usize,
    left: u64,
    at: usize,
}

impl Repeat {
    pub fn new(buf: Bytes, chunk: usize, len: u64) -> Self {
        Repeat {
            chunk: chunk.min(buf.len()).max(1),
            buf,
            left: len,
            at: 0,
        }
    }
}

impl Body for Repeat {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        if self.at >= self.buf.len() {
            self.at = 0;
        }
        let n = (self.chunk as u64)
            .min(self.left)
            .min((self.buf.len() - self.at) as u64) as usize;
        let frame = self.buf.slice(self.at..self.at + n);
        self.at += n;
        self.left -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn repeats_the_buffer_to_the_exact_length() {
        let buf = random_bytes(1000);
        let body = Repeat::new(buf.clone(), 300, 2500);
        let all = body.collect().await.unwrap().to_bytes();
        assert_eq!(all.len(), 2500);
        assert_eq!(&all[..1000], &buf[..]);
        assert_eq!(&all[1000..2000], &buf[..]);
        assert_eq!(&all[2000..], &buf[..500]);
    }
}
