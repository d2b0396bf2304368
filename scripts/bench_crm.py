"""`make bench-crm`: sluice's per-user CRM features against pandas, Polars
and DuckDB, on the same generated transactions in the same run.

    python bench_crm.py SLUICE_BINARY POSTGRES_URL

Generates SLUICE_BENCH_CRM_TRANSACTIONS transactions (default 10,000,000)
of SLUICE_BENCH_CRM_USERS users (default 500,000), seed 7, twice with
`sluice crm generate`: into a database `sluice_bench_crm` of the server at
POSTGRES_URL, and into a Parquet file (the two checksums must agree: the
same rows); vacuums and checkpoints the table and syncs the files, so no
tool is timed against autovacuum, the checkpointer or write-back. Then
times each tool as its own process (wall seconds and peak RSS from wait4;
a tool done in under 15 s runs SLUICE_BENCH_CRM_RUNS times, default 3, and
the median is shown): sluice reading the table (PostgreSQL streams the counted
transactions by binary COPY; sluice folds them per user) into the features
table and into a Parquet file, sluice reading the Parquet file, pandas reading the whole table with
`read_sql` (the pandas way of today), and pandas, Polars and DuckDB reading
the same file with 2 threads each; and checks that every tool's favourite
game, transactions, deposits, RFM scores and segment agree with sluice's
for every user. Every sluice run computes and writes all 50 columns; the
peers write 8 of them to a CSV file. The figures of runs reading the
table include the PostgreSQL server's work; their peak RSS is the client
process's.
"""

import csv
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

SEED = 7
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = Path(os.environ.get("SLUICE_BENCH_CRM_WORK", ROOT / "target" / "bench-crm"))
DATABASE = "sluice_bench_crm"
# Tools faster than this run RUNS times and report the median: one run of
# a few seconds moves by a tenth between runs on a shared machine.
SLOW_SECONDS = 15


def database_url(server_url, name):
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def measured(label, cmd, env=None):
    """Runs cmd; returns (seconds, peak RSS in MiB); fails loudly on error."""
    log = WORK / f"{label}.log"
    with open(log, "w") as out:
        started = time.monotonic()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-crm: {label} failed:\n{log.read_text()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def timed(label, cmd, runs):
    """The median seconds and the highest peak RSS of `runs` runs of cmd;
    a tool whose first run takes longer than SLOW_SECONDS runs once."""
    first = measured(label, cmd)
    results = [first]
    if first[0] < SLOW_SECONDS:
        results += [measured(label, cmd) for _ in range(runs - 1)]
    seconds = statistics.median(r[0] for r in results)
    return seconds, max(r[1] for r in results), len(results)


def admin(server_url, sql):
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def read_csv(path):
    with open(path, newline="") as f:
        return {row["user_id"]: row for row in csv.DictReader(f)}


def sluice_rows(url, table):
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT user_id, favorite_game_type, total_transactions, "
            "CAST(total_deposits * 100 AS bigint), recency_score, frequency_score, "
            f"monetary_score, rfm_segment FROM {table}"
        )
        rows = cur.fetchall()
    conn.close()
    keys = ["user_id", "favorite_game_type", "total_transactions", "deposits_cents",
            "recency_score", "frequency_score", "monetary_score", "rfm_segment"]
    return {
        str(r[0]): {k: ("" if v is None else str(v)) for k, v in zip(keys, r)} for r in rows
    }


def parquet_rows(path):
    """The compared columns of the features file sluice wrote."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=[
        "user_id", "favorite_game_type", "total_transactions", "total_deposits",
        "recency_score", "frequency_score", "monetary_score", "rfm_segment"]).to_pylist()
    rows = {}
    for r in table:
        r["deposits_cents"] = int(r.pop("total_deposits") * 100)
        rows[r["user_id"]] = {k: ("" if v is None else str(v)) for k, v in r.items()}
    return rows


def mismatches(expected, got):
    """Users whose compared features differ, with a few examples."""
    wrong = []
    for user, row in expected.items():
        other = got.get(user)
        if other is None:
            wrong.append(f"user {user}: missing")
            continue
        for key, value in row.items():
            theirs = other.get(key, "")
            if key.endswith("_score") or key in ("total_transactions", "deposits_cents"):
                equal = theirs != "" and int(float(theirs)) == int(value)
            else:
                equal = theirs == value
            if not equal:
                wrong.append(f"user {user}: {key} sluice {value!r}, peer {theirs!r}")
                break
    wrong.extend(f"user {u}: not in sluice's output" for u in got.keys() - expected.keys())
    return wrong


def main():
    sluice, server = sys.argv[1], sys.argv[2]
    transactions = int(os.environ.get("SLUICE_BENCH_CRM_TRANSACTIONS", "10000000"))
    users = int(os.environ.get("SLUICE_BENCH_CRM_USERS", "500000"))
    runs = max(1, int(os.environ.get("SLUICE_BENCH_CRM_RUNS", "3")))
    WORK.mkdir(parents=True, exist_ok=True)
    url = database_url(server, DATABASE)
    admin(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin(server, f"CREATE DATABASE {DATABASE}")
    print(f"bench-crm: {transactions:,} transactions of {users:,} users, seed {SEED}")

    checksums = {}
    parquet = WORK / "transactions.parquet"
    for label, place in [("PostgreSQL", ["--into", url]),
                         ("Parquet", ["--format", "parquet", "--out", str(parquet), "--replace"])]:
        seconds, _ = measured("generate", [
            sluice, "crm", "generate", "--users", str(users), "--transactions", str(transactions),
            "--seed", str(SEED), *place,
        ])
        line = (WORK / "generate.log").read_text().strip().splitlines()[-1]
        checksums[label] = line.rsplit("checksum ", 1)[-1].rstrip(")")
        print(f"  generated into {label} in {seconds:.1f} s: {line}")
    if len(set(checksums.values())) != 1:
        sys.exit(f"bench-crm: the table and the file hold different rows: {checksums}")
    print(f"  Parquet file: {parquet.stat().st_size / 2**20:.0f} MiB, same checksum as the table")
    # The table as a day-old transactions table is: vacuumed (hint bits
    # set, nothing left for autovacuum to do while the tools are timed)
    # and checkpointed, so no tool pays for the load's aftermath.
    started = time.monotonic()
    admin(url, "VACUUM (FREEZE, ANALYZE) transactions")
    admin(url, "CHECKPOINT")
    # The generated file and the table's files written out, so the first
    # tool timed does not share the machine with their write-back.
    os.sync()
    print(f"  table vacuumed and checkpointed, files synced in {time.monotonic() - started:.1f} s")

    def config(name, target, extra=""):
        path = WORK / name
        path.write_text(
            f'database = "{url}"\n\n[crm.features]\nsource = "transactions"\n'
            f'target = "{target}"\nwrite = "replace"\n'
            'reference_date = "2025-06-30"\ntime_zone = "UTC"\n' + extra
        )
        return path

    table_to_table, table_to_file = "sluice (PostgreSQL to table)", "sluice (PostgreSQL to Parquet)"
    from_file, file_to_file = "sluice (Parquet to table)", "sluice (Parquet to Parquet)"
    features_file = WORK / "features.parquet"
    table_features_file = WORK / "features-from-table.parquet"
    results = {}
    results[table_to_table] = timed("sluice", [
        sluice, "crm", "features", "--config", str(config("crm.toml", "ml_features.user_features")),
    ], runs)
    results[table_to_file] = timed("sluice-table-file", [
        sluice, "crm", "features", "--config", str(WORK / "crm.toml"),
        "--target-file", str(table_features_file),
    ], runs)
    results[from_file] = timed("sluice-parquet", [
        sluice, "crm", "features", "--config",
        str(config("crm-parquet.toml", "ml_features.user_features_parquet",
                   f'source_file = "{parquet}"\n')),
    ], runs)
    results[file_to_file] = timed("sluice-parquet-file", [
        sluice, "crm", "features", "--config", str(WORK / "crm-parquet.toml"),
        "--target-file", str(features_file),
    ], runs)
    peers = [("pandas (Parquet, pyarrow)", "pandas"),
             ("Polars (Parquet, 2 threads)", "polars"),
             ("DuckDB (Parquet, 2 threads)", "duckdb")]
    # The pandas way of today: every transaction read from the table.
    peers.insert(0, ("pandas (PostgreSQL, read_sql)", "pandas-sql"))
    for label, peer in peers:
        out = WORK / f"{peer}.csv"
        source = url if peer == "pandas-sql" else str(parquet)
        results[label] = timed(peer, [sys.executable, str(HERE / "bench_crm_peers.py"), peer, source, str(out)], runs)
    # Outputs are read only now, so no tool is forked from a grown process.
    expected = sluice_rows(url, "ml_features.user_features")
    checks = {}
    wrong = mismatches(expected, sluice_rows(url, "ml_features.user_features_parquet"))
    checks[from_file] = "same output (all 50 columns written)" if not wrong else f"{len(wrong)} users differ, e.g. {wrong[0]}"
    wrong = mismatches(expected, parquet_rows(table_features_file))
    checks[table_to_file] = "same output (all 50 columns written)" if not wrong else f"{len(wrong)} users differ, e.g. {wrong[0]}"
    wrong = mismatches(expected, parquet_rows(features_file))
    checks[file_to_file] = "same output (all 50 columns written)" if not wrong else f"{len(wrong)} users differ, e.g. {wrong[0]}"
    for label, peer in peers:
        wrong = mismatches(expected, read_csv(WORK / f"{peer}.csv"))
        checks[label] = "same output" if not wrong else f"{len(wrong)} users differ, e.g. {wrong[0]}"

    base = results[file_to_file][0]
    print(f"\n  {len(expected):,} users; compared per user: favourite game, transactions, deposits,"
          " recency/frequency/monetary scores, segment")
    print(f"  {'tool':<30} {'seconds':>8} {'runs':>4} {'peak RSS':>10} {'x sluice (Parquet)':>19}  output")
    for label, (seconds, rss, count) in results.items():
        check = checks.get(label, "reference (all 50 columns written)")
        print(f"  {label:<30} {seconds:>8.2f} {count:>4} {rss:>7.0f} MiB {seconds / base:>18.2f}x  {check}")
    seconds = {label: r[0] for label, r in results.items()}
    print(f"\n  from the table:  pandas (read_sql) / sluice (PostgreSQL to Parquet) = "
          f"{seconds['pandas (PostgreSQL, read_sql)'] / seconds[table_to_file]:.2f}x (goal >= 10x)")
    print(f"  from the file:   pandas (pyarrow) / sluice (Parquet to Parquet) = "
          f"{seconds['pandas (Parquet, pyarrow)'] / seconds[file_to_file]:.2f}x, "
          f"DuckDB / sluice = {seconds['DuckDB (Parquet, 2 threads)'] / seconds[file_to_file]:.2f}x (goal >= 1x)")
    if any(not c.startswith("same output") for c in checks.values()):
        sys.exit("bench-crm: outputs differ")


if __name__ == "__main__":
    main()
