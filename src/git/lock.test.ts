/**
 * A ref lock left by a killed process must not block every later commit: a
 * lock whose Manifold owner is gone (a real process SIGKILLed while holding
 * it) or that is older than any lock is held is taken over with a warning; a
 * lock a live process holds is refused with a message that says what to do.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, gitIn, initRepo } from '../../test/git/repos.ts';
import { commitRenderedTree, renderedTree, type CommitOptions } from './commit.ts';
import { openRepository, STALE_LOCK_AGE_MS } from './repo.ts';

afterAll(cleanupTempDirs);

const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
const options: CommitOptions = { branch: 'manifold/rendered', manifoldVersion: '9.9.9', author };
const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n';
const tree = renderedTree(new Map([['east', new Map([['cluster/Namespace/web.yaml', namespace]])]]), {});
const REF = 'refs/heads/manifold/rendered';

/** A real process that takes the branch's lock the way a commit does and holds it until killed. */
async function lockHolder(dir: string) {
  const lock = path.join(dir, '.git', REF) + '.lock';
  const script = `
    import { mkdirSync } from 'node:fs';
    import { acquireLock } from ${JSON.stringify(path.resolve(import.meta.dirname, 'repo.ts'))};
    mkdirSync(${JSON.stringify(path.dirname(lock))}, { recursive: true });
    await acquireLock(${JSON.stringify(lock)}, ${JSON.stringify(REF)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const kill = async (): Promise<void> => {
    child.kill('SIGKILL');
    await exited;
  };
  return { lock, kill };
}

function commitWithWarnings(dir: string) {
  const warnings: string[] = [];
  const repo = { ...openRepository(dir), warn: (m: string) => warnings.push(m) };
  return { warnings, result: commitRenderedTree(repo, tree, options) };
}

describe('ref locks left behind', () => {
  it('a live holder is refused, naming the lock and what to do; once it is SIGKILLed its lock is taken over with a warning', async () => {
    const dir = initRepo({ 'a.yaml': 'a: 1\n' });
    const holder = await lockHolder(dir);
    const refused = commitWithWarnings(dir);
    await expect(refused.result).rejects.toThrow(`${REF} is locked by another process (${holder.lock} exists); retry when it is done, or, if no git or Manifold process is writing to this repository, remove ${holder.lock}`);
    await holder.kill();
    expect(existsSync(holder.lock)).toBe(true);
    const taken = commitWithWarnings(dir);
    const { commit } = await taken.result;
    expect(taken.warnings).toEqual([expect.stringMatching(new RegExp(`^took over the lock ${holder.lock}: it was left by Manifold process \\d+, which is no longer running$`))]);
    expect(gitIn(dir, ['rev-parse', REF]).trim()).toBe(commit);
    expect(readdirSync(path.dirname(holder.lock))).toEqual(['rendered']);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('a lock without an owner record (git’s own) is taken over only once it is older than any lock is held', async () => {
    const dir = initRepo({ 'a.yaml': 'a: 1\n' });
    const lock = path.join(dir, '.git', REF) + '.lock';
    mkdirSync(path.dirname(lock), { recursive: true });
    writeFileSync(lock, '');
    await expect(commitWithWarnings(dir).result).rejects.toThrow(/is locked by another process/);
    const old = (Date.now() - STALE_LOCK_AGE_MS - 60_000) / 1000;
    utimesSync(lock, old, old);
    const taken = commitWithWarnings(dir);
    await taken.result;
    expect(taken.warnings).toEqual([`took over the lock ${lock}: it is 11 minutes old`]);
  });

  it('render --commit after a killed one says on stderr that it took the lock over', async () => {
    const dir = initRepo();
    cpSync(path.resolve(import.meta.dirname, '../../examples/quickstart'), dir, { recursive: true });
    gitIn(dir, ['add', '-A']);
    gitIn(dir, ['commit', '-q', '-m', 'source']);
    const holder = await lockHolder(dir);
    await holder.kill();
    const r = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../cli/main.ts'), 'render', dir, '--commit'], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/^warning: took over the lock .*rendered\.lock: it was left by Manifold process \d+, which is no longer running$/m);
    expect(r.status).toBe(0);
  });
});
