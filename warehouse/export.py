"""`review export`: the marts and the curated tables as Parquet files, for tools that read files."""

from __future__ import annotations

from pathlib import Path

from warehouse.db import connect_read_only

EXPORTED_SCHEMAS = ("mart", "curated")


def export_parquet(db_path: Path, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(db_path)
    written = []
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema in ? "
            "order by table_schema, table_name",
            [list(EXPORTED_SCHEMAS)],
        ).fetchall()
        for schema, name in relations:
            target = out_dir / f"{schema}.{name}.parquet"
            quoted = str(target).replace("'", "''")
            con.execute(f"copy {schema}.{name} to '{quoted}' (format parquet)")
            written.append(target)
    finally:
        con.close()
    return written
