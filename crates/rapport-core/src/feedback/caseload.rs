//! Small rules of the therapist's caseload.

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// Whether a client's check-ins are overdue: the last one is more than `days` days old at `now`.
/// A client who never checked in is not overdue (there is no rhythm to fall behind yet).
pub fn is_overdue(last_checkin_at: Option<i64>, now: i64, days: i64) -> bool {
    last_checkin_at.is_some_and(|last| now - last > days * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_means_more_than_the_given_days_since_the_last_checkin() {
        let now = 100 * DAY_MS;
        assert!(!is_overdue(None, now, 10));
        assert!(
            !is_overdue(Some(now - 10 * DAY_MS), now, 10),
            "exactly ten days is not late"
        );
        assert!(is_overdue(Some(now - 10 * DAY_MS - 1), now, 10));
        assert!(is_overdue(Some(now - 4 * DAY_MS), now, 3));
    }
}
