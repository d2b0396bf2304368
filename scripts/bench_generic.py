"""`make bench-generic`: a generated file into PostgreSQL by `psql \\copy`
(the floor), by sluice's file source and by dlt's filesystem source.

    python bench_generic.py SLUICE_BINARY POSTGRES_URL

Generates SLUICE_BENCH_GENERIC_ROWS rows (default 5,000,000), seed 7: an
id, two text columns (some quoted, with commas, quotes and non-ASCII
letters; a few nulls), a decimal, a float, a timestamp and a boolean, as a
CSV file and the same rows as a Parquet file (Snappy, pyarrow's default).
Then, into a fresh database `sluice_bench_generic` of the server at
POSTGRES_URL, times each load as its own process (wall seconds, peak RSS
from wait4): `psql \\copy` of the CSV file, `sluice run` of a pipeline whose
file source reads the CSV file and then the Parquet file (write =
"append"), and dlt's filesystem source with its `read_csv` and
`read_parquet` readers (dlt's defaults otherwise). Every table must hold
the generated row count. The figures include the PostgreSQL server's work;
the peak RSS is the loading process's alone.

    python bench_generic.py --dlt FORMAT FILE POSTGRES_URL WORK

is one dlt load, run by the bench as a separate process.
"""

import csv
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SEED = 7
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = Path(os.environ.get("SLUICE_BENCH_GENERIC_WORK", ROOT / "target" / "bench-generic"))
DATABASE = "sluice_bench_generic"
CATEGORIES = ["retail", "wholesale", "online", "partner", "café", "b2b", "trial", "other"]
COLUMNS = [
    ("id", "int", "BIGINT"),
    ("name", "text", "TEXT"),
    ("category", "text", "TEXT"),
    ("amount", "decimal", "NUMERIC"),
    ("score", "float", "DOUBLE PRECISION"),
    ("created_at", "timestamp", "TIMESTAMPTZ"),
    ("active", "bool", "BOOLEAN"),
]


def database_url(server_url, name):
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def generate_csv(path, rows):
    """Writes `rows` seeded rows; the writer quotes what needs quoting."""
    rng = random.Random(SEED)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow([c[0] for c in COLUMNS])
        for i in range(1, rows + 1):
            r = rng.random()
            if i % 97 == 0:
                name = f'O"Neil, {i} & Søn'
            elif i % 89 == 0:
                name = f"Zoë {i}\tsecond line"
            else:
                name = f"customer {rng.randrange(1_000_000)}"
            category = "" if r < 0.02 else CATEGORIES[int(r * 1000) % len(CATEGORIES)]
            cents = rng.randrange(-100_000, 10_000_000)
            amount = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
            score = "" if r > 0.99 else repr(round(rng.random() * 100, 6))
            at = start + timedelta(seconds=rng.randrange(0, 365 * 86400))
            active = "" if 0.5 < r < 0.51 else ("true" if rng.random() < 0.7 else "false")
            out.writerow([i, name, category, amount, score, at.strftime("%Y-%m-%d %H:%M:%S"), active])
    tmp.rename(path)


def generate_parquet(csv_path, path):
    """The CSV file's rows as typed Parquet (Snappy), streamed in blocks."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    types = {
        "id": pa.int64(), "name": pa.string(), "category": pa.string(),
        "amount": pa.decimal128(12, 2), "score": pa.float64(),
        "created_at": pa.timestamp("us"), "active": pa.bool_(),
    }
    reader = pacsv.open_csv(
        csv_path,
        read_options=pacsv.ReadOptions(block_size=16 << 20),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False,
            timestamp_parsers=["%Y-%m-%d %H:%M:%S"]),
    )
    tmp = path.with_suffix(".tmp")
    # The file's times are UTC: read as naive, stored as UTC instants.
    schema = pa.schema([(name, types[name]) for name, _, _ in COLUMNS])
    schema = schema.set(5, pa.field("created_at", pa.timestamp("us", tz="UTC")))
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    tmp.rename(path)


def measured(label, cmd, env=None):
    """Runs cmd; returns (seconds, peak RSS in MiB); fails loudly on error."""
    log = WORK / f"{label}.log"
    with open(log, "w") as out:
        started = time.monotonic()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-generic: {label} failed:\n{log.read_text()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def sql(url, statement):
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
        result = cur.fetchall() if cur.description else None
    conn.close()
    return result


def run_dlt(fmt, path, url, work):
    """One dlt load of `path` (csv or parquet) into schema dlt_FORMAT."""
    import dlt
    from dlt.sources.filesystem import filesystem, read_csv, read_parquet

    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    parts = urlsplit(url)
    if parts.password is None:
        # dlt insists on a password; a server with trust auth ignores it.
        user, host = parts.netloc.rsplit("@", 1) if "@" in parts.netloc else ("postgres", parts.netloc)
        url = urlunsplit((parts.scheme, f"{user}:unused@{host}", parts.path, parts.query, parts.fragment))
    path = Path(path)
    files = filesystem(bucket_url=path.parent.as_uri(), file_glob=path.name)
    reader = read_csv() if fmt == "csv" else read_parquet()
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_generic_{fmt}",
        pipelines_dir=str(Path(work) / "dlt"),
        destination=dlt.destinations.postgres(url),
        dataset_name=f"dlt_{fmt}",
    )
    info = pipeline.run((files | reader).with_name("rows"))
    print(info)


def main():
    if sys.argv[1] == "--dlt":
        run_dlt(*sys.argv[2:6])
        return
    sluice, server = sys.argv[1], sys.argv[2]
    rows = int(os.environ.get("SLUICE_BENCH_GENERIC_ROWS", "5000000"))
    WORK.mkdir(parents=True, exist_ok=True)
    csv_path = WORK / f"rows-{rows}-seed{SEED}.csv"
    parquet_path = WORK / f"rows-{rows}-seed{SEED}.parquet"
    print(f"bench-generic: {rows:,} rows, seed {SEED}")
    if not csv_path.exists():
        started = time.monotonic()
        generate_csv(csv_path, rows)
        print(f"  generated the CSV file in {time.monotonic() - started:.1f} s")
    if not parquet_path.exists():
        generate_parquet(csv_path, parquet_path)
    print(f"  CSV {csv_path.stat().st_size / 2**20:.0f} MiB, "
          f"Parquet (Snappy) {parquet_path.stat().st_size / 2**20:.0f} MiB")

    url = database_url(server, DATABASE)
    sql(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    sql(server, f"CREATE DATABASE {DATABASE}")
    ddl = ", ".join(f"{name} {pg}" for name, _, pg in COLUMNS)
    sql(url, f"CREATE TABLE copy_csv ({ddl})")

    columns = ",\n".join(f'  {{ name = "{n}", type = "{t}" }}' for n, t, _ in COLUMNS)
    config = WORK / "sluice-generic.toml"
    text = f'database = "{url}"\n'
    for fmt, path in [("csv", csv_path), ("parquet", parquet_path)]:
        text += f"\n[tables.loaded_{fmt}]\ncolumns = [\n{columns},\n]\n"
        text += (f'\n[[pipelines.{fmt}.sources]]\ntable = "loaded_{fmt}"\n'
                 f'path = "{path}"\nwrite = "append"\n')
    config.write_text(text)

    env = dict(os.environ, PGTZ="UTC")
    results = []  # (tool, format, table, seconds, rss)
    seconds, rss = measured("psql-copy", [
        "psql", url, "-v", "ON_ERROR_STOP=1", "-c",
        f"\\copy copy_csv FROM '{csv_path}' WITH (FORMAT csv, HEADER true)",
    ], env=env)
    results.append(("psql \\copy", "CSV", "copy_csv", seconds, rss))
    for fmt in ["csv", "parquet"]:
        seconds, rss = measured(f"sluice-{fmt}", [
            sluice, "run", "--config", str(config), "--pipeline", fmt,
        ], env=env)
        results.append(("sluice", fmt.upper() if fmt == "csv" else "Parquet",
                        f"loaded_{fmt}", seconds, rss))
    for fmt, path in [("csv", csv_path), ("parquet", parquet_path)]:
        seconds, rss = measured(f"dlt-{fmt}", [
            sys.executable, __file__, "--dlt", fmt, str(path), url, str(WORK),
        ], env=env)
        results.append(("dlt filesystem", fmt.upper() if fmt == "csv" else "Parquet",
                        f"dlt_{fmt}.rows", seconds, rss))

    counts = {table: sql(url, f"SELECT count(*) FROM {table}")[0][0] for _, _, table, _, _ in results}
    floor = results[0][3]
    dlt_seconds = {fmt: s for tool, fmt, _, s, _ in results if tool == "dlt filesystem"}
    ratio = "x \\copy"
    print(f"\n  {'tool':<16} {'format':<8} {'seconds':>8} {'rows/s':>11} {ratio:>8} "
          f"{'dlt / it':>9} {'peak RSS':>10}  rows")
    for tool, fmt, table, seconds, rss in results:
        vs_dlt = f"{dlt_seconds[fmt] / seconds:>8.1f}x" if tool != "dlt filesystem" and fmt in dlt_seconds else f"{'':>9}"
        print(f"  {tool:<16} {fmt:<8} {seconds:>8.2f} {rows / seconds:>11,.0f} {seconds / floor:>7.2f}x "
              f"{vs_dlt} {rss:>6.0f} MiB  {counts[table]:,}")
    print("  x \\copy: seconds over psql \\copy's of the CSV file; dlt / it: dlt's seconds on the"
          " same format over the tool's")
    wrong = {t: c for t, c in counts.items() if c != rows}
    if wrong:
        sys.exit(f"bench-generic: row counts differ from {rows:,}: {wrong}")


if __name__ == "__main__":
    main()
