/** Comment, summary and JSON report: limits, truncation notes, and problem text in the CLI's words. */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../errors/index.ts';
import type { ClusterDiff, ObjectDiff } from '../git/diff.ts';
import { capText, COMMENT_LIMIT, COMMENT_MARKER, commentBody, jsonSummary, summaryMarkdown, SUMMARY_LIMIT_BYTES, type Outcome } from './report.ts';

function object(i: number, lines: number, text = 'value'): ObjectDiff {
  const diff = `@@ -1,${lines} +1,${lines} @@\n${Array.from({ length: lines }, (_, n) => `-  k${n}: old-${text}\n+  k${n}: new-${text}`).join('\n')}\n`;
  return { path: `namespaces/shop/ConfigMap/c${i}.yaml`, change: 'changed', kind: 'ConfigMap', namespace: 'shop', name: `c${i}`, diff, linesAdded: lines, linesRemoved: lines, secretValuesChanged: [] };
}

function cluster(name: string, objects: ObjectDiff[]): ClusterDiff {
  return { cluster: name, status: 'changed', added: 0, changed: objects.length, removed: 0, objects };
}

function outcome(diffs: ClusterDiff[] | undefined, extra: Partial<Outcome> = {}): Outcome {
  return {
    title: 'Manifold: rendered changes',
    eventName: 'pull_request',
    head: { ref: 'h'.repeat(40), commit: 'h'.repeat(40), problems: [], warnings: [] },
    base: { ref: 'b'.repeat(40), commit: 'b'.repeat(40), problems: [], warnings: [] },
    diffs,
    runUrl: 'https://github.test/acme/fleet/actions/runs/42',
    manifoldVersion: '0.1.0',
    ...extra,
  };
}

const problem: Problem = { code: 'SCHEMA_INVALID', severity: 'error', file: 'abc:propagation.yaml', line: 12, object: { kind: 'PropagationPolicy', namespace: 'shop', name: 'web' }, field: 'spec.placement', message: 'bad value' };

describe('capText', () => {
  it('keeps text within the limit untouched', () => {
    expect(capText('a\nb\n', 4, '!')).toBe('a\nb\n');
  });

  it('cuts at a line boundary so the text and the note fit', () => {
    const out = capText('line1\nline2\nline3\n', 14, '[cut]');
    expect(out).toBe('line1\n[cut]');
    expect(out.length).toBeLessThanOrEqual(14);
  });

  it('measures bytes when asked (multi-byte characters)', () => {
    const text = `${'€'.repeat(10)}\n${'€'.repeat(10)}\n`;
    const out = capText(text, 40, 'N', (s) => Buffer.byteLength(s));
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(40);
    expect(out).toBe(`${'€'.repeat(10)}\nN`);
  });
});

describe('commentBody', () => {
  it('starts with the hidden marker, names both commits and carries the per-cluster table', () => {
    const body = commentBody(outcome([cluster('eu-1', [object(1, 2)])]));
    expect(body.startsWith(`${COMMENT_MARKER}\n### Manifold: rendered changes\n`)).toBe(true);
    expect(body).toContain(`Base \`${'b'.repeat(12)}\` → head \`${'h'.repeat(12)}\`.`);
    expect(body).toContain('| `eu-1` | 0 | 1 | 0 |');
    expect(body).toContain('<details><summary><code>~ ConfigMap shop/c1</code>');
    expect(body).toContain('[workflow run](https://github.test/acme/fleet/actions/runs/42)');
  });

  it('stays below 65,536 characters, dropping per-object sections with a note', () => {
    const diffs = Array.from({ length: 20 }, (_, c) => cluster(`c-${c}`, Array.from({ length: 10 }, (_, i) => object(i, 40))));
    const body = commentBody(outcome(diffs));
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toMatch(/> \d+ object diffs not shown: the comment is capped at \d+ characters\. See the \[full diff\]\(https:\/\/github\.test\/acme\/fleet\/actions\/runs\/42\)/);
    expect(body).toContain('| `c-19` | 0 | 10 | 0 |'); // the table still lists every cluster
  });

  it('hard-caps a table that alone is too long (thousands of clusters)', () => {
    const diffs = Array.from({ length: 3000 }, (_, c) => cluster(`cluster-with-a-long-name-${String(c).padStart(4, '0')}`, [object(1, 1)]));
    const body = commentBody(outcome(diffs));
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('Truncated: a pull request comment is capped at 65,536 characters.');
  });

  it('says the head does not render and lists the problems as the CLI prints them', () => {
    const body = commentBody(outcome(undefined, { head: { ref: 'abc', problems: [problem], warnings: [] } }));
    expect(body).toContain('The head commit does not render: 1 error.');
    expect(body).toContain('error: abc:propagation.yaml:12: PropagationPolicy shop/web: spec.placement: bad value');
    expect(body).not.toContain('| Cluster |');
  });

  it('says so when the base does not render and everything shows as added', () => {
    const body = commentBody(outcome([cluster('eu-1', [object(1, 1)])], { base: { ref: 'old', problems: [problem], warnings: [] } }));
    expect(body).toContain('The base commit does not render (1 error), so every rendered object is shown as added.');
  });
});

describe('summaryMarkdown', () => {
  it('holds far more than the comment', () => {
    const diffs = Array.from({ length: 20 }, (_, c) => cluster(`c-${c}`, Array.from({ length: 10 }, (_, i) => object(i, 40))));
    const summary = summaryMarkdown(outcome(diffs), '/tmp/x/summary.json');
    expect(summary.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(summary).not.toContain('not shown');
    expect(summary).toContain('JSON summary: `/tmp/x/summary.json`');
    expect(summary).not.toContain(COMMENT_MARKER);
  });

  it('stays within 1 MiB of UTF-8 with a truncation note, multi-byte text included', () => {
    const diffs = Array.from({ length: 30 }, (_, c) => cluster(`c-${c}`, Array.from({ length: 10 }, (_, i) => object(i, 100, '€€€€€€€€€€'))));
    const summary = summaryMarkdown(outcome(diffs));
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    // Characters undercount three-byte characters, so the byte cap, not formatMarkdown's, has to cut here.
    expect(summary).toContain('Truncated: the job summary is capped at 1 MiB.');
    expect(summary.trimEnd().endsWith('capped at 1 MiB.')).toBe(true);
  });
});

describe('jsonSummary', () => {
  it('lists changed clusters, totals, masked diffs and problems as formatted text', () => {
    const ok = jsonSummary(outcome([cluster('eu-1', [object(1, 1)]), cluster('us-1', [object(2, 1)])]));
    expect(ok).toMatchObject({ event: 'pull_request', valid: true, changedClusters: ['eu-1', 'us-1'], summary: { clusters: 2, added: 0, changed: 2, removed: 0 } });
    expect(ok.clusters[0]?.objects[0]?.name).toBe('c1');
    const bad = jsonSummary(outcome(undefined, { head: { ref: 'abc', problems: [problem], warnings: [] }, base: undefined }));
    expect(bad).toMatchObject({ valid: false, base: null, changedClusters: [], head: { errors: ['abc:propagation.yaml:12: PropagationPolicy shop/web: spec.placement: bad value'] } });
  });
});

describe('the rollout waves of the changed clusters', () => {
  const rollout = {
    policy: 'web',
    maxReportAgeSeconds: 600,
    waves: [
      { name: 'canary', clusters: ['eu-1'], minHealthySeconds: 300, maxFailures: 0, requireApproval: false },
      { name: 'eu', clusters: ['eu-2', 'eu-3'], minHealthySeconds: 0, maxFailures: 0, requireApproval: true, maxUnavailableClusters: 1 },
      { name: 'us', clusters: ['us-1'], minHealthySeconds: 0, maxFailures: 0, requireApproval: false, window: { start: '22:00', end: '06:00' } },
    ],
  };

  it('names the wave of each changed cluster and what the wave waits for; waves without a changed cluster are left out', () => {
    const o = outcome([cluster('eu-1', [object(1, 1)]), cluster('eu-3', [object(2, 1)])], { rollout });
    const body = commentBody(o);
    expect(body).toContain(
      [
        'Rollout `web`: the changed clusters get this change in waves.',
        '',
        '| wave | changed clusters | starts |',
        '|---|---|---|',
        '| 1. canary | eu-1 | starts first |',
        '| 2. eu | eu-3 | after wave canary is Healthy for 300 s; `manifold rollout approve eu`; 1 cluster(s) at a time |',
      ].join('\n'),
    );
    expect(body).not.toContain('us-1');
    expect(jsonSummary(o).waves).toEqual({ 'eu-1': 'canary', 'eu-3': 'eu' });
  });

  it('says nothing about waves without a RolloutPolicy', () => {
    const o = outcome([cluster('eu-1', [object(1, 1)])]);
    expect(commentBody(o)).not.toContain('Rollout');
    expect(jsonSummary(o).waves).toBeUndefined();
  });
});
