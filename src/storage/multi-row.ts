/**
 * Multi-row statements whose SQL text is built once per row count, not through Kysely's query
 * builder. The pipeline's hot writes (accepting a batch, queueing its jobs, finishing its items)
 * carry hundreds of rows of up to 18 values each; Kysely turns every value into an operation
 * node, freezes it and compiles it again for every statement: about 4.7 µs a row of 18 values
 * on a loaded machine, against 0.4 µs for the text and parameter array here (decision 0050).
 * The text for a given shape and row count is the same every time, so SQLite's statement cache
 * (database.ts) keeps hitting.
 */

import { CompiledQuery, PostgresAdapter, type Kysely, type Transaction } from "kysely";
import type { Database } from "./schema.js";

/** A connection or a transaction on it (job-queue.ts's `Db`, not imported: it imports this). */
type Db = Kysely<Database> | Transaction<Database>;

/** A statement over rows of values: `head`, then each row as `row` makes it, comma-separated, then `tail`. */
export interface RowsShape {
  /** E.g. `insert into t (a, b) values`. */
  readonly head: string;
  /** Values per row. */
  readonly width: number;
  /** A row's SQL from its placeholders (default: `(p1, p2, ...)`). */
  readonly row?: (placeholders: readonly string[]) => string;
  /** E.g. `on conflict do nothing returning id`. */
  readonly tail?: string;
}

const texts = new WeakMap<RowsShape, Map<string, string>>();

function textOf(shape: RowsShape, rows: number, postgres: boolean): string {
  let byCount = texts.get(shape);
  if (!byCount) texts.set(shape, (byCount = new Map()));
  const key = `${postgres ? "p" : "s"}${rows}`;
  let text = byCount.get(key);
  if (text === undefined) {
    const parts: string[] = [];
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const ps: string[] = [];
      for (let c = 0; c < shape.width; c++) ps.push(postgres ? `$${++n}` : "?");
      parts.push(shape.row ? shape.row(ps) : `(${ps.join(", ")})`);
    }
    text = `${shape.head} ${parts.join(", ")}${shape.tail ? ` ${shape.tail}` : ""}`;
    if (byCount.size >= 64) byCount.delete(byCount.keys().next().value!);
    byCount.set(key, text);
  }
  return text;
}

/**
 * `rows` cut into chunks of `max`, then the rest in powers of two (a rest of 150 at most 200:
 * 128, 16, 4, 2): a shape has at most a dozen texts, each prepared once. A statement for
 * every row count would be prepared again whenever a batch's size is new — 1.7 ms for the 200
 * rows of 9 values of `finishItems` on a loaded machine, about as much as running it.
 */
export function* chunksOf<T>(
  rows: readonly T[],
  max: number,
): Generator<{ readonly from: number; readonly rows: T[] }> {
  let from = 0;
  while (rows.length - from >= max) {
    yield { from, rows: rows.slice(from, from + max) };
    from += max;
  }
  for (let size = 1 << Math.floor(Math.log2(max)); size >= 1 && from < rows.length; size >>= 1)
    if (rows.length - from >= size) {
      yield { from, rows: rows.slice(from, from + size) };
      from += size;
    }
}

/**
 * Runs `shape` over `rows` (each `shape.width` values; undefined is written as null) in one
 * statement and returns the rows it returns.
 */
export async function runRows<R>(db: Db, shape: RowsShape, rows: readonly (readonly unknown[])[]): Promise<R[]> {
  if (rows.length === 0) return [];
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const params: unknown[] = new Array<unknown>(rows.length * shape.width);
  let i = 0;
  for (const row of rows) {
    if (row.length !== shape.width) throw new Error(`runRows: a row of ${row.length} values, not ${shape.width}`);
    for (const v of row) params[i++] = v === undefined ? null : v;
  }
  const result = await db.executeQuery<R>(CompiledQuery.raw(textOf(shape, rows.length, postgres), params));
  return result.rows;
}
