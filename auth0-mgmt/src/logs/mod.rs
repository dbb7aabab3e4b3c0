//! Log events (reference §11): search with offset paging, get one, and a resumable
//! **log tail** built on checkpoint paging.
//!
//! Offset search ([`Logs::list`]) reaches only the first 1000 results and goes
//! newest-first by default. Checkpoint reading ([`Logs::tail`]) walks *forward* in
//! `log_id` order from a saved `log_id`, has no cap, and can keep polling for new
//! events — what SIEM export and audit consumers need:
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client, saved: Option<auth0_mgmt::LogId>) -> auth0_mgmt::Result<()> {
//! use std::time::Duration;
//! use futures::TryStreamExt;
//!
//! let tail = client.logs().tail().poll_interval(Duration::from_secs(15));
//! // Resume after the last event we processed, or start with what happens from now on.
//! let mut events = match saved {
//!     Some(id) => tail.after(id),
//!     None => tail.from_now(),
//! }
//! .stream();
//! while let Some(event) = events.try_next().await? {
//!     println!("{} {:?} {:?}", event.log_id, event.log_type, event.description);
//!     let checkpoint = events.last_log_id(); // persist this
//!     # let _ = checkpoint;
//! }
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use futures::future::BoxFuture;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::ids::LogId;
use crate::models::Fields;
use crate::pagination::{CheckpointStream, ItemStream, NextCursor, Page, ResumePoint, checkpoint_pages, offset_pages};
use crate::request::Request;

/// The logs endpoints. Get one with [`Client::logs`].
#[derive(Clone, Debug)]
pub struct Logs {
    client: Client,
}

impl Client {
    /// The log events endpoints.
    pub fn logs(&self) -> Logs {
        Logs { client: self.clone() }
    }
}

impl Logs {
    /// Searches log events with offset paging (`logs.list`, `GET /api/v2/logs`, scope
    /// `read:logs`); finish with `.send()` or `.stream()`. At most 1000 results are
    /// reachable this way; use [`tail`](Self::tail) to read everything.
    pub fn list(&self) -> ListLogs {
        ListLogs { client: self.client.clone(), q: None, sort: None, fields: None, page: 0, per_page: None }
    }

    /// Gets one log event (`logs.get`, `GET /api/v2/logs/{id}`, scope `read:logs`).
    pub async fn get(&self, id: &LogId) -> Result<Log> {
        self.client.execute(Request::new(&catalog::LOGS_GET).id(id)).await
    }

    /// Gets one log event, or `None` when it does not exist (or is past retention).
    pub async fn get_opt(&self, id: &LogId) -> Result<Option<Log>> {
        match self.get(id).await {
            Ok(l) => Ok(Some(l)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The newest log event, if any (`GET /api/v2/logs?sort=date:-1&per_page=1`).
    pub async fn newest(&self) -> Result<Option<Log>> {
        newest(&self.client).await
    }

    /// Reads log events forward with checkpoint paging (`from`/`take`, scope
    /// `read:logs`): start after a saved `log_id`, from now, or from the oldest
    /// retained event; by default it keeps polling for new events. See [`TailLogs`].
    pub fn tail(&self) -> TailLogs {
        TailLogs { client: self.client.clone(), start: Start::Now, take: 100, interval: Some(DEFAULT_POLL_INTERVAL) }
    }
}

async fn newest(client: &Client) -> Result<Option<Log>> {
    let req = Request::new(&catalog::LOGS_LIST).query("sort", "date:-1").query("per_page", 1);
    let page: Page<Log> = client.execute(req).await?;
    Ok(page.items.into_iter().next())
}

/// `GET /api/v2/logs` (search, offset paging). Made by [`Logs::list`].
#[derive(Debug, Clone)]
#[must_use = "finish with .send() or .stream()"]
pub struct ListLogs {
    client: Client,
    q: Option<String>,
    sort: Option<String>,
    fields: Option<Fields>,
    page: u64,
    per_page: Option<u64>,
}

impl ListLogs {
    /// Log search query, e.g. `type:"sapi"` or `user_id:"auth0|…"`.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Sort, `field:1` or `field:-1` (e.g. `date:-1`, newest first).
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Fields to return (`log_id` is always returned).
    pub fn fields(mut self, fields: Fields) -> Self {
        self.fields = Some(fields);
        self
    }

    /// Zero-based page index (for `.send()`; `.stream()` starts here).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Page size, 1–100 (clamped). Default: the server's 50 for `.send()`, 100 for `.stream()`.
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = Some(per_page.clamp(1, 100));
        self
    }

    fn request(&self) -> Request {
        let mut req =
            Request::new(&catalog::LOGS_LIST).query_opt("q", self.q.clone()).query_opt("sort", self.sort.clone());
        if let Some(f) = &self.fields {
            req = f.apply(req, "log_id");
        }
        req
    }

    /// Fetches one page. `include_totals` is not sent: it is deprecated for logs and its
    /// `total` is only the page size.
    pub async fn send(self) -> Result<Page<Log>> {
        let req = self.request().query("page", self.page).query_opt("per_page", self.per_page);
        self.client.execute(req).await
    }

    /// Streams the results lazily (ends on a short page); ends with
    /// [`Error::PagingLimit`](crate::Error::PagingLimit) past 1000 results.
    pub fn stream(self) -> ItemStream<Log> {
        let req = self.request();
        offset_pages(self.client, req, self.per_page.unwrap_or(100), self.page, false)
    }
}

/// How often a tail polls when it has caught up, unless configured.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
enum Start {
    After(LogId),
    Now,
    Oldest,
}

/// Checkpoint reading of log events (`GET /api/v2/logs?from=…&take=…`). Made by
/// [`Logs::tail`]; finish with [`stream`](Self::stream).
///
/// Events come in ascending `log_id` order, each exactly once. Persist
/// [`LogTail::last_log_id`] and start the next run with [`after`](Self::after) to
/// continue without gaps or duplicates.
#[derive(Debug, Clone)]
#[must_use = "finish with .stream()"]
pub struct TailLogs {
    client: Client,
    start: Start,
    take: u64,
    interval: Option<Duration>,
}

impl TailLogs {
    /// Start with the events after this `log_id` (exclusive), e.g. one saved from
    /// [`LogTail::last_log_id`].
    pub fn after(mut self, log_id: LogId) -> Self {
        self.start = Start::After(log_id);
        self
    }

    /// Start with events newer than the newest one that exists when the stream is first
    /// polled (the default). Found with `sort=date:-1&per_page=1`; events that the
    /// server indexes late with a smaller `log_id` can be missed.
    pub fn from_now(mut self) -> Self {
        self.start = Start::Now;
        self
    }

    /// Start with the oldest event still retained (a request without `from`).
    pub fn from_oldest(mut self) -> Self {
        self.start = Start::Oldest;
        self
    }

    /// Events per request, 1–100 (clamped; default 100).
    pub fn take(mut self, take: u64) -> Self {
        self.take = take.clamp(1, 100);
        self
    }

    /// How long to wait before polling again once caught up (default
    /// [`DEFAULT_POLL_INTERVAL`]).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.interval = Some(interval);
        self
    }

    /// End the stream once caught up (an empty page) instead of polling.
    pub fn until_caught_up(mut self) -> Self {
        self.interval = None;
        self
    }

    /// The stream. Lazy: nothing is sent until it is polled.
    pub fn stream(self) -> LogTail {
        let client = self.client.clone();
        let state = match self.start {
            Start::After(id) => {
                TailState::Running(Box::new(start_stream(client, self.take, self.interval, Some(id.into_inner()))))
            }
            Start::Oldest => TailState::Running(Box::new(start_stream(client, self.take, self.interval, None))),
            Start::Now => {
                TailState::Starting(Box::pin(async move { Ok(newest(&client).await?.map(|l| l.log_id.into_inner())) }))
            }
        };
        LogTail { client: self.client, take: self.take, interval: self.interval, state }
    }
}

fn log_cursor(log: &Log) -> Option<String> {
    Some(log.log_id.as_str().to_owned())
}

fn start_stream(
    client: Client,
    take: u64,
    interval: Option<Duration>,
    anchor: Option<String>,
) -> CheckpointStream<Log> {
    let stream = checkpoint_pages(
        client,
        Request::new(&catalog::LOGS_LIST),
        take,
        ResumePoint { from: anchor, skip: 0 },
        NextCursor::LastItem(log_cursor),
    );
    match interval {
        Some(i) => stream.tail(i),
        None => stream,
    }
}

enum TailState {
    /// Looking up the newest event ("from now").
    Starting(BoxFuture<'static, Result<Option<String>>>),
    Running(Box<CheckpointStream<Log>>),
    Failed,
}

/// A stream of log events in ascending `log_id` order, from [`TailLogs::stream`].
///
/// Ends on the first error (after the client's retries) — resume with
/// [`last_log_id`](Self::last_log_id) — or, with
/// [`until_caught_up`](TailLogs::until_caught_up), once caught up.
#[must_use = "streams do nothing unless polled"]
pub struct LogTail {
    client: Client,
    take: u64,
    interval: Option<Duration>,
    state: TailState,
}

impl LogTail {
    /// The `log_id` of the last event yielded (or the starting point, before the first
    /// event). Persist it and pass it to [`TailLogs::after`] to resume without gaps or
    /// duplicates. `None` until a "from now" start has looked up the newest event (or
    /// when the tenant has no events at all).
    pub fn last_log_id(&self) -> Option<LogId> {
        match &self.state {
            TailState::Running(s) => s.resume_point().from.and_then(|id| LogId::new(id).ok()),
            _ => None,
        }
    }

    /// The same position as a [`ResumePoint`] (`from` = [`last_log_id`](Self::last_log_id)).
    pub fn resume_point(&self) -> ResumePoint {
        ResumePoint { from: self.last_log_id().map(LogId::into_inner), skip: 0 }
    }
}

impl fmt::Debug for LogTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogTail")
            .field("last_log_id", &self.last_log_id())
            .field("take", &self.take)
            .field("poll_interval", &self.interval)
            .finish()
    }
}

impl Stream for LogTail {
    type Item = Result<Log>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                TailState::Starting(fut) => match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(anchor)) => {
                        this.state = TailState::Running(Box::new(start_stream(
                            this.client.clone(),
                            this.take,
                            this.interval,
                            anchor,
                        )));
                    }
                    Poll::Ready(Err(e)) => {
                        this.state = TailState::Failed;
                        return Poll::Ready(Some(Err(e)));
                    }
                },
                TailState::Running(s) => return Pin::new(s.as_mut()).poll_next(cx),
                TailState::Failed => return Poll::Ready(None),
            }
        }
    }
}
