#!/usr/bin/env bash
# make bench-crm: per-user CRM features from N generated transactions,
# computed by sluice (pushed down into PostgreSQL) and by its peers on the
# same data in the same run (pandas reading the table, Polars and DuckDB
# reading it as Parquet, 2 threads each), outputs checked equal.
#
#   scripts/bench-crm.sh SLUICE_BINARY POSTGRES_URL
#
# SLUICE_BENCH_CRM_TRANSACTIONS (default 10000000) and
# SLUICE_BENCH_CRM_USERS (default 500000) set the size.
# The peers are installed from PyPI into target/bench-tools/crm when missing.
set -euo pipefail

sluice=${1:?usage: scripts/bench-crm.sh SLUICE_BINARY POSTGRES_URL}
url=${2:?usage: scripts/bench-crm.sh SLUICE_BINARY POSTGRES_URL}
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/bench-tools/crm"
packages=(pandas polars duckdb pyarrow sqlalchemy psycopg2-binary)

if ! "$venv/bin/python" -c "import pandas, polars, duckdb, pyarrow, sqlalchemy, psycopg2" 2>/dev/null; then
	echo "bench-crm: installing ${packages[*]} from PyPI into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi
command -v psql >/dev/null || { echo "bench-crm needs psql (Debian: apt-get install postgresql-client)" >&2; exit 1; }

exec "$venv/bin/python" "$root/scripts/bench_crm.py" "$sluice" "$url"
