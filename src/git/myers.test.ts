import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupTempDirs, tempDir } from '../../test/git/repos.ts';
import { afterAll } from 'vitest';
import { diffLines, hunks, lineCounts, splitLines, unifiedDiff } from './myers.ts';

afterAll(cleanupTempDirs);

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
    }
  }
  return dp[0]![0]!;
}

/** GNU diff, for layouts where the shortest script is unique. */
function gnuDiff(before: string, after: string): string {
  const dir = tempDir('myers');
  writeFileSync(path.join(dir, 'a'), before);
  writeFileSync(path.join(dir, 'b'), after);
  try {
    return execFileSync('diff', ['-U3', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? '';
    return out.split('\n').slice(2).join('\n');
  }
}

describe('diffLines', () => {
  it('finds a shortest edit script that turns a into b (property, against an LCS table)', () => {
    const line = fc.constantFrom('a', 'b', 'c', 'd', '');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 14 }), fc.array(line, { maxLength: 14 }), (a, b) => {
        const edits = diffLines(a, b);
        expect(edits.filter((e) => e.kind !== 'insert').map((e) => e.line)).toEqual(a);
        expect(edits.filter((e) => e.kind !== 'delete').map((e) => e.line)).toEqual(b);
        expect(edits.filter((e) => e.kind === 'equal')).toHaveLength(lcsLength(a, b));
      }),
      { numRuns: 500 },
    );
  });
});

describe('unifiedDiff', () => {
  it('lays hunks out as diff -U3 does', () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const cases = [
      before.replace('line 2\n', 'line two\n').replace('line 20\n', 'line twenty\n'), // two hunks
      before.replace('line 10\n', 'line ten\n').replace('line 14\n', ''), // merged hunk (4 apart)
      before.replace('line 30\n', 'line 30\nline 31\n'), // append at the end
      before.replace('line 1\n', ''), // delete the first line
    ];
    for (const after of cases) expect(unifiedDiff(before, after)).toBe(gnuDiff(before, after));
  });

  it('numbers empty sides like diff -u and counts lines', () => {
    expect(unifiedDiff('', 'a\nb\n')).toBe('@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\n', '')).toBe('@@ -1 +0,0 @@\n-a\n');
    expect(unifiedDiff('same\n', 'same\n')).toBe('');
    expect(lineCounts('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual({ added: 2, removed: 1 });
    expect(splitLines('x\ny')).toEqual(['x', 'y']);
    expect(hunks(diffLines(['a'], ['a']))).toEqual([]);
  });
});
