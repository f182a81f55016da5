//! Billing periods. Pure functions, tested table-wise.
//!
//! Periods are counted from an **anchor**: the n-th boundary is the anchor plus n intervals,
//! always computed from the anchor and never from the previous boundary, so a monthly
//! subscription anchored on Jan 31 renews on Feb 28 (29 in leap years), Mar 31, Apr 30, …:
//! the day is clamped to the month's end, and the anchor day comes back when the month allows.
//! The time of day is kept. Yearly periods anchored on Feb 29 renew on Feb 28 in other years.

use crate::types::text_enum;
use chrono::{DateTime, Datelike, Days, Months, TimeDelta, Utc};

text_enum!(
    /// The unit of a plan's billing period.
    Interval { Day => "day", Week => "week", Month => "month", Year => "year" }
);

impl Interval {
    /// The largest `interval_count` allowed: periods of at most about three years.
    pub fn max_count(self) -> u32 {
        match self {
            Interval::Day => 1095,
            Interval::Week => 156,
            Interval::Month => 36,
            Interval::Year => 3,
        }
    }
}

/// A recurring period: every `count` `interval`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub interval: Interval,
    pub count: u32,
}

impl Cadence {
    pub fn new(interval: Interval, count: u32) -> Cadence {
        Cadence { interval, count: count.max(1) }
    }

    /// The `n`-th boundary after `anchor` (`n = 0` is the anchor itself). `None` past year 262143.
    pub fn boundary(&self, anchor: DateTime<Utc>, n: u32) -> Option<DateTime<Utc>> {
        let steps = n.checked_mul(self.count)?;
        match self.interval {
            Interval::Day => anchor.checked_add_days(Days::new(u64::from(steps))),
            Interval::Week => anchor.checked_add_days(Days::new(u64::from(steps) * 7)),
            Interval::Month => anchor.checked_add_months(Months::new(steps)),
            Interval::Year => anchor.checked_add_months(Months::new(steps.checked_mul(12)?)),
        }
    }

    /// The period `[start, end)` that contains `t`, for `t` at or after `anchor`.
    pub fn period_containing(&self, anchor: DateTime<Utc>, t: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if t < anchor {
            return None;
        }
        // A first guess from the average length, then correct it by stepping.
        let approx_len = match self.interval {
            Interval::Day => TimeDelta::days(1),
            Interval::Week => TimeDelta::days(7),
            Interval::Month => TimeDelta::seconds(2_629_746), // 365.2425 / 12 days
            Interval::Year => TimeDelta::seconds(31_556_952),
        } * i32::try_from(self.count).ok()?;
        let guess = ((t - anchor).num_seconds() / approx_len.num_seconds().max(1)).max(0);
        let mut n = u32::try_from(guess).ok()?.saturating_sub(1);
        loop {
            let start = self.boundary(anchor, n)?;
            let end = self.boundary(anchor, n + 1)?;
            if t < start {
                n = n.checked_sub(1)?;
            } else if t >= end {
                n += 1;
            } else {
                return Some((start, end));
            }
        }
    }
}

/// Start of the UTC day after `t`.
pub fn next_utc_day(t: DateTime<Utc>) -> DateTime<Utc> {
    let date = t.date_naive().succ_opt().unwrap_or(t.date_naive());
    date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// Start of the UTC month after `t`.
pub fn next_utc_month(t: DateTime<Utc>) -> DateTime<Utc> {
    let first = t.date_naive().with_day(1).expect("day 1 exists");
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    next.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn boundaries_keep_the_anchor_day() {
        // (interval, count, anchor, n, expected boundary)
        let cases = [
            (Interval::Month, 1, "2026-01-31T10:30:00Z", 1, "2026-02-28T10:30:00Z"),
            (Interval::Month, 1, "2026-01-31T10:30:00Z", 2, "2026-03-31T10:30:00Z"),
            (Interval::Month, 1, "2026-01-31T10:30:00Z", 3, "2026-04-30T10:30:00Z"),
            (Interval::Month, 1, "2028-01-31T00:00:00Z", 1, "2028-02-29T00:00:00Z"),
            (Interval::Month, 1, "2026-01-29T00:00:00Z", 1, "2026-02-28T00:00:00Z"),
            (Interval::Month, 1, "2026-01-29T00:00:00Z", 2, "2026-03-29T00:00:00Z"),
            (Interval::Month, 1, "2026-01-30T00:00:00Z", 1, "2026-02-28T00:00:00Z"),
            (Interval::Month, 1, "2026-03-30T00:00:00Z", 11, "2027-02-28T00:00:00Z"),
            (Interval::Month, 1, "2026-12-31T23:59:59Z", 1, "2027-01-31T23:59:59Z"),
            (Interval::Month, 3, "2026-11-30T00:00:00Z", 1, "2027-02-28T00:00:00Z"),
            (Interval::Month, 3, "2026-11-30T00:00:00Z", 2, "2027-05-30T00:00:00Z"),
            (Interval::Month, 1, "2026-05-15T08:00:00Z", 0, "2026-05-15T08:00:00Z"),
            (Interval::Year, 1, "2028-02-29T12:00:00Z", 1, "2029-02-28T12:00:00Z"),
            (Interval::Year, 1, "2028-02-29T12:00:00Z", 4, "2032-02-29T12:00:00Z"),
            (Interval::Year, 2, "2026-06-01T00:00:00Z", 1, "2028-06-01T00:00:00Z"),
            (Interval::Week, 1, "2026-12-28T00:00:00Z", 1, "2027-01-04T00:00:00Z"),
            (Interval::Week, 2, "2026-02-20T00:00:00Z", 1, "2026-03-06T00:00:00Z"),
            (Interval::Day, 1, "2028-02-28T06:00:00Z", 1, "2028-02-29T06:00:00Z"),
            (Interval::Day, 1, "2027-02-28T06:00:00Z", 1, "2027-03-01T06:00:00Z"),
            (Interval::Day, 30, "2026-01-01T00:00:00Z", 1, "2026-01-31T00:00:00Z"),
        ];
        for (interval, count, anchor, n, want) in cases {
            let got = Cadence::new(interval, count).boundary(t(anchor), n).unwrap();
            assert_eq!(got, t(want), "{interval:?}×{count} from {anchor}, boundary {n}");
        }
    }

    #[test]
    fn the_containing_period_is_found_for_any_instant() {
        let monthly = Cadence::new(Interval::Month, 1);
        let anchor = t("2026-01-31T10:30:00Z");
        let cases = [
            ("2026-01-31T10:30:00Z", "2026-01-31T10:30:00Z", "2026-02-28T10:30:00Z"),
            ("2026-02-28T10:29:59Z", "2026-01-31T10:30:00Z", "2026-02-28T10:30:00Z"),
            ("2026-02-28T10:30:00Z", "2026-02-28T10:30:00Z", "2026-03-31T10:30:00Z"),
            ("2026-04-15T00:00:00Z", "2026-03-31T10:30:00Z", "2026-04-30T10:30:00Z"),
            ("2031-12-31T10:30:00Z", "2031-12-31T10:30:00Z", "2032-01-31T10:30:00Z"),
        ];
        for (at, start, end) in cases {
            assert_eq!(monthly.period_containing(anchor, t(at)), Some((t(start), t(end))), "at {at}");
        }
        assert_eq!(monthly.period_containing(anchor, t("2026-01-01T00:00:00Z")), None);

        // Exhaustively: every day for four years, every cadence, the period contains the day
        // and its ends are consecutive boundaries.
        for cadence in [
            Cadence::new(Interval::Day, 1),
            Cadence::new(Interval::Week, 2),
            Cadence::new(Interval::Month, 1),
            Cadence::new(Interval::Month, 3),
            Cadence::new(Interval::Year, 1),
        ] {
            let anchor = t("2027-08-31T23:00:00Z");
            for day in 0..1461 {
                let at = anchor + TimeDelta::days(day) + TimeDelta::minutes(17);
                let (start, end) = cadence.period_containing(anchor, at).unwrap();
                assert!(start <= at && at < end, "{cadence:?} at {at}");
            }
        }
    }

    #[test]
    fn calendar_windows_start_at_utc_midnight() {
        assert_eq!(next_utc_day(t("2026-02-28T23:59:59Z")), t("2026-03-01T00:00:00Z"));
        assert_eq!(next_utc_month(t("2026-12-15T10:00:00Z")), t("2027-01-01T00:00:00Z"));
        assert_eq!(next_utc_month(t("2028-02-29T00:00:00Z")), t("2028-03-01T00:00:00Z"));
    }
}
