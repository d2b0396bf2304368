#!/usr/bin/env bash
# The two-provider demo: one Bundesliga season from openfootball and from
# API-Football (recorded, served by the bundled replay provider) into
# bundesliga.db, linked into one canonical match per real match.
set -euo pipefail
sluice=${1:-target/debug/sluice}
addr=127.0.0.1:18322

"$sluice" replay-provider --dir examples/replay/bundesliga-2023-24 --addr "$addr" &
replay=$!
trap 'kill $replay 2>/dev/null || true' EXIT

# Wait for the replay provider to accept connections (10 s at most).
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then break; fi
	if ! kill -0 "$replay" 2>/dev/null; then echo "the replay provider did not start" >&2; exit 1; fi
	sleep 0.1
done

rm -f bundesliga.db
"$sluice" run --config examples/bundesliga.toml --pipeline bundesliga

links="SELECT provider, provider_id, home_team, away_team, kickoff, method FROM event_links WHERE canonical_id = (SELECT canonical_id FROM provider_ids WHERE kind = 'event' AND provider = 'api-football' AND provider_id = '1049115') ORDER BY provider"
canonical="SELECT home_team_name, away_team_name, kickoff, status, home_score, away_score, venue, status_from, providers FROM canonical_events WHERE canonical_id = (SELECT canonical_id FROM provider_ids WHERE kind = 'event' AND provider = 'api-football' AND provider_id = '1049115')"
counts="SELECT providers, count(*) AS matches FROM canonical_events GROUP BY providers"
if command -v sqlite3 >/dev/null; then
	echo
	echo "== Bayern v Dortmund as each provider has it (event_links)"
	sqlite3 -header -column bundesliga.db "$links"
	echo
	echo "== the one canonical match (canonical_events)"
	sqlite3 -header -column bundesliga.db "$canonical"
	echo
	echo "== matches by number of providers"
	sqlite3 -header -column bundesliga.db "$counts"
else
	echo
	echo "Query it with any SQLite client (sqlite3 is not installed):"
	printf '  %s;\n' "$links" "$canonical" "$counts"
fi
