//! The life of a condition: what to store and what to send when a rule's
//! conditions are compared with what was stored. Pure, so every transition
//! is tested without a database or a clock.

use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::evaluate::Firing;
use super::store::StoredAlert;

/// One thing that changed for one subject of a rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// It started firing (or fired again after it resolved): sent now.
    Fire { subject: String, message: String },
    /// Still firing and not sent for a reminder interval: sent again.
    Remind {
        subject: String,
        message: String,
        fired_at: String,
    },
    /// Still firing, reminder not due, but its message changed: stored only.
    Update { subject: String, message: String },
    /// It cleared: a resolved message is sent.
    Resolve {
        subject: String,
        message: String,
        fired_at: String,
    },
}

/// What changed between `stored` (this rule's rows) and `current` (this
/// rule's conditions true now), at `now`.
pub(crate) fn decide(
    stored: &[StoredAlert],
    current: &[Firing],
    reminder: Duration,
    now: OffsetDateTime,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for firing in current {
        let before = stored.iter().find(|s| s.subject == firing.subject);
        match before {
            Some(s) if s.firing => {
                let last = s.last_sent_at.as_deref().unwrap_or(&s.fired_at);
                let due = OffsetDateTime::parse(last, &Rfc3339)
                    .map(|last| now - last >= reminder)
                    // An unreadable time is treated as a message never sent.
                    .unwrap_or(true);
                if due {
                    changes.push(Change::Remind {
                        subject: firing.subject.clone(),
                        message: firing.message.clone(),
                        fired_at: s.fired_at.clone(),
                    });
                } else if s.message != firing.message {
                    changes.push(Change::Update {
                        subject: firing.subject.clone(),
                        message: firing.message.clone(),
                    });
                }
            }
            _ => changes.push(Change::Fire {
                subject: firing.subject.clone(),
                message: firing.message.clone(),
            }),
        }
    }
    for s in stored.iter().filter(|s| s.firing) {
        if !current.iter().any(|f| f.subject == s.subject) {
            changes.push(Change::Resolve {
                subject: s.subject.clone(),
                message: s.message.clone(),
                fired_at: s.fired_at.clone(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn stored(subject: &str, firing: bool, fired_at: &str, sent: Option<&str>) -> StoredAlert {
        StoredAlert {
            rule: "failing".into(),
            subject: subject.into(),
            firing,
            message: "run 1 failed".into(),
            fired_at: fired_at.into(),
            last_sent_at: sent.map(str::to_string),
        }
    }

    fn firing(subject: &str, message: &str) -> Firing {
        Firing {
            subject: subject.into(),
            message: message.into(),
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_new_condition_fires_once() {
        let now = datetime!(2026-12-04 12:00 UTC);
        let changes = decide(&[], &[firing("europe", "run 1 failed")], HOUR, now);
        assert_eq!(
            changes,
            [Change::Fire {
                subject: "europe".into(),
                message: "run 1 failed".into()
            }]
        );
        let sent = stored(
            "europe",
            true,
            "2026-12-04T12:00:00.000000Z",
            Some("2026-12-04T12:00:00.000000Z"),
        );
        let later = datetime!(2026-12-04 12:30 UTC);
        assert!(decide(&[sent], &[firing("europe", "run 1 failed")], HOUR, later).is_empty());
    }

    #[test]
    fn a_condition_still_true_after_the_reminder_interval_is_sent_again() {
        let sent = stored(
            "europe",
            true,
            "2026-12-04T10:00:00.000000Z",
            Some("2026-12-04T11:00:00.000000Z"),
        );
        let now = datetime!(2026-12-04 12:00 UTC);
        assert_eq!(
            decide(&[sent], &[firing("europe", "run 2 failed")], HOUR, now),
            [Change::Remind {
                subject: "europe".into(),
                message: "run 2 failed".into(),
                fired_at: "2026-12-04T10:00:00.000000Z".into()
            }]
        );
    }

    #[test]
    fn a_changed_message_is_stored_without_sending() {
        let sent = stored(
            "europe",
            true,
            "2026-12-04T11:50:00.000000Z",
            Some("2026-12-04T11:50:00.000000Z"),
        );
        let now = datetime!(2026-12-04 12:00 UTC);
        assert_eq!(
            decide(&[sent], &[firing("europe", "run 2 failed")], HOUR, now),
            [Change::Update {
                subject: "europe".into(),
                message: "run 2 failed".into()
            }]
        );
    }

    #[test]
    fn a_cleared_condition_resolves_once_and_can_fire_again() {
        let now = datetime!(2026-12-04 12:00 UTC);
        let was = stored("europe", true, "2026-12-04T11:00:00.000000Z", None);
        assert_eq!(
            decide(std::slice::from_ref(&was), &[], HOUR, now),
            [Change::Resolve {
                subject: "europe".into(),
                message: "run 1 failed".into(),
                fired_at: "2026-12-04T11:00:00.000000Z".into()
            }]
        );
        let resolved = StoredAlert {
            firing: false,
            ..was
        };
        assert!(decide(std::slice::from_ref(&resolved), &[], HOUR, now).is_empty());
        assert!(matches!(
            decide(&[resolved], &[firing("europe", "run 3 failed")], HOUR, now)[..],
            [Change::Fire { .. }]
        ));
    }
}
