/**
 * Re-rendering into a folder that holds a previous render updates it in
 * place (issue 19 item 3): what is unchanged is not touched, what changed is
 * renamed over, what is gone is removed, and a run killed past the commit
 * point is rolled forward by the next one, so DIR ends as the new tree
 * exactly. Real files in a temporary folder.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROVENANCE_FILE, recoverInterruptedWrites, StagedFolder, writeTreeAtomically } from './folder.ts';
import { lockPathOf, STALE_JOURNAL } from './update.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-update-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const guard = { sources: [] };
const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;

type Files = Record<string, string>;

/** Every entry under `dir` (folders with a trailing slash, symlinks marked), with file contents. */
function snapshot(dir: string): Files {
  const out: Files = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (entry.isSymbolicLink()) out[rel] = '<symlink>';
    else if (entry.isDirectory()) out[`${rel}/`] = '';
    else out[rel] = readFileSync(path.join(dir, rel), 'utf8');
  }
  return Object.fromEntries(Object.entries(out).sort());
}

function fresh(name: string): string {
  const parent = path.join(work, name);
  mkdirSync(parent);
  return path.join(parent, 'out');
}

async function render(out: string, files: Files, provenance = '{"generator": "test"}\n') {
  return writeTreeAtomically(out, new Map([...Object.entries(files), [PROVENANCE_FILE, provenance]]), guard);
}

/** The tree a first render of `files` makes, for comparison. */
async function firstRenderOf(name: string, files: Files, provenance?: string): Promise<Files> {
  const out = fresh(name);
  await render(out, files, provenance);
  return snapshot(out);
}

const V1: Files = {
  'eu-1/namespaces/shop/ConfigMap/a.yaml': 'a: 1\n',
  'eu-1/namespaces/shop/ConfigMap/b.yaml': 'b: 1\n',
  'eu-1/namespaces/gone/ConfigMap/c.yaml': 'c: 1\n',
  'us-1/cluster/Namespace/shop.yaml': 'ns: shop\n',
  'ap-1/namespaces/shop/ConfigMap/a.yaml': 'a: 1\n',
};
const V2: Files = {
  'eu-1/namespaces/shop/ConfigMap/a.yaml': 'a: 1\n', // unchanged
  'eu-1/namespaces/shop/ConfigMap/b.yaml': 'b: 2\n', // changed
  'eu-1/namespaces/new/ConfigMap/d.yaml': 'd: 1\n', // new folder
  'us-1/cluster/Namespace/shop.yaml': 'ns: shop\n',
  // ap-1 is gone, and so is eu-1/namespaces/gone
};

describe('re-rendering into a folder that holds a previous render: an update in place', () => {
  it('leaves unchanged files untouched (inode and mtime), writes changed and new ones, removes what is gone: DIR is what a first render makes', async () => {
    const out = fresh('update');
    expect(await render(out, V1)).toEqual({ updated: false, written: 5, removed: 0 });
    const unchanged = path.join(out, 'eu-1/namespaces/shop/ConfigMap/a.yaml');
    utimesSync(unchanged, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    const before = statSync(unchanged);
    const changed = statSync(path.join(out, 'eu-1/namespaces/shop/ConfigMap/b.yaml')).ino;
    // A file the user dropped into the output folder goes, as with a swap.
    writeFileSync(path.join(out, 'eu-1/stray.txt'), 'mine\n');

    // b changed, d new; ap-1, eu-1/namespaces/gone and the stray file stale.
    expect(await render(out, V2, '{"generator": "v2"}\n')).toEqual({ updated: true, written: 2, removed: 3 });
    expect(snapshot(out)).toEqual(await firstRenderOf('update-want', V2, '{"generator": "v2"}\n'));
    const after = statSync(unchanged);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(statSync(path.join(out, 'eu-1/namespaces/shop/ConfigMap/b.yaml')).ino).not.toBe(changed);
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });

  it('a second render of the same tree writes nothing but the provenance file', async () => {
    const out = fresh('same');
    await render(out, V1);
    expect(await render(out, V1)).toEqual({ updated: true, written: 0, removed: 0 });
    expect(snapshot(out)).toEqual(await firstRenderOf('same-want', V1));
  });

  it('never writes through a symlink DIR holds: a linked cluster folder or file is replaced by a real one, its target untouched', async () => {
    const out = fresh('links');
    await render(out, V1);
    const elsewhere = path.join(work, 'links', 'elsewhere');
    mkdirSync(path.join(elsewhere, 'namespaces/shop/ConfigMap'), { recursive: true });
    // Same bytes behind the links: a render that followed them would see nothing to write.
    writeFileSync(path.join(elsewhere, 'namespaces/shop/ConfigMap/a.yaml'), 'a: 1\n');
    writeFileSync(path.join(elsewhere, 'namespaces/shop/ConfigMap/b.yaml'), 'b: 2\n');
    writeFileSync(path.join(elsewhere, 'shop.yaml'), 'ns: shop\n');
    rmSync(path.join(out, 'eu-1'), { recursive: true });
    symlinkSync(elsewhere, path.join(out, 'eu-1'));
    rmSync(path.join(out, 'us-1/cluster/Namespace/shop.yaml'));
    symlinkSync(path.join(elsewhere, 'shop.yaml'), path.join(out, 'us-1/cluster/Namespace/shop.yaml'));

    await render(out, V2);
    expect(lstatSync(path.join(out, 'eu-1')).isDirectory()).toBe(true);
    expect(snapshot(out)).toEqual(await firstRenderOf('links-want', V2));
    expect(snapshot(elsewhere)).toEqual({
      'namespaces/': '',
      'namespaces/shop/': '',
      'namespaces/shop/ConfigMap/': '',
      'namespaces/shop/ConfigMap/a.yaml': 'a: 1\n',
      'namespaces/shop/ConfigMap/b.yaml': 'b: 2\n',
      'shop.yaml': 'ns: shop\n',
    });
  });

  it('a FIFO where a file goes is replaced without waiting on it', async () => {
    const out = fresh('fifo');
    await render(out, V1);
    const file = path.join(out, 'eu-1/namespaces/shop/ConfigMap/a.yaml');
    rmSync(file);
    execFileSync('mkfifo', [file]);
    await render(out, V1);
    expect(snapshot(out)).toEqual(await firstRenderOf('fifo-want', V1));
  });

  it('a render that fails before the commit point leaves DIR exactly as it was', async () => {
    const out = fresh('abort');
    await render(out, V1);
    const before = snapshot(out);
    const staged = await StagedFolder.open(out, guard);
    staged.writeToClusters('namespaces/shop/ConfigMap/b.yaml', 'b: 3\n', ['eu-1']);
    await staged.abort();
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });

  it('refuses, writing nothing, when another render rewrote DIR while this one ran', async () => {
    const out = fresh('meanwhile');
    await render(out, V1);
    const staged = await StagedFolder.open(out, guard);
    staged.writeToClusters('namespaces/shop/ConfigMap/b.yaml', 'b: 3\n', ['eu-1']);
    staged.writeFile(PROVENANCE_FILE, '{"generator": "slow"}\n');
    await render(out, V2, '{"generator": "fast"}\n');
    await expect(staged.swapIn()).rejects.toMatchObject({ code: 'OUTPUT_CHANGED_MEANWHILE' });
    expect(snapshot(out)).toEqual(await firstRenderOf('meanwhile-want', V2, '{"generator": "fast"}\n'));
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });

  it('waits for a running render that holds the update lock, and takes over the lock of one that is gone', async () => {
    const out = fresh('lock');
    await render(out, V1);
    writeFileSync(lockPathOf(path.resolve(out)), `${deadPid}\n`);
    expect(await recoverInterruptedWrites(out)).toEqual([`removed the update lock of ${out}, left by an interrupted render`]);
    writeFileSync(lockPathOf(path.resolve(out)), `${deadPid}\n`);
    expect(await render(out, V2)).toMatchObject({ updated: true });
    // A lock that names no process: fresh, it may be a live render's about to write its id; old, a killed one's.
    writeFileSync(lockPathOf(path.resolve(out)), '');
    expect(await recoverInterruptedWrites(out)).toEqual([]);
    utimesSync(lockPathOf(path.resolve(out)), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await recoverInterruptedWrites(out)).toEqual([`removed the update lock of ${out}, left by an interrupted render`]);

    const holder = spawn('sleep', ['30']);
    writeFileSync(lockPathOf(path.resolve(out)), `${holder.pid}\n`);
    const started = Date.now();
    setTimeout(() => {
      holder.kill('SIGKILL');
    }, 300);
    await render(out, V1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(snapshot(out)).toEqual(await firstRenderOf('lock-want', V1));
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });
});

describe('an update killed past its commit point is rolled forward by the next run', () => {

  for (const [label, moved] of [
    ['before anything was applied', [] as string[]],
    ['after the stale paths went and one file was moved', ['stale', 'eu-1/namespaces/shop/ConfigMap/b.yaml']],
    ['after everything but the provenance file was moved', ['stale', 'eu-1/namespaces/shop/ConfigMap/b.yaml', 'eu-1/namespaces/new/ConfigMap/d.yaml']],
  ] as [string, readonly string[]][]) {
    it(`killed ${label}: DIR becomes the new tree exactly`, async () => {
      // What a run killed while applying leaves: DIR half updated, the `-apply-` folder holding the rest.
      const out = fresh(label.replaceAll(' ', '-'));
      const applying = path.join(path.dirname(out), `.out.manifold-apply-${deadPid}-lz0abc`);
      await render(out, V1);
      const stale = ['ap-1', 'eu-1/namespaces/gone'];
      const staged: Files = {
        'eu-1/namespaces/shop/ConfigMap/b.yaml': 'b: 2\n',
        'eu-1/namespaces/new/ConfigMap/d.yaml': 'd: 1\n',
        [PROVENANCE_FILE]: '{"generator": "v2"}\n',
      };
      for (const [file, content] of Object.entries(staged)) {
        const from = moved.includes(file) ? out : applying;
        mkdirSync(path.dirname(path.join(from, file)), { recursive: true });
        writeFileSync(path.join(from, file), content);
      }
      if (moved.includes('stale')) for (const rel of stale) rmSync(path.join(out, rel), { recursive: true });
      // Journal lines that would leave DIR are never acted on.
      writeFileSync(path.join(applying, STALE_JOURNAL), [...stale, '../elsewhere', '/etc', ''].join('\n'));
      writeFileSync(path.join(work, label.replaceAll(' ', '-'), 'elsewhere'), 'keep\n');
      writeFileSync(lockPathOf(path.resolve(out)), `${deadPid}\n`);

      // The dead run's lock is taken over for the roll-forward, then released.
      expect(await recoverInterruptedWrites(out)).toEqual([`finished the update of ${out} an interrupted render had begun`]);
      expect(existsSync(lockPathOf(path.resolve(out)))).toBe(false);
      expect(snapshot(out)).toEqual(await firstRenderOf(`${label.replaceAll(' ', '-')}-want`, V2, '{"generator": "v2"}\n'));
      expect(readdirSync(path.dirname(out)).sort()).toEqual(['elsewhere', 'out']);
      expect(existsSync(applying)).toBe(false);
      expect(await recoverInterruptedWrites(out)).toEqual([]);
    });
  }

  it('a staging folder short of its commit point is thrown away instead: DIR stays the old tree', async () => {
    const out = fresh('before-commit');
    await render(out, V1);
    const before = snapshot(out);
    const staging = path.join(path.dirname(out), `.out.manifold-new-${deadPid}-lz0abc`);
    mkdirSync(path.join(staging, 'eu-1/namespaces/shop/ConfigMap'), { recursive: true });
    writeFileSync(path.join(staging, 'eu-1/namespaces/shop/ConfigMap/b.yaml'), 'b: 2\n');
    writeFileSync(path.join(staging, STALE_JOURNAL), 'ap-1');
    await recoverInterruptedWrites(out);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(path.dirname(out))).toEqual(['out']);
  });
});
