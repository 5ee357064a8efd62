//! Date values of `Date*` conditions: ISO 8601 (as leniently as IAM accepts
//! it) or integer epoch seconds.
//!
//! IAM rejects a document whose date values it cannot read ("The policy
//! failed legacy parsing"); the accepted range is that of Java's `Date`,
//! years -292275054 to 292278994. Both policy values and request values
//! (`aws:CurrentTime`, `aws:EpochTime`) go through [`parse`].

/// A point in time, seconds and nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

const MIN_YEAR: i64 = -292_275_054;
const MAX_YEAR: i64 = 292_278_994;

/// Parses `2019-07-01T13:20:15Z`, `2016-12-13T21:20:37.593194+00:00`,
/// partial forms such as `2019-07` or `01T`, or epoch seconds `1557941400`.
pub fn parse(text: &str) -> Option<Timestamp> {
    // Letter case matters only for the `T` and `Z` separators.
    if text.contains(['t', 'T', '-']) {
        parse_iso(text)
    } else {
        parse_epoch(text)
    }
}

fn parse_epoch(text: &str) -> Option<Timestamp> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = text.parse::<i64>().ok()?;
    Some(Timestamp { secs, nanos: 0 })
}

fn parse_iso(text: &str) -> Option<Timestamp> {
    let (date, time) = match text.split_once(['t', 'T']) {
        Some((d, t)) => (d, t),
        None => (text, ""),
    };
    let days = parse_date(date)?;
    let (clock, offset_secs) = split_zone(time)?;
    let (clock_secs, nanos) = parse_clock(clock)?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(clock_secs)?
        .checked_sub(offset_secs)?;
    Some(Timestamp { secs, nanos })
}

/// `[-]year[-month[-day]]` to days since the epoch.
fn parse_date(date: &str) -> Option<i64> {
    let (negative, body) = match date.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, date),
    };
    let mut parts = body.split('-');
    let year = digits(parts.next()?, 10)? as i64;
    let year = if negative { -year } else { year };
    let month = parts.next().map(|m| digits(m, 2)).unwrap_or(Some(1))?;
    let day = parts.next().map(|d| digits(d, 2)).unwrap_or(Some(1))?;
    if parts.next().is_some()
        || !(MIN_YEAR..=MAX_YEAR).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    Some(days_from_civil(year, month as i64, day as i64))
}

/// Splits `hh:mm:ss.fff+hh:mm` into the clock and the zone offset in seconds.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    let Some(at) = time.find(['z', 'Z', '+', '-']) else {
        return Some((time, 0));
    };
    let (clock, zone) = time.split_at(at);
    if zone.eq_ignore_ascii_case("z") {
        return Some((clock, 0));
    }
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = &zone[1..];
    let (hh, mm) = match zone.split_once(':') {
        Some((h, m)) => (h, m),
        None if zone.len() == 4 => zone.split_at(2),
        None => (zone, "00"),
    };
    if hh.len() != 2 || mm.len() != 2 {
        return None;
    }
    let (hh, mm) = (digits(hh, 2)? as i64, digits(mm, 2)? as i64);
    if hh > 23 || mm > 59 {
        return None;
    }
    Some((clock, sign * (hh * 3600 + mm * 60)))
}

/// `hh[:mm[:ss[.fraction]]]`, every part optional, to seconds and nanoseconds.
fn parse_clock(clock: &str) -> Option<(i64, u32)> {
    if clock.is_empty() {
        return Some((0, 0));
    }
    let mut parts = clock.split(':');
    let hours = digits(parts.next()?, 2)?;
    let minutes = parts.next().map(|m| digits(m, 2)).unwrap_or(Some(0))?;
    let (seconds, nanos) = match parts.next() {
        Some(s) => parse_seconds(s)?,
        None => (0, 0),
    };
    if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some((
        i64::from(hours) * 3600 + i64::from(minutes) * 60 + i64::from(seconds),
        nanos,
    ))
}

/// `ss[.fraction]` with at most nine fraction digits (nanosecond precision).
fn parse_seconds(text: &str) -> Option<(u32, u32)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let seconds = digits(whole, 2)?;
    if fraction.is_empty() {
        return (!text.ends_with('.')).then_some((seconds, 0));
    }
    if fraction.len() > 9 {
        return None;
    }
    let value = digits(fraction, 9)?;
    let scale = 10u32.pow(9 - fraction.len() as u32);
    Some((seconds, value * scale))
}

/// A non-empty run of at most `max_len` ASCII digits.
fn digits(text: &str, max_len: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days from 1970-01-01 to the given proleptic Gregorian date
/// (the era-based algorithm: 400-year cycles of 146097 days).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<i64> {
        parse(text).map(|t| t.secs)
    }

    #[test]
    fn reads_iso_and_epoch_forms() {
        let rows: &[(&str, Option<i64>)] = &[
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2019-07-01T13:20:15Z", Some(1_561_987_215)),
            ("2019-07-01T15:20:15+02:00", Some(1_561_987_215)),
            ("2019-07-01T08:20:15-05:00", Some(1_561_987_215)),
            ("2019-07-01", Some(1_561_939_200)),
            ("2000-02-29T00:00:00Z", Some(951_782_400)),
            ("1969-12-31T23:59:59Z", Some(-1)),
            ("1557941400", Some(1_557_941_400)),
            (
                "2016-12-13t2:00:00.593194+23",
                Some(1_481_587_200 + 2 * 3600 - 23 * 3600),
            ),
            // Rejected by IAM (moto's recorded cases): one-digit zone, ten-digit fraction, month 13, past i64.
            ("2016-12-13t2:00:00.593194+1", None),
            ("2016-12-13t2:00:00.1999999999+10:59", None),
            ("234-13", None),
            ("9223372036854775808", None),
            ("sdfdsf", None),
            ("", None),
        ];
        for (text, want) in rows {
            assert_eq!(secs(text), *want, "{text}");
        }
    }

    #[test]
    fn keeps_fractions() {
        assert_eq!(
            parse("2016-12-13T21:20:37.593194+00:00").map(|t| t.nanos),
            Some(593_194_000)
        );
    }

    #[test]
    fn accepts_java_date_year_range() {
        assert!(parse("-292275054").is_some());
        assert!(parse("-292275055").is_none());
        assert!(parse("292278994-01-01").is_some());
        assert!(parse("292278995").is_some()); // no '-' or 't': epoch seconds
        assert!(parse("01T").is_some());
    }
}
