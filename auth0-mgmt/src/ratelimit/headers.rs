//! The rate-limit headers of one response, parsed without ever failing.
//!
//! Every value a server sends is accepted and *saturated*: a number too large for `u64` is
//! `u64::MAX`, a negative one is `0`, an epoch stamp past the year 9999 is the end of 9999.
//! Only a value that is not a number (or, for `Retry-After`, not an HTTP-date) is `None`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName};

/// The last second of the year 9999 (`Fri, 31 Dec 9999 23:59:59 GMT`), the largest
/// HTTP-date: `x-ratelimit-reset` stamps beyond it are saturated to it.
const MAX_EPOCH_SECS: u64 = 253_402_300_799;

/// The period of a token-endpoint quota bucket (`b=` in the quota headers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QuotaPeriod {
    /// `b=per_hour`.
    PerHour,
    /// `b=per_day`.
    PerDay,
    /// Any other period name, kept verbatim.
    Other(String),
}

impl QuotaPeriod {
    fn parse(s: &str) -> QuotaPeriod {
        if s.eq_ignore_ascii_case("per_hour") {
            QuotaPeriod::PerHour
        } else if s.eq_ignore_ascii_case("per_day") {
            QuotaPeriod::PerDay
        } else {
            QuotaPeriod::Other(s.to_owned())
        }
    }
}

/// One bucket of an `Auth0-Client-Quota-Limit` / `Auth0-Organization-Quota-Limit`
/// header, e.g. `b=per_hour;q=10;r=7;t=3540`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaBucket {
    /// The bucket period (`b=`).
    pub bucket: QuotaPeriod,
    /// The quota of the period (`q=`).
    pub quota: u64,
    /// Tokens remaining in the period (`r=`).
    pub remaining: u64,
    /// Time until the period resets (`t=`, seconds).
    pub resets_in: Duration,
}

/// Rate-limit information carried by one HTTP response.
///
/// Every field is optional: an absent, non-UTF-8 or non-numeric header is `None`. Numbers
/// saturate instead of failing — a number past `u64::MAX` is `u64::MAX`, a negative one is
/// `0`, a reset stamp past the year 9999 is the end of 9999 — so a server's value is never
/// silently dropped and never overflows arithmetic on it.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use auth0_mgmt::RateLimit;
/// use reqwest::header::{HeaderMap, HeaderValue};
///
/// let mut h = HeaderMap::new();
/// h.insert("x-ratelimit-limit", HeaderValue::from_static("10"));
/// h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
/// h.insert("retry-after", HeaderValue::from_static("18446744073709551616")); // > u64::MAX
/// let rl = RateLimit::from_headers(&h, SystemTime::now());
/// assert_eq!((rl.limit, rl.remaining), (Some(10), Some(0)));
/// assert_eq!(rl.retry_after, Some(Duration::from_secs(u64::MAX)));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimit {
    /// `x-ratelimit-limit`: the size of the token bucket (its burst).
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`: tokens left in the bucket after this request.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`: when tokens are next added (UNIX epoch seconds;
    /// Auth0 rounds this up to a whole second).
    pub reset: Option<SystemTime>,
    /// `Retry-After`: delta-seconds (a fraction such as `1.5` is accepted), or an
    /// HTTP-date converted relative to the `now` given to [`RateLimit::from_headers`]
    /// (a date in the past gives zero).
    pub retry_after: Option<Duration>,
    /// `Auth0-Client-Quota-Limit` buckets (token endpoint).
    pub client_quota: Vec<QuotaBucket>,
    /// `Auth0-Organization-Quota-Limit` buckets (token endpoint).
    pub organization_quota: Vec<QuotaBucket>,
}

impl RateLimit {
    /// Parses the rate-limit headers of a response. Never fails, never panics.
    ///
    /// `now` is the current wall-clock time, used to turn an HTTP-date
    /// `Retry-After` into a duration.
    pub fn from_headers(headers: &HeaderMap, now: SystemTime) -> RateLimit {
        RateLimit {
            limit: first(headers, "x-ratelimit-limit", parse_count),
            remaining: first(headers, "x-ratelimit-remaining", parse_count),
            reset: first(headers, "x-ratelimit-reset", |v| {
                parse_count(v).map(|s| UNIX_EPOCH + Duration::from_secs(s.min(MAX_EPOCH_SECS)))
            }),
            retry_after: first(headers, "retry-after", |v| parse_retry_after(v, now)),
            client_quota: quota(headers, "auth0-client-quota-limit"),
            organization_quota: quota(headers, "auth0-organization-quota-limit"),
        }
    }

    /// `true` when no rate-limit information was found (headers absent or unparseable).
    pub fn is_empty(&self) -> bool {
        self.limit.is_none()
            && self.remaining.is_none()
            && self.reset.is_none()
            && self.retry_after.is_none()
            && self.client_quota.is_empty()
            && self.organization_quota.is_empty()
    }

    /// The wait the server asked for: `Retry-After` if present, else
    /// `x-ratelimit-reset - now` (zero if the reset is in the past), else `None`.
    ///
    /// The value is never capped: deciding whether it is too long is the caller's
    /// budget's job.
    pub fn server_wait(&self, now: SystemTime) -> Option<Duration> {
        if let Some(d) = self.retry_after {
            return Some(d);
        }
        self.reset.map(|reset| reset.duration_since(now).unwrap_or(Duration::ZERO))
    }
}

/// Applies `parse` to each value of header `name` and returns the first success.
fn first<T>(headers: &HeaderMap, name: &'static str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    let name = HeaderName::from_static(name);
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).find_map(|v| parse(v.trim()))
}

/// A decimal integer, saturated: `-7` is 0, a value past `u64::MAX` is `u64::MAX`.
/// One optional leading `-`, then ASCII digits only; anything else is `None`.
fn parse_count(s: &str) -> Option<u64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        return Some(0);
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// `Retry-After`: delta-seconds (saturated like [`parse_count`], a fraction allowed) or an
/// HTTP-date (IMF-fixdate, RFC 850 or asctime, through the `httpdate` crate).
fn parse_retry_after(s: &str, now: SystemTime) -> Option<Duration> {
    if let Some(secs) = parse_count(s) {
        return Some(Duration::from_secs(secs));
    }
    if let Some((int, frac)) = s.split_once('.') {
        let whole = parse_count(int)?;
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if int.starts_with('-') || whole == u64::MAX {
            return Some(if int.starts_with('-') { Duration::ZERO } else { Duration::from_secs(u64::MAX) });
        }
        // Nanosecond precision is plenty: the first nine digits of the fraction.
        let nanos = frac.bytes().chain(std::iter::repeat(b'0')).take(9).fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        return Some(Duration::new(whole, nanos));
    }
    let date = httpdate::parse_http_date(s).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

fn quota(headers: &HeaderMap, name: &'static str) -> Vec<QuotaBucket> {
    let name = HeaderName::from_static(name);
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_quota_bucket)
        .collect()
}

fn parse_quota_bucket(entry: &str) -> Option<QuotaBucket> {
    let (mut b, mut q, mut r, mut t) = (None, None, None, None);
    for (k, v) in entry.split(';').filter_map(|kv| kv.split_once('=')) {
        let v = v.trim();
        match k.trim().to_ascii_lowercase().as_str() {
            "b" if !v.is_empty() => b = Some(QuotaPeriod::parse(v)),
            "q" => q = parse_count(v),
            "r" => r = parse_count(v),
            "t" => t = parse_count(v).map(Duration::from_secs),
            _ => {}
        }
    }
    Some(QuotaBucket { bucket: b?, quota: q?, remaining: r?, resets_in: t? })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;

    /// 2023-11-14T22:13:20.3Z.
    fn epoch0() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_700_000_000_300)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn parses_all_headers() {
        let h = headers(&[
            ("x-ratelimit-limit", "10"),
            ("x-ratelimit-remaining", " 7 "),
            ("x-ratelimit-reset", "1700000005"),
            ("retry-after", "3"),
            ("auth0-client-quota-limit", "b=per_hour;q=10;r=7;t=3540,b=per_day;q=50;r=47;t=43200"),
            ("auth0-organization-quota-limit", "b=per_day;q=500;r=499;t=60"),
        ]);
        let rl = RateLimit::from_headers(&h, epoch0());
        assert_eq!((rl.limit, rl.remaining), (Some(10), Some(7)));
        assert_eq!(rl.reset, Some(UNIX_EPOCH + Duration::from_secs(1_700_000_005)));
        assert_eq!(rl.retry_after, Some(Duration::from_secs(3)));
        let hour =
            QuotaBucket { bucket: QuotaPeriod::PerHour, quota: 10, remaining: 7, resets_in: Duration::from_secs(3540) };
        assert_eq!(rl.client_quota[0], hour);
        assert_eq!(rl.client_quota[1].bucket, QuotaPeriod::PerDay);
        assert_eq!(rl.organization_quota.len(), 1);
        assert!(!rl.is_empty());
        // Header names are case-insensitive; the first parseable value wins.
        let mut h = HeaderMap::new();
        h.append(HeaderName::from_bytes(b"X-RateLimit-Limit").unwrap(), HeaderValue::from_static("junk"));
        h.append(HeaderName::from_bytes(b"X-RateLimit-Limit").unwrap(), HeaderValue::from_static("12"));
        assert_eq!(RateLimit::from_headers(&h, epoch0()).limit, Some(12));
    }

    #[test]
    fn numbers_saturate_and_garbage_is_none() {
        let n = |v: &str| RateLimit::from_headers(&headers(&[("x-ratelimit-remaining", v)]), epoch0()).remaining;
        assert_eq!(n("0"), Some(0));
        assert_eq!(n("-1"), Some(0));
        assert_eq!(n("-99999999999999999999999"), Some(0));
        assert_eq!(n("18446744073709551615"), Some(u64::MAX));
        assert_eq!(n("99999999999999999999999"), Some(u64::MAX));
        for bad in ["", " ", "-", "+5", "1e3", "1 2", "0x10", "5s", "ten", "--1", "1.5"] {
            assert_eq!(n(bad), None, "{bad:?}");
        }
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from_bytes(b"\xff1").unwrap());
        assert!(RateLimit::from_headers(&h, epoch0()).is_empty());
        let rl = RateLimit::from_headers(&HeaderMap::new(), epoch0());
        assert_eq!((rl.clone(), rl.server_wait(epoch0())), (RateLimit::default(), None));
    }

    #[test]
    fn resets_saturate_at_the_end_of_year_9999() {
        let reset = |v: &str| RateLimit::from_headers(&headers(&[("x-ratelimit-reset", v)]), epoch0()).reset;
        let end = UNIX_EPOCH + Duration::from_secs(MAX_EPOCH_SECS);
        assert_eq!(httpdate::parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT").unwrap(), end);
        assert_eq!(reset("18446744073709551615"), Some(end));
        assert_eq!(reset("99999999999999999999999"), Some(end));
        assert_eq!(reset("-5"), Some(UNIX_EPOCH));
        assert_eq!(reset("1.5e9"), None);
        // In the past: wait zero; in the future: the stamp minus now, uncapped.
        let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1699999990")]), epoch0());
        assert_eq!(rl.server_wait(epoch0()), Some(Duration::ZERO));
        let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "1700000090")]), epoch0());
        assert_eq!(rl.server_wait(epoch0()), Some(Duration::from_millis(89_700)));
        let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-reset", "99999999999999")]), epoch0());
        assert!(rl.server_wait(epoch0()).unwrap() > Duration::from_secs(7900 * 365 * 86_400));
    }

    #[test]
    fn retry_after_seconds_fractions_and_http_dates() {
        // 1994-11-06T08:49:37Z = 784111777
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 120);
        let ra = |v: &str| RateLimit::from_headers(&headers(&[("retry-after", v)]), now).retry_after;
        assert_eq!(ra("120"), Some(Duration::from_secs(120)));
        assert_eq!(ra("0"), Some(Duration::ZERO));
        assert_eq!(ra("-5"), Some(Duration::ZERO));
        assert_eq!(ra("18446744073709551615"), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(ra("18446744073709551616"), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(ra("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(ra("0.0000000019"), Some(Duration::from_nanos(1)));
        assert_eq!(ra("-1.5"), Some(Duration::ZERO));
        assert_eq!(ra("99999999999999999999.5"), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(ra("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::from_secs(120)));
        assert_eq!(ra("Sunday, 06-Nov-94 08:49:37 GMT"), Some(Duration::from_secs(120)));
        assert_eq!(ra("Sun Nov  6 08:49:37 1994"), Some(Duration::from_secs(120)));
        // A date in the past: retry now.
        assert_eq!(ra("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        for bad in ["Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT", "06 Nov", "1.", ".5", "1.x", ""] {
            assert_eq!(ra(bad), None, "{bad:?}");
        }
        // Retry-After wins over the reset in `server_wait`.
        let h = headers(&[("x-ratelimit-reset", "1700000060"), ("retry-after", "2")]);
        assert_eq!(RateLimit::from_headers(&h, epoch0()).server_wait(epoch0()), Some(Duration::from_secs(2)));
    }

    #[test]
    fn quota_header_variants() {
        let q = |v: &str| RateLimit::from_headers(&headers(&[("auth0-client-quota-limit", v)]), epoch0()).client_quota;
        let hour =
            QuotaBucket { bucket: QuotaPeriod::PerHour, quota: 10, remaining: 7, resets_in: Duration::from_secs(3540) };
        assert_eq!(q("t=3540;r=7;q=10;b=per_hour"), vec![hour.clone()]);
        assert_eq!(q("  b = per_hour ; q=10 ; r=7 ; t=3540 ; x=1 "), vec![hour.clone()]);
        assert_eq!(q("B=PER_HOUR;Q=10;R=7;T=3540"), vec![hour.clone()]);
        assert_eq!(q("b=per_minute;q=1;r=0;t=5")[0].bucket, QuotaPeriod::Other("per_minute".into()));
        assert_eq!(q("garbage,b=per_hour;q=10;r=7;t=3540,,b=per_day;q=x;r=1;t=1,"), vec![hour]);
        assert_eq!(q("b=per_hour;q=10;r=7"), vec![]);
        assert_eq!(q("b=per_hour;q=99999999999999999999999;r=7;t=1")[0].quota, u64::MAX);
    }

    /// Header values a hostile or broken server might send.
    pub(crate) fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            (0u64..5).prop_map(|n| n.to_string()),
            Just("18446744073709551615".to_owned()),
            Just("99999999999999999999999999".to_owned()),
            (any::<u32>(), any::<u32>()).prop_map(|(a, b)| format!("{a}.{b}")),
            Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
            Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
            "[ -~]{0,40}",
            ".{0,20}",
        ]
    }

    proptest! {
        /// Any header value: no panic, and every wait the headers name is representable
        /// and ordered (Retry-After first, then the reset, never past the year 9999).
        #[test]
        fn any_header_values_parse_without_panic(
            limit in header_value(), remaining in header_value(), reset in header_value(),
            retry in header_value(), quota in header_value(), now_secs in 0u64..MAX_EPOCH_SECS,
        ) {
            let mut h = HeaderMap::new();
            for (name, v) in [("x-ratelimit-limit", &limit), ("x-ratelimit-remaining", &remaining),
                              ("x-ratelimit-reset", &reset), ("retry-after", &retry),
                              ("auth0-client-quota-limit", &quota)] {
                if let Ok(v) = HeaderValue::from_str(v) {
                    h.append(HeaderName::from_static(name), v);
                }
            }
            let now = UNIX_EPOCH + Duration::from_secs(now_secs);
            let rl = RateLimit::from_headers(&h, now);
            if let Some(reset) = rl.reset {
                prop_assert!(reset <= UNIX_EPOCH + Duration::from_secs(MAX_EPOCH_SECS));
            }
            match (rl.retry_after, rl.server_wait(now)) {
                (Some(ra), wait) => prop_assert_eq!(wait, Some(ra)),
                (None, Some(wait)) => prop_assert!(wait <= Duration::from_secs(MAX_EPOCH_SECS)),
                (None, None) => prop_assert!(rl.reset.is_none()),
            }
        }
    }
}
