"""`make bench-crm`: sluice's per-user CRM features against pandas, Polars
and DuckDB, on the same generated transactions in the same run.

    python bench_crm.py SLUICE_BINARY POSTGRES_URL

Generates SLUICE_BENCH_CRM_TRANSACTIONS transactions (default 10,000,000)
of SLUICE_BENCH_CRM_USERS users (default 500,000), seed 7, into a database
`sluice_bench_crm` of the server at POSTGRES_URL, exports them as Parquet
(psql \\copy to CSV, then DuckDB), then times each tool as its own process
(wall seconds and peak RSS from wait4) and checks that every tool's
favourite game, transactions, deposits, RFM scores and segment agree with
sluice's for every user. sluice's figure includes the PostgreSQL server's
work (the aggregation runs there); its peak RSS is the sluice process's.
"""

import csv
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

SEED = 7
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / "target" / "bench-crm"
DATABASE = "sluice_bench_crm"


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


def admin(server_url, sql):
    conn = psycopg2.connect(server_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def read_csv(path):
    with open(path, newline="") as f:
        return {row["user_id"]: row for row in csv.DictReader(f)}


def sluice_rows(url):
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT user_id, favorite_game_type, total_transactions, "
            "CAST(total_deposits * 100 AS bigint), recency_score, frequency_score, "
            "monetary_score, rfm_segment FROM ml_features.user_features"
        )
        rows = cur.fetchall()
    conn.close()
    keys = ["user_id", "favorite_game_type", "total_transactions", "deposits_cents",
            "recency_score", "frequency_score", "monetary_score", "rfm_segment"]
    return {
        str(r[0]): {k: ("" if v is None else str(v)) for k, v in zip(keys, r)} for r in rows
    }


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
    WORK.mkdir(parents=True, exist_ok=True)
    url = database_url(server, DATABASE)
    admin(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    admin(server, f"CREATE DATABASE {DATABASE}")
    print(f"bench-crm: {transactions:,} transactions of {users:,} users, seed {SEED}")

    seconds, _ = measured("generate", [
        sluice, "crm", "generate", "--users", str(users), "--transactions", str(transactions),
        "--seed", str(SEED), "--into", url,
    ])
    print(f"  generated into PostgreSQL in {seconds:.1f} s: "
          + (WORK / "generate.log").read_text().strip().splitlines()[-1])

    csv_file, parquet = WORK / "transactions.csv", WORK / "transactions.parquet"
    started = time.monotonic()
    subprocess.run(["psql", "--no-psqlrc", "-q", url, "-c",
                    f"\\copy transactions TO '{csv_file}' (FORMAT csv)"], check=True)
    # In a process of its own, so this one stays small: a child's peak RSS
    # counts the parent's pages it was forked with.
    subprocess.run([sys.executable, "-c", f"""import duckdb
duckdb.execute("SET enable_progress_bar = false")
duckdb.sql(\"\"\"COPY (SELECT * FROM read_csv('{csv_file}', header = false, columns = {{
    'transaction_id': 'UUID', 'user_id': 'BIGINT', 'amount': 'DECIMAL(10,2)',
    'transaction_type': 'VARCHAR', 'status': 'VARCHAR', 'created_at': 'TIMESTAMPTZ',
    'game_type': 'VARCHAR'}}))
    TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)\"\"\")"""], check=True)
    csv_file.unlink()
    print(f"  exported as Parquet ({parquet.stat().st_size / 2**20:.0f} MiB) "
          f"in {time.monotonic() - started:.1f} s")

    config = WORK / "crm.toml"
    config.write_text(
        f'database = "{url}"\n\n[crm.features]\nsource = "transactions"\n'
        'target = "ml_features.user_features"\nwrite = "replace"\n'
        'reference_date = "2025-06-30"\ntime_zone = "UTC"\n'
    )
    results = {}
    results["sluice (PostgreSQL pushdown)"] = measured(
        "sluice", [sluice, "crm", "features", "--config", str(config)]
    )
    peers = [("pandas (read_sql + groupby)", "pandas", url),
             ("Polars (Parquet, 2 threads)", "polars", str(parquet)),
             ("DuckDB (Parquet, 2 threads)", "duckdb", str(parquet))]
    for label, peer, source in peers:
        out = WORK / f"{peer}.csv"
        results[label] = measured(peer, [sys.executable, str(HERE / "bench_crm_peers.py"), peer, source, str(out)])
    # Outputs are read only now, so no tool is forked from a grown process.
    expected = sluice_rows(url)
    checks = {}
    for label, peer, _ in peers:
        wrong = mismatches(expected, read_csv(WORK / f"{peer}.csv"))
        checks[label] = "same output" if not wrong else f"{len(wrong)} users differ, e.g. {wrong[0]}"

    base = results["sluice (PostgreSQL pushdown)"][0]
    print(f"\n  {len(expected):,} users; compared per user: favourite game, transactions, deposits,"
          " recency/frequency/monetary scores, segment")
    print(f"  {'tool':<30} {'seconds':>8} {'peak RSS':>10} {'time / sluice':>14}  output")
    for label, (seconds, rss) in results.items():
        check = checks.get(label, "reference (all 50 columns written)")
        print(f"  {label:<30} {seconds:>8.2f} {rss:>7.0f} MiB {seconds / base:>13.2f}x  {check}")
    if any(c != "same output" for c in checks.values()):
        sys.exit("bench-crm: outputs differ")


if __name__ == "__main__":
    main()
