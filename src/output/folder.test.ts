/**
 * What a render killed at each step of the folder swap leaves on disk, laid
 * out exactly, and what the next run makes of it: DIR is always the old tree
 * or the new one, and Manifold's leftovers disappear. (The random-time
 * SIGKILL loop over real renders is test/cli/interrupted-render.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROVENANCE_FILE, recoverInterruptedWrites, StagedFolder, writeTreeAtomically } from './folder.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-folder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The id of a process that has exited: what a SIGKILLed render leaves in the names. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

const OLD = { [PROVENANCE_FILE]: '{"generator": "old"}', 'eu-1/a.yaml': 'old: 1\n' };
const NEW = { [PROVENANCE_FILE]: '{"generator": "new"}', 'eu-1/a.yaml': 'new: 1\n', 'us-1/b.yaml': 'b: 1\n' };

function setup(name: string) {
  const parent = path.join(work, name);
  mkdirSync(parent);
  const out = path.join(parent, 'out');
  const suffix = `${deadPid}-lz0abc`;
  return { parent, out, staging: path.join(parent, `.out.manifold-new-${suffix}`), retired: path.join(parent, `.out.manifold-old-${suffix}`) };
}

function generatorOf(dir: string): string {
  return JSON.parse(readFileSync(path.join(dir, PROVENANCE_FILE), 'utf8')).generator;
}

describe('recoverInterruptedWrites', () => {
  it('killed between the two renames (DIR retired, the new tree complete): finishes the swap', async () => {
    const { parent, out, staging, retired } = setup('between-renames');
    writeTree(retired, OLD);
    writeTree(staging, NEW);
    const done = await recoverInterruptedWrites(out);
    expect(done).toEqual([`finished the swap of an interrupted render into ${out}`, `removed ${path.basename(retired)}, left by an interrupted render`]);
    expect(generatorOf(out)).toBe('new');
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('DIR retired and no complete new tree: restores the old tree', async () => {
    const { parent, out, retired } = setup('retired-only');
    writeTree(retired, OLD);
    expect(await recoverInterruptedWrites(out)).toEqual([`restored ${out} from an interrupted render`]);
    expect(generatorOf(out)).toBe('old');
    expect(readFileSync(path.join(out, 'eu-1/a.yaml'), 'utf8')).toBe('old: 1\n');
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('killed while writing: removes the half-written staging folder (marker first) and one killed before any file', async () => {
    const { parent, out, staging } = setup('while-writing');
    writeTree(out, OLD);
    writeTree(staging, { [PROVENANCE_FILE]: '{"generator": "new"}', 'eu-1/a.yaml': 'ne' });
    const empty = path.join(parent, `.out.manifold-new-${deadPid}-lz0abd`);
    mkdirSync(path.join(empty, 'eu-1', 'namespaces'), { recursive: true });
    await recoverInterruptedWrites(out);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(generatorOf(out)).toBe('old');
  });

  it('killed after the swap, before removing the old tree: removes it', async () => {
    const { parent, out, retired } = setup('after-swap');
    writeTree(out, NEW);
    writeTree(retired, OLD);
    await recoverInterruptedWrites(out);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(generatorOf(out)).toBe('new');
  });

  it('removes a staging folder an earlier version left (no marker, only rendered files)', async () => {
    const { parent, out, staging } = setup('earlier-version');
    writeTree(out, OLD);
    writeTree(staging, { 'eu-1/namespaces/shop/ConfigMap/a.yaml': 'a: 1\n', 'eu-1/cluster/Namespace/shop.yaml': 'kind: Namespace\n', 'us-1/namespaces/x/y/z.yaml': 'h' });
    expect(await recoverInterruptedWrites(out)).toEqual([`removed ${path.basename(staging)}, left by an interrupted render`]);
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('leaves alone what is not provably Manifold’s: a running process’s folders, folders without the marker, other folders’ leftovers', async () => {
    const { parent, out } = setup('foreign');
    writeTree(out, OLD);
    const running = path.join(parent, `.out.manifold-new-${process.pid}-lz0abc`);
    writeTree(running, NEW);
    const unmarked = path.join(parent, `.out.manifold-old-${deadPid}-lz0abc`);
    writeTree(unmarked, { 'notes.txt': 'mine' });
    const lookalike = path.join(parent, `.out.manifold-new-${deadPid}-lz0abd`);
    writeTree(lookalike, { 'eu-1/namespaces/a.yaml': 'a', 'eu-1/namespaces/notes.md': 'mine' });
    const other = path.join(parent, `.other.manifold-new-${deadPid}-lz0abc`);
    writeTree(other, NEW);
    expect(await recoverInterruptedWrites(out)).toEqual([]);
    expect(readdirSync(parent).sort()).toEqual([path.basename(other), path.basename(running), path.basename(unmarked), path.basename(lookalike), 'out'].sort());
  });

  it('renders through a DIR that is a symlink: the link stays, the tree it points to is replaced', async () => {
    const { parent, out } = setup('symlinked');
    const real = path.join(parent, 'real');
    writeTree(real, OLD);
    symlinkSync(real, out);
    await writeTreeAtomically(out, new Map(Object.entries(NEW)), { sources: [] });
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(generatorOf(real)).toBe('new');
    expect(readdirSync(parent).sort()).toEqual(['out', 'real']);
  });

  it('never follows a link named like a leftover', async () => {
    const { parent, out } = setup('planted-link');
    writeTree(out, OLD);
    const elsewhere = path.join(parent, 'elsewhere');
    writeTree(elsewhere, NEW);
    symlinkSync(elsewhere, path.join(parent, `.out.manifold-old-${deadPid}-lz0abc`));
    expect(await recoverInterruptedWrites(out)).toEqual([]);
    expect(generatorOf(elsewhere)).toBe('new');
  });

  it('a render repairs before it checks the folder, then writes the new tree', async () => {
    const { parent, out, retired } = setup('render-after-kill');
    writeTree(retired, OLD);
    await writeTreeAtomically(out, new Map(Object.entries(NEW)), { sources: [] });
    expect(generatorOf(out)).toBe('new');
    expect(existsSync(path.join(out, 'us-1/b.yaml'))).toBe(true);
    expect(readdirSync(parent)).toEqual(['out']);
  });
});

describe('StagedFolder: re-rendering into a folder that holds a previous render (issue 19 item 3)', () => {
  const guard = { sources: [] };
  async function render(out: string, files: Record<string, string>): Promise<void> {
    const staged = await StagedFolder.open(out, guard);
    for (const [file, content] of Object.entries(files)) staged.writeToClusters(file, content, ['eu-1', 'us-1']);
    staged.writeFile(PROVENANCE_FILE, '{}\n');
    await staged.swapIn();
  }
  const inode = (file: string) => statSync(file).ino;

  it('leaves unchanged files as they are (same inode) and writes changed ones', async () => {
    const out = path.join(work, 'reuse', 'out');
    await render(out, { 'namespaces/a/x.yaml': 'x: 1\n', 'namespaces/a/y.yaml': 'y: 1\n' });
    const before = { x: inode(path.join(out, 'eu-1/namespaces/a/x.yaml')), y: inode(path.join(out, 'us-1/namespaces/a/y.yaml')) };
    await render(out, { 'namespaces/a/x.yaml': 'x: 1\n', 'namespaces/a/y.yaml': 'y: 2\n' });
    expect(inode(path.join(out, 'eu-1/namespaces/a/x.yaml'))).toBe(before.x); // the same file, not rewritten
    expect(inode(path.join(out, 'us-1/namespaces/a/y.yaml'))).not.toBe(before.y);
    expect(readFileSync(path.join(out, 'us-1/namespaces/a/y.yaml'), 'utf8')).toBe('y: 2\n');
    expect(statSync(path.join(out, 'eu-1/namespaces/a/x.yaml')).nlink).toBe(1); // no second name anywhere
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });

  it('never trusts a symlink the previous folder holds: the file is written', async () => {
    const out = path.join(work, 'reuse-link', 'out');
    await render(out, { 'namespaces/a/x.yaml': 'x: 1\n' });
    const elsewhere = path.join(work, 'reuse-link', 'elsewhere.yaml');
    writeFileSync(elsewhere, 'x: 1\n');
    rmSync(path.join(out, 'eu-1/namespaces/a/x.yaml'));
    symlinkSync(elsewhere, path.join(out, 'eu-1/namespaces/a/x.yaml'));
    await render(out, { 'namespaces/a/x.yaml': 'x: 1\n' });
    expect(lstatSync(path.join(out, 'eu-1/namespaces/a/x.yaml')).isFile()).toBe(true);
    expect(readFileSync(elsewhere, 'utf8')).toBe('x: 1\n');
  });

  it('leaves the previous render untouched when the new one is aborted', async () => {
    const out = path.join(work, 'reuse-abort', 'out');
    await render(out, { 'namespaces/a/x.yaml': 'x: 1\n' });
    const staged = await StagedFolder.open(out, guard);
    staged.writeToClusters('namespaces/a/x.yaml', 'x: 1\n', ['eu-1']);
    await staged.abort();
    expect(readFileSync(path.join(out, 'eu-1/namespaces/a/x.yaml'), 'utf8')).toBe('x: 1\n');
    expect(statSync(path.join(out, 'eu-1/namespaces/a/x.yaml')).nlink).toBe(1);
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });
});

describe('StagedFolder: the writer thread beside the render', () => {
  const guard = { sources: [] };
  const clusters = ['eu-1', 'us-1', 'ap-1'];
  /** Multi-byte characters shift every later offset in a batch: a wrong offset shows as wrong bytes. */
  const contentOf = (i: number, round: number) => `name: obj-${i}\nnote: ${'é'.repeat(i % 5)}ü ${round}\n`;

  async function renderMany(out: string, round: (i: number) => number): Promise<void> {
    // Batches of 7 files, two in flight: the render waits on the writer many times.
    const staged = await StagedFolder.open(out, guard, { files: 7, bytes: 1 << 20 });
    for (let i = 0; i < 60; i++) staged.writeToClusters(`namespaces/ns-${i % 4}/ConfigMap/obj-${i}.yaml`, contentOf(i, round(i)), clusters);
    staged.writeFile(PROVENANCE_FILE, '{}\n');
    await staged.swapIn();
  }

  it('writes every file with its own bytes across many small batches, and leaves what is unchanged alone on the next render', async () => {
    const out = path.join(work, 'batches', 'out');
    await renderMany(out, () => 0);
    const file = (c: string, i: number) => path.join(out, c, `namespaces/ns-${i % 4}/ConfigMap/obj-${i}.yaml`);
    for (const c of clusters) for (let i = 0; i < 60; i++) expect(readFileSync(file(c, i), 'utf8')).toBe(contentOf(i, 0));
    const before = inodes();
    await renderMany(out, (i) => (i % 10 === 3 ? 1 : 0));
    for (const c of clusters) {
      for (let i = 0; i < 60; i++) {
        expect(readFileSync(file(c, i), 'utf8')).toBe(contentOf(i, i % 10 === 3 ? 1 : 0));
        expect(statSync(file(c, i)).ino === before.get(file(c, i)), `${c} obj-${i} untouched`).toBe(i % 10 !== 3);
      }
    }
    expect(readdirSync(path.dirname(out))).toEqual(['out']);

    function inodes(): Map<string, number> {
      const map = new Map<string, number>();
      for (const c of clusters) for (let i = 0; i < 60; i++) map.set(file(c, i), statSync(file(c, i)).ino);
      return map;
    }
  });

  it('a file system error in the writer surfaces as that error (code, syscall, path); the staging folder is removed and DIR is untouched', async () => {
    const out = path.join(work, 'writer-fails', 'out');
    writeTree(out, OLD);
    const staged = await StagedFolder.open(out, guard, { files: 2, bytes: 1 << 20 });
    // A file where the writer must make the cluster folder: mkdir fails in the worker.
    writeFileSync(path.join(staged.dir, 'us-1'), 'in the way\n');
    const attempt = async () => {
      for (let i = 0; i < 20; i++) staged.writeToClusters(`namespaces/a/x-${i}.yaml`, `x: ${i}\n`, ['eu-1', 'us-1']);
      await staged.swapIn();
    };
    const err = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'ENOTDIR', syscall: 'mkdir', path: path.join(staged.dir, 'us-1/namespaces/a') });
    expect((err as Error).message).toBe(`ENOTDIR: not a directory, mkdir '${path.join(staged.dir, 'us-1/namespaces/a')}'`);
    // writeToClusters threw (batches of 2, two in flight): the render's caller aborts, as renderIntoTheFolder does.
    await staged.abort();
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
    expect(generatorOf(out)).toBe('old');
    expect(readFileSync(path.join(out, 'eu-1/a.yaml'), 'utf8')).toBe('old: 1\n');
  });
});
