//! The dates a season's matches may kick off on, read from its label.

use jiff::ToSpan;
use jiff::civil::{Date, date};

/// The first and last day a season's matches may kick off on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeasonWindow {
    /// The first day, grace included.
    pub first: Date,
    /// The last day, grace included.
    pub last: Date,
}

impl SeasonWindow {
    /// The window of the season labelled `label`, widened by `grace_days`
    /// at both ends: `2023` is 2023-01-01 .. 2024-06-30 (a calendar-year
    /// season, or one starting in 2023); `2023-24`, `2023/24`, `2023-2024`
    /// and `2023/2024` are 2023-06-01 .. 2024-06-30.
    pub fn of(label: &str, grace_days: i64) -> Result<Self, String> {
        let unreadable = || format!("season label `{label}` is not a year or a pair of years");
        let label = label.trim();
        let year = |text: &str| -> Result<i16, String> {
            if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
                text.parse().map_err(|_| unreadable())
            } else {
                Err(unreadable())
            }
        };
        let (first, last) = match label.split_once(['-', '/']) {
            None => {
                let y = year(label)?;
                (date(y, 1, 1), date(y + 1, 6, 30))
            }
            Some((start, end)) => {
                let y = year(start)?;
                let next = y + 1;
                let named_next = match end.len() {
                    2 => end
                        .parse::<i16>()
                        .ok()
                        .filter(|_| end.bytes().all(|b| b.is_ascii_digit()))
                        .map(|yy| y - y % 100 + yy + if yy < y % 100 { 100 } else { 0 }),
                    4 => year(end).ok(),
                    _ => None,
                };
                if named_next != Some(next) {
                    return Err(unreadable());
                }
                (date(y, 6, 1), date(next, 6, 30))
            }
        };
        let grace = grace_days.days();
        Ok(SeasonWindow {
            first: first.checked_sub(grace).map_err(|e| e.to_string())?,
            last: last.checked_add(grace).map_err(|e| e.to_string())?,
        })
    }

    /// Whether `day` lies in the window.
    pub fn contains(&self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }
}

/// The calendar day of an RFC 3339 kickoff (`2023-08-18T18:30:00Z`), or of
/// a bare date.
pub fn kickoff_date(kickoff: &str) -> Result<Date, String> {
    let day = kickoff.trim().get(..10).unwrap_or(kickoff);
    day.parse::<Date>()
        .map_err(|_| format!("kickoff `{kickoff}` is not an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_their_windows() {
        let w =
            |label| SeasonWindow::of(label, 0).map(|w| (w.first.to_string(), w.last.to_string()));
        let split = Ok(("2023-06-01".to_string(), "2024-06-30".to_string()));
        assert_eq!(w("2023-24"), split);
        assert_eq!(w("2023/24"), split);
        assert_eq!(w("2023-2024"), split);
        assert_eq!(w("2023/2024"), split);
        assert_eq!(
            w("1999/00"),
            Ok(("1999-06-01".to_string(), "2000-06-30".to_string()))
        );
        assert_eq!(
            w("2023"),
            Ok(("2023-01-01".to_string(), "2024-06-30".to_string()))
        );
        for bad in ["2023-2025", "23/24", "2023-2", "season 3", "", "2023-xx"] {
            assert!(w(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn grace_widens_both_ends() {
        let w = SeasonWindow::of("2023-24", 31).expect("a window");
        assert_eq!(w.first.to_string(), "2023-05-01");
        assert_eq!(w.last.to_string(), "2024-07-31");
    }

    #[test]
    fn a_kickoff_is_judged_by_its_day() {
        assert_eq!(
            kickoff_date("2023-08-18T18:30:00Z").map(|d| d.to_string()),
            Ok("2023-08-18".into())
        );
        assert!(kickoff_date("1692383400").is_err());
        assert!(kickoff_date("18/08/2023").is_err());
        assert!(crate::judge("2023", "2023-08-18T18:30:00Z", 31).is_ok());
        assert_eq!(
            crate::judge("2023-24", "1970-01-01T00:00:00Z", 31),
            Err(
                "kickoff 1970-01-01 is outside season 2023-24 (2023-05-01 .. 2024-07-31)"
                    .to_string()
            )
        );
        assert!(crate::judge("2023-24", "2025-01-01T00:00:00Z", 31).is_err());
    }
}
