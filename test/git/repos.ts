/** Temporary git repositories driven by the real git binary, for tests. */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function gitIn(dir: string, args: readonly string[], input?: string): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/** Async variant: needed whenever git talks to a server living in this same process (a sync call would block it). */
export async function gitAsync(dir: string, args: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8', maxBuffer: 1 << 28 });
  return stdout;
}

const made: string[] = [];

export function tempDir(label = 'manifold-git'): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${label}-`));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A fresh repository with a working tree; `initial` files are committed on `main`. */
export function initRepo(initial?: Record<string, string>): string {
  const dir = tempDir();
  gitIn(dir, ['init', '-q', '-b', 'main']);
  if (initial !== undefined) {
    writeFiles(dir, initial);
    gitIn(dir, ['add', '-A']);
    gitIn(dir, ['commit', '-q', '-m', 'initial']);
  }
  return dir;
}

export function initBare(): string {
  const dir = tempDir('manifold-bare');
  gitIn(dir, ['init', '-q', '--bare', '-b', 'main']);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    const abs = path.join(dir, file);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

export function commitAll(dir: string, message: string): string {
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '--allow-empty', '-m', message]);
  return gitIn(dir, ['rev-parse', 'HEAD']).trim();
}

/** Number of objects in the repository (loose + packed). */
export function objectCount(dir: string): number {
  const out = gitIn(dir, ['count-objects', '-v']);
  const get = (key: string) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return get('count') + get('in-pack');
}

/** `path → content` of every file in a commit's tree, read with git itself. */
export function filesAt(dir: string, rev: string): Map<string, string> {
  const files = new Map<string, string>();
  const listing = gitIn(dir, ['ls-tree', '-r', '-z', rev]);
  for (const line of listing.split('\0')) {
    if (line === '') continue;
    const [meta, file] = line.split('\t') as [string, string];
    const oid = meta.split(' ')[2] as string;
    files.set(file, gitIn(dir, ['cat-file', 'blob', oid]));
  }
  return files;
}
