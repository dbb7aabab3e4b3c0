//! Reading a response body within a limit, while it streams.
//!
//! A success body larger than the limit is an error ([`BodyError::TooLarge`]), found from
//! `Content-Length` before anything is read, or while reading when the length is absent
//! or lies. An error body is only diagnostics: its first bytes are kept and the rest is
//! not read. Nothing ever buffers more than the limit.

use bytes::Bytes;

/// How much of an error answer's body is kept (the most any Auth0 error body needs).
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A body as read.
pub(crate) struct ReadBody {
    pub(crate) bytes: Bytes,
    /// The body went on past what was kept (error bodies only).
    pub(crate) cut: bool,
}

/// Why a body could not be read.
pub(crate) enum BodyError {
    /// More than `limit` bytes.
    TooLarge {
        /// The announced length, when the server sent one.
        content_length: Option<u64>,
    },
    /// The connection failed while reading (reset, truncated, timeout).
    Read(reqwest::Error),
}

/// Reads a success body: all of it, or [`BodyError::TooLarge`] past `limit` bytes.
pub(crate) async fn read_all(resp: &mut reqwest::Response, limit: usize) -> Result<ReadBody, BodyError> {
    let content_length = resp.content_length();
    if content_length.is_some_and(|l| l > limit as u64) {
        return Err(BodyError::TooLarge { content_length });
    }
    let mut buf = Vec::with_capacity(initial_capacity(content_length, limit));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Read)? {
        if chunk.len() > limit - buf.len() {
            return Err(BodyError::TooLarge { content_length });
        }
        let needed = buf.len() + chunk.len();
        if needed > buf.capacity() {
            // Grow geometrically, but never past the limit.
            let target = buf.capacity().saturating_mul(2).max(needed).min(limit);
            buf.reserve_exact(target - buf.len());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(ReadBody { bytes: Bytes::from(buf), cut: false })
}

/// Reads the first `limit` bytes of an error body and stops there. A failure while
/// reading keeps what was read: the status is what matters.
pub(crate) async fn read_prefix(resp: &mut reqwest::Response, limit: usize) -> ReadBody {
    let mut buf = Vec::with_capacity(initial_capacity(resp.content_length(), limit));
    let mut cut = false;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - buf.len();
                if chunk.len() > room {
                    buf.extend_from_slice(&chunk[..room]);
                    cut = true;
                    break;
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => {
                cut = true;
                break;
            }
        }
    }
    ReadBody { bytes: Bytes::from(buf), cut }
}

/// Never trusts `Content-Length` for more than a modest first allocation.
fn initial_capacity(content_length: Option<u64>, limit: usize) -> usize {
    const FIRST: usize = 256 * 1024;
    content_length.map_or(8 * 1024, |l| usize::try_from(l).unwrap_or(usize::MAX)).min(limit).min(FIRST)
}
