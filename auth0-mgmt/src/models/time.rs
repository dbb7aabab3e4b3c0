//! Points in time as Auth0 writes them: RFC 3339 strings, parsed with [`jiff`] and
//! written back exactly as they came (same fractional digits, `Z` or the same offset).

use std::fmt;
use std::str::FromStr;

use jiff::tz::Offset;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// An RFC 3339 date-time (`2023-01-25T19:00:28.395Z`, `2023-01-25T20:00:28+01:00`, …):
/// the instant as a [`jiff::Timestamp`], plus the form it was written in, so that it
/// re-encodes to the very same string.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1–9 digits, then `Z` or
/// `±HH:MM`. Anything else (lowercase `t`/`z`, a space for `T`, leap seconds, `-00:00`)
/// is not a `DateTime`; [`Timestamp`] keeps such values unparsed instead of failing.
///
/// ```
/// use auth0_mgmt::DateTime;
/// let t: DateTime = "2023-01-25T19:00:28.395Z".parse()?;
/// assert_eq!(t.timestamp().as_millisecond(), 1_674_673_228_395);
/// assert_eq!(t.to_string(), "2023-01-25T19:00:28.395Z");
/// let local: DateTime = "2023-01-25T20:00:28.395+01:00".parse()?;
/// assert_eq!(local.timestamp(), t.timestamp());
/// assert_eq!(local.to_string(), "2023-01-25T20:00:28.395+01:00");
/// # Ok::<(), auth0_mgmt::DateTimeError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    instant: jiff::Timestamp,
    /// `None`: written with `Z`; `Some`: written with this offset.
    offset: Option<Offset>,
    /// Digits of the fraction of a second (0–9).
    digits: u8,
}

/// A string that is not an RFC 3339 date-time of the form [`DateTime`] accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)): {reason}")]
pub struct DateTimeError {
    reason: &'static str,
}

fn err(reason: &'static str) -> DateTimeError {
    DateTimeError { reason }
}

fn digits(b: &[u8]) -> Option<i32> {
    b.iter().try_fold(0i32, |n, &c| c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0')))
}

impl DateTime {
    /// Parses an RFC 3339 date-time (see the type docs for the accepted form).
    pub fn parse(s: &str) -> Result<DateTime, DateTimeError> {
        let b = s.as_bytes();
        if b.len() < 20 || b.len() > 35 {
            return Err(err("wrong length"));
        }
        if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(err("separators"));
        }
        let num = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(err("digits"));
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut i = 19;
        let mut nanos = 0i32;
        let mut frac = 0u8;
        if b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                if frac == 9 {
                    return Err(err("more than 9 fractional digits"));
                }
                nanos = nanos * 10 + i32::from(b[i] - b'0');
                frac += 1;
                i += 1;
            }
            if frac == 0 {
                return Err(err("empty fraction"));
            }
            nanos *= 10i32.pow(9 - u32::from(frac));
        }
        let offset = match &b[i..] {
            [b'Z'] => None,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let (h, m) = (digits(&[*h1, *h2]).ok_or(err("offset"))?, digits(&[*m1, *m2]).ok_or(err("offset"))?);
                if h > 23 || m > 59 {
                    return Err(err("offset out of range"));
                }
                let secs = (h * 60 + m) * 60;
                if secs == 0 && *sign == b'-' {
                    return Err(err("-00:00 (unknown offset)"));
                }
                Some(Offset::from_seconds(if *sign == b'-' { -secs } else { secs }).map_err(|_| err("offset"))?)
            }
            _ => return Err(err("expected Z or ±HH:MM at the end")),
        };
        let civil = jiff::civil::DateTime::new(
            year as i16,
            month as i8,
            day as i8,
            hour as i8,
            minute as i8,
            second as i8,
            nanos,
        )
        .map_err(|_| err("no such date or time"))?;
        let instant = offset.unwrap_or(Offset::UTC).to_timestamp(civil).map_err(|_| err("out of range"))?;
        Ok(DateTime { instant, offset, digits: frac })
    }

    /// The instant.
    pub fn timestamp(&self) -> jiff::Timestamp {
        self.instant
    }

    /// The offset it was written with (`None`: `Z`).
    pub fn offset(&self) -> Option<Offset> {
        self.offset
    }

    /// Writes the RFC 3339 form into `buf`, returning the used part.
    fn write<'b>(&self, buf: &'b mut [u8; 36]) -> &'b str {
        let civil = self.offset.unwrap_or(Offset::UTC).to_datetime(self.instant);
        let mut n = 0;
        let mut num = |buf: &mut [u8; 36], v: u32, width: usize| {
            let mut v = v;
            for k in (0..width).rev() {
                buf[n + k] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            n += width;
        };
        // Years outside 0..=9999 never come out of `parse`; `from(jiff::Timestamp)` may
        // produce them, and they are written with their low four digits.
        num(buf, civil.year().unsigned_abs().into(), 4);
        num(buf, civil.month().unsigned_abs().into(), 2);
        num(buf, civil.day().unsigned_abs().into(), 2);
        num(buf, civil.hour().unsigned_abs().into(), 2);
        num(buf, civil.minute().unsigned_abs().into(), 2);
        num(buf, civil.second().unsigned_abs().into(), 2);
        let frac = u32::from(self.digits);
        if frac > 0 {
            num(buf, civil.subsec_nanosecond().unsigned_abs() / 10u32.pow(9 - frac), frac as usize);
        }
        let offset = self.offset.map(|o| o.seconds());
        if let Some(secs) = offset {
            num(buf, secs.unsigned_abs() / 3600, 2);
            num(buf, secs.unsigned_abs() / 60 % 60, 2);
        }
        // Spread the digits `YYYYMMDDhhmmss[f…][HHMM]` into the RFC 3339 layout.
        let d = *buf;
        let mut out = 0;
        let mut put = |buf: &mut [u8; 36], bytes: &[u8]| {
            buf[out..out + bytes.len()].copy_from_slice(bytes);
            out += bytes.len();
        };
        put(buf, &d[0..4]);
        put(buf, b"-");
        put(buf, &d[4..6]);
        put(buf, b"-");
        put(buf, &d[6..8]);
        put(buf, b"T");
        put(buf, &d[8..10]);
        put(buf, b":");
        put(buf, &d[10..12]);
        put(buf, b":");
        put(buf, &d[12..14]);
        let mut pos = 14;
        if frac > 0 {
            put(buf, b".");
            put(buf, &d[pos..pos + frac as usize]);
            pos += frac as usize;
        }
        match offset {
            None => put(buf, b"Z"),
            Some(secs) => {
                put(buf, if secs < 0 { b"-" } else { b"+" });
                put(buf, &d[pos..pos + 2]);
                put(buf, b":");
                put(buf, &d[pos + 2..pos + 4]);
            }
        }
        std::str::from_utf8(&buf[..out]).unwrap_or_default()
    }
}

impl From<jiff::Timestamp> for DateTime {
    /// Written in UTC (`Z`) with milliseconds, as Auth0 writes dates, or with micro- or
    /// nanoseconds when the instant has them.
    fn from(instant: jiff::Timestamp) -> DateTime {
        let ns = instant.subsec_nanosecond();
        let digits = if ns % 1_000_000 == 0 {
            3
        } else if ns % 1_000 == 0 {
            6
        } else {
            9
        };
        DateTime { instant, offset: None, digits }
    }
}

impl From<DateTime> for jiff::Timestamp {
    fn from(t: DateTime) -> jiff::Timestamp {
        t.instant
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<DateTime, DateTimeError> {
        DateTime::parse(s)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write(&mut [0; 36]))
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; 36]))
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DateTime, E> {
                DateTime::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A point in time as the Management API sends it: normally an RFC 3339 string
/// ([`DateTime`]), but the API schema also allows an object for some dates (refresh
/// tokens, sessions, logs), and a server may send a form this crate does not parse.
/// Those are kept [`Unparsed`](Timestamp::Unparsed), verbatim, so nothing is lost and a
/// decode never fails on a date. Either way it re-encodes exactly as it arrived.
///
/// ```
/// use auth0_mgmt::Timestamp;
/// let t: Timestamp = serde_json::from_str(r#""2023-01-25T19:00:28.395Z""#)?;
/// assert_eq!(t.as_datetime().unwrap().timestamp().as_second(), 1_674_673_228);
/// assert_eq!(t.to_string(), "2023-01-25T19:00:28.395Z");
/// let o: Timestamp = serde_json::from_str(r#"{"seconds": 1}"#)?;
/// assert_eq!(o.as_datetime(), None);
/// assert_eq!(serde_json::to_string(&o)?, r#"{"seconds":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Timestamp {
    /// An RFC 3339 date-time.
    At(DateTime),
    /// Any other JSON value (an object, or a string that is not RFC 3339), verbatim.
    Unparsed(Value),
}

impl Timestamp {
    /// The date-time, when it is one.
    pub fn as_datetime(&self) -> Option<DateTime> {
        match self {
            Timestamp::At(t) => Some(*t),
            Timestamp::Unparsed(_) => None,
        }
    }

    /// The instant, when it is an RFC 3339 date-time.
    pub fn instant(&self) -> Option<jiff::Timestamp> {
        self.as_datetime().map(|t| t.instant)
    }

    /// The value kept verbatim, when it is not an RFC 3339 date-time.
    pub fn unparsed(&self) -> Option<&Value> {
        match self {
            Timestamp::At(_) => None,
            Timestamp::Unparsed(v) => Some(v),
        }
    }
}

impl From<DateTime> for Timestamp {
    fn from(t: DateTime) -> Timestamp {
        Timestamp::At(t)
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(t: jiff::Timestamp) -> Timestamp {
        Timestamp::At(t.into())
    }
}

/// The RFC 3339 string; an unparsed string as it came; any other value as JSON.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timestamp::At(t) => fmt::Display::fmt(t, f),
            Timestamp::Unparsed(Value::String(s)) => f.write_str(s),
            Timestamp::Unparsed(v) => fmt::Display::fmt(v, f),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Timestamp::At(t) => t.serialize(s),
            Timestamp::Unparsed(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time string or any JSON value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Timestamp, E> {
                Ok(DateTime::parse(s).map_or_else(|_| Timestamp::Unparsed(Value::String(s.to_owned())), Timestamp::At))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Timestamp, E> {
                Ok(DateTime::parse(&s).map_or_else(|_| Timestamp::Unparsed(Value::String(s)), Timestamp::At))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Timestamp, E> {
                Ok(Timestamp::Unparsed(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp::Unparsed(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(Timestamp::Unparsed(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp::Unparsed(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Timestamp, E> {
                Ok(Timestamp::Unparsed(Value::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<Timestamp, E> {
                Ok(Timestamp::Unparsed(Value::Null))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Timestamp, D2::Error> {
                d.deserialize_any(V)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Timestamp, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Timestamp::Unparsed)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Timestamp, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Timestamp::Unparsed)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DateTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DateTime".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An RFC 3339 date-time; the API also allows an object for some dates.",
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "object"}]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_accepted_form() {
        for s in [
            "2023-01-25T19:00:28.395Z",
            "2023-01-25T19:00:28Z",
            "2023-01-25T19:00:28.3Z",
            "2023-01-25T19:00:28.390Z",
            "2023-01-25T19:00:28.000Z",
            "2023-01-25T19:00:28.123456789Z",
            "2023-01-25T20:00:28.395+01:00",
            "2023-01-25T13:30:28-05:30",
            "2023-01-25T19:00:28.395+00:00",
            "0001-01-01T00:00:00Z",
            "9999-06-30T23:59:59.999999999Z",
            "2024-02-29T12:00:00Z",
        ] {
            let t = DateTime::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(t.to_string(), s);
            assert_eq!(serde_json::to_value(t).unwrap(), s);
            let ts: Timestamp = serde_json::from_value(s.into()).unwrap();
            assert_eq!(ts.as_datetime(), Some(t));
        }
        let utc = DateTime::parse("2023-01-25T19:00:28.395Z").unwrap();
        let plus = DateTime::parse("2023-01-25T20:00:28.395+01:00").unwrap();
        assert_eq!(utc.timestamp(), plus.timestamp());
        assert_ne!(utc, plus, "the written form is part of the value");
    }

    #[test]
    fn other_strings_stay_unparsed_and_verbatim() {
        for s in [
            "",
            "2023-01-25",
            "2023-01-25 19:00:28Z",
            "2023-01-25t19:00:28z",
            "2023-02-30T00:00:00Z",
            "2016-12-31T23:59:60Z",
            "2023-01-25T19:00:28.Z",
            "2023-01-25T19:00:28.1234567890Z",
            "2023-01-25T19:00:28-00:00",
            "2023-01-25T19:00:28+24:00",
            "2023-01-25T19:00:28+0100",
            "+2023-01-25T19:00:28Z",
            "２０２３-01-25T19:00:28Z",
        ] {
            assert!(DateTime::parse(s).is_err(), "{s}");
            let t: Timestamp = serde_json::from_value(s.into()).unwrap();
            assert_eq!(t, Timestamp::Unparsed(s.into()));
            assert_eq!(serde_json::to_value(&t).unwrap(), s);
        }
        for v in [serde_json::json!({"date": 1}), serde_json::json!(17), serde_json::json!([1])] {
            let t: Timestamp = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&t).unwrap(), v);
        }
    }

    #[test]
    fn from_jiff_writes_milliseconds_in_utc() {
        let ts = jiff::Timestamp::from_second(1_674_673_228).unwrap();
        assert_eq!(DateTime::from(ts).to_string(), "2023-01-25T19:00:28.000Z");
        let ns = jiff::Timestamp::new(1_674_673_228, 1).unwrap();
        assert_eq!(DateTime::from(ns).to_string(), "2023-01-25T19:00:28.000000001Z");
    }
}
