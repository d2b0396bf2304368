#!/usr/bin/env bash
# Runs the demo pipeline twice against the bundled replay provider: the first
# run loads football-data.org recordings into sluice.db, the second finds
# nothing to change.
set -euo pipefail
sluice=${1:-target/debug/sluice}
addr=127.0.0.1:18321

"$sluice" replay-provider --dir examples/replay/football-data --addr "$addr" &
replay=$!
trap 'kill $replay 2>/dev/null || true' EXIT

# Wait for the replay provider to accept connections (10 s at most).
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then break; fi
	if ! kill -0 "$replay" 2>/dev/null; then echo "the replay provider did not start" >&2; exit 1; fi
	sleep 0.1
done

echo "== first run"
"$sluice" run --config examples/demo.toml --pipeline demo
echo
echo "== second run: the same data again"
"$sluice" run --config examples/demo.toml --pipeline demo
echo
echo "Query it: sqlite3 sluice.db \"SELECT home_team_name, away_team_name, home_score, away_score, home_score_penalties, away_score_penalties FROM events WHERE home_score_penalties IS NOT NULL\""
