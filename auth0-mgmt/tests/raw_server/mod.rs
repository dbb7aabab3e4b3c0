//! A raw TCP "HTTP" server (a tokio listener) for answers no well-behaved server gives:
//! HTML error pages, empty and truncated bodies, lying `Content-Length`, endless or huge
//! bodies, echoed requests, hang-ups. Each connection serves one request and closes.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What to send back.
pub enum Reply {
    /// These bytes, then close.
    Bytes(Vec<u8>),
    /// `head` (status line and headers, ending in a blank line), then `total` bytes of
    /// filler (`[` then `0`s), streamed, then close.
    Stream { head: String, total: u64 },
    /// `head` with chunked encoding, then chunks forever (until the client hangs up).
    Endless { head: String },
    /// Close without answering.
    HangUp,
}

/// A full answer with `Connection: close`.
pub fn answer(status: u16, content_type: &str, body: &[u8]) -> Reply {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Reply::Bytes(out)
}

/// A running server.
pub struct RawServer {
    pub base: String,
    /// Every request received, raw (head and body).
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl RawServer {
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().iter().map(|r| String::from_utf8_lossy(r).into_owned()).collect()
    }
}

/// Starts a server; `respond` gets each raw request and its index (0, 1, …).
pub async fn serve(respond: impl Fn(&[u8], usize) -> Reply + Send + Sync + 'static) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let seen = requests.clone();
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (seen, respond) = (seen.clone(), respond.clone());
            tokio::spawn(async move {
                let _ = handle(sock, seen, respond).await;
            });
        }
    });
    RawServer { base, requests }
}

async fn handle(
    mut sock: TcpStream,
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
    respond: Arc<impl Fn(&[u8], usize) -> Reply>,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut sock).await? else { return Ok(()) };
    let index = {
        let mut s = seen.lock().unwrap();
        s.push(request.clone());
        s.len() - 1
    };
    let reply = respond(&request, index);
    match reply {
        Reply::Bytes(b) => sock.write_all(&b).await?,
        Reply::HangUp => {}
        Reply::Stream { head, total } => {
            sock.write_all(head.as_bytes()).await?;
            let chunk = vec![b'0'; 64 * 1024];
            let mut sent = 0u64;
            if total > 0 {
                sock.write_all(b"[").await?;
                sent = 1;
            }
            while sent < total {
                let n = (total - sent).min(chunk.len() as u64) as usize;
                sock.write_all(&chunk[..n]).await?;
                sent += n as u64;
            }
        }
        Reply::Endless { head } => {
            sock.write_all(head.as_bytes()).await?;
            let data = vec![b' '; 64 * 1024];
            let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
            chunk.extend_from_slice(&data);
            chunk.extend_from_slice(b"\r\n");
            sock.write_all(b"1\r\n[\r\n").await?;
            loop {
                sock.write_all(&chunk).await?;
            }
        }
    }
    let _ = sock.shutdown().await;
    Ok(())
}

/// Reads one request: the head, then `content-length` bytes of body (or a chunked body
/// up to its last chunk).
async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &buf[head_end..];
        let done = match length {
            Some(l) => body.len() >= l,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => true,
        };
        if done {
            return Ok(Some(buf));
        }
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(Some(buf));
        }
        buf.extend_from_slice(&tmp[..n]);
    }
}
