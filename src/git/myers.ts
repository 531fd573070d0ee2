/**
 * Line diff (Myers 1986, "An O(ND) Difference Algorithm and Its Variations",
 * the greedy forward algorithm with the trace kept for backtracking; the same
 * algorithm as git's default `xdiff` and GNU diff) and unified-diff hunks
 * (`diff -U3` layout). Written here rather than taken from the `diff` package:
 * about a hundred lines, and rendered objects are small.
 */

export type EditKind = 'equal' | 'delete' | 'insert';

export interface Edit {
  kind: EditKind;
  line: string;
}

/** Splits text into lines without their newline; a missing final newline is kept as an empty last line marker. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Shortest edit script from `a` to `b`. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  // Common prefix and suffix cost nothing and shrink the search.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middle = middleScript(a.slice(start, endA), b.slice(start, endB));
  const out: Edit[] = [];
  for (let i = 0; i < start; i++) out.push({ kind: 'equal', line: a[i] as string });
  out.push(...middle);
  for (let i = endA; i < a.length; i++) out.push({ kind: 'equal', line: a[i] as string });
  return out;
}

function middleScript(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ kind: 'insert', line }));
  if (m === 0) return a.map((line) => ({ kind: 'delete', line }));
  const max = n + m;
  const offset = max;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))) x = v[offset + k + 1] as number;
      else x = (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Backtrack through the saved frontiers.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && (vd[offset + k - 1] as number) < (vd[offset + k + 1] as number))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : (vd[offset + prevK] as number);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ kind: 'equal', line: a[--x] as string });
      y--;
    }
    if (d === 0) break;
    if (x === prevX) edits.push({ kind: 'insert', line: b[--y] as string });
    else edits.push({ kind: 'delete', line: a[--x] as string });
  }
  while (x > 0 && y > 0) {
    edits.push({ kind: 'equal', line: a[--x] as string });
    y--;
  }
  return edits.reverse();
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

/** Groups an edit script into hunks with `context` lines around each change (changes closer than 2·context merge). */
export function hunks(edits: readonly Edit[], context = 3): Hunk[] {
  const out: Hunk[] = [];
  const changed = edits.map((e) => e.kind !== 'equal');
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  const positions: { old: number; new: number }[] = [];
  for (const e of edits) {
    positions.push({ old: oldLine, new: newLine });
    if (e.kind !== 'insert') oldLine++;
    if (e.kind !== 'delete') newLine++;
  }
  while (i < edits.length) {
    if (!changed[i]) {
      i++;
      continue;
    }
    const first = Math.max(0, i - context);
    let last = i;
    let j = i;
    while (j < edits.length) {
      if (changed[j]) {
        last = j;
        j++;
        continue;
      }
      // Run of equal lines: does another change start within 2·context?
      let k = j;
      while (k < edits.length && !changed[k]) k++;
      if (k < edits.length && k - j <= 2 * context) {
        j = k;
        continue;
      }
      break;
    }
    const end = Math.min(edits.length, last + context + 1);
    const lines: string[] = [];
    let oldLines = 0;
    let newLines = 0;
    for (let p = first; p < end; p++) {
      const e = edits[p] as Edit;
      if (e.kind === 'equal') {
        lines.push(` ${e.line}`);
        oldLines++;
        newLines++;
      } else if (e.kind === 'delete') {
        lines.push(`-${e.line}`);
        oldLines++;
      } else {
        lines.push(`+${e.line}`);
        newLines++;
      }
    }
    const pos = positions[first] as { old: number; new: number };
    // diff -u numbers an empty side as starting at the line before (0 for an empty file).
    out.push({ oldStart: oldLines === 0 ? pos.old - 1 : pos.old, oldLines, newStart: newLines === 0 ? pos.new - 1 : pos.new, newLines, lines });
    i = end;
  }
  return out;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** Unified diff body (hunks only, no file headers); '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, context = 3): string {
  return formatHunks(diffLines(splitLines(before), splitLines(after)), context);
}

/** The unified diff and the numbers of lines added and removed, from one edit script. */
export function compareTexts(before: string, after: string, context = 3): { diff: string; added: number; removed: number } {
  const edits = diffLines(splitLines(before), splitLines(after));
  return { diff: formatHunks(edits, context), added: edits.filter((e) => e.kind === 'insert').length, removed: edits.filter((e) => e.kind === 'delete').length };
}

function formatHunks(edits: readonly Edit[], context: number): string {
  const parts: string[] = [];
  for (const h of hunks(edits, context)) {
    parts.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines);
  }
  return parts.length === 0 ? '' : `${parts.join('\n')}\n`;
}

/** Lines added and removed by an edit script. */
export function lineCounts(before: string, after: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const e of diffLines(splitLines(before), splitLines(after))) {
    if (e.kind === 'insert') added++;
    else if (e.kind === 'delete') removed++;
  }
  return { added, removed };
}
