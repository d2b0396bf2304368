//! Realistic betting transactions from a seed, for trying the features on
//! data that looks like a casino's: heavy-tailed activity per user (Pareto)
//! and amounts (log-normal, Pareto win multipliers), a favourite game per
//! user, evening and weekend peaks, users who churned weeks before the
//! reference date, statuses other than completed, and on demand a rate of
//! defects (missing fields, duplicate transaction ids, outliers) for the
//! quality checks.
//!
//! The same options and seed give the same transactions, byte for byte:
//! the generator draws from one ChaCha stream in a fixed order, and
//! [`Checksum`] digests every row's canonical text so a run can prove it.

pub mod parquet_file;
pub mod sink;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Pareto};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use time::Date;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Users.
    pub users: u64,
    /// Transactions in all (every user has at least one).
    pub transactions: u64,
    /// The seed of the random stream.
    pub seed: u64,
    /// The last day with transactions.
    pub reference_date: Date,
    /// How many days, up to the reference date, transactions span.
    pub days: u32,
    /// The share of users who stopped playing.
    pub churn_share: f64,
    /// Churned users have no transaction in this many weeks before the
    /// reference date.
    pub churn_weeks: u32,
    /// The share of transactions with a defect.
    pub defect_rate: f64,
}

/// The game types bets are placed on, with their share of users'
/// favourites.
const GAMES: [(&str, f64); 5] = [
    ("casino", 0.25),
    ("crash", 0.15),
    ("poker", 0.10),
    ("slots", 0.30),
    ("sports", 0.20),
];

/// Transaction types and their shares after a user's first deposit.
const KINDS: [(&str, f64); 5] = [
    ("deposit", 0.08),
    ("withdrawal", 0.03),
    ("bet", 0.55),
    ("win", 0.30),
    ("bonus", 0.04),
];

/// Statuses and their shares.
const STATUSES: [(&str, f64); 4] = [
    ("completed", 0.93),
    ("pending", 0.02),
    ("failed", 0.04),
    ("cancelled", 0.01),
];

/// The largest amount `NUMERIC(10,2)` holds, in cents.
const MAX_CENTS: i64 = 9_999_999_999;

/// One generated transaction; `None` fields are the defects' missing values
/// (and the game of a deposit, withdrawal or bonus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// A UUID's bytes (version 4 layout).
    pub id: [u8; 16],
    /// The user.
    pub user_id: Option<i64>,
    /// The amount in cents.
    pub amount_cents: Option<i64>,
    /// deposit, withdrawal, bet, win or bonus.
    pub kind: &'static str,
    /// completed, pending, failed or cancelled.
    pub status: &'static str,
    /// Unix seconds, UTC.
    pub created_at: Option<i64>,
    /// The game of a bet or win.
    pub game_type: Option<&'static str>,
}

impl Transaction {
    /// The id as a hyphenated UUID.
    pub fn id_text(&self) -> String {
        let h = hex::encode(self.id);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// The row as one line of PostgreSQL `COPY` text (tab-separated, `\N`
    /// for a missing value): the canonical text the checksum digests.
    pub fn copy_line(&self, out: &mut String) {
        out.push_str(&self.id_text());
        out.push('\t');
        match self.user_id {
            Some(u) => {
                let _ = write!(out, "{u}");
            }
            None => out.push_str("\\N"),
        }
        out.push('\t');
        match self.amount_cents {
            Some(c) => out.push_str(&super::row::cents_text(c)),
            None => out.push_str("\\N"),
        }
        let _ = write!(out, "\t{}\t{}\t", self.kind, self.status);
        match self.created_at.and_then(timestamp_text) {
            Some(at) => out.push_str(&at),
            None => out.push_str("\\N"),
        }
        out.push('\t');
        out.push_str(self.game_type.unwrap_or("\\N"));
        out.push('\n');
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn timestamp_text(epoch: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(epoch).ok()?;
    let (date, clock) = (at.date(), at.time());
    Some(format!(
        "{date}T{:02}:{:02}:{:02}Z",
        clock.hour(),
        clock.minute(),
        clock.second()
    ))
}

/// A running SHA-256 of the rows' canonical text.
#[derive(Debug, Clone, Default)]
pub struct Checksum(Sha256);

impl Checksum {
    /// Adds one row's text.
    pub fn add(&mut self, line: &str) {
        self.0.update(line.as_bytes());
    }

    /// The digest, as the first 16 hex digits.
    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())[..16].to_string()
    }
}

/// One user's habits, drawn once.
struct Player {
    id: i64,
    first_day: i64,
    last_day: i64,
    favourite: usize,
    loyalty: f64,
    peak_hour: f64,
    weekend_weight: f64,
    ticket_median: f64,
    transactions: u64,
}

/// The distributions every user shares.
struct Shapes {
    median_ticket: LogNormal<f64>,
    ticket_spread: LogNormal<f64>,
    hour_noise: Normal<f64>,
    win_multiplier: Pareto<f64>,
}

impl Shapes {
    fn new() -> Result<Self, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        Ok(Shapes {
            median_ticket: LogNormal::new(5f64.ln(), 1.0).map_err(|x| e(&x))?,
            ticket_spread: LogNormal::new(0.0, 0.8).map_err(|x| e(&x))?,
            hour_noise: Normal::new(0.0, 2.5).map_err(|x| e(&x))?,
            win_multiplier: Pareto::new(1.2, 1.8).map_err(|x| e(&x))?,
        })
    }
}

/// The transactions of [`GenerateOptions`], user after user, each user's in
/// time order.
pub struct Transactions {
    rng: ChaCha8Rng,
    options: GenerateOptions,
    shapes: Shapes,
    counts: std::vec::IntoIter<u64>,
    next_user: i64,
    day_zero: i64,
    pending: Vec<Transaction>,
    last_id: [u8; 16],
}

impl Transactions {
    /// The generator for `options`; fails when they make no sense.
    pub fn new(options: GenerateOptions) -> Result<Self, String> {
        if options.users == 0 || options.transactions < options.users {
            return Err(format!(
                "need at least one user and one transaction per user (users {}, transactions {})",
                options.users, options.transactions
            ));
        }
        if options.days == 0 {
            return Err("--days must be at least 1".to_string());
        }
        if !(0.0..=1.0).contains(&options.defect_rate)
            || !(0.0..=1.0).contains(&options.churn_share)
        {
            return Err("--defect-rate and --churn-share are shares between 0 and 1".to_string());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        // Activity is heavy-tailed: a few users make most transactions.
        let activity: Pareto<f64> = Pareto::new(1.0, 1.2).map_err(|e| e.to_string())?;
        let weights: Vec<f64> = (0..options.users)
            .map(|_| activity.sample(&mut rng).min(5_000.0))
            .collect();
        let total: f64 = weights.iter().sum();
        let spare = options.transactions - options.users;
        let mut counts: Vec<u64> = weights
            .iter()
            .map(|w| 1 + (w / total * spare as f64).floor() as u64)
            .collect();
        // What flooring left over goes one each to the first users.
        let missing = options.transactions - counts.iter().sum::<u64>();
        let users = counts.len() as u64;
        for (i, c) in counts.iter_mut().enumerate() {
            *c += missing / users + u64::from((i as u64) < missing % users);
        }
        let day_zero = (options.reference_date.to_julian_day() as i64 - 2_440_588)
            - i64::from(options.days)
            + 1;
        Ok(Transactions {
            rng,
            options,
            shapes: Shapes::new()?,
            counts: counts.into_iter(),
            next_user: 1,
            day_zero,
            pending: Vec::new(),
            last_id: [0; 16],
        })
    }

    fn draw_player(&mut self, transactions: u64) -> Player {
        let o = &self.options;
        let rng = &mut self.rng;
        let days = i64::from(o.days);
        let first = (rng.random::<f64>().powf(1.5) * days as f64 * 0.8) as i64;
        let churned = rng.random::<f64>() < o.churn_share;
        let last = if churned {
            let quiet = i64::from(o.churn_weeks) * 7 + rng.random_range(0..60);
            (days - 1 - quiet).max(first)
        } else {
            days - 1
        };
        let mut favourite = GAMES.len() - 1;
        let mut pick = rng.random::<f64>();
        for (i, (_, share)) in GAMES.iter().enumerate() {
            if pick < *share {
                favourite = i;
                break;
            }
            pick -= share;
        }
        let habit = rng.random::<f64>();
        let peak_hour = if habit < 0.60 {
            rng.random_range(19.0..23.5)
        } else if habit < 0.85 {
            rng.random_range(12.0..18.0)
        } else if habit < 0.95 {
            rng.random_range(7.0..11.0)
        } else {
            rng.random_range(0.0..4.0)
        };
        let median = self.shapes.median_ticket.sample(rng);
        let id = self.next_user;
        self.next_user += 1;
        Player {
            id,
            first_day: self.day_zero + first,
            last_day: self.day_zero + last,
            favourite,
            loyalty: rng.random_range(0.5..0.95),
            peak_hour,
            weekend_weight: rng.random_range(1.0..3.0),
            ticket_median: median.max(0.2),
            transactions,
        }
    }

    /// Draws every transaction of `player`, sorted by time, into `pending`
    /// (reversed, so they are popped in order).
    fn draw_transactions(&mut self, player: &Player) {
        let rng = &mut self.rng;
        let shapes = &self.shapes;
        let span = (player.last_day - player.first_day).max(0);
        let mut out = Vec::with_capacity(player.transactions as usize);
        for n in 0..player.transactions {
            // A day in the user's active span, weekends weighted.
            let day = loop {
                let d = player.first_day + rng.random_range(0..=span);
                let weekday = (d + 3).rem_euclid(7); // 0 = Monday (1970-01-01 was a Thursday)
                let weight = if weekday >= 5 {
                    player.weekend_weight
                } else {
                    1.0
                };
                if rng.random::<f64>() * 3.0 < weight {
                    break d;
                }
            };
            let hour = (player.peak_hour + shapes.hour_noise.sample(rng)).rem_euclid(24.0);
            let second = (hour * 3600.0) as i64 + rng.random_range(0..60);
            let created_at = day * 86_400 + second.min(86_399);
            let kind = if n == 0 { "deposit" } else { pick(rng, &KINDS) };
            let game = match kind {
                "bet" | "win" => Some(if rng.random::<f64>() < player.loyalty {
                    GAMES[player.favourite].0
                } else {
                    GAMES[rng.random_range(0..GAMES.len())].0
                }),
                _ => None,
            };
            let ticket = player.ticket_median * shapes.ticket_spread.sample(rng);
            let units = match kind {
                "deposit" => (ticket * 10.0).max(10.0).round(),
                "withdrawal" => ticket * rng.random_range(5.0..40.0),
                "win" => ticket * shapes.win_multiplier.sample(rng),
                "bonus" => rng.random_range(5.0..50.0f64).round(),
                _ => ticket,
            };
            let cents = ((units * 100.0).round() as i64).clamp(1, MAX_CENTS);
            let mut id = [0u8; 16];
            rng.fill(&mut id);
            id[6] = (id[6] & 0x0f) | 0x40;
            id[8] = (id[8] & 0x3f) | 0x80;
            out.push(Transaction {
                id,
                user_id: Some(player.id),
                amount_cents: Some(cents),
                kind,
                status: pick(rng, &STATUSES),
                created_at: Some(created_at),
                game_type: game,
            });
        }
        out.sort_by_key(|t| t.created_at);
        out.reverse();
        self.pending = out;
    }

    /// Gives `t` a defect with the configured probability.
    fn maybe_defect(&mut self, t: &mut Transaction) {
        if self.options.defect_rate <= 0.0 || self.rng.random::<f64>() >= self.options.defect_rate {
            return;
        }
        match self.rng.random_range(0..6) {
            0 => t.user_id = None,
            1 => t.amount_cents = None,
            2 => t.created_at = None,
            3 => t.game_type = None,
            4 => t.id = self.last_id,
            _ => t.amount_cents = t.amount_cents.map(|c| (c * 1000).min(MAX_CENTS)),
        }
    }
}

fn pick<R: Rng>(rng: &mut R, table: &[(&'static str, f64)]) -> &'static str {
    let mut x = rng.random::<f64>();
    for (name, share) in table {
        if x < *share {
            return name;
        }
        x -= share;
    }
    table.last().map_or("", |(name, _)| name)
}

impl Iterator for Transactions {
    type Item = Transaction;

    fn next(&mut self) -> Option<Transaction> {
        loop {
            if let Some(mut t) = self.pending.pop() {
                self.maybe_defect(&mut t);
                self.last_id = t.id;
                return Some(t);
            }
            let count = self.counts.next()?;
            let player = self.draw_player(count);
            self.draw_transactions(&player);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn options(seed: u64) -> GenerateOptions {
        GenerateOptions {
            users: 50,
            transactions: 2_000,
            seed,
            reference_date: date!(2025 - 06 - 30),
            days: 365,
            churn_share: 0.2,
            churn_weeks: 8,
            defect_rate: 0.0,
        }
    }

    fn checksum(options: GenerateOptions) -> (u64, String) {
        let mut sum = Checksum::default();
        let mut n = 0;
        let mut line = String::new();
        for t in Transactions::new(options).expect("options") {
            line.clear();
            t.copy_line(&mut line);
            sum.add(&line);
            n += 1;
        }
        (n, sum.finish())
    }

    #[test]
    fn the_same_seed_gives_the_same_rows() {
        let (n, a) = checksum(options(7));
        assert_eq!(n, 2_000);
        assert_eq!(checksum(options(7)).1, a);
        assert_ne!(checksum(options(8)).1, a);
    }

    #[test]
    fn rows_stay_within_the_span_and_the_column_type() {
        let o = options(3);
        let last = (o.reference_date.to_julian_day() as i64 - 2_440_588 + 1) * 86_400;
        let first = last - 365 * 86_400;
        for t in Transactions::new(o).expect("options") {
            let at = t.created_at.expect("no defects asked");
            assert!((first..last).contains(&at), "{at}");
            let cents = t.amount_cents.expect("no defects asked");
            assert!((1..=MAX_CENTS).contains(&cents));
            assert_eq!(t.game_type.is_some(), matches!(t.kind, "bet" | "win"));
        }
    }

    #[test]
    fn defects_appear_at_about_their_rate() {
        let mut o = options(5);
        o.defect_rate = 0.1;
        let missing = Transactions::new(o)
            .expect("options")
            .filter(|t| t.user_id.is_none() || t.amount_cents.is_none() || t.created_at.is_none())
            .count();
        // Half of the defects blank one of these three fields: about 100 of 2,000.
        assert!((50..=150).contains(&missing), "{missing}");
    }

    #[test]
    fn a_copy_line_is_tab_separated_with_null_marks() {
        let t = Transaction {
            id: [0x11; 16],
            user_id: Some(42),
            amount_cents: None,
            kind: "bet",
            status: "completed",
            created_at: Some(1_751_284_800),
            game_type: Some("crash"),
        };
        let mut line = String::new();
        t.copy_line(&mut line);
        assert_eq!(
            line,
            "11111111-1111-1111-1111-111111111111\t42\t\\N\tbet\tcompleted\t2025-06-30T12:00:00Z\tcrash\n"
        );
    }
}
