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

use crate::catalog::{self, Operation};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::handler;
use crate::ids::LogId;
use crate::models::Fields;
use crate::pagination::{
    Cursor, DEFAULT_PAGE_SIZE, List, Listing, MAX_PAGE_SIZE, OffsetListing, Page, Paginator, ResumePoint, sealed,
};
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
        List::new(self.client.clone(), LogsQuery::default())
    }

    /// Gets one log event (`logs.get`, `GET /api/v2/logs/{id}`, scope `read:logs`).
    pub async fn get(&self, id: &LogId) -> Result<Log> {
        self.client.execute(Request::new(&catalog::LOGS_GET).id(id)).await
    }

    /// Gets one log event, or `None` when it does not exist (or is past retention).
    pub async fn get_opt(&self, id: &LogId) -> Result<Option<Log>> {
        handler::get_opt(&self.client, Request::new(&catalog::LOGS_GET).id(id)).await
    }

    /// The newest log event, if any (`GET /api/v2/logs?sort=date:-1&per_page=1`).
    pub async fn newest(&self) -> Result<Option<Log>> {
        newest(&self.client).await
    }

    /// Reads log events forward with checkpoint paging (`from`/`take`, scope
    /// `read:logs`): start after a saved `log_id`, from now, or from the oldest
    /// retained event; by default it keeps polling for new events. See [`TailLogs`].
    pub fn tail(&self) -> TailLogs {
        TailLogs {
            client: self.client.clone(),
            start: Start::Now,
            take: DEFAULT_PAGE_SIZE,
            interval: Some(DEFAULT_POLL_INTERVAL),
        }
    }
}

async fn newest(client: &Client) -> Result<Option<Log>> {
    let req = Request::new(&catalog::LOGS_LIST).query("sort", "date:-1").query("per_page", 1);
    let page: Page<Log> = client.execute(req).await?;
    Ok(page.items.into_iter().next())
}

/// `GET /api/v2/logs` (search, offset paging). Made by [`Logs::list`]; the paging
/// methods are [`List`]'s offset ones. `include_totals` is never sent: it is deprecated
/// for logs and its `total` is only the page size, so streams end on a short page.
pub type ListLogs = List<LogsQuery>;

/// The filters of [`ListLogs`].
#[derive(Debug, Clone, Default)]
pub struct LogsQuery {
    q: Option<String>,
    sort: Option<String>,
    fields: Option<Fields>,
}

impl sealed::Sealed for LogsQuery {}

impl Listing for LogsQuery {
    type Item = Log;

    fn request(&self) -> Request {
        let mut req =
            Request::new(&catalog::LOGS_LIST).query_opt("q", self.q.clone()).query_opt("sort", self.sort.clone());
        if let Some(f) = &self.fields {
            req = f.apply(req, "log_id");
        }
        req
    }
}

impl OffsetListing for LogsQuery {
    const TOTALS: bool = false;
}

impl ListLogs {
    /// Log search query, e.g. `type:"sapi"` or `user_id:"auth0|…"`.
    pub fn q(self, q: impl Into<String>) -> Self {
        self.with(|f| f.q = Some(q.into()))
    }

    /// Sort, `field:1` or `field:-1` (e.g. `date:-1`, newest first).
    pub fn sort(self, sort: impl Into<String>) -> Self {
        self.with(|f| f.sort = Some(sort.into()))
    }

    /// Fields to return (`log_id` is always returned).
    pub fn fields(self, fields: Fields) -> Self {
        self.with(|f| f.fields = Some(fields))
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

    /// Events per request, 1–100 (clamped; default [`DEFAULT_PAGE_SIZE`]).
    pub fn take(mut self, take: u64) -> Self {
        self.take = take.clamp(1, MAX_PAGE_SIZE);
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
        let (last, state) = match self.start {
            Start::After(id) => {
                let from = id.into_inner();
                (Some(from.clone()), TailState::Reading(read_from(&self.client, self.take, Some(from))))
            }
            Start::Oldest => (None, TailState::Reading(read_from(&self.client, self.take, None))),
            Start::Now => {
                let client = self.client.clone();
                let fut = Box::pin(async move { Ok(newest(&client).await?.map(|l| l.log_id.into_inner())) });
                (None, TailState::Starting(fut))
            }
        };
        LogTail { client: self.client, take: self.take, interval: self.interval, last, state }
    }
}

/// The cursor of a logs checkpoint walk: `take` and `from` = the last `log_id` read
/// (`None`: the oldest retained event). The answers are bare arrays without `next`:
/// the last item's `log_id` is the next `from`, and an empty array means caught up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LogCursor {
    take: u64,
    from: Option<String>,
}

impl sealed::Sealed for LogCursor {}

impl Cursor<Log> for LogCursor {
    type Key = Option<String>;

    fn key(&self) -> Option<String> {
        self.from.clone()
    }

    fn apply(&self, request: Request) -> Request {
        let req = request.set_query("take", self.take);
        match &self.from {
            Some(from) => req.set_query("from", from),
            None => req,
        }
    }

    fn admit(&self, _: &'static Operation) -> Result<()> {
        Ok(())
    }

    fn next(&self, page: &Page<Log>) -> Option<LogCursor> {
        let last = page.items.last()?;
        Some(LogCursor { take: self.take, from: Some(last.log_id.as_str().to_owned()) })
    }

    fn fail(&self, _: &'static Operation, error: Error) -> Error {
        error
    }
}

/// A checkpoint walk of the logs from `from` until caught up.
fn read_from(client: &Client, take: u64, from: Option<String>) -> Box<Paginator<Log, LogCursor>> {
    Box::new(Paginator::over(client.clone(), Request::new(&catalog::LOGS_LIST), LogCursor { take, from }, 0))
}

enum TailState {
    /// Looking up the newest event ("from now").
    Starting(BoxFuture<'static, Result<Option<String>>>),
    /// Walking forward until caught up.
    Reading(Box<Paginator<Log, LogCursor>>),
    /// Caught up: waiting the poll interval before reading again from the last event.
    Waiting(Pin<Box<tokio::time::Sleep>>),
    /// Ended (error, or caught up without polling).
    Done,
}

/// A stream of log events in ascending `log_id` order, from [`TailLogs::stream`]: a
/// checkpoint [`Paginator`] walk from the last event read, repeated after the poll
/// interval each time it catches up.
///
/// Ends on the first error (after the client's retries) — resume with
/// [`last_log_id`](Self::last_log_id) — or, with
/// [`until_caught_up`](TailLogs::until_caught_up), once caught up.
#[must_use = "streams do nothing unless polled"]
pub struct LogTail {
    client: Client,
    take: u64,
    interval: Option<Duration>,
    /// The `log_id` of the last event yielded, or the starting point.
    last: Option<String>,
    state: TailState,
}

impl LogTail {
    /// The `log_id` of the last event yielded (or the starting point, before the first
    /// event). Persist it and pass it to [`TailLogs::after`] to resume without gaps or
    /// duplicates. `None` until a "from now" start has looked up the newest event (or
    /// when the tenant has no events at all).
    pub fn last_log_id(&self) -> Option<LogId> {
        self.last.as_ref().and_then(|id| LogId::new(id.as_str()).ok())
    }

    /// The same position as a [`ResumePoint`] (`from` = [`last_log_id`](Self::last_log_id)).
    pub fn resume_point(&self) -> ResumePoint {
        ResumePoint { from: self.last_log_id().map(LogId::into_inner), skip: 0 }
    }
}

impl fmt::Debug for LogTail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogTail")
            .field("last_log_id", &self.last)
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
                        this.last.clone_from(&anchor);
                        this.state = TailState::Reading(read_from(&this.client, this.take, anchor));
                    }
                    Poll::Ready(Err(e)) => {
                        this.state = TailState::Done;
                        return Poll::Ready(Some(Err(e)));
                    }
                },
                TailState::Reading(walk) => match Pin::new(walk.as_mut()).poll_next(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(log))) => {
                        // Reuses the buffer: no allocation per event.
                        let last = this.last.get_or_insert_with(String::new);
                        last.clear();
                        last.push_str(log.log_id.as_str());
                        return Poll::Ready(Some(Ok(log)));
                    }
                    Poll::Ready(Some(Err(e))) => {
                        this.state = TailState::Done;
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(None) => match this.interval {
                        Some(interval) => this.state = TailState::Waiting(Box::pin(tokio::time::sleep(interval))),
                        None => this.state = TailState::Done,
                    },
                },
                TailState::Waiting(sleep) => match sleep.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(()) => {
                        this.state = TailState::Reading(read_from(&this.client, this.take, this.last.clone()));
                    }
                },
                TailState::Done => return Poll::Ready(None),
            }
        }
    }
}
