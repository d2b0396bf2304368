//! Standings and incidents through a pipeline into their tables: a table
//! or an event's incidents sent again replace what was there (a team no
//! longer listed leaves the table; a cancelled goal leaves the incidents,
//! and the rest are renumbered), and an unchanged resend writes nothing.
//! API-Football's recorded Premier League 2022 table and two Champions
//! League ties decided on penalties; on SQLite and PostgreSQL.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{
    ReplayServer, TestContext, assert_ok, one_route_recordings, plugin_dir, repo_root, stdout,
};
use crate::on_both_databases;

fn recorded(case: &str) -> Value {
    let path = repo_root().join(format!(
        "plugins/api-football/fixtures/{case}/response.json"
    ));
    serde_json::from_slice(&std::fs::read(&path).expect("fixture")).expect("JSON")
}

/// A config with one api-football stream answered by `body` at `path`
/// (`query`), and the server answering, which must outlive the run.
fn config(
    ctx: &TestContext,
    dir: &str,
    (path, query): (&str, &str),
    (stream, params): (&str, &str),
    body: &Value,
) -> (PathBuf, ReplayServer) {
    let recordings = ctx.path(dir);
    one_route_recordings(
        &recordings,
        path,
        query,
        200,
        &serde_json::to_vec(body).expect("JSON"),
    );
    let server = ReplayServer::start(&recordings);
    let config = format!(
        "database = \"{db}\"\nplugin_dir = \"{plugins}\"\n\n[providers.api-football]\nplugin = \"api-football\"\nbase_url = \"{base}\"\n\n[[pipelines.p.streams]]\nprovider = \"api-football\"\nstream = \"{stream}\"\nparams = {{ {params} }}\n",
        db = ctx.database_url(),
        plugins = plugin_dir().display(),
        base = server.base_url(),
    );
    let file = ctx.path(&format!("{dir}.toml"));
    std::fs::write(&file, config).expect("config");
    (file, server)
}

fn standings_replace_their_table_and_an_unchanged_one_writes_nothing(ctx: TestContext) {
    let run = |dir: &str, body: &Value| {
        let league = "league = \"39\", season = \"2022\"";
        let (config, _server) = config(
            &ctx,
            dir,
            ("/standings", league),
            ("standings", league),
            body,
        );
        let out = ctx.run(&config, "p");
        assert_ok(&out);
        stdout(&out)
    };
    let table = recorded("standings-premier-league");
    run("first", &table);
    assert_eq!(ctx.count("SELECT count(*) FROM standings"), 60);
    assert_eq!(
        ctx.query(
            "SELECT split, rank, team_name, played, points, form FROM standings \
             WHERE team = '50' ORDER BY split"
        ),
        vec![
            vec!["away", "2", "Manchester City", "19", "37", "NULL"],
            vec!["home", "1", "Manchester City", "19", "52", "NULL"],
            vec!["total", "1", "Manchester City", "38", "89", "WWWDL"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );
    let before = ctx.query("SELECT max(updated_at) FROM standings");

    // The same table again: nothing written.
    run("again", &table);
    assert_eq!(ctx.query("SELECT max(updated_at) FROM standings"), before);

    // The table without its last team: that team leaves all three tables.
    let mut shorter = table.clone();
    let rows = shorter["response"][0]["league"]["standings"][0]
        .as_array_mut()
        .expect("the table's rows");
    let last = rows.pop().expect("a last row");
    run("shorter", &shorter);
    assert_eq!(ctx.count("SELECT count(*) FROM standings"), 57);
    assert_eq!(
        ctx.count(&format!(
            "SELECT count(*) FROM standings WHERE team = '{}'",
            last["team"]["id"]
        )),
        0
    );
}

on_both_databases!(standings_replace_their_table_and_an_unchanged_one_writes_nothing);

fn incidents_sent_again_replace_the_events_list(ctx: TestContext) {
    let run = |dir: &str, body: &Value| {
        let ids = "ids = \"1149523-1149519\"";
        let (config, _server) = config(&ctx, dir, ("/fixtures", ids), ("fixtures", ids), body);
        assert_ok(&ctx.run(&config, "p"));
    };
    let ties = recorded("cl-penalty-shootouts");
    run("first", &ties);
    assert_eq!(
        ctx.query(
            "SELECT event_id, count(*), max(seq) FROM incidents GROUP BY event_id ORDER BY event_id"
        ),
        vec![vec!["1149519", "29", "29"], vec!["1149523", "20", "20"]]
            .into_iter()
            .map(|r| r.into_iter().map(str::to_string).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        ctx.query(
            "SELECT incident_type, minute, player, related_player FROM incidents \
             WHERE event_id = '1149519' AND seq = 1"
        ),
        vec![
            vec!["goal", "33", "F. Dimarco", "N. Barella"]
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        ]
    );
    // Atlético won the shoot-out 3-2: three kicks scored each side of two.
    assert_eq!(
        ctx.query(
            "SELECT team, incident_type, count(*) FROM incidents WHERE event_id = '1149519' \
             AND incident_type LIKE 'shootout%' GROUP BY team, incident_type ORDER BY team, incident_type"
        ),
        vec![
            vec!["505", "shootout_goal", "2"],
            vec!["505", "shootout_miss", "3"],
            vec!["530", "shootout_goal", "3"],
            vec!["530", "shootout_miss", "1"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );

    // Dimarco's goal no longer listed (as after a VAR review): the event
    // keeps 28 incidents, numbered 1 to 28, Griezmann's goal first.
    let mut cancelled = ties.clone();
    let fixture = cancelled["response"]
        .as_array_mut()
        .expect("fixtures")
        .iter_mut()
        .find(|f| f["fixture"]["id"] == 1149519)
        .expect("the Atlético tie");
    fixture["events"].as_array_mut().expect("events").remove(0);
    run("cancelled", &cancelled);
    assert_eq!(
        ctx.query("SELECT count(*), max(seq) FROM incidents WHERE event_id = '1149519'"),
        vec![vec!["28".to_string(), "28".to_string()]]
    );
    assert_eq!(
        ctx.query("SELECT player FROM incidents WHERE event_id = '1149519' AND seq = 1"),
        vec![vec!["A. Griezmann".to_string()]]
    );
    assert_eq!(
        ctx.count("SELECT count(*) FROM incidents WHERE event_id = '1149523'"),
        20
    );
}

on_both_databases!(incidents_sent_again_replace_the_events_list);
