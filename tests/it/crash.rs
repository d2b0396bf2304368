//! A load killed with SIGKILL at any instant leaves whole batches only —
//! each response's rows together with its checkpoint — and the next run
//! ends with exactly the expected rows.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

use sluice::replay_provider::{FaultKind, FaultSpec};

use crate::common::{
    DEMO_PIPELINE, ReplayServer, TestContext, demo_recordings, sluice_command, stderr,
};

const TRIALS: usize = 20;

/// Rows each stream's single response loads, by checkpoint key.
const STREAMS: [(&str, &str, i64); 3] = [
    (
        "football-data/matches?competition=CL&season=2022",
        "SELECT count(*) FROM events WHERE competition = '2001'",
        185,
    ),
    (
        "football-data/teams?competition=CL&season=2022",
        "SELECT count(*) FROM teams",
        79,
    ),
    (
        "football-data/matches?competition=BL1&season=2022",
        "SELECT count(*) FROM events WHERE competition = '2002'",
        306,
    ),
];

#[test]
fn a_load_killed_at_any_instant_resumes_to_the_exact_rows() {
    let server = ReplayServer::start(&demo_recordings());
    // Slow each response a little, so a kill can land before, during and
    // after each batch.
    server.recordings.faults().add(FaultSpec {
        path: None,
        skip: 0,
        times: u32::MAX,
        kind: FaultKind::Delay { ms: 60 },
    });
    let ctx = TestContext::postgres();
    let config = ctx.write_config(&server.base_url(), "", DEMO_PIPELINE);
    let config = config.to_str().expect("path").to_string();
    let run = || sluice_command(&["run", "--config", &config, "--pipeline", "demo"]);

    // A reference load measures how long a whole run takes.
    let started = Instant::now();
    let reference = run().output().expect("run");
    assert!(reference.status.success(), "{}", stderr(&reference));
    let full_run = started.elapsed();
    let expected = content(&ctx);
    assert_eq!(expected.len(), 491);

    let mut random = RandomState::new().build_hasher();
    let mut partial_states = 0;
    for trial in 0..TRIALS {
        wipe(&ctx);
        random.write_usize(trial);
        let kill_after = full_run.mul_f64((random.finish() % 1000) as f64 / 1000.0);
        let mut child = run().spawn().expect("spawn");
        std::thread::sleep(kill_after);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // The server finishes a statement the killed process had sent (a
        // COMMIT among them) on its own: look only once it has.
        settle(&ctx);

        // Whole batches only: a stream's rows are there exactly when its
        // checkpoint is.
        let mut loaded = 0;
        for (key, count, rows) in STREAMS {
            // One statement, so both counts come from one snapshot.
            let both = ctx.query(&format!(
                "SELECT (SELECT count(*) FROM sluice_checkpoints WHERE stream_key = '{key}'), ({count})"
            ));
            let checkpoint: i64 = both[0][0].parse().expect("a number");
            let present: i64 = both[0][1].parse().expect("a number");
            assert!(
                (checkpoint == 0 && present == 0) || (checkpoint == 1 && present == rows),
                "trial {trial}, killed after {kill_after:?}: {key} has {present} rows and {checkpoint} checkpoint"
            );
            loaded += checkpoint;
        }
        if (1..3).contains(&loaded) {
            partial_states += 1;
        }

        let resumed = run().output().expect("run");
        assert!(
            resumed.status.success(),
            "trial {trial}: {}",
            stderr(&resumed)
        );
        assert_eq!(
            content(&ctx),
            expected,
            "trial {trial}: the resumed load differs"
        );
        assert_eq!(ctx.count("SELECT count(*) FROM teams"), 79);
        assert_eq!(ctx.count("SELECT count(*) FROM competitions"), 2);
    }
    // The kills must have landed between batches at least once, or the test
    // proved nothing about them.
    assert!(
        partial_states > 0,
        "no kill landed between batches in {TRIALS} trials"
    );
    // Every run that finished balances.
    let unbalanced = ctx.count(
        "SELECT count(*) FROM sluice_runs WHERE status <> 'running' \
         AND records_in <> inserted + updated + unchanged + duplicates + quarantined",
    );
    assert_eq!(unbalanced, 0);
}

/// Waits until no other session of the test database is running a
/// statement, so the counts below see a state that no longer changes.
fn settle(ctx: &TestContext) {
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let busy = ctx.count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state NOT IN ('idle', 'idle in transaction')",
        );
        if busy == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "a killed load's statement still runs after 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Every event's content, in order.
fn content(ctx: &TestContext) -> Vec<Vec<String>> {
    ctx.query(
        "SELECT provider_id, competition, home_team, away_team, kickoff, status, home_score, away_score, \
         home_score_extra_time, away_score_extra_time, home_score_penalties, away_score_penalties \
         FROM events ORDER BY provider_id",
    )
}

/// Back to an empty load: canonical rows and checkpoints go, runs and the
/// archive stay.
fn wipe(ctx: &TestContext) {
    for table in ["events", "teams", "competitions", "sluice_checkpoints"] {
        ctx.query(&format!("DELETE FROM {table}"));
    }
}
