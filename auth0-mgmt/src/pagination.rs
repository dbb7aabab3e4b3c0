//! Pages, list builders and one lazy paginator for both of Auth0's paging modes.
//!
//! Every listing of the crate is a [`List`] builder (`ListUsers` is `List<UsersQuery>`,
//! and so on) with the same paging methods:
//!
//! | mode | page size | one page | every result | from a saved position |
//! |---|---|---|---|---|
//! | offset (`page`, `per_page`) | [`per_page`](List::per_page) | [`send`](List::send) | [`stream`](List::stream) | [`page`](List::page) |
//! | checkpoint (`from`, `take`) | [`take`](List::take) | [`send_checkpoint`](List::send_checkpoint) | [`checkpoint`](List::checkpoint) | [`from`](List::from), [`resume`](List::resume) |
//!
//! Both page sizes default to [`DEFAULT_PAGE_SIZE`] (100, Auth0's maximum) and are always
//! sent, so what a call returns never depends on a server default.
//!
//! Both streams are a [`Paginator`]: a lazy stream built from "fetch the page at this
//! cursor". The modes differ only in their [`Cursor`] type:
//!
//! * [`Offset`]: page index `0, 1, 2, …`; the listing ends on a short or empty page or
//!   when `total` is reached, and where Auth0 caps offset paging at 1000 results the
//!   stream ends with [`Error::PagingLimit`] *before* asking for a page past the cap
//!   (no `400 invalid_paging` round trip, no silent truncation).
//! * [`Checkpoint`]: the opaque `next` of `{"<key>": [...], "next": "..."}` pages; the
//!   listing ends on a page without `next` or on an empty page. Its
//!   [`resume_point`](Paginator::resume_point) can be saved and handed to
//!   [`List::resume`] to continue without gaps or duplicates.
//!
//! The log tail ([`LogTail`](crate::logs::LogTail)) is a paginator too, whose cursor is
//! the last `log_id` of a bare array.
//!
//! A paginator sends nothing until polled, ends on the first error, and stops with
//! [`Error::RepeatedCursor`] instead of looping when the server hands out a cursor it
//! already gave.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client) -> auth0_mgmt::Result<()> {
//! use futures::TryStreamExt;
//!
//! // Offset: every user matching a query (at most 1000 are reachable this way).
//! let mut users = client.users().list().q(r#"email:"*@acme.com""#).stream();
//! while let Some(user) = users.try_next().await? {
//!     println!("{}", user.user_id);
//! }
//!
//! // Checkpoint: every organization, resumable from where it stopped.
//! let mut orgs = client.organizations().list().take(50).checkpoint();
//! let first = orgs.try_next().await?;
//! let saved = orgs.resume_point(); // persist it (it is serde)
//! let rest: Vec<_> = client.organizations().list().take(50).resume(saved).try_collect().await?;
//! # let _ = (first, rest);
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::future::BoxFuture;
use futures::stream::{FusedStream, Stream};
use serde::de::DeserializeOwned;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};

use crate::catalog::{self, Operation};
use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::request::Request;

/// The page size every listing uses unless told otherwise: `per_page` for offset paging,
/// `take` for checkpoint paging (Auth0's maximum for both).
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// The largest page size Auth0 accepts; larger values are clamped to it.
pub const MAX_PAGE_SIZE: u64 = 100;

// ---------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------------------

pub(crate) mod sealed {
    /// Keeps [`Cursor`](super::Cursor) and [`Listing`](super::Listing) implementable
    /// only inside this crate.
    pub trait Sealed {}
}

/// A position in a listing: how to ask for the page there, and what follows that page.
/// The one thing in which offset and checkpoint paging differ ([`Offset`],
/// [`Checkpoint`]). Implemented inside this crate only.
pub trait Cursor<T>: sealed::Sealed + Sized + Clone + fmt::Debug + Send + 'static {
    /// What the repeated-cursor guard compares.
    type Key: Eq + Hash + Send + 'static;

    /// This cursor's identity for the repeated-cursor guard.
    fn key(&self) -> Self::Key;

    /// The listing's request with this cursor's paging parameters set.
    fn apply(&self, request: Request) -> Request;

    /// Checked before the page at this cursor is requested; an error ends the stream
    /// with it (and nothing is sent).
    fn admit(&self, op: &'static Operation) -> Result<()>;

    /// The cursor of the page after `page` (which was fetched at this cursor), or `None`
    /// when `page` is the last one.
    fn next(&self, page: &Page<T>) -> Option<Self>;

    /// The error the stream ends with when fetching the page at this cursor failed.
    fn fail(&self, op: &'static Operation, error: Error) -> Error;
}

/// Offset paging's cursor: a zero-based page index with its page size. Ends on a short
/// or empty page, or when `total` is reached, and enforces the offset-paging limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offset {
    page: u64,
    per_page: u64,
    /// Ask for `include_totals` and trust `total` (not for logs).
    totals: bool,
    /// The offset-paging limit for this listing (`None`: uncapped).
    limit: Option<u64>,
    /// Items before this page (as far as known: `page * per_page` at the start).
    seen: u64,
    /// The total the server reported so far.
    total: Option<u64>,
}

impl Offset {
    fn new(op: &'static Operation, page: u64, per_page: u64, totals: bool, limit: Option<u64>) -> Offset {
        let per_page = per_page.max(1);
        Offset {
            page,
            per_page,
            totals,
            limit: limit.filter(|_| op.offset_capped()),
            seen: page.saturating_mul(per_page),
            total: None,
        }
    }
}

impl Offset {
    /// The zero-based page index.
    pub fn page(&self) -> u64 {
        self.page
    }

    /// The page size.
    pub fn per_page(&self) -> u64 {
        self.per_page
    }
}

impl sealed::Sealed for Offset {}

impl<T> Cursor<T> for Offset {
    type Key = u64;

    fn key(&self) -> u64 {
        self.page
    }

    fn apply(&self, request: Request) -> Request {
        let req = request.set_query("page", self.page).set_query("per_page", self.per_page);
        if self.totals { req.set_query("include_totals", true) } else { req }
    }

    fn admit(&self, op: &'static Operation) -> Result<()> {
        match self.limit {
            // Stop before the request the server would refuse with `400 invalid_paging`.
            Some(limit) if self.page.saturating_add(1).saturating_mul(self.per_page) > limit => {
                Err(Error::PagingLimit { operation: op.id, limit, total: self.total })
            }
            _ => Ok(()),
        }
    }

    fn next(&self, page: &Page<T>) -> Option<Offset> {
        let n = page.items.len() as u64;
        let seen = self.seen.saturating_add(n);
        let total = if self.totals { page.total.or(self.total) } else { None };
        if n == 0 || n < self.per_page || total.is_some_and(|t| seen >= t) {
            return None;
        }
        Some(Offset { page: self.page.saturating_add(1), seen, total, ..*self })
    }

    fn fail(&self, op: &'static Operation, error: Error) -> Error {
        match error.api().and_then(|a| a.error_code()) {
            Some(ErrorCode::InvalidPaging) => {
                Error::PagingLimit { operation: op.id, limit: self.limit.unwrap_or(self.seen), total: self.total }
            }
            _ => error,
        }
    }
}

/// Checkpoint paging's cursor: `take` and the opaque `from` (`None`: the first page).
/// Ends on a page without `next` or on an empty page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    take: u64,
    from: Option<String>,
}

impl Checkpoint {
    pub(crate) fn new(take: u64, from: Option<String>) -> Checkpoint {
        Checkpoint { take, from }
    }

    /// The `from` cursor (`None`: the first page).
    pub fn from(&self) -> Option<&str> {
        self.from.as_deref()
    }

    /// The page size.
    pub fn take(&self) -> u64 {
        self.take
    }
}

impl sealed::Sealed for Checkpoint {}

impl<T> Cursor<T> for Checkpoint {
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

    fn next(&self, page: &Page<T>) -> Option<Checkpoint> {
        if page.items.is_empty() {
            return None;
        }
        page.next.clone().map(|next| Checkpoint { take: self.take, from: Some(next) })
    }

    fn fail(&self, _: &'static Operation, error: Error) -> Error {
        error
    }
}

// ---------------------------------------------------------------------------------------
// Paginator
// ---------------------------------------------------------------------------------------

/// A page being fetched.
type PageFuture<T> = BoxFuture<'static, Result<Page<T>>>;

/// Fetches the page at a cursor.
pub(crate) type Fetch<T, C> = Box<dyn FnMut(&C) -> PageFuture<T> + Send>;

/// A lazy stream of the items of a listing, page by page, from "fetch the page at this
/// cursor" ([`Cursor`]): [`OffsetStream`] and [`CheckpointStream`] are its two modes.
///
/// Nothing is sent until it is polled; it asks for the next page only once the items of
/// the current one are consumed; it ends on the last page or on the first error (after
/// the client's retries), and with [`Error::RepeatedCursor`] when the server hands out a
/// cursor it already gave. It owns a client clone, so it is `'static` and can be spawned.
#[must_use = "streams do nothing unless polled"]
pub struct Paginator<T, C: Cursor<T>> {
    op: &'static Operation,
    fetch: Fetch<T, C>,
    /// The cursor of the page being read (or of the start, before the first page).
    current: C,
    /// Items of the current page already yielded (resume skips them).
    yielded: usize,
    /// Items of the next fetched page to skip (resuming mid-page).
    skip: usize,
    /// The current page's remaining items.
    items: std::vec::IntoIter<T>,
    /// The cursor of the page after the current one; `None`: the current one is the last.
    next: Option<C>,
    pending: Option<(C, PageFuture<T>)>,
    seen: HashSet<C::Key>,
    done: bool,
}

/// A lazy stream over an offset listing (`page`, `per_page`), from [`List::stream`].
pub type OffsetStream<T> = Paginator<T, Offset>;

/// A lazy stream over a checkpoint listing (`from`, `take`), from [`List::checkpoint`]
/// or [`List::resume`]; its [`resume_point`](Paginator::resume_point) can be saved.
pub type CheckpointStream<T> = Paginator<T, Checkpoint>;

impl<T, C: Cursor<T>> Paginator<T, C> {
    /// A paginator starting at `start`, skipping the first `skip` items of its page.
    pub(crate) fn new(op: &'static Operation, start: C, skip: usize, fetch: Fetch<T, C>) -> Self {
        Paginator {
            op,
            fetch,
            current: start.clone(),
            yielded: skip,
            skip,
            items: Vec::new().into_iter(),
            next: Some(start),
            pending: None,
            seen: HashSet::new(),
            done: false,
        }
    }

    /// A paginator over `base` (the listing's request with its filters), each page sent
    /// through the client's one request path with the cursor's paging parameters.
    pub(crate) fn over(client: Client, base: Request, start: C, skip: usize) -> Self
    where
        T: DeserializeOwned + Send + 'static,
    {
        let op = base.operation();
        let fetch: Fetch<T, C> = Box::new(move |cursor: &C| {
            let client = client.clone();
            let req = cursor.apply(base.clone());
            Box::pin(async move { client.execute::<Page<T>>(req).await })
        });
        Paginator::new(op, start, skip, fetch)
    }

    /// The operation id of the listing.
    pub fn operation(&self) -> &'static str {
        self.op.id
    }

    /// The cursor of the page being read, and how many of its items were yielded.
    pub fn position(&self) -> (&C, usize) {
        (&self.current, self.yielded)
    }
}

impl<T> Paginator<T, Checkpoint> {
    /// Where to resume after the last item this stream yielded: hand it to the same
    /// listing's [`List::resume`] to continue without gaps or duplicates.
    pub fn resume_point(&self) -> ResumePoint {
        ResumePoint { from: self.current.from.clone(), skip: self.yielded }
    }
}

impl<T, C: Cursor<T>> fmt::Debug for Paginator<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &self.op.id)
            .field("cursor", &self.current)
            .field("yielded", &self.yielded)
            .field("done", &self.done)
            .finish()
    }
}

impl<T, C: Cursor<T>> Stream for Paginator<T, C> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                this.yielded = this.yielded.saturating_add(1);
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.pending.is_none() {
                let Some(cursor) = this.next.take() else {
                    this.done = true;
                    return Poll::Ready(None);
                };
                if let Err(e) = cursor.admit(this.op) {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                if !this.seen.insert(cursor.key()) {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::RepeatedCursor { operation: this.op.id })));
                }
                let fut = (this.fetch)(&cursor);
                this.pending = Some((cursor, fut));
            }
            // `pending` is set here (just above, or by an earlier poll).
            let Some((_, fut)) = &mut this.pending else { continue };
            let result = ready!(fut.as_mut().poll(cx));
            let Some((cursor, _)) = this.pending.take() else { continue };
            match result {
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(cursor.fail(this.op, e))));
                }
                Ok(page) => {
                    this.next = cursor.next(&page);
                    let skip = std::mem::take(&mut this.skip).min(page.items.len());
                    this.items = page.items.into_iter();
                    if skip > 0 {
                        this.items.nth(skip - 1);
                    }
                    this.yielded = skip;
                    this.current = cursor;
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.items.len();
        if self.done || (self.next.is_none() && self.pending.is_none()) {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

impl<T, C: Cursor<T>> FusedStream for Paginator<T, C> {
    fn is_terminated(&self) -> bool {
        self.done && self.items.len() == 0
    }
}

impl<T, C: Cursor<T>> Unpin for Paginator<T, C> {}

/// Where a checkpoint stream can be resumed: the cursor of the page being read and how
/// many of its items were already yielded. Save it, and pass it to the same listing's
/// [`List::resume`] to continue without gaps or duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ResumePoint {
    /// The `from` cursor to request (`None`: the start of the listing).
    pub from: Option<String>,
    /// Items of that page already yielded, to skip.
    #[serde(default)]
    pub skip: usize,
}

// ---------------------------------------------------------------------------------------
// List builders
// ---------------------------------------------------------------------------------------

/// What a listing sends besides its paging parameters: its operation, path id and
/// filters. Each resource module has one per listing (e.g.
/// [`UsersQuery`](crate::users::UsersQuery)); implemented inside this crate only.
pub trait Listing: sealed::Sealed + Clone + fmt::Debug + Send + Sync + 'static {
    /// The items of the listing.
    type Item: DeserializeOwned + Send + 'static;

    /// The request with the listing's operation, path id and filters.
    fn request(&self) -> Request;
}

/// A listing that pages by offset (`page`, `per_page`).
pub trait OffsetListing: Listing {
    /// Ask for `include_totals` and trust `total` to end the stream. Not for logs, whose
    /// `total` is only the page size.
    const TOTALS: bool = true;
}

/// A listing that pages by checkpoint (`from`, `take`, opaque `next`).
pub trait CheckpointListing: Listing {}

/// A list request: a [`Listing`] (filters) plus paging parameters, finished with the
/// methods of its paging modes. Made by the resource handlers (`client.users().list()`,
/// `client.organizations().members(&id)`, …); the resource modules name each one
/// (`ListUsers`, `ListMembers`, …).
///
/// * Offset listings: [`page`](Self::page), [`per_page`](Self::per_page),
///   [`send`](Self::send) (one page, with totals), [`stream`](Self::stream) (every
///   result).
/// * Checkpoint listings: [`take`](Self::take), [`from`](Self::from),
///   [`send_checkpoint`](Self::send_checkpoint) (one page, with `next`),
///   [`checkpoint`](Self::checkpoint) (every result), [`resume`](Self::resume).
#[derive(Clone, Debug)]
#[must_use = "finish with .send(), .stream(), .send_checkpoint(), .checkpoint() or .resume()"]
pub struct List<Q> {
    client: Client,
    query: Q,
    page: u64,
    per_page: u64,
    take: u64,
    from: Option<String>,
}

impl<Q: Listing> List<Q> {
    pub(crate) fn new(client: Client, query: Q) -> List<Q> {
        List { client, query, page: 0, per_page: DEFAULT_PAGE_SIZE, take: DEFAULT_PAGE_SIZE, from: None }
    }

    /// Changes the listing's filters (for the resource modules' filter methods).
    pub(crate) fn with(mut self, f: impl FnOnce(&mut Q)) -> Self {
        f(&mut self.query);
        self
    }

    /// The request this listing sends, before paging parameters (what an interceptor
    /// sees, minus `page`/`per_page` or `take`/`from`).
    pub fn request(&self) -> Request {
        self.query.request()
    }
}

impl<Q: OffsetListing> List<Q> {
    /// Zero-based page index (not an item offset) for [`send`](Self::send); the
    /// [`stream`](Self::stream) starts there. Default 0.
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// Page size for offset paging, 1–100 (clamped). Default [`DEFAULT_PAGE_SIZE`].
    pub fn per_page(mut self, per_page: u64) -> Self {
        self.per_page = per_page.clamp(1, MAX_PAGE_SIZE);
        self
    }

    fn offset(&self) -> Offset {
        let op = self.query.request().operation();
        Offset::new(op, self.page, self.per_page, Q::TOTALS, self.client.offset_limit())
    }

    /// Fetches one offset page (`page`, `per_page`, and `include_totals=true` where the
    /// totals mean something).
    pub async fn send(self) -> Result<Page<Q::Item>> {
        let req = Cursor::<Q::Item>::apply(&self.offset(), self.query.request());
        self.client.execute(req).await
    }

    /// Streams every result lazily, page by page from [`page`](Self::page). Where Auth0
    /// caps offset paging at 1000 results, the stream ends with
    /// [`Error::PagingLimit`] before asking for a page past the cap.
    pub fn stream(self) -> OffsetStream<Q::Item> {
        let start = self.offset();
        Paginator::over(self.client, self.query.request(), start, 0)
    }
}

impl<Q: CheckpointListing> List<Q> {
    /// Page size for checkpoint paging, 1–100 (clamped). Default [`DEFAULT_PAGE_SIZE`].
    pub fn take(mut self, take: u64) -> Self {
        self.take = take.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Start at this checkpoint cursor (a previous page's `next`) instead of the first
    /// page, for [`send_checkpoint`](Self::send_checkpoint) and
    /// [`checkpoint`](Self::checkpoint).
    pub fn from(mut self, cursor: impl Into<String>) -> Self {
        self.from = Some(cursor.into()).filter(|c| !c.is_empty());
        self
    }

    /// Fetches one checkpoint page (`take`, and `from` when set); its `next` is the
    /// cursor of the following page.
    pub async fn send_checkpoint(self) -> Result<Page<Q::Item>> {
        let req = Cursor::<Q::Item>::apply(&Checkpoint::new(self.take, self.from), self.query.request());
        self.client.execute(req).await
    }

    /// Streams every result with checkpoint paging (no result cap), from the first page
    /// or from [`from`](Self::from). Ends on a page without `next` or on an empty page.
    pub fn checkpoint(self) -> CheckpointStream<Q::Item> {
        Paginator::over(self.client, self.query.request(), Checkpoint::new(self.take, self.from), 0)
    }

    /// Continues a checkpoint stream from a saved [`ResumePoint`] (it replaces
    /// [`from`](Self::from)).
    pub fn resume(self, point: ResumePoint) -> CheckpointStream<Q::Item> {
        let start = Checkpoint::new(self.take, point.from.filter(|c| !c.is_empty()));
        Paginator::over(self.client, self.query.request(), start, point.skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{StreamExt, TryStreamExt};
    use std::sync::{Arc, Mutex};

    type Log<K> = Arc<Mutex<Vec<K>>>;

    const OP: &Operation = &catalog::ORGANIZATIONS_LIST;

    /// A checkpoint listing of pages keyed by cursor; records the cursors requested.
    fn pages(
        pages: Vec<(Option<&'static str>, Vec<u32>, Option<&'static str>)>,
    ) -> (Fetch<u32, Checkpoint>, Log<Option<String>>) {
        let log: Log<Option<String>> = Arc::default();
        let seen = log.clone();
        let fetch: Fetch<u32, Checkpoint> = Box::new(move |c: &Checkpoint| {
            let from = c.from.clone();
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

    fn start(from: Option<&str>) -> Checkpoint {
        Checkpoint::new(2, from.map(str::to_owned))
    }

    /// An offset listing of `total` numbered items; records the pages requested.
    fn numbers(total: u32, report_total: bool) -> (Fetch<u32, Offset>, Log<u64>) {
        let log: Log<u64> = Arc::default();
        let seen = log.clone();
        let fetch: Fetch<u32, Offset> = Box::new(move |c: &Offset| {
            seen.lock().unwrap().push(c.page);
            let from = (c.page * c.per_page) as u32;
            let items: Vec<u32> = (from..total).take(c.per_page as usize).collect();
            let page = Page { items, total: report_total.then_some(total as u64), ..Page::default() };
            Box::pin(async move { Ok(page) })
        });
        (fetch, log)
    }

    #[tokio::test]
    async fn checkpoint_across_three_pages_ends_on_missing_next() {
        let (fetch, log) =
            pages(vec![(None, vec![1, 2], Some("a")), (Some("a"), vec![3, 4], Some("b")), (Some("b"), vec![5], None)]);
        let s = Paginator::new(OP, start(None), 0, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [1, 2, 3, 4, 5]);
        assert_eq!(*log.lock().unwrap(), [None, Some("a".into()), Some("b".into())]);
    }

    #[tokio::test]
    async fn nothing_is_fetched_until_polled_and_pages_are_fetched_one_at_a_time() {
        let (fetch, log) = pages(vec![(None, vec![1, 2], Some("a")), (Some("a"), vec![3], None)]);
        let mut s = Paginator::new(OP, start(None), 0, fetch);
        assert!(log.lock().unwrap().is_empty());
        assert_eq!(s.try_next().await.unwrap(), Some(1));
        assert_eq!(s.try_next().await.unwrap(), Some(2));
        assert_eq!(log.lock().unwrap().len(), 1, "the next page waits until this one is consumed");
        assert_eq!(s.try_next().await.unwrap(), Some(3));
        assert_eq!(s.try_next().await.unwrap(), None);
        assert!(s.is_terminated());
        assert_eq!(s.try_next().await.unwrap(), None);
        assert_eq!(log.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn checkpoint_ends_on_an_empty_page() {
        let (fetch, log) =
            pages(vec![(None, vec![1], Some("a")), (Some("a"), vec![2], Some("b")), (Some("b"), vec![], Some("c"))]);
        let s = Paginator::new(&catalog::ORGANIZATIONS_LIST_MEMBERS, start(None), 0, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [1, 2]);
        assert_eq!(log.lock().unwrap().len(), 3, "nothing requested after the empty page");
    }

    #[tokio::test]
    async fn a_repeated_cursor_stops_the_stream_with_an_error() {
        let (fetch, log) = pages(vec![(None, vec![1], Some("a")), (Some("a"), vec![2], Some("a"))]);
        let mut s = Paginator::new(OP, start(None), 0, fetch);
        assert_eq!(s.try_next().await.unwrap(), Some(1));
        assert_eq!(s.try_next().await.unwrap(), Some(2));
        assert!(matches!(s.try_next().await, Err(Error::RepeatedCursor { operation: "organizations.list" })));
        assert!(s.try_next().await.unwrap().is_none());
        assert_eq!(log.lock().unwrap().len(), 2, "the repeated cursor is not requested");
    }

    #[tokio::test]
    async fn a_cursor_cycle_is_caught_too() {
        let (fetch, log) =
            pages(vec![(None, vec![1], Some("a")), (Some("a"), vec![2], Some("b")), (Some("b"), vec![3], Some("a"))]);
        let s = Paginator::new(OP, start(None), 0, fetch);
        let got: Vec<Result<u32>> = s.collect::<Vec<_>>().await;
        assert_eq!(got.len(), 4);
        assert!(matches!(got[3], Err(Error::RepeatedCursor { .. })));
        assert_eq!(log.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn the_first_error_ends_the_stream() {
        let calls = Arc::new(Mutex::new(0));
        let c = calls.clone();
        let fetch: Fetch<u32, Checkpoint> = Box::new(move |_: &Checkpoint| {
            *c.lock().unwrap() += 1;
            Box::pin(async { Err(Error::RepeatedCursor { operation: "x" }) })
        });
        let mut s = Paginator::new(OP, start(None), 0, fetch);
        assert!(s.try_next().await.is_err());
        assert!(s.try_next().await.unwrap().is_none());
        assert_eq!(*calls.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn resuming_mid_page_has_no_gaps_and_no_duplicates() {
        let spec =
            vec![(None, vec![1, 2, 3], Some("a")), (Some("a"), vec![4, 5, 6], Some("b")), (Some("b"), vec![7], None)];
        let (fetch, _) = pages(spec.clone());
        let mut s = Paginator::new(OP, start(None), 0, fetch);
        assert_eq!(s.resume_point(), ResumePoint::default());
        let mut first = Vec::new();
        for _ in 0..4 {
            first.push(s.try_next().await.unwrap().unwrap());
        }
        let saved = s.resume_point();
        assert_eq!(saved, ResumePoint { from: Some("a".into()), skip: 1 });
        drop(s);
        let (fetch, _) = pages(spec);
        let resumed = Paginator::new(OP, start(saved.from.as_deref()), saved.skip, fetch);
        assert_eq!(resumed.resume_point(), saved, "a resumed stream reports its start before the first poll");
        let rest: Vec<u32> = resumed.try_collect().await.unwrap();
        first.extend(rest);
        assert_eq!(first, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[tokio::test]
    async fn a_skip_past_the_page_moves_on_to_the_next() {
        let (fetch, log) = pages(vec![(Some("a"), vec![4, 5], Some("b")), (Some("b"), vec![6], None)]);
        let s = Paginator::new(OP, start(Some("a")), 9, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [6]);
        assert_eq!(*log.lock().unwrap(), [Some("a".into()), Some("b".into())]);
    }

    #[tokio::test]
    async fn offset_walks_pages_and_ends_on_a_short_page() {
        let (fetch, log) = numbers(5, false);
        let s = Paginator::new(OP, Offset::new(OP, 0, 2, false, None), 0, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [0, 1, 2, 3, 4]);
        assert_eq!(*log.lock().unwrap(), [0, 1, 2]);
    }

    #[tokio::test]
    async fn position_names_the_page_being_read_and_the_items_yielded() {
        let (fetch, _) = numbers(5, false);
        let mut s = Paginator::new(OP, Offset::new(OP, 0, 2, false, None), 0, fetch);
        assert_eq!((s.position().0.page(), s.position().1), (0, 0));
        for _ in 0..3 {
            s.try_next().await.unwrap();
        }
        let (cursor, yielded) = s.position();
        assert_eq!((cursor.page(), cursor.per_page(), yielded), (1, 2, 1));
    }

    #[tokio::test]
    async fn offset_trusts_the_total_to_skip_the_empty_last_page() {
        let (fetch, log) = numbers(4, true);
        let s = Paginator::new(OP, Offset::new(OP, 0, 2, true, None), 0, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, [0, 1, 2, 3]);
        assert_eq!(*log.lock().unwrap(), [0, 1], "no request for page 2: total reached");
        // Without totals the short-page rule needs the empty page.
        let (fetch, log) = numbers(4, false);
        let _: Vec<u32> = Paginator::new(OP, Offset::new(OP, 0, 2, false, None), 0, fetch).try_collect().await.unwrap();
        assert_eq!(*log.lock().unwrap(), [0, 1, 2]);
    }

    #[tokio::test]
    async fn offset_stops_before_the_cap_with_a_typed_error() {
        let (fetch, log) = numbers(5000, true);
        let mut s = Paginator::new(OP, Offset::new(OP, 0, 100, true, Some(1000)), 0, fetch);
        let mut n = 0;
        let err = loop {
            match s.try_next().await {
                Ok(Some(_)) => n += 1,
                Ok(None) => panic!("ended without the paging limit"),
                Err(e) => break e,
            }
        };
        assert_eq!(n, 1000);
        assert!(
            matches!(err, Error::PagingLimit { operation: "organizations.list", limit: 1000, total: Some(5000) }),
            "{err:?}"
        );
        assert_eq!(*log.lock().unwrap(), (0..10).collect::<Vec<_>>(), "page 10 is never requested");
        assert!(s.try_next().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn reaching_the_cap_exactly_at_the_total_is_a_normal_end() {
        let (fetch, _) = numbers(1000, true);
        let s = Paginator::new(OP, Offset::new(OP, 0, 100, true, Some(1000)), 0, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items.len(), 1000);
    }

    #[tokio::test]
    async fn uncapped_listings_ignore_the_limit() {
        // Roles are not documented as capped: the limit does not apply.
        let op = &catalog::ROLES_LIST;
        let (fetch, log) = numbers(1200, true);
        let s = Paginator::new(op, Offset::new(op, 0, 100, true, Some(1000)), 0, fetch);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items.len(), 1200);
        assert_eq!(log.lock().unwrap().len(), 12);
    }

    #[tokio::test]
    async fn a_saturated_page_index_is_a_repeated_cursor_not_a_loop() {
        // A server that always answers full pages, from the last page index there is.
        let fetch: Fetch<u32, Offset> =
            Box::new(|_: &Offset| Box::pin(async { Ok(Page { items: vec![1], ..Page::default() }) }));
        let s = Paginator::new(OP, Offset::new(OP, u64::MAX - 1, 1, false, None), 0, fetch);
        let got: Vec<Result<u32>> = s.collect().await;
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(got[2], Err(Error::RepeatedCursor { .. })), "{got:?}");
    }

    fn offset_op<Q: OffsetListing>(q: Q) -> &'static str {
        q.request().operation().id
    }

    fn checkpoint_op<Q: CheckpointListing>(q: Q) -> &'static str {
        q.request().operation().id
    }

    #[test]
    fn the_paging_modes_of_the_list_builders_are_the_catalogs() {
        use crate::{OrganizationId, UserId};
        let user = UserId::new("auth0|1").unwrap();
        let org = OrganizationId::new("org_1").unwrap();
        let client = Client::builder().base_url("http://127.0.0.1:9").token("t").build().unwrap();
        let offset = [
            offset_op(crate::users::UsersQuery::default()),
            offset_op(crate::roles::RolesQuery::default()),
            offset_op(client.users().roles(&user).query),
            offset_op(crate::clients::ClientsQuery::default()),
            offset_op(crate::connections::ConnectionsQuery::default()),
            offset_op(crate::organizations::OrganizationsQuery::default()),
            offset_op(client.organizations().members(&org).query.clone()),
            offset_op(crate::logs::LogsQuery::default()),
            offset_op(crate::grants::GrantsQuery::default()),
            offset_op(crate::resource_servers::ResourceServersQuery::default()),
        ];
        let checkpoint = [
            checkpoint_op(crate::clients::ClientsQuery::default()),
            checkpoint_op(crate::connections::ConnectionsQuery::default()),
            checkpoint_op(crate::organizations::OrganizationsQuery::default()),
            checkpoint_op(client.organizations().members(&org).query),
            checkpoint_op(client.refresh_tokens().list(&user).query),
            // Logs page by checkpoint through their own cursor: the tail.
            "logs.list",
        ];
        for op in catalog::ALL {
            assert_eq!(op.paging.offset(), offset.contains(&op.id), "offset paging of {}", op.id);
            assert_eq!(op.paging.checkpoint(), checkpoint.contains(&op.id), "checkpoint paging of {}", op.id);
        }
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
