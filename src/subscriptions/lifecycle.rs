//! The subscription state rules that do not need a database, tested on their own.
//!
//! What happens when time passes (a trial ends, a period closes, a scheduled change or
//! cancellation takes effect) is billing work: the invoicing engine applies it when it closes
//! periods. The rules here decide the state at the moments the API changes it.

use chrono::{DateTime, TimeDelta, Utc};

use super::models::Status;
use crate::catalog::period::Cadence;

/// The state of a subscription as it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub status: Status,
    pub billing_anchor: DateTime<Utc>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub trial_end: Option<DateTime<Utc>>,
}

/// A subscription starting `now`. With a trial, the first period is the trial itself and
/// billing periods are counted from its end; without, from `now`.
pub fn start(now: DateTime<Utc>, cadence: Cadence, trial_days: u32) -> Option<Start> {
    if trial_days > 0 {
        let trial_end = now + TimeDelta::days(i64::from(trial_days));
        return Some(Start {
            status: Status::Trialing,
            billing_anchor: trial_end,
            period_start: now,
            period_end: trial_end,
            trial_end: Some(trial_end),
        });
    }
    Some(Start {
        status: Status::Active,
        billing_anchor: now,
        period_start: now,
        period_end: cadence.boundary(now, 1)?,
        trial_end: None,
    })
}

/// Where the periods stand after an immediate plan change at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub billing_anchor: DateTime<Utc>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

/// An immediate change keeps the current period when the new plan bills on the same cadence
/// (the rest of it is prorated) and during a trial; a different cadence starts a new period now.
pub fn periods_after_change(
    current: Periods,
    trialing: bool,
    old: Cadence,
    new: Cadence,
    now: DateTime<Utc>,
) -> Option<Periods> {
    if trialing || old == new {
        return Some(current);
    }
    Some(Periods { billing_anchor: now, period_start: now, period_end: new.boundary(now, 1)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::period::Interval;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_subscription_starts_active_or_trialing() {
        let monthly = Cadence::new(Interval::Month, 1);
        let s = start(t("2026-01-31T09:00:00Z"), monthly, 0).unwrap();
        assert_eq!(s.status, Status::Active);
        assert_eq!((s.period_start, s.period_end), (t("2026-01-31T09:00:00Z"), t("2026-02-28T09:00:00Z")));
        assert_eq!(s.billing_anchor, t("2026-01-31T09:00:00Z"));

        let s = start(t("2026-01-20T09:00:00Z"), monthly, 14).unwrap();
        assert_eq!(s.status, Status::Trialing);
        assert_eq!(s.trial_end, Some(t("2026-02-03T09:00:00Z")));
        assert_eq!((s.period_start, s.period_end), (t("2026-01-20T09:00:00Z"), t("2026-02-03T09:00:00Z")));
        assert_eq!(s.billing_anchor, t("2026-02-03T09:00:00Z"), "billing counts from the trial's end");
    }

    #[test]
    fn an_immediate_change_keeps_the_period_unless_the_cadence_changes() {
        let monthly = Cadence::new(Interval::Month, 1);
        let yearly = Cadence::new(Interval::Year, 1);
        let current = Periods {
            billing_anchor: t("2026-01-15T00:00:00Z"),
            period_start: t("2026-03-15T00:00:00Z"),
            period_end: t("2026-04-15T00:00:00Z"),
        };
        let now = t("2026-03-20T12:00:00Z");
        assert_eq!(periods_after_change(current, false, monthly, monthly, now), Some(current));
        assert_eq!(periods_after_change(current, true, monthly, yearly, now), Some(current));
        let changed = periods_after_change(current, false, monthly, yearly, now).unwrap();
        assert_eq!((changed.period_start, changed.period_end), (now, t("2027-03-20T12:00:00Z")));
        assert_eq!(changed.billing_anchor, now);
    }
}
