/**
 * Parquet files read back by DuckDB (its npm package), an independent
 * reader: the export is written with hyparquet-writer, so the tests never
 * read it with the writer's own library.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface ParquetReader {
  /** Rows of a query as plain objects (BIGINT and DECIMAL as strings, as DuckDB's JSON gives them). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** One number from a query's first row and column. */
  number(sql: string): Promise<number>;
  /** Each column of a file with its physical type, converted type and logical type. */
  schema(file: string): Promise<{ name: string; type: string; converted: string | null }[]>;
  /** Row groups and the compression codecs of a file's column chunks. */
  layout(file: string): Promise<{ rowGroups: number; codecs: string[] }>;
  close(): void;
}

/** A DuckDB connection in memory; paths in queries are quoted with `q`. */
export async function parquetReader(): Promise<ParquetReader> {
  const instance = await DuckDBInstance.create(':memory:');
  const c: DuckDBConnection = await instance.connect();
  const rows = async (sql: string): Promise<Record<string, unknown>[]> =>
    (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  return {
    rows,
    async number(sql) {
      const r = await c.runAndReadAll(sql);
      return Number(r.getRows()[0]![0]);
    },
    async schema(file) {
      const r = await rows(
        `select name, type, converted_type from parquet_schema(${q(file)}) where num_children is null`,
      );
      return r.map((x) => ({
        name: String(x.name),
        type: String(x.type),
        converted: x.converted_type === null ? null : String(x.converted_type),
      }));
    },
    async layout(file) {
      const r = await rows(
        `select count(distinct row_group_id) as g, list(distinct compression) as c from parquet_metadata(${q(file)})`,
      );
      return { rowGroups: Number(r[0]!.g), codecs: (r[0]!.c as string[]).sort() };
    },
    close: () => c.closeSync(),
  };
}

/** A SQL string literal. */
export const q = (s: string): string => `'${s.replaceAll("'", "''")}'`;
