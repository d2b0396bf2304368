//! `sluice live`: the matches in play on a running `sluice serve`, then one
//! line per event as it arrives. It follows `/live/events` from the
//! sequence number `/live/matches` was read at, and after a dropped
//! connection resumes with `Last-Event-ID`, so no event is missed or
//! printed twice.

mod render;
mod sse;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::{Context, bail};
use backon::{BackoffBuilder, ExponentialBuilder};
use clap::Args;
use reqwest::Url;

use crate::state::live_views::{LiveBoard, LiveMatch, ToldEvent};
use render::Teams;

/// Arguments of `sluice live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    /// The `sluice serve` to watch.
    #[arg(long, env = "SLUICE_URL", default_value = "http://127.0.0.1:8001")]
    url: String,
    /// Only these competitions (comma-separated): their key as the events
    /// name it, or their name.
    #[arg(long, value_name = "C")]
    competition: Option<String>,
    /// Only these matches (comma-separated keys, as `/live/matches` lists
    /// them).
    #[arg(long = "match", value_name = "M")]
    match_key: Option<String>,
    /// Only these kinds of event (comma-separated: goal, goal_updated,
    /// goal_cancelled, card, card_updated, card_cancelled, status_changed).
    #[arg(long, value_name = "K")]
    kind: Option<String>,
    /// How many minutes a finished match stays in the table.
    #[arg(long, default_value_t = 30)]
    minutes: u32,
}

/// The `--competition`, `--match` and `--kind` lists.
#[derive(Debug, Default)]
struct Filter {
    competitions: Option<Vec<String>>,
    matches: Option<Vec<String>>,
    kinds: Option<Vec<String>>,
}

/// A comma-separated list, its items trimmed; `None` when not given.
fn list(text: Option<&String>) -> Option<Vec<String>> {
    text.map(|t| {
        t.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

impl Filter {
    fn of(args: &LiveArgs) -> Filter {
        Filter {
            competitions: list(args.competition.as_ref()),
            matches: list(args.match_key.as_ref()),
            kinds: list(args.kind.as_ref()),
        }
    }

    fn wants_match(&self, m: &LiveMatch) -> bool {
        let competition = |wanted: &String| {
            m.competition.as_ref() == Some(wanted)
                || m.competition_name
                    .as_ref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        };
        self.competitions
            .as_ref()
            .is_none_or(|list| list.iter().any(competition))
            && self
                .matches
                .as_ref()
                .is_none_or(|list| list.contains(&m.match_key))
    }
}

/// What the follower knows of the matches: the board last read, and the
/// matches that board did not have (looked up once each).
struct Watched {
    board: HashMap<String, LiveMatch>,
    teams: HashMap<String, Teams>,
    looked_up: HashSet<String>,
}

impl Watched {
    fn new(board: &LiveBoard) -> Watched {
        Watched {
            board: board
                .matches
                .iter()
                .map(|m| (m.match_key.clone(), m.clone()))
                .collect(),
            teams: render::teams_by_match(board),
            looked_up: HashSet::new(),
        }
    }
}

/// The server's API.
struct Server {
    client: reqwest::Client,
    base: Url,
}

impl Server {
    fn url(&self, path: &str) -> anyhow::Result<Url> {
        self.base
            .join(path)
            .with_context(|| format!("{path} on {}", self.base))
    }

    /// `GET /live/matches?minutes=N`.
    async fn board(&self, minutes: u32) -> anyhow::Result<LiveBoard> {
        let mut url = self.url("live/matches")?;
        url.query_pairs_mut()
            .append_pair("minutes", &minutes.to_string());
        let response = self.client.get(url.clone()).send().await.with_context(|| {
            format!(
                "cannot reach sluice serve at {} (is it running?)",
                self.base
            )
        })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .with_context(|| format!("reading {url}"))?;
        if !status.is_success() {
            bail!(
                "{url} answered {status}: {}",
                String::from_utf8_lossy(&body).trim()
            );
        }
        serde_json::from_slice(&body).with_context(|| {
            format!("{url} did not answer the matches in play: is it a sluice serve?")
        })
    }
}

/// Prints the table, then follows the events until Ctrl-C.
pub async fn execute(args: LiveArgs) -> anyhow::Result<()> {
    let mut base = Url::parse(&args.url).with_context(|| format!("`{}` is not a URL", args.url))?;
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .context("cannot start an HTTP client")?;
    let server = Server { client, base };
    let filter = Filter::of(&args);
    let board = server.board(args.minutes).await?;
    let shown: Vec<&LiveMatch> = board
        .matches
        .iter()
        .filter(|m| filter.wants_match(m))
        .collect();
    print!("{}", render::table(&shown));
    println!("following live events from #{} (Ctrl-C to stop)", board.seq);
    let mut watched = Watched::new(&board);
    tokio::select! {
        followed = follow(&server, &args, &filter, &mut watched, board.seq) => followed,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// Follows `/live/events` after `last`, reconnecting with `Last-Event-ID`
/// whenever the connection drops; returns only on an error no reconnect
/// can mend.
async fn follow(
    server: &Server,
    args: &LiveArgs,
    filter: &Filter,
    watched: &mut Watched,
    mut last: i64,
) -> anyhow::Result<()> {
    let mut url = server.url("live/events")?;
    {
        let mut query = url.query_pairs_mut();
        if let Some(kind) = &args.kind {
            query.append_pair("kind", kind);
        }
        if let Some(matches) = &args.match_key {
            query.append_pair("match", matches);
        }
    }
    let backoff = || {
        ExponentialBuilder::new()
            .with_jitter()
            .with_min_delay(Duration::from_millis(250))
            .with_max_delay(Duration::from_secs(5))
            .without_max_times()
            .build()
    };
    let mut waits = backoff();
    loop {
        let mut heard = false;
        let ended = stream(server, &url, args, filter, watched, &mut last, &mut heard).await;
        if heard {
            waits = backoff();
        }
        match ended {
            Ok(()) => eprintln!("the server ended the stream; reconnecting after #{last}"),
            Err(error) => eprintln!("connection lost ({error:#}); reconnecting after #{last}"),
        }
        tokio::time::sleep(waits.next().unwrap_or(Duration::from_secs(5))).await;
    }
}

/// One connection to `/live/events`, resuming after `last` and advancing
/// it with each event printed; `heard` is set once the server answered.
async fn stream(
    server: &Server,
    url: &Url,
    args: &LiveArgs,
    filter: &Filter,
    watched: &mut Watched,
    last: &mut i64,
    heard: &mut bool,
) -> anyhow::Result<()> {
    let mut response = server
        .client
        .get(url.clone())
        .header("Last-Event-ID", last.to_string())
        .header("Accept", "text/event-stream")
        .send()
        .await
        .with_context(|| format!("cannot reach sluice serve at {}", server.base))?;
    let status = response.status();
    if !status.is_success() {
        bail!("{url} answered {status}");
    }
    *heard = true;
    let mut parser = sse::SseParser::default();
    while let Some(chunk) = response.chunk().await.context("reading the event stream")? {
        for event in parser.push(&chunk) {
            let Some(seq) = event.id.as_deref().and_then(|id| id.parse::<i64>().ok()) else {
                continue;
            };
            // Resumed streams start after `last`; this only guards against
            // a server that does not.
            if seq <= *last {
                continue;
            }
            *last = seq;
            let Some(told) = ToldEvent::parse(&event.data) else {
                continue;
            };
            if let Some(line) = line_of(server, args, filter, watched, &told).await {
                println!("{line}");
            }
        }
    }
    Ok(())
}

/// The line to print for `told`, or `None` when the filter leaves it out.
async fn line_of(
    server: &Server,
    args: &LiveArgs,
    filter: &Filter,
    watched: &mut Watched,
    told: &ToldEvent,
) -> Option<String> {
    if filter
        .kinds
        .as_ref()
        .is_some_and(|kinds| !kinds.contains(&told.kind))
    {
        return None;
    }
    let key = told.match_key.clone().unwrap_or_default();
    // A match the table did not have: read the board again, once, for its
    // teams and competition.
    if !watched.board.contains_key(&key) && watched.looked_up.insert(key.clone()) {
        match server.board(args.minutes).await {
            Ok(board) => {
                watched.teams.extend(render::teams_by_match(&board));
                watched
                    .board
                    .extend(board.matches.into_iter().map(|m| (m.match_key.clone(), m)));
            }
            Err(error) => eprintln!("cannot read the match {key}: {error:#}"),
        }
    }
    let wanted = match watched.board.get(&key) {
        Some(m) => filter.wants_match(m),
        // Unknown still: only a competition filter can tell, by its key.
        None => {
            filter
                .competitions
                .as_ref()
                .is_none_or(|list| told.competition.as_ref().is_some_and(|c| list.contains(c)))
                && filter
                    .matches
                    .as_ref()
                    .is_none_or(|list| list.contains(&key))
        }
    };
    if !wanted {
        return None;
    }
    let teams = watched.teams.get(&key).cloned().unwrap_or_else(|| {
        let event = told.event.clone().unwrap_or(key);
        Teams {
            home: format!("{event} (home)"),
            away: format!("{event} (away)"),
        }
    });
    let at = chrono::Local::now().format("%H:%M:%S").to_string();
    Some(render::event_line(&at, told, &teams))
}
