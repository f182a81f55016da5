//! Request heads too large for the HTTP layer still answer in the error envelope.
//!
//! actix-http buffers at most 128 KiB of request head; past that it answers `431 Request Header
//! Fields Too Large` itself, with an empty body, before any middleware runs, and closes the
//! connection. [`HeadGuard`] wraps each connection and rewrites exactly that response (a 431
//! with an empty body can come from nowhere else: the API's own errors always carry the
//! envelope) into one with the envelope, `header_too_large`. Everything else passes through
//! untouched, byte for byte.

use crate::error::ErrorCode;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

const EMPTY_431: &[u8] = b"HTTP/1.1 431 ";

pub struct HeadGuard<T> {
    inner: T,
    /// The rewritten response being written, and how much of it is out.
    replacement: Option<(Vec<u8>, usize)>,
}

impl<T> HeadGuard<T> {
    pub fn new(inner: T) -> HeadGuard<T> {
        HeadGuard { inner, replacement: None }
    }
}

/// The response that replaces actix's empty 431.
fn envelope_431() -> Vec<u8> {
    let body = crate::error::ApiError::new(
        actix_web::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        ErrorCode::HeaderTooLarge,
        "the request's headers are too large (128 KiB at most in all)",
    )
    .envelope();
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Whether `buf` is actix's own 431: the status line, and no body.
fn is_empty_431(buf: &[u8]) -> bool {
    buf.starts_with(EMPTY_431) && {
        let head = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|end| &buf[..end + 4]);
        head.is_some_and(|h| {
            let text = String::from_utf8_lossy(h).to_ascii_lowercase();
            text.contains("\r\ncontent-length: 0\r\n") && h.len() == buf.len()
        })
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for HeadGuard<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for HeadGuard<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.replacement.is_none() && is_empty_431(buf) {
            self.replacement = Some((envelope_431(), 0));
        }
        let this = &mut *self;
        match &mut this.replacement {
            None => Pin::new(&mut this.inner).poll_write(cx, buf),
            Some((out, written)) => {
                // The caller's bytes count as written once the whole replacement is out.
                while *written < out.len() {
                    let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &out[*written..]))?;
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    *written += n;
                }
                Poll::Ready(Ok(buf.len()))
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_frameworks_empty_431_is_rewritten() {
        let actix = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Sat, 28 Nov 2026 15:00:00 GMT\r\n\r\n";
        assert!(is_empty_431(actix));
        assert!(!is_empty_431(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
        let ours = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 12\r\n\r\n{\"error\":{}}";
        assert!(!is_empty_431(ours));
        let replaced = String::from_utf8(envelope_431()).unwrap();
        let (head, body) = replaced.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"]["code"], "header_too_large");
    }
}
