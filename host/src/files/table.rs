//! A generic table in the database: created from its declared schema on
//! first load (SQLite and PostgreSQL), read back as it is, and widened by a
//! column when a file brings a new one.

use crate::config::{ColumnType, TableSchema};
use crate::db::{DbError, Exec, Tx};

/// A column as the table holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its name (lowercase).
    pub name: String,
    /// Its type.
    pub kind: ColumnType,
    /// Whether it may hold NULL.
    pub nullable: bool,
}

/// A generic table as it stands in the database.
#[derive(Debug, Clone)]
pub struct TableShape {
    /// Its name.
    pub name: String,
    /// Its columns, in table order.
    pub columns: Vec<Column>,
    /// The primary key's columns.
    pub key: Vec<String>,
}

impl TableShape {
    /// The index of the column `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// `name` double-quoted, for SQL.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The column a file's field name loads into: lowercase, and every
/// character that is not a letter, digit or `_` made `_` (`Home Team` is
/// `home_team`).
pub fn column_name(field: &str) -> String {
    let mut name = String::with_capacity(field.len());
    for c in field.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_matches('_').to_string();
    match name.chars().next() {
        None => "column".to_string(),
        Some(c) if c.is_ascii_digit() => format!("_{name}"),
        Some(_) => name,
    }
}

/// The table `name` as it stands, created from `schema` when it does not
/// exist, with any declared column it lacks added; also returns the added
/// columns' names.
pub async fn ensure(
    tx: &mut Tx,
    name: &str,
    schema: &TableSchema,
) -> Result<(TableShape, Vec<String>), DbError> {
    let key: Vec<String> = schema.primary_key().into_iter().map(column_name).collect();
    let mut shape = TableShape {
        name: name.to_string(),
        columns: existing(tx, name).await?,
        key: key.clone(),
    };
    let declared: Vec<Column> = schema
        .columns
        .iter()
        .map(|c| Column {
            name: column_name(&c.name),
            kind: c.kind,
            nullable: c.nullable && !c.primary_key,
        })
        .collect();
    if shape.columns.is_empty() {
        let mut parts: Vec<String> = declared
            .iter()
            .map(|c| {
                format!(
                    "{} {}{}",
                    quote(&c.name),
                    sql_type(tx, c.kind),
                    if c.nullable { "" } else { " NOT NULL" }
                )
            })
            .collect();
        if !key.is_empty() {
            let key: Vec<String> = key.iter().map(|k| quote(k)).collect();
            parts.push(format!("PRIMARY KEY ({})", key.join(", ")));
        }
        let sql = format!("CREATE TABLE {} ({})", quote(name), parts.join(", "));
        tx.execute(&sql, Vec::new())
            .await
            .map_err(DbError::query(format!("creating table {name}")))?;
        tracing::info!(table = name, columns = declared.len(), "created table");
        shape.columns = declared;
        return Ok((shape, Vec::new()));
    }
    let mut added = Vec::new();
    for column in declared {
        if shape.position(&column.name).is_none() {
            add_column(tx, &mut shape, &column.name, column.kind).await?;
            added.push(column.name);
        }
    }
    Ok((shape, added))
}

/// Adds a nullable `kind` column `column` to the table.
pub async fn add_column(
    tx: &mut Tx,
    shape: &mut TableShape,
    column: &str,
    kind: ColumnType,
) -> Result<(), DbError> {
    let sql = format!(
        "ALTER TABLE {} ADD COLUMN {} {}",
        quote(&shape.name),
        quote(column),
        sql_type(tx, kind)
    );
    tx.execute(&sql, Vec::new())
        .await
        .map_err(DbError::query(format!(
            "adding column {column} to {}",
            shape.name
        )))?;
    tracing::info!(
        table = %shape.name,
        column,
        kind = kind.as_str(),
        "added a column the file brought"
    );
    shape.columns.push(Column {
        name: column.to_string(),
        kind,
        nullable: true,
    });
    Ok(())
}

/// The table's columns as the database holds them; none when it does not
/// exist.
async fn existing(tx: &mut Tx, name: &str) -> Result<Vec<Column>, DbError> {
    let sql = match tx {
        Tx::Sqlite(_) => {
            "SELECT name, type, CASE WHEN \"notnull\" = 0 THEN 'YES' ELSE 'NO' END \
             FROM pragma_table_info(?) ORDER BY cid"
        }
        Tx::Postgres(_) => {
            "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT), CAST(is_nullable AS TEXT) \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? \
             ORDER BY ordinal_position"
        }
    };
    let rows = tx
        .fetch(sql, vec![name.into()])
        .await
        .map_err(DbError::query(format!("reading the columns of {name}")))?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let mut row = row.into_iter();
            let name = row.next()?.into_text()?;
            let kind = from_sql_type(row.next()?.text().unwrap_or_default());
            let nullable = row.next()?.text() == Some("YES");
            Some(Column {
                name,
                kind,
                nullable,
            })
        })
        .collect())
}

/// The column type of `kind` on the transaction's backend.
pub fn sql_type(tx: &Tx, kind: ColumnType) -> &'static str {
    match tx {
        Tx::Sqlite(_) => match kind {
            ColumnType::Text => "TEXT",
            ColumnType::Int => "INTEGER",
            ColumnType::Float => "REAL",
            ColumnType::Bool => "BOOLEAN",
            ColumnType::Date => "DATE",
            ColumnType::Timestamp => "TIMESTAMP",
            // TEXT affinity: SQLite would otherwise turn `1.10` into a float.
            ColumnType::Decimal => "DECIMAL TEXT",
            ColumnType::Json => "JSON TEXT",
        },
        Tx::Postgres(_) => match kind {
            ColumnType::Text => "TEXT",
            ColumnType::Int => "BIGINT",
            ColumnType::Float => "DOUBLE PRECISION",
            ColumnType::Bool => "BOOLEAN",
            ColumnType::Date => "DATE",
            ColumnType::Timestamp => "TIMESTAMPTZ",
            ColumnType::Decimal => "NUMERIC",
            ColumnType::Json => "JSONB",
        },
    }
}

/// A declared (SQLite) or reported (PostgreSQL) column type as a column type.
fn from_sql_type(sql: &str) -> ColumnType {
    let sql = sql.to_ascii_uppercase();
    let has = |s: &str| sql.contains(s);
    if has("JSON") {
        ColumnType::Json
    } else if has("DECIMAL") || has("NUMERIC") {
        ColumnType::Decimal
    } else if has("BOOL") {
        ColumnType::Bool
    } else if has("TIMESTAMP") {
        ColumnType::Timestamp
    } else if has("DATE") {
        ColumnType::Date
    } else if has("INT") {
        ColumnType::Int
    } else if has("REAL") || has("FLOA") || has("DOUB") {
        ColumnType::Float
    } else {
        ColumnType::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_become_column_names() {
        assert_eq!(column_name("Home Team"), "home_team");
        assert_eq!(column_name(" FTHG "), "fthg");
        assert_eq!(column_name("1st half"), "_1st_half");
        assert_eq!(column_name("%"), "column");
    }

    #[test]
    fn reported_types_map_back() {
        assert_eq!(from_sql_type("DECIMAL TEXT"), ColumnType::Decimal);
        assert_eq!(
            from_sql_type("timestamp with time zone"),
            ColumnType::Timestamp
        );
        assert_eq!(from_sql_type("double precision"), ColumnType::Float);
        assert_eq!(from_sql_type("bigint"), ColumnType::Int);
        assert_eq!(from_sql_type("jsonb"), ColumnType::Json);
    }
}
