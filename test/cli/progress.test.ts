/**
 * The progress line (issue 19 item 5) through the CLI's real interface: a
 * child process on a pseudo-terminal (util-linux `script`, which gives the
 * command a real tty) or on pipes. MANIFOLD_PROGRESS_DELAY_MS=0 stands in
 * for a run longer than two seconds.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, ROOT } from '../golden.ts';

const ERASE_LINE = '\x1b[K';
const CLI = path.join(ROOT, 'src/cli/main.ts');
const work = mkdtempSync(path.join(tmpdir(), 'manifold-progress-'));
let src: string;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  src = copyExample(work, 'quickstart');
});

const hasScript = spawnSync('script', ['--version']).status === 0;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI on a pseudo-terminal: everything it wrote to the terminal (stdout and stderr), as the user saw it. */
function onTerminal(args: string[], options: { delayMs?: number; stdoutTo?: string } = {}): { code: number | null; screen: string } {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ') + (options.stdoutTo === undefined ? '' : ` > ${quote(options.stdoutTo)}`);
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  if (options.delayMs === undefined) delete env.MANIFOLD_PROGRESS_DELAY_MS;
  else env.MANIFOLD_PROGRESS_DELAY_MS = String(options.delayMs);
  // -e: script exits with the command's status; the transcript goes to /dev/null, the terminal's output to our pipe.
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: work, env, encoding: 'utf8' });
  return { code: r.status, screen: r.stdout };
}

function onPipes(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, env: { ...process.env, MANIFOLD_PROGRESS_DELAY_MS: '0' }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasScript)('the progress line of the CLI', () => {
  it('render on a terminal: the steps on one line rewritten in place, erased before the summary', () => {
    const r = onTerminal(['render', src, '--out', path.join(work, 'out-tty')], { delayMs: 0 });
    expect(r.code).toBe(0);
    expect(r.screen).toContain(`\r${ERASE_LINE}rendering · 4 templates · 4 clusters · 0 s`);
    expect(r.screen).toContain(`\r${ERASE_LINE}writing the folder · 16 objects · 4 clusters · 0 s`);
    // The summary starts on an erased line, and nothing is drawn after it (the command ends).
    expect(r.screen).toContain(`\r${ERASE_LINE}rendered 16 objects for 4 clusters into `);
    expect(r.screen.slice(r.screen.indexOf('rendered 16 objects'))).not.toMatch(/rendering ·|writing the folder ·/);
  });

  it('--quiet (after the command or before it) and a run shorter than 2 s: nothing but the summary', () => {
    for (const [args, delayMs] of [
      [['render', src, '--out', path.join(work, 'out-q1'), '--quiet'], 0],
      [['-q', 'render', src, '--out', path.join(work, 'out-q2')], 0],
      [['render', src, '--out', path.join(work, 'out-q3')], undefined],
    ] as const) {
      const r = onTerminal([...args], { delayMs });
      expect(r.code).toBe(0);
      expect(r.screen).not.toContain(ERASE_LINE);
      expect(r.screen).toMatch(/^rendered 16 objects for 4 clusters into .*\r\n$/);
    }
  });

  it('-o json with stdout in a file: the file is the JSON alone, the line stays on the terminal (stderr)', () => {
    const file = path.join(work, 'render.json');
    const r = onTerminal(['render', src, '-o', 'json'], { delayMs: 0, stdoutTo: file });
    expect(r.code).toBe(0);
    const json = readFileSync(file, 'utf8');
    expect(json).not.toContain('\x1b');
    expect(Object.keys(JSON.parse(json).clusters)).toEqual(['eu-1', 'eu-2', 'us-1', 'us-2']);
    expect(r.screen).toContain(`${ERASE_LINE}rendering · 4 templates · 4 clusters`);
  });

  it('on pipes (CI logs, redirection): no progress line at all, the same stderr as before', () => {
    const r = onPipes(['render', src, '--out', path.join(work, 'out-pipe')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^rendered 16 objects for 4 clusters into \S+\n$/);
    const printed = onPipes(['render', src, '-o', 'yaml']);
    expect(printed.stderr).toBe('');
    expect(printed.stdout).not.toContain('\x1b');
  });

  it('reconcile --once on a terminal: clusters done of all, with the JSON log lines each on their own line', () => {
    const out = path.join(work, 'out-reconcile');
    execFileSync(process.execPath, [CLI, 'render', src, '--out', out]);
    const kubeconfig = path.join(work, 'dead-kubeconfig.yaml');
    const contexts = ['eu-1', 'eu-2', 'us-1', 'us-2'].map((c) => `- {name: ${c}, context: {cluster: dead, user: u}}`).join('\n');
    // Port 9 (discard) on loopback: refused at once, so every cluster ends Unreachable quickly.
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster: {server: "https://127.0.0.1:9"}\ncontexts:\n${contexts}\nusers:\n- {name: u, user: {token: abc}}\ncurrent-context: eu-1\n`);
    const r = onTerminal(['reconcile', '--once', '--dir', out, '--kubeconfig', kubeconfig, '--cluster-timeout', '2s'], { delayMs: 0 });
    expect(r.code).toBe(3);
    expect(r.screen).toMatch(/reconciling · 0 of 4 clusters done · \d+ s/);
    expect(r.screen).toMatch(/reconciling · 4 of 4 clusters done · \d+ s/);
    // Every JSON log line begins on an erased line: never glued to the progress text.
    const logStarts = [...r.screen.matchAll(/\{"level"/g)].map((m) => r.screen.slice(Math.max(0, m.index - 3), m.index));
    expect(logStarts.length).toBeGreaterThanOrEqual(4);
    for (const before of logStarts) expect(before === ERASE_LINE || before.endsWith('\n') || before === '').toBe(true);
    // The summary table on stdout starts on a line of its own (a fresh one, or the progress line erased for good).
    expect(r.screen).toMatch(/(\n|\r\x1b\[K)eu-1 +Unreachable/);
    expect(r.screen.slice(r.screen.lastIndexOf('reconciling ·'))).toContain(ERASE_LINE);
  });
});
