#!/usr/bin/env bash
# Prints the URL of a PostgreSQL server the tests may create databases on:
#   1. $SLUICE_TEST_POSTGRES when set;
#   2. the local server on 127.0.0.1:5432 (user postgres) when it answers;
#   3. otherwise a throwaway cluster, started from the local PostgreSQL
#      binaries (initdb, pg_ctl) under target/postgres on port 55432.
# Fails, saying how to get PostgreSQL, when none of these is possible.
set -euo pipefail

if [ -n "${SLUICE_TEST_POSTGRES:-}" ]; then
	echo "$SLUICE_TEST_POSTGRES"
	exit 0
fi

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if answers 5432; then
	echo "postgres://postgres@127.0.0.1:5432/postgres"
	exit 0
fi

port=55432
url="postgres://postgres@127.0.0.1:$port/postgres"
if answers "$port"; then
	echo "$url"
	exit 0
fi

bin=""
for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent)")" /usr/lib/postgresql/*/bin; do
	if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bin=$candidate; break; fi
done
if [ -z "$bin" ]; then
	echo "make test needs PostgreSQL and found no server on 127.0.0.1:5432 and no initdb/pg_ctl to start one." >&2
	echo "Install it (Debian/Ubuntu: apt-get install postgresql) or set SLUICE_TEST_POSTGRES=postgres://USER@HOST:PORT/DB." >&2
	exit 1
fi

dir="$(pwd)/target/postgres"
mkdir -p "$dir"
# PostgreSQL refuses to run as root: run it as the postgres user when root.
as_owner=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	chown -R postgres "$dir"
	as_owner=(runuser -u postgres --)
fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
	"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1 \
		|| { echo "initdb failed; see $dir/initdb.log" >&2; exit 1; }
fi
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off" start >/dev/null \
	|| { echo "pg_ctl could not start PostgreSQL; see $dir/server.log" >&2; exit 1; }
echo "$url"
