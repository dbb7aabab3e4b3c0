//! Pages and lazy streams over both of Auth0's paging modes.
//!
//! * **Offset** (`page`, `per_page`, `include_totals`): a [`Page`] carries `start`,
//!   `limit` and `total`; the `stream()` of a listing walks pages lazily, stops on a short page
//!   or the total, and ends with [`Error::PagingLimit`] instead of running into Auth0's
//!   1000-result refusal (`400 invalid_paging`) or silently truncating.
//! * **Checkpoint** (`from`, `take`): a [`CheckpointStream`] follows the opaque `next`
//!   cursor of `{"<key>": [...], "next": "..."}` pages, or — for logs — uses the last
//!   `log_id` as the next `from` on bare arrays. Its [`resume_point`](CheckpointStream::resume_point)
//!   can be saved and handed back to resume exactly where the caller stopped. It can
//!   also *tail*: poll at an interval once caught up instead of ending.
//!
//! Both are lazy (nothing is sent until polled), end on the first error, and refuse to
//! loop on a repeated cursor.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, Stream};
use serde::de::DeserializeOwned;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};

use crate::catalog::{self, Operation};
use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::request::Request;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Index of the first item (`page * per_page`), when the server reported totals.
    pub start: Option<u64>,
    /// The page size the server used, when it reported totals.
    pub limit: Option<u64>,
    /// Total matches, when the server reported totals (for logs it is the page size).
    pub total: Option<u64>,
    /// The number of items on this page, when the server reported it (`users`, `logs`).
    pub length: Option<u64>,
    /// The checkpoint cursor of the next page (checkpoint mode), if there is one.
    pub next: Option<String>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { items: Vec::new(), start: None, limit: None, total: None, length: None, next: None }
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<T: Serialize> Serialize for Page<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}

/// Accepts every list shape Auth0 sends: a bare array, or an object with the items under
/// one of the catalog's list keys plus `start`/`limit`/`total`/`length`/`next`.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct PageVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
            type Value = Page<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list or a paged list object")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Page<T>, A::Error> {
                let items = Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Page { items, ..Page::default() })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Page<T>, A::Error> {
                let mut page = Page::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "start" => page.start = map.next_value::<Lenient>()?.0,
                        "limit" => page.limit = map.next_value::<Lenient>()?.0,
                        "total" => page.total = map.next_value::<Lenient>()?.0,
                        "length" => page.length = map.next_value::<Lenient>()?.0,
                        "next" => page.next = map.next_value::<Option<String>>()?.filter(|n| !n.is_empty()),
                        k if is_list_key(k) => page.items = map.next_value::<Option<Vec<T>>>()?.unwrap_or_default(),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(page)
            }
        }

        d.deserialize_any(PageVisitor(PhantomData))
    }
}

fn is_list_key(k: &str) -> bool {
    catalog::ALL.iter().any(|op| op.list_key == Some(k)) || matches!(k, "sessions" | "tokens" | "users")
}

/// A count that may be missing, null, a float or garbage: anything but a sane
/// non-negative integer is `None`.
struct Lenient(Option<u64>);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(Lenient(v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))))
    }
}

/// Fetches one offset page by page index.
pub(crate) type FetchPage<T> = Box<dyn FnMut(u64) -> BoxFuture<'static, Result<Page<T>>> + Send>;

/// A lazy stream over an offset listing, starting at `first_page`.
///
/// `use_total`: trust `total` to detect the end (not for logs, whose `total` is the
/// page size). `limit`: the offset-paging limit to respect (Auth0: 1000 results).
pub(crate) fn offset_stream<T: Send + 'static>(
    op: &'static Operation,
    per_page: u64,
    first_page: u64,
    use_total: bool,
    limit: Option<u64>,
    fetch: FetchPage<T>,
) -> BoxStream<'static, Result<T>> {
    struct State<T> {
        fetch: FetchPage<T>,
        page: u64,
        buffer: VecDeque<T>,
        done: bool,
        total: Option<u64>,
        seen: u64,
    }
    let per_page = per_page.max(1);
    let state = State {
        fetch,
        page: first_page,
        buffer: VecDeque::new(),
        done: false,
        total: None,
        seen: first_page * per_page,
    };
    Box::pin(stream::unfold(state, move |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            if st.done {
                return None;
            }
            if let Some(limit) = limit.filter(|_| op.offset_capped()) {
                if (st.page + 1) * per_page > limit {
                    st.done = true;
                    // Reaching the cap with the total already seen is a normal end.
                    if st.total.is_some_and(|t| st.seen >= t) {
                        return None;
                    }
                    return Some((Err(Error::PagingLimit { operation: op.id, limit, total: st.total }), st));
                }
            }
            match (st.fetch)(st.page).await {
                Ok(page) => {
                    let n = page.items.len() as u64;
                    st.seen += n;
                    if use_total {
                        st.total = page.total.or(st.total);
                    }
                    st.page += 1;
                    st.done = n < per_page || n == 0 || st.total.is_some_and(|t| st.seen >= t);
                    st.buffer.extend(page.items);
                }
                Err(e) => {
                    st.done = true;
                    let e = match e.api().and_then(|a| a.error_code()) {
                        Some(ErrorCode::InvalidPaging) => {
                            Error::PagingLimit { operation: op.id, limit: limit.unwrap_or(st.seen), total: st.total }
                        }
                        _ => e,
                    };
                    return Some((Err(e), st));
                }
            }
        }
    }))
}

/// Where a checkpoint stream can be resumed: the cursor of the page being read and how
/// many of its items were already yielded. Save it, and pass it to the same listing's
/// `resume` to continue without gaps or duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ResumePoint {
    /// The `from` cursor to request (`None`: the start of the listing).
    pub from: Option<String>,
    /// Items of that page already yielded, to skip.
    #[serde(default)]
    pub skip: usize,
}

/// A page being fetched.
type PageFuture<T> = BoxFuture<'static, Result<Page<T>>>;

/// Fetches one checkpoint page at a cursor (`None` = first page).
pub(crate) type FetchCheckpoint<T> = Box<dyn FnMut(Option<String>) -> BoxFuture<'static, Result<Page<T>>> + Send>;

/// How the next cursor is found.
pub(crate) enum NextCursor<T> {
    /// The page's opaque `next` field; no `next` ends the listing.
    Opaque,
    /// The id of the last item (logs: `from` = last `log_id`).
    LastItem(fn(&T) -> Option<String>),
}

/// A lazy stream over a checkpoint listing whose position can be saved and resumed.
///
/// Ends on a page without `next` (opaque cursors), on an empty page, or on the first
/// error — unless it is tailing (see [`tail`](Self::tail)), in which case it waits and
/// polls again from the same position when it has caught up.
#[must_use = "streams do nothing unless polled"]
pub struct CheckpointStream<T> {
    op: &'static str,
    fetch: FetchCheckpoint<T>,
    next_cursor: NextCursor<T>,
    /// The cursor the buffered page was requested with.
    page_from: Option<String>,
    /// Items of the buffered page already yielded.
    yielded: usize,
    /// Items of the next fetched page to skip (resume).
    skip: usize,
    /// The last yielded item's id (LastItem mode).
    last_item: Option<String>,
    buffer: VecDeque<T>,
    /// The cursor of the page after the buffered one; `None` with `exhausted` = end.
    following: Option<String>,
    exhausted: bool,
    done: bool,
    seen: HashSet<String>,
    pending: Option<(Option<String>, PageFuture<T>)>,
    poll_interval: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> fmt::Debug for CheckpointStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckpointStream")
            .field("operation", &self.op)
            .field("resume_point", &self.resume_point())
            .field("tailing", &self.poll_interval)
            .finish()
    }
}

impl<T> CheckpointStream<T> {
    /// Where to resume after the last item this stream yielded.
    pub fn resume_point(&self) -> ResumePoint {
        match self.next_cursor {
            NextCursor::LastItem(_) => ResumePoint { from: self.last_item.clone(), skip: 0 },
            NextCursor::Opaque => {
                ResumePoint { from: self.page_from.clone(), skip: self.yielded + self.skip_pending() }
            }
        }
    }

    fn skip_pending(&self) -> usize {
        // A resume skip not yet applied (no page fetched yet) still counts.
        if self.pending.is_none() && self.buffer.is_empty() && self.yielded == 0 { self.skip } else { 0 }
    }
}

impl<T: Send + 'static> CheckpointStream<T> {
    pub(crate) fn new(
        op: &'static str,
        start: ResumePoint,
        next_cursor: NextCursor<T>,
        fetch: FetchCheckpoint<T>,
    ) -> Self {
        CheckpointStream {
            op,
            fetch,
            last_item: match next_cursor {
                NextCursor::LastItem(_) => start.from.clone(),
                NextCursor::Opaque => None,
            },
            next_cursor,
            page_from: start.from.clone(),
            yielded: 0,
            skip: start.skip,
            buffer: VecDeque::new(),
            following: start.from,
            exhausted: false,
            done: false,
            seen: HashSet::new(),
            pending: None,
            poll_interval: None,
            sleep: None,
        }
    }

    /// Instead of ending when caught up, wait `interval` and poll again from the same
    /// position (for logs: a live tail).
    pub fn tail(mut self, interval: Duration) -> Self {
        self.poll_interval = Some(interval);
        self
    }
}

impl<T: Send + 'static> Stream for CheckpointStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                this.yielded += 1;
                if let NextCursor::LastItem(id) = &this.next_cursor {
                    if let Some(id) = id(&item) {
                        this.last_item = Some(id);
                    }
                }
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(sleep) = &mut this.sleep {
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(()) => this.sleep = None,
                }
            }
            if this.pending.is_none() {
                if this.exhausted {
                    match this.poll_interval {
                        Some(interval) => {
                            // Caught up: poll again from the last position after a pause.
                            this.exhausted = false;
                            this.following = match &this.next_cursor {
                                NextCursor::LastItem(_) => this.last_item.clone(),
                                NextCursor::Opaque => {
                                    // The same page again, minus what was already yielded.
                                    this.skip = this.yielded;
                                    this.page_from.clone()
                                }
                            };
                            this.seen.clear();
                            this.sleep = Some(Box::pin(tokio::time::sleep(interval)));
                            continue;
                        }
                        None => {
                            this.done = true;
                            return Poll::Ready(None);
                        }
                    }
                }
                let cursor = this.following.clone();
                if let Some(c) = &cursor {
                    if !this.seen.insert(c.clone()) {
                        this.done = true;
                        return Poll::Ready(Some(Err(Error::RepeatedCursor { operation: this.op })));
                    }
                }
                let fut = (this.fetch)(cursor.clone());
                this.pending = Some((cursor, fut));
            }
            let Some((cursor, fut)) = &mut this.pending else {
                continue;
            };
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    this.pending = None;
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Ok(page)) => {
                    let requested = cursor.take();
                    this.pending = None;
                    let mut items: VecDeque<T> = page.items.into();
                    let skip = std::mem::take(&mut this.skip).min(items.len());
                    items.drain(..skip);
                    let empty = items.is_empty() && skip == 0;
                    let next = match &this.next_cursor {
                        NextCursor::Opaque => page.next,
                        NextCursor::LastItem(id) => items.back().and_then(id).or_else(|| requested.clone()),
                    };
                    if empty {
                        // Nothing (new) here: the listing ends, or a tail waits.
                        this.exhausted = true;
                        continue;
                    }
                    this.page_from = requested;
                    this.yielded = skip;
                    this.buffer = items;
                    match next {
                        Some(n) => this.following = Some(n),
                        None => {
                            // Opaque mode without `next`: this was the last page. When
                            // tailing, poll again from this page's cursor.
                            this.exhausted = true;
                        }
                    }
                }
            }
        }
    }
}

impl<T> Unpin for CheckpointStream<T> {}

/// A boxed stream of items, `'static` so it can be spawned.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// Streams an offset listing of `base` (whose query holds the filters) through the
/// client's one request path. `totals`: ask for `include_totals` and trust `total`.
pub(crate) fn offset_pages<T>(
    client: Client,
    base: Request,
    per_page: u64,
    first_page: u64,
    totals: bool,
) -> ItemStream<T>
where
    T: DeserializeOwned + Send + 'static,
{
    let op = base.operation();
    let limit = client.offset_limit();
    let fetch: FetchPage<T> = Box::new(move |page| {
        let client = client.clone();
        let mut req = base.clone().set_query("page", page).set_query("per_page", per_page);
        if totals {
            req = req.set_query("include_totals", true);
        }
        Box::pin(async move { client.execute::<Page<T>>(req).await })
    });
    offset_stream(op, per_page, first_page, totals, limit, fetch)
}

/// Streams a checkpoint listing of `base` through the client's one request path.
pub(crate) fn checkpoint_pages<T>(
    client: Client,
    base: Request,
    take: u64,
    start: ResumePoint,
    next: NextCursor<T>,
) -> CheckpointStream<T>
where
    T: DeserializeOwned + Send + 'static,
{
    let op = base.operation().id;
    let fetch: FetchCheckpoint<T> = Box::new(move |from| {
        let client = client.clone();
        let mut req = base.clone().set_query("take", take);
        if let Some(from) = from {
            req = req.set_query("from", from);
        }
        Box::pin(async move { client.execute::<Page<T>>(req).await })
    });
    CheckpointStream::new(op, start, next, fetch)
}

/// Adds `page`, `per_page` and `include_totals=true` to `req` for fetching a single
/// offset page (the `.send()` of list builders).
pub(crate) fn offset_page(req: Request, page: u64, per_page: Option<u64>) -> Request {
    req.query("page", page).query_opt("per_page", per_page).query("include_totals", true)
}

/// The paging methods every offset list builder shares: `page`, `per_page`, `send`
/// (one page with totals) and `stream` (every result). The builder has fields `client`,
/// `page: u64`, `per_page: Option<u64>` and a `fn request(&self) -> Request` holding its
/// filters.
macro_rules! offset_list_methods {
    ($item:ty) => {
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

        /// Fetches one offset page, with totals.
        pub async fn send(self) -> $crate::Result<$crate::Page<$item>> {
            let req = $crate::pagination::offset_page(self.request(), self.page, self.per_page);
            self.client.execute(req).await
        }

        /// Streams every result lazily, page by page. Where Auth0 caps offset paging at 1000
        /// results, the stream ends with [`Error::PagingLimit`](crate::Error::PagingLimit)
        /// instead of stopping silently.
        pub fn stream(self) -> $crate::ItemStream<$item> {
            let req = self.request();
            $crate::pagination::offset_pages(self.client, req, self.per_page.unwrap_or(100), self.page, true)
        }
    };
}
pub(crate) use offset_list_methods;

/// The checkpoint methods of list builders whose endpoint also pages with `from`/`take`
/// (`{"<key>": [...], "next": "..."}`): `take`, `send_checkpoint`, `checkpoint` and
/// `resume`. The builder has a `take: Option<u64>` field besides what
/// [`offset_list_methods`] needs.
macro_rules! checkpoint_list_methods {
    ($item:ty) => {
        /// Checkpoint page size, 1–100 (clamped). Default 100 for streams.
        pub fn take(mut self, take: u64) -> Self {
            self.take = Some(take.clamp(1, 100));
            self
        }

        /// Fetches one checkpoint page (`take`, and `from` when given); its `next` is the
        /// cursor of the following page.
        pub async fn send_checkpoint(self, from: Option<String>) -> $crate::Result<$crate::Page<$item>> {
            let req = self.request().query("take", self.take.unwrap_or(50)).query_opt("from", from);
            self.client.execute(req).await
        }

        /// Streams every result with checkpoint paging (no result cap). Ends on a page without
        /// `next` or on an empty page.
        pub fn checkpoint(self) -> $crate::CheckpointStream<$item> {
            self.resume($crate::ResumePoint::default())
        }

        /// Continues a checkpoint stream from a saved [`ResumePoint`](crate::ResumePoint).
        pub fn resume(self, point: $crate::ResumePoint) -> $crate::CheckpointStream<$item> {
            let req = self.request();
            $crate::pagination::checkpoint_pages(
                self.client,
                req,
                self.take.unwrap_or(100),
                point,
                $crate::pagination::NextCursor::Opaque,
            )
        }
    };
}
pub(crate) use checkpoint_list_methods;

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<Option<String>>>>;

    /// A checkpoint listing of pages keyed by cursor; records the cursors requested.
    fn pages(pages: Vec<(Option<&'static str>, Vec<u32>, Option<&'static str>)>) -> (FetchCheckpoint<u32>, Log) {
        let log: Log = Arc::default();
        let seen = log.clone();
        let fetch: FetchCheckpoint<u32> = Box::new(move |from: Option<String>| {
            seen.lock().unwrap().push(from.clone());
            let page = pages
                .iter()
                .find(|(c, _, _)| c.map(str::to_owned) == from)
                .map(|(_, items, next)| Page { items: items.clone(), next: next.map(str::to_owned), ..Page::default() })
                .unwrap_or_default();
            Box::pin(async move { Ok(page) })
        });
        (fetch, log)
    }

    #[tokio::test]
    async fn checkpoint_across_three_pages_ends_on_missing_next() {
        let (fetch, log) =
            pages(vec![(None, vec![1, 2], Some("a")), (Some("a"), vec![3, 4], Some("b")), (Some("b"), vec![5], None)]);
        let s = CheckpointStream::new("organizations.list", ResumePoint::default(), NextCursor::Opaque, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [1, 2, 3, 4, 5]);
        assert_eq!(*log.lock().unwrap(), [None, Some("a".into()), Some("b".into())]);
    }

    #[tokio::test]
    async fn checkpoint_ends_on_an_empty_page() {
        let (fetch, log) =
            pages(vec![(None, vec![1], Some("a")), (Some("a"), vec![2], Some("b")), (Some("b"), vec![], Some("c"))]);
        let s = CheckpointStream::new("organizations.list_members", ResumePoint::default(), NextCursor::Opaque, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [1, 2]);
        assert_eq!(log.lock().unwrap().len(), 3, "nothing requested after the empty page");
    }

    #[tokio::test]
    async fn a_repeated_cursor_stops_the_stream_with_an_error() {
        let (fetch, _) = pages(vec![(None, vec![1], Some("a")), (Some("a"), vec![2], Some("a"))]);
        let mut s = CheckpointStream::new("organizations.list", ResumePoint::default(), NextCursor::Opaque, fetch);
        assert_eq!(s.try_next().await.unwrap(), Some(1));
        assert_eq!(s.try_next().await.unwrap(), Some(2));
        assert!(matches!(s.try_next().await, Err(Error::RepeatedCursor { .. })));
        assert!(s.try_next().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn resuming_mid_page_has_no_gaps_and_no_duplicates() {
        let spec =
            vec![(None, vec![1, 2, 3], Some("a")), (Some("a"), vec![4, 5, 6], Some("b")), (Some("b"), vec![7], None)];
        let (fetch, _) = pages(spec.clone());
        let mut s = CheckpointStream::new("organizations.list", ResumePoint::default(), NextCursor::Opaque, fetch);
        let mut first = Vec::new();
        for _ in 0..4 {
            first.push(s.try_next().await.unwrap().unwrap());
        }
        let saved = s.resume_point();
        assert_eq!(saved, ResumePoint { from: Some("a".into()), skip: 1 });
        drop(s);
        let (fetch, _) = pages(spec);
        let rest: Vec<u32> =
            CheckpointStream::new("organizations.list", saved, NextCursor::Opaque, fetch).try_collect().await.unwrap();
        first.extend(rest);
        assert_eq!(first, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[tokio::test]
    async fn last_item_cursors_walk_forward_from_the_last_id() {
        // Like logs: bare arrays, `from` = the last id seen, ends on an empty page.
        let (fetch, log) =
            pages(vec![(Some("10"), vec![11, 12], None), (Some("12"), vec![13], None), (Some("13"), vec![], None)]);
        let s = CheckpointStream::new(
            "logs.list",
            ResumePoint { from: Some("10".into()), skip: 0 },
            NextCursor::LastItem(|n: &u32| Some(n.to_string())),
            fetch,
        );
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [11, 12, 13]);
        assert_eq!(*log.lock().unwrap(), [Some("10".into()), Some("12".into()), Some("13".into())]);
    }

    #[test]
    fn page_decodes_every_list_shape() {
        let bare: Page<u32> = serde_json::from_str("[1,2]").unwrap();
        assert_eq!(bare.items, [1, 2]);
        let wrapped: Page<u32> =
            serde_json::from_str(r#"{"start":0,"limit":50,"length":2,"total":"7","users":[1,2],"x":{}}"#).unwrap();
        assert_eq!((wrapped.items.len(), wrapped.total, wrapped.start), (2, Some(7), Some(0)));
        let checkpoint: Page<u32> = serde_json::from_str(r#"{"organizations":[3],"next":"abc"}"#).unwrap();
        assert_eq!(checkpoint.next.as_deref(), Some("abc"));
        let last: Page<u32> = serde_json::from_str(r#"{"members":[]}"#).unwrap();
        assert!(last.items.is_empty() && last.next.is_none());
        let huge: Page<u32> = serde_json::from_str(r#"{"total":1e400,"roles":[]}"#).unwrap_or_default();
        assert!(huge.total.is_none());
    }
}
