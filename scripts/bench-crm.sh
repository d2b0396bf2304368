#!/usr/bin/env bash
# make bench-crm: per-user CRM features from N generated transactions,
# computed by sluice (pushed down into PostgreSQL, and from a Parquet file)
# and by its peers on the same data in the same run (pandas, Polars and
# DuckDB reading the same Parquet file, 2 threads each), outputs checked
# equal.
#
#   scripts/bench-crm.sh SLUICE_BINARY POSTGRES_URL
#
# SLUICE_BENCH_CRM_TRANSACTIONS (default 10000000) and
# SLUICE_BENCH_CRM_USERS (default 500000) set the size.
# The peers are installed from PyPI into target/bench-tools/crm (under
# CARGO_TARGET_DIR when set) when missing. SLUICE_BENCH_CRM_WORK names the
# folder of the generated file and the outputs (default target/bench-crm).
set -euo pipefail

sluice=${1:?usage: scripts/bench-crm.sh SLUICE_BINARY POSTGRES_URL}
url=${2:?usage: scripts/bench-crm.sh SLUICE_BINARY POSTGRES_URL}
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/bench-tools/crm"
packages=(pandas polars duckdb pyarrow psycopg2-binary)

if ! "$venv/bin/python" -c "import pandas, polars, duckdb, pyarrow, psycopg2" 2>/dev/null; then
	echo "bench-crm: installing ${packages[*]} from PyPI into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi

exec "$venv/bin/python" "$root/scripts/bench_crm.py" "$sluice" "$url"
