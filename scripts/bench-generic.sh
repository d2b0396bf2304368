#!/usr/bin/env bash
# make bench-generic: a generated file (CSV, and the same rows as Parquet)
# loaded into PostgreSQL by `psql \copy` (the floor), by `sluice run` with a
# file source, and by dlt's filesystem source, each a separate process
# timed in the same run, row counts checked equal.
#
#   scripts/bench-generic.sh SLUICE_BINARY POSTGRES_URL
#
# SLUICE_BENCH_GENERIC_ROWS (default 5000000) sets the size.
# dlt and pyarrow are installed from PyPI into target/bench-tools/generic
# (under CARGO_TARGET_DIR when set) when missing. SLUICE_BENCH_GENERIC_WORK
# names the folder of the generated files and logs (default
# target/bench-generic).
set -euo pipefail

sluice=${1:?usage: scripts/bench-generic.sh SLUICE_BINARY POSTGRES_URL}
url=${2:?usage: scripts/bench-generic.sh SLUICE_BINARY POSTGRES_URL}
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${CARGO_TARGET_DIR:-$root/target}/bench-tools/generic"
packages=("dlt[postgres,filesystem]" pyarrow pandas psycopg2-binary)

if ! "$venv/bin/python" -c "import dlt, pyarrow, pandas, psycopg2" 2>/dev/null; then
	echo "bench-generic: installing ${packages[*]} from PyPI into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi
command -v psql >/dev/null || {
	echo "bench-generic: psql not found (the \\copy floor needs PostgreSQL's client)" >&2
	exit 1
}

exec "$venv/bin/python" "$root/scripts/bench_generic.py" "$sluice" "$url"
