//! Watching live matches: `GET /live/matches` over the recorded API-Football
//! `live=all` feed (195 matches in play), the dashboard's Live panel in
//! chromium following a new goal without a reload, and `sluice live`
//! printing the table, then each new event once, across a restart of the
//! server.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sluice_test_support::recordings;

use crate::common::serving::{Serving, free_addr, signal_child, wait_for};
use crate::common::{ReplayServer, TestContext, assert_ok, one_route_recordings};
use crate::live::{LIVE_ALL, live_config};

/// The first fixture of the recording: Slask Wroclaw 0-1 Wisla Plock
/// (Ekstraklasa, Poland), 36th minute, B. Spiaczka scored at 30'.
const SLASK: &str = "865368";

/// The recorded feed with home goals for the first fixture, one per
/// scorer, at its current minute.
fn with_home_goals(body: &[u8], scorers: &[&str]) -> Vec<u8> {
    let mut raw: Value = serde_json::from_slice(body).expect("JSON");
    let fixture = &mut raw["response"][0];
    assert_eq!(fixture["fixture"]["id"].to_string(), SLASK);
    let elapsed = fixture["fixture"]["status"]["elapsed"].clone();
    let home = fixture["teams"]["home"].clone();
    for (i, scorer) in scorers.iter().enumerate() {
        let goals = fixture["goals"]["home"].as_u64().expect("goals");
        fixture["goals"]["home"] = Value::from(goals + 1);
        fixture["events"]
            .as_array_mut()
            .expect("events")
            .push(serde_json::json!({
                "time": { "elapsed": elapsed, "extra": null },
                "team": home,
                "player": { "id": 900 + i, "name": scorer },
                "assist": { "id": null, "name": null },
                "type": "Goal",
                "detail": "Normal Goal",
                "comments": null
            }));
    }
    serde_json::to_vec(&raw).expect("JSON")
}

/// One poll: `sluice run` of the live pipeline of `config` over `body`,
/// served by a replay provider of its own (the config is pointed at it).
fn poll(ctx: &TestContext, config: &Path, body: &[u8], name: &str) {
    let feed = ctx.path(name);
    one_route_recordings(&feed, "/fixtures", "live = \"all\"", 200, body);
    let server = ReplayServer::start(&feed);
    let text = std::fs::read_to_string(config).expect("config");
    let text: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("base_url = ") {
                format!("base_url = \"{}\"", server.base_url())
            } else {
                line.to_string()
            }
        })
        .collect();
    std::fs::write(config, text.join("\n") + "\n").expect("config");
    assert_ok(&ctx.run(config, "live"));
}

/// `GET path` of `serving` as JSON, asserting 200.
fn get_json(serving: &Serving, path: &str) -> Value {
    let (status, body) = serving.get(path).expect("an answer");
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

/// The key `live_matches` holds the fixture `event` under.
fn key_of(ctx: &TestContext, event: &str) -> String {
    ctx.query(&format!(
        "SELECT match_key FROM live_matches WHERE provider = 'api-football' AND event = '{event}'"
    ))[0][0]
        .clone()
}

fn the_matches_in_play_are_the_feeds_195_with_the_scores_of_live_matches(ctx: TestContext) {
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    let serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    // Nothing tracked yet: an empty board at the start of the outbox.
    assert_eq!(
        get_json(&serving, "/live/matches"),
        serde_json::json!({ "seq": 0, "matches": [] })
    );
    assert_ok(&ctx.run(&config, "live"));

    let board = get_json(&serving, "/live/matches");
    let newest = ctx.count("SELECT max(seq) FROM live_events");
    assert_eq!(board["seq"], newest);
    let matches = board["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), 195);
    let served: Vec<Vec<String>> = matches
        .iter()
        .map(|m| {
            ["match_key", "status", "minute", "home_score", "away_score"]
                .iter()
                .map(|f| match &m[*f] {
                    Value::String(s) => s.clone(),
                    Value::Null => "NULL".to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let mut served_sorted = served.clone();
    served_sorted.sort();
    let mut stored =
        ctx.query("SELECT match_key, status, minute, home_score, away_score FROM live_matches");
    stored.sort();
    assert_eq!(served_sorted, stored);
    // Grouped by competition: each competition's matches side by side.
    let mut seen = Vec::new();
    for m in matches {
        let c = m["competition"].to_string();
        if seen.last() != Some(&c) {
            assert!(!seen.contains(&c), "{c} listed in two places");
            seen.push(c);
        }
    }
    // Names from the provider's teams and competition, and the latest goal.
    let slask = matches
        .iter()
        .find(|m| m["event"] == SLASK)
        .expect("the first fixture");
    assert_eq!(slask["home"], "Slask Wroclaw");
    assert_eq!(slask["away"], "Wisla Plock");
    assert_eq!(slask["competition_name"], "Ekstraklasa");
    assert_eq!(slask["area"], "Poland");
    assert_eq!(slask["status"], "live");
    assert_eq!(slask["minute"], 36);
    let recent = slask["recent"].as_array().expect("recent");
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert_eq!(recent[0]["kind"], "goal");
    assert_eq!(recent[0]["player"], "B. Spiaczka");
    assert_eq!(recent[0]["side"], "away");
    assert_eq!(recent[0]["minute"], 30);
    // At most the five latest goals and cards of a match, oldest first.
    for m in matches {
        let seqs: Vec<i64> = m["recent"]
            .as_array()
            .expect("recent")
            .iter()
            .map(|e| e["seq"].as_i64().expect("seq"))
            .collect();
        assert!(
            seqs.len() <= 5 && seqs.windows(2).all(|w| w[0] < w[1]),
            "{seqs:?}"
        );
    }

    // A match finished two hours ago is gone, unless asked for; one just
    // finished stays.
    let long_ago =
        sluice::db::timestamp(time::OffsetDateTime::now_utc() - time::Duration::hours(2));
    let slask_key = key_of(&ctx, SLASK);
    ctx.query(&format!(
        "UPDATE live_matches SET status = 'finished', changed_at = '{long_ago}' \
         WHERE match_key = '{slask_key}'"
    ));
    let other_key = served[0][0].clone();
    let other_key = if other_key == slask_key {
        served[1][0].clone()
    } else {
        other_key
    };
    ctx.query(&format!(
        "UPDATE live_matches SET status = 'finished', changed_at = '{}' \
         WHERE match_key = '{other_key}'",
        sluice::db::now_timestamp()
    ));
    let listed = |path: &str| {
        get_json(&serving, path)["matches"]
            .as_array()
            .expect("matches")
            .iter()
            .map(|m| m["match_key"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    let now = listed("/live/matches");
    assert_eq!(now.len(), 194);
    assert!(!now.contains(&slask_key));
    assert!(now.contains(&other_key));
    assert_eq!(listed("/live/matches?minutes=180").len(), 195);
    assert_eq!(
        serving.get("/live/matches?minutes=-1").map(|(s, _)| s),
        Some(400)
    );
}

crate::on_both_databases!(the_matches_in_play_are_the_feeds_195_with_the_scores_of_live_matches);

fn the_live_panel_shows_the_matches_and_a_new_goal_without_a_reload(ctx: TestContext) {
    use crate::dashboard::cdp::Browser;
    let Some(body) = recordings::read(LIVE_ALL) else {
        return;
    };
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    let serving = Serving::start(&ctx, &config, &[], &[("SLUICE_TEST_ADMIN", "t")]);
    let mut browser = Browser::launch(&ctx.path("chromium-profile"));
    browser.open(&format!("http://{}/", serving.addr));
    browser.wait_until(
        "the empty panel",
        "document.querySelector('[data-testid=live-empty]')?.textContent === 'no match in play'",
    );
    browser.eval("window.notReloaded = true");

    // The first poll: every match appears, grouped by competition.
    poll(&ctx, &config, &body, "feed-1");
    browser.wait_up_to(
        Duration::from_secs(60),
        "the 195 matches",
        "document.querySelectorAll('[data-testid=live-match]').length === 195",
    );
    let key = key_of(&ctx, SLASK);
    let row = format!("document.querySelector('[data-testid=live-match][data-match=\"{key}\"]')");
    assert_eq!(
        browser.eval(&format!(
            "[...{row}.cells].slice(0, 4).map(c => c.textContent).join(' ')"
        )),
        "36' Slask Wroclaw 0-1 Wisla Plock"
    );
    assert_eq!(
        browser.eval(&format!(
            "{row}.closest('table').previousElementSibling.textContent"
        )),
        "Poland · Ekstraklasa"
    );
    let competitions =
        ctx.count("SELECT count(DISTINCT COALESCE(competition, '')) FROM live_matches");
    assert_eq!(
        browser.eval("document.querySelectorAll('[data-testid=live-competition]').length"),
        competitions
    );
    // Every score shown is the stored one.
    let shown = browser.eval(
        "Object.fromEntries([...document.querySelectorAll('[data-testid=live-match]')] \
         .map(r => [r.dataset.match, r.querySelector('[data-testid=live-score]').textContent]))",
    );
    for row in ctx.query("SELECT match_key, home_score, away_score FROM live_matches") {
        assert_eq!(
            shown[&row[0]],
            format!("{}-{}", row[1], row[2]),
            "{}",
            row[0]
        );
    }

    // A goal in the next poll: the row's score changes and flashes.
    poll(
        &ctx,
        &config,
        &with_home_goals(&body, &["Test Scorer"]),
        "feed-2",
    );
    browser.wait_until(
        "the new score",
        &format!("{row}.querySelector('[data-testid=live-score]').textContent === '1-1'"),
    );
    assert_eq!(
        browser.eval(&format!("{row}.classList.contains('goal-flash')")),
        true
    );
    assert_eq!(
        browser.eval(&format!(
            "{row}.textContent.includes('Test Scorer (Slask Wroclaw)')"
        )),
        true
    );
    assert_eq!(browser.eval("window.notReloaded === true"), true);
    assert_eq!(
        browser.eval("document.querySelectorAll('[data-testid=live-match]').length"),
        195
    );
}

crate::on_both_databases!(the_live_panel_shows_the_matches_and_a_new_goal_without_a_reload);

/// `sluice live` running, its stdout lines gathered as they come.
struct Watching {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watching {
    fn start(addr: &str) -> Watching {
        let mut child =
            crate::common::sluice_command(&["live", "--url", &format!("http://{addr}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("sluice live");
        let stdout = child.stdout.take().expect("stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let gathered = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                gathered.lock().expect("lines").push(line);
            }
        });
        Watching { child, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("lines").clone()
    }

    /// Waits until a line contains `text`.
    fn wait_for_line(&self, text: &str) {
        wait_for(
            &format!("a line with {text:?}"),
            Duration::from_secs(60),
            || self.lines().iter().any(|l| l.contains(text)),
        );
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sluice_live_prints_the_table_then_each_new_event_once_across_a_restart(ctx: TestContext) {
    let Some(body) = recordings::read(LIVE_ALL) else {
        return;
    };
    let Some((config, _server)) = live_config(&ctx) else {
        return;
    };
    assert_ok(&ctx.run(&config, "live"));
    let first = ctx.count("SELECT max(seq) FROM live_events");
    let addr = free_addr();
    let env = [("SLUICE_TEST_ADMIN", "t")];
    let mut serving = Serving::start_on(&ctx, &config, &addr, &[], &env);
    let watching = Watching::start(&addr);
    watching.wait_for_line("following live events");
    let table = watching.lines();
    assert!(
        table.contains(&"Poland · Ekstraklasa".to_string()),
        "{table:#?}"
    );
    assert!(
        table
            .iter()
            .any(|l| l.trim_start().starts_with("36'")
                && l.ends_with("Slask Wroclaw 0-1 Wisla Plock")),
        "{table:#?}"
    );
    assert!(
        table.contains(&"195 matches in play".to_string()),
        "{table:#?}"
    );
    assert_eq!(
        table.last().map(String::as_str),
        Some(format!("following live events from #{first} (Ctrl-C to stop)").as_str())
    );

    // A goal: one line, with the minute, the score and the scorer.
    poll(
        &ctx,
        &config,
        &with_home_goals(&body, &["Test Scorer"]),
        "feed-2",
    );
    watching.wait_for_line("Test Scorer");
    let goal = watching
        .lines()
        .into_iter()
        .find(|l| l.contains("Test Scorer"))
        .unwrap_or_default();
    assert!(
        goal.ends_with("36'  Slask Wroclaw 1-1 Wisla Plock  GOAL  Test Scorer (Slask Wroclaw)"),
        "{goal}"
    );

    // The server stops; a goal is scored meanwhile; the server starts
    // again where it was: `sluice live` reconnects and prints that goal,
    // and nothing it printed before.
    assert!(serving.signal(libc::SIGTERM).success());
    poll(
        &ctx,
        &config,
        &with_home_goals(&body, &["Test Scorer", "Second Scorer"]),
        "feed-3",
    );
    let _serving = Serving::start_on(&ctx, &config, &addr, &[], &env);
    watching.wait_for_line("Second Scorer");
    let lines = watching.lines();
    let after_table: Vec<&String> = lines.iter().skip(table.len()).collect();
    let told = ctx.count(&format!(
        "SELECT count(*) FROM live_events WHERE seq > {first}"
    ));
    assert_eq!(
        i64::try_from(after_table.len()).ok(),
        Some(told),
        "one line per new event: {after_table:#?}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("Test Scorer")).count(),
        1
    );
    assert!(
        after_table
            .iter()
            .any(|l| l
                .ends_with("Slask Wroclaw 2-1 Wisla Plock  GOAL  Second Scorer (Slask Wroclaw)")),
        "{after_table:#?}"
    );

    // Ctrl-C ends it, successfully.
    let mut watching = watching;
    assert_eq!(signal_child(&watching.child, libc::SIGINT), 0);
    let mut status = None;
    wait_for("sluice live to exit", Duration::from_secs(20), || {
        status = watching.child.try_wait().expect("wait");
        status.is_some()
    });
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

crate::on_both_databases!(sluice_live_prints_the_table_then_each_new_event_once_across_a_restart);

#[test]
fn sluice_live_says_when_the_server_cannot_be_reached() {
    let addr = free_addr();
    let out = crate::common::sluice_command(&["live", "--url", &format!("http://{addr}")])
        .output()
        .expect("sluice live");
    let line = crate::common::error_line(&out);
    assert!(
        line.starts_with(&format!(
            "error: cannot reach sluice serve at http://{addr}/"
        )),
        "{line}"
    );
}
