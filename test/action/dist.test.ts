/**
 * check-dist (actions/typescript-action's check-dist.yml, as a test so that
 * `npm test` in .ci/run runs it): the committed dist/action.js must be
 * exactly what scripts/build.ts builds from the current sources, because
 * the runner executes the committed file, not the sources.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInMemory, ROOT } from '../../scripts/build.ts';

/** The first differing line, to say where the committed bundle went stale. */
function firstDifference(committed: string, built: string): string {
  const a = committed.split('\n');
  const b = built.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  committed: ${(a[i] ?? '<end of file>').slice(0, 160)}\n  built:     ${(b[i] ?? '<end of file>').slice(0, 160)}`;
  }
  return 'no line differs (line endings?)';
}

describe('dist/action.js', () => {
  it('is the bundle of the current sources (rebuild with `npm run build` and commit dist/)', async () => {
    const { outfile, contents } = await buildInMemory('action');
    expect(path.relative(ROOT, outfile)).toBe(path.join('dist', 'action.js'));
    expect(existsSync(outfile), 'dist/action.js is not committed: run `npm run build`').toBe(true);
    // Like check-dist's `git diff --ignore-space-at-eol`: CRLF checkouts are not a difference.
    const committed = readFileSync(outfile, 'utf8').replace(/\r\n/g, '\n');
    const built = Buffer.from(contents).toString('utf8');
    if (committed !== built) {
      expect.fail(`dist/action.js is stale: run \`npm run build\` and commit dist/action.js\nfirst difference at ${firstDifference(committed, built)}`);
    }
  }, 120_000);
});
