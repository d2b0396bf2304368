"""The peers of `make bench-crm`: the same per-user features computed the
way data teams do it today, each run as its own process so its time and
peak memory are its own.

    python bench_crm_peers.py pandas|pandas-sql|polars|duckdb SOURCE OUT.csv

SOURCE is the Parquet file `sluice crm generate --format parquet` wrote;
each tool reads the columns it needs with 2 threads (pandas through
pyarrow, its amounts cast from decimal to float there). For `pandas-sql`,
SOURCE is the PostgreSQL URL of the database holding the `transactions`
table, read whole with `pandas.read_sql` (the amounts cast to float8 by
the query): the way a pandas script pulls every transaction today. Each
computes, with sluice's definitions (completed transactions before the end
of the reference day, UTC): total transactions, deposits, the favourite
game (most bets, alphabetical on ties), days since the last active day,
the recency, frequency and monetary scores by linear-interpolated
quartiles, and the RFM segment; and writes them to OUT.csv.
"""

import os
import sys

os.environ.setdefault("POLARS_MAX_THREADS", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402

GAMES = ["casino", "crash", "poker", "slots", "sports"]
REFERENCE = "2025-06-30"
CUTOFF = "2025-07-01T00:00:00+00:00"
COLUMNS = [
    "user_id",
    "favorite_game_type",
    "total_transactions",
    "deposits_cents",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_segment",
]


def scores(recency, transactions, deposits):
    """Recency, frequency and monetary scores and the segment (numpy arrays)."""
    q = [0.25, 0.5, 0.75]
    qr = np.quantile(recency.astype(float), q)
    qf = np.quantile(transactions.astype(float), q)
    qm = np.quantile(deposits.astype(float), q)
    r = 1 + sum((recency < c).astype(int) for c in qr)
    f = 1 + sum((transactions > c).astype(int) for c in qf)
    m = 1 + sum((deposits > c).astype(int) for c in qm)
    fm = f + m
    segment = np.select(
        [(r == 4) & (fm >= 6), (r >= 3) & (fm >= 5), r >= 3, fm >= 5, r == 2],
        ["champions", "loyal", "potential", "at_risk", "hibernating"],
        default="lost",
    )
    return r, f, m, segment


def favourite(counts):
    """The game with the most bets per row, None without bets."""
    names = np.array(GAMES, dtype=object)
    best = names[counts.argmax(axis=1)]
    return np.where(counts.max(axis=1) > 0, best, None)


def with_pandas(parquet, out):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pa.set_cpu_count(2)
    pa.set_io_thread_count(2)
    table = pq.read_table(
        parquet,
        columns=["user_id", "amount", "transaction_type", "status", "created_at", "game_type"],
    )
    amount = table.column("amount")
    table = table.set_column(
        table.schema.get_field_index("amount"), "amount", pc.cast(amount, pa.float64())
    )
    df = table.to_pandas()
    del table
    pandas_features(df, out)


def with_pandas_sql(url, out):
    import warnings

    import pandas as pd
    import psycopg2

    conn = psycopg2.connect(url)
    with warnings.catch_warnings():
        # pandas asks for SQLAlchemy; a DBAPI connection reads the same rows.
        warnings.simplefilter("ignore", UserWarning)
        df = pd.read_sql(
            "SELECT user_id, amount::float8 AS amount, transaction_type, status, created_at, game_type"
            " FROM transactions",
            conn,
        )
    conn.close()
    df["created_at"] = pd.to_datetime(df.created_at, utc=True)
    pandas_features(df, out)


def pandas_features(df, out):
    """The features from every transaction in a DataFrame, grouped by pandas."""
    import pandas as pd

    df = df[
        (df.status == "completed")
        & df.user_id.notna()
        & (df.created_at < pd.Timestamp(CUTOFF))
    ]
    df = df.assign(user_id=df.user_id.astype("int64"))
    users = df.groupby("user_id")
    result = pd.DataFrame({"total_transactions": users.size()})
    deposits = df[df.transaction_type == "deposit"].groupby("user_id").amount.sum()
    result["deposits"] = deposits.reindex(result.index, fill_value=0.0)
    bets = df[df.transaction_type == "bet"]
    counts = (
        bets.groupby(["user_id", "game_type"], observed=True).size().unstack(fill_value=0)
        .reindex(columns=GAMES, fill_value=0)
        .reindex(result.index, fill_value=0)
    )
    result["favorite_game_type"] = favourite(counts.to_numpy())
    last_day = users.created_at.max().dt.tz_convert("UTC").dt.normalize()
    result["recency"] = (pd.Timestamp(REFERENCE, tz="UTC") - last_day).dt.days
    r, f, m, segment = scores(
        result.recency.to_numpy(), result.total_transactions.to_numpy(), result.deposits.to_numpy()
    )
    result = result.assign(
        deposits_cents=(result.deposits * 100).round().astype("int64"),
        recency_score=r,
        frequency_score=f,
        monetary_score=m,
        rfm_segment=segment,
    ).reset_index()
    result[COLUMNS].to_csv(out, index=False)


def with_polars(parquet, out):
    import datetime

    import polars as pl

    cutoff = datetime.datetime.fromisoformat(CUTOFF)
    reference = datetime.date.fromisoformat(REFERENCE)
    bet = pl.col("transaction_type") == "bet"
    users = (
        pl.scan_parquet(parquet)
        .filter(
            (pl.col("status") == "completed")
            & pl.col("user_id").is_not_null()
            & (pl.col("created_at") < cutoff)
        )
        .group_by("user_id")
        .agg(
            pl.len().alias("total_transactions"),
            pl.col("amount")
            .filter(pl.col("transaction_type") == "deposit")
            .sum()
            .cast(pl.Float64)
            .alias("deposits"),
            *[(bet & (pl.col("game_type") == g)).sum().alias(g) for g in GAMES],
            pl.col("created_at").max().dt.date().alias("last_day"),
        )
        .with_columns(
            (pl.lit(reference) - pl.col("last_day")).dt.total_days().alias("recency"),
            pl.col("deposits").fill_null(0.0),
        )
        .collect()
    )
    r, f, m, segment = scores(
        users["recency"].to_numpy(),
        users["total_transactions"].to_numpy(),
        users["deposits"].to_numpy(),
    )
    users = users.with_columns(
        pl.Series("favorite_game_type", favourite(users.select(GAMES).to_numpy()), dtype=pl.String),
        (pl.col("deposits") * 100).round().cast(pl.Int64).alias("deposits_cents"),
        pl.Series("recency_score", r),
        pl.Series("frequency_score", f),
        pl.Series("monetary_score", m),
        pl.Series("rfm_segment", segment.astype(str)),
    )
    users.select(COLUMNS).write_csv(out)


def with_duckdb(parquet, out):
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'UTC'")
    games = ", ".join(
        f"count(*) FILTER (WHERE transaction_type = 'bet' AND game_type = '{g}') AS {g}" for g in GAMES
    )
    most = "greatest(" + ", ".join(GAMES) + ")"
    favourite_case = " ".join(f"WHEN {g} = {most} THEN '{g}'" for g in GAMES)
    con.execute(
        f"""
        COPY (
        WITH users AS (
            SELECT user_id, count(*) AS total_transactions,
                coalesce(sum(amount) FILTER (WHERE transaction_type = 'deposit'), 0) AS deposits,
                {games},
                DATE '{REFERENCE}' - CAST(max(created_at) AS DATE) AS recency
            FROM read_parquet('{parquet}')
            WHERE status = 'completed' AND user_id IS NOT NULL
              AND created_at < TIMESTAMPTZ '{CUTOFF}'
            GROUP BY user_id
        ),
        q AS (
            SELECT quantile_cont(recency, [0.25, 0.5, 0.75]) AS qr,
                   quantile_cont(total_transactions, [0.25, 0.5, 0.75]) AS qf,
                   quantile_cont(CAST(deposits AS DOUBLE), [0.25, 0.5, 0.75]) AS qm
            FROM users
        ),
        scored AS (
            SELECT u.*,
                1 + CAST(recency < qr[1] AS INT) + CAST(recency < qr[2] AS INT) + CAST(recency < qr[3] AS INT) AS r,
                1 + CAST(total_transactions > qf[1] AS INT) + CAST(total_transactions > qf[2] AS INT)
                  + CAST(total_transactions > qf[3] AS INT) AS f,
                1 + CAST(deposits > qm[1] AS INT) + CAST(deposits > qm[2] AS INT) + CAST(deposits > qm[3] AS INT) AS m
            FROM users u, q
        )
        SELECT user_id,
            CASE WHEN {most} = 0 THEN NULL {favourite_case} END AS favorite_game_type,
            total_transactions,
            CAST(deposits * 100 AS BIGINT) AS deposits_cents,
            r AS recency_score, f AS frequency_score, m AS monetary_score,
            CASE WHEN r = 4 AND f + m >= 6 THEN 'champions'
                 WHEN r >= 3 AND f + m >= 5 THEN 'loyal'
                 WHEN r >= 3 THEN 'potential'
                 WHEN f + m >= 5 THEN 'at_risk'
                 WHEN r = 2 THEN 'hibernating'
                 ELSE 'lost' END AS rfm_segment
        FROM scored
        ) TO '{out}' (HEADER, DELIMITER ',')
        """
    )


if __name__ == "__main__":
    peer, source, out = sys.argv[1:4]
    {"pandas": with_pandas, "pandas-sql": with_pandas_sql, "polars": with_polars, "duckdb": with_duckdb}[peer](source, out)
