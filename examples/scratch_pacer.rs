//! scratch
use auth0_mgmt::Client;
use auth0_mgmt_fake::{FakeTenant, RateLimit, Seed};
use std::time::Instant;
#[tokio::main]
async fn main() {
    if std::env::var("TRACE").is_ok() {
        tracing_subscriber::fmt().with_env_filter("auth0_mgmt=debug").init();
    }
    for burst_refill in [(5u32, 50.0f64), (10, 100.0), (2, 2.0)] {
        let tenant = FakeTenant::builder().seed(Seed::empty().users(3)).start().await.unwrap();
        let client = Client::builder().base_url(tenant.base_url()).client_credentials(tenant.client_id(), tenant.client_secret()).build().unwrap();
        let id: auth0_mgmt::UserId = tenant.user_ids()[0].parse().unwrap();
        for _ in 0..20 { client.users().get(&id).await.unwrap(); }
        tenant.set_rate_limit(Some(RateLimit::new(burst_refill.0, burst_refill.1)));
        let t = Instant::now();
        let tasks: Vec<_> = (0..8).map(|_| { let (c, id) = (client.clone(), id.clone()); tokio::spawn(async move { let mut f = 0; for _ in 0..15 { if c.users().get(&id).await.is_err() { f += 1; } } f }) }).collect();
        let mut failed = 0; for t in tasks { failed += t.await.unwrap(); }
        println!("{:?}: {:.2}s failed {failed} 429s {} stats {:?}", burst_refill, t.elapsed().as_secs_f64(), tenant.counters().rate_limited, client.rate_limit_stats());
    }
}
