//! Huge and endless bodies cost at most the body limit in memory, and end in a typed
//! error quickly. Its own test binary (one test): the counting allocator sees only it.

mod common;
mod raw_server;

use std::time::Instant;

use auth0_mgmt::{Client, Error, UserId};
use peak_alloc::PeakAlloc;
use raw_server::{Reply, serve};

#[global_allocator]
static PEAK: PeakAlloc = PeakAlloc;

const MIB: f32 = 1024.0 * 1024.0;

#[tokio::test(flavor = "current_thread")]
async fn a_200_mb_or_endless_body_is_refused_within_the_limit() {
    let sized = serve(|_, _| Reply::Stream {
        head: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200000000\r\n\r\n".into(),
        total: 200_000_000,
    })
    .await;
    let no_length = serve(|_, _| Reply::Stream {
        head: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".into(),
        total: 200_000_000,
    })
    .await;
    let endless = serve(|_, _| Reply::Endless {
        head: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".into(),
    })
    .await;
    let id: UserId = "auth0|1".parse().unwrap();
    for (name, base) in
        [("Content-Length 200 MB", &sized.base), ("200 MB, no length", &no_length.base), ("endless", &endless.base)]
    {
        let client = Client::builder().base_url(base).token(common::jwt("read:users")).build().unwrap();
        PEAK.reset_peak_usage();
        let before = PEAK.current_usage() as f32;
        let started = Instant::now();
        let err = client.users().get(&id).await.unwrap_err();
        let elapsed = started.elapsed();
        let peak = (PEAK.peak_usage() as f32 - before) / MIB;
        assert!(matches!(err, Error::BodyTooLarge { .. }), "{name}: {err:?}");
        println!("{name}: typed error after {elapsed:?}, peak +{peak:.1} MiB: {err}");
        // The default limit is 8 MiB: the buffer never grows past it (plus slack for
        // the HTTP stack's own buffers).
        assert!(peak < 24.0, "{name}: peak +{peak:.1} MiB");
    }
}
