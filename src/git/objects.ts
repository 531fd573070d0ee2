/**
 * Git's object encoding, computed in memory: ids, tree bodies and commit
 * bodies, byte-for-byte as git writes them (git `object-file.c`,
 * `tree.c`, `commit.c`). Pure: nothing here touches the disk, so whole
 * rendered trees can be hashed without writing and compared with what a
 * branch already holds.
 */
import { createHash } from 'node:crypto';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** One object ready to be written: its id, type and uncompressed body. */
export interface GitObject {
  oid: string;
  type: ObjectType;
  body: Buffer;
}

/** Modes as git writes them in trees; directories are `40000`, without a leading zero. */
export const MODE_FILE = '100644';
export const MODE_DIR = '40000';

export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** sha1 of `<type> <length>\0<body>`: the object id. */
export function hashObject(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

export function blobObject(content: string | Buffer): GitObject {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { oid: hashObject('blob', body), type: 'blob', body };
}

export function isDirMode(mode: string): boolean {
  return mode === MODE_DIR || mode === '040000';
}

/**
 * Git sorts tree entries by name bytes, comparing a directory as if its name
 * ended in '/' (`tree.c base_name_compare`), so `a.yaml` sorts before the
 * directory `a` but the file `a` sorts before `a-b`.
 */
export function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  const ka = isDirMode(a.mode) ? `${a.name}/` : a.name;
  const kb = isDirMode(b.mode) ? `${b.name}/` : b.name;
  return Buffer.compare(Buffer.from(ka, 'utf8'), Buffer.from(kb, 'utf8'));
}

/** Entries that are plain ASCII can be ordered with string comparison (UTF-16 order = byte order for ASCII). */
function sortKey(e: TreeEntry): string {
  return isDirMode(e.mode) ? `${e.name}/` : e.name;
}

const ASCII = /^[\x20-\x7e]*$/;

export function sortTreeEntries(entries: TreeEntry[]): TreeEntry[] {
  if (entries.every((e) => ASCII.test(e.name))) {
    return entries.sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }
  return entries.sort(compareTreeEntries);
}

/** Tree body: `<mode> <name>\0<20-byte id>` per entry, in git order. */
export function encodeTree(entries: readonly TreeEntry[]): Buffer {
  const sorted = sortTreeEntries([...entries]);
  const parts: Buffer[] = [];
  for (const e of sorted) {
    parts.push(Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

export function treeObject(entries: readonly TreeEntry[]): GitObject {
  const body = encodeTree(entries);
  return { oid: hashObject('tree', body), type: 'tree', body };
}

export function decodeTree(body: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    const nul = body.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > body.length) throw new Error('corrupt tree object');
    const mode = body.toString('latin1', i, space);
    const name = body.toString('utf8', space + 1, nul);
    const oid = body.toString('hex', nul + 1, nul + 21);
    entries.push({ mode: mode === '040000' ? MODE_DIR : mode, name, oid });
    i = nul + 21;
  }
  return entries;
}

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes east of UTC (git's sign convention, not JavaScript's). */
  timezoneOffset: number;
}

function formatTimezone(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

export function formatSignature(s: Signature): string {
  // Angle brackets and newlines would break the header line (git `ident.c` strips them too).
  const clean = (v: string) => v.replace(/[<>\n]/g, '').trim();
  return `${clean(s.name)} <${clean(s.email)}> ${s.timestamp} ${formatTimezone(s.timezoneOffset)}`;
}

export interface CommitFields {
  tree: string;
  parents: readonly string[];
  author: Signature;
  committer: Signature;
  message: string;
}

export function commitObject(c: CommitFields): GitObject {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${formatSignature(c.author)}`, `committer ${formatSignature(c.committer)}`);
  const message = c.message.endsWith('\n') ? c.message : `${c.message}\n`;
  const body = Buffer.from(`${lines.join('\n')}\n\n${message}`, 'utf8');
  return { oid: hashObject('commit', body), type: 'commit', body };
}

/** The `tree` and `parent` headers of a commit body. */
export function decodeCommit(body: Buffer): { tree: string; parents: string[]; message: string } {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const headers = (end < 0 ? text : text.slice(0, end)).split('\n');
  let tree = '';
  const parents: string[] = [];
  for (const line of headers) {
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
  }
  if (tree === '') throw new Error('corrupt commit object: no tree');
  return { tree, parents, message: end < 0 ? '' : text.slice(end + 2) };
}
