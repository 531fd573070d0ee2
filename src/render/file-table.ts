/**
 * Which cluster received which content at which path, for a render whose
 * contents went to a ContentSink (render.ts) as they were made: one row per
 * template path, one cell per inventory cluster holding the index of the
 * value the sink returned (a blob id, or nothing for a folder). A fleet where
 * every cluster's copy differs has a million variants; kept as objects (path,
 * value, SHA-256, cluster list) and then as a map per cluster they were the
 * largest part of the render's memory (issue 19). Here they cost 4 bytes per
 * (template, cluster) and one string per distinct value.
 *
 * `clusterFiles()` gives the per-cluster view render() has always returned,
 * built on demand: clusters whose columns are equal share one view object,
 * as clusters with identical files have always shared one map (the git
 * layer hashes such folders once, found by identity).
 */
import { byteOrder } from '../load/source.ts';

const ABSENT = -1;

interface Row {
  path: string;
  /** Per inventory cluster (by index): index into `values`, or ABSENT. */
  cells: Int32Array;
}

export class FileTable {
  private readonly clusterIndex: ReadonlyMap<string, number>;
  private readonly clusterNames: readonly string[];
  private readonly rows: Row[] = [];
  private readonly values: string[] = [];

  /** `clusters`: the inventory, in its order; files for other clusters are left out (as render() always did). */
  constructor(clusters: readonly string[]) {
    this.clusterNames = clusters;
    this.clusterIndex = new Map(clusters.map((c, i) => [c, i]));
  }

  /** Starts the row of one path; the values added next land in it. */
  startRow(path: string): void {
    this.rows.push({ path, cells: new Int32Array(this.clusterNames.length).fill(ABSENT) });
  }

  /** `value` (what the sink returned for one content) lands at the current row's path in `clusters`. */
  add(value: string, clusters: readonly string[]): void {
    const row = this.rows[this.rows.length - 1];
    if (row === undefined) throw new Error('FileTable.add before startRow');
    const index = this.values.length;
    this.values.push(value);
    for (const c of clusters) {
      const i = this.clusterIndex.get(c);
      if (i !== undefined) row.cells[i] = index;
    }
  }

  /** Drops the current row when nothing landed in it (a template whose variants all failed, or none placed). */
  endRow(): void {
    const row = this.rows[this.rows.length - 1];
    if (row !== undefined && row.cells.every((v) => v === ABSENT)) this.rows.pop();
  }

  /** cluster → (path → value) in path order, for every inventory cluster; equal clusters share one view. */
  clusterFiles(): Map<string, ReadonlyMap<string, string>> {
    const rows = [...this.rows].sort((a, b) => byteOrder(a.path, b.path));
    const rowOf = new Map(rows.map((r, i) => [r.path, i]));
    const views = new Map<string, ColumnView>();
    const out = new Map<string, ReadonlyMap<string, string>>();
    this.clusterNames.forEach((name, column) => {
      const key = columnKey(rows, column);
      let view = views.get(key);
      if (view === undefined) views.set(key, (view = new ColumnView(rows, rowOf, this.values, column)));
      out.set(name, view);
    });
    return out;
  }
}

/** The column's cells as one string: equal strings, equal files. */
function columnKey(rows: readonly Row[], column: number): string {
  const cells = new Int32Array(rows.length);
  rows.forEach((r, i) => (cells[i] = r.cells[column] as number));
  return Buffer.from(cells.buffer).toString('latin1');
}

/** One cluster's files as a read-only map over the table (no copy). */
class ColumnView implements ReadonlyMap<string, string> {
  readonly size: number;
  private readonly rows: readonly Row[];
  private readonly rowOf: ReadonlyMap<string, number>;
  private readonly stored: readonly string[];
  private readonly column: number;

  constructor(rows: readonly Row[], rowOf: ReadonlyMap<string, number>, values: readonly string[], column: number) {
    this.rows = rows;
    this.rowOf = rowOf;
    this.stored = values;
    this.column = column;
    this.size = rows.reduce((n, r) => n + (r.cells[column] === ABSENT ? 0 : 1), 0);
  }

  get(path: string): string | undefined {
    const row = this.rowOf.get(path);
    const cell = row === undefined ? ABSENT : ((this.rows[row] as Row).cells[this.column] as number);
    return cell === ABSENT ? undefined : this.stored[cell];
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  *entries(): MapIterator<[string, string]> {
    for (const r of this.rows) {
      const cell = r.cells[this.column] as number;
      if (cell !== ABSENT) yield [r.path, this.stored[cell] as string];
    }
  }

  *keys(): MapIterator<string> {
    for (const [path] of this.entries()) yield path;
  }

  *values(): MapIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [path, value] of this.entries()) callback(value, path, this);
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}
