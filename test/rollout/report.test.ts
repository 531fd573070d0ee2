/** rollouts/ files on the report branch: written beside the status files, a README line each, no commit when unchanged. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../src/git/repo.ts';
import { writeReport } from '../../src/reconcile/report.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-rollout-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('rollouts/ on the report branch', () => {
  it('writes the files, adds one README line per state file (not per controls file), and makes no commit when nothing changed', async () => {
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    const target = { repo: openRepository(work) };
    const state = `${JSON.stringify({ policy: 'web', target: 'a'.repeat(40), state: 'Halted', reason: 'halted: wave "canary": member1 Degraded' })}\n`;
    const first = await writeReport(target, [], [], new Map([['web.json', state], ['web.controls.json', '{"approvals": [], "aborted": []}\n']]));
    expect(first).toMatchObject({ created: true, changed: ['rollouts/web.controls.json', 'rollouts/web.json'] });
    const show = (file: string) => execFileSync('git', ['show', `manifold/status:${file}`], { cwd: work, encoding: 'utf8' });
    expect(show('README.md')).toContain('🛑 Rollout [web](rollouts/web.json): **Halted** at `aaaaaaaaaaaa` — halted: wave "canary": member1 Degraded\n');
    expect(show('README.md').match(/Rollout/g)).toHaveLength(1);
    expect(show('rollouts/web.json')).toBe(state);
    expect(execFileSync('git', ['log', '-1', '--format=%s', 'manifold/status'], { cwd: work, encoding: 'utf8' }).trim()).toBe('manifold: rollouts/web.controls.json, rollouts/web.json');
    const again = await writeReport(target, [], [], new Map([['web.json', state]]));
    expect(again.created).toBe(false);
  });
});
