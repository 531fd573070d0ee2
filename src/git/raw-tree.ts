/**
 * Tree bodies read and edited as bytes: `<mode> <name>\0<20-byte id>` per
 * entry, in git order (objects.ts). An incremental render looks up and
 * replaces one or two entries in each of a few thousand trees (1,000
 * distinct cluster folders); decoding every entry into strings and encoding
 * the tree again was most of its time and garbage (issue 19). Here an entry
 * is found by walking the entry boundaries, and an edited tree is the
 * unchanged byte ranges around the new entries.
 */
import { isDirMode, MODE_DIR } from './objects.ts';

/** One entry of a tree body: where it lies, and its fields. */
export interface RawEntry {
  /** Byte range of the whole entry in the body. */
  start: number;
  end: number;
  mode: string;
  /** The id as hex. */
  oid: string;
}

/** A new entry for `spliceTree`: a file or folder at `name`, or null to remove `name`. */
export type EntryEdit = { mode: string; oid: string } | null;

const SPACE = 0x20;
const SLASH = 0x2f;

/** Calls `visit(start, nameStart, nameEnd)` for each entry until it returns true; corrupt bodies throw. */
function walk(body: Buffer, visit: (start: number, nameStart: number, nameEnd: number) => boolean): void {
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(SPACE, i);
    const nul = space < 0 ? -1 : body.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > body.length) throw new Error('corrupt tree object');
    if (visit(i, space + 1, nul)) return;
    i = nul + 21;
  }
}

function sameBytes(body: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (body[start + k] !== name[k]) return false;
  return true;
}

function entryAt(body: Buffer, start: number, nameEnd: number): RawEntry {
  const mode = body.toString('latin1', start, body.indexOf(SPACE, start));
  return { start, end: nameEnd + 21, mode: mode === '040000' ? MODE_DIR : mode, oid: body.toString('hex', nameEnd + 1, nameEnd + 21) };
}

/** The entry called `name`, without decoding the others. */
export function findTreeEntry(body: Buffer, name: string): RawEntry | undefined {
  const wanted = Buffer.from(name, 'utf8');
  let found: RawEntry | undefined;
  walk(body, (start, nameStart, nameEnd) => {
    if (!sameBytes(body, nameStart, nameEnd, wanted)) return false;
    found = entryAt(body, start, nameEnd);
    return true;
  });
  return found;
}

/** The entries called by `names` (those that exist), in one walk over the body. */
export function findTreeEntries(body: Buffer, names: Iterable<string>): Map<string, RawEntry> {
  const wanted = [...names].map((name) => ({ name: Buffer.from(name, 'utf8'), text: name }));
  const found = new Map<string, RawEntry>();
  if (wanted.length === 0) return found;
  const find = editFinder(body, wanted);
  walk(body, (start, nameStart, nameEnd) => {
    const w = find(nameStart, nameEnd);
    if (w !== undefined) found.set(w.text, entryAt(body, start, nameEnd));
    return found.size === wanted.length;
  });
  return found;
}

/** Entries in order as (name, mode, hex id), stopping when `visit` returns true. */
export function someTreeEntry(body: Buffer, visit: (name: string, mode: string, oid: string) => boolean): boolean {
  let stopped = false;
  walk(body, (start, nameStart, nameEnd) => {
    const e = entryAt(body, start, nameEnd);
    stopped = visit(body.toString('utf8', nameStart, nameEnd), e.mode, e.oid);
    return stopped;
  });
  return stopped;
}

/** Git's order key of an entry: its name bytes, and a folder as if its name ended in '/' (`tree.c base_name_compare`). */
function orderKey(name: Buffer, mode: string): Buffer {
  return isDirMode(mode) ? Buffer.concat([name, Buffer.from([SLASH])]) : name;
}

/** Compares the stored entry's key (name bytes, '/' after a folder's) with `key`, byte by byte. */
function compareStored(body: Buffer, nameStart: number, nameEnd: number, isDir: boolean, key: Buffer): number {
  const length = nameEnd - nameStart + (isDir ? 1 : 0);
  const n = Math.min(length, key.length);
  for (let k = 0; k < n; k++) {
    const b = nameStart + k < nameEnd ? (body[nameStart + k] as number) : SLASH;
    const d = b - (key[k] as number);
    if (d !== 0) return d;
  }
  return length - key.length;
}

/**
 * The edit named like the entry at [nameStart, nameEnd): a few edits are
 * compared byte by byte (no string per entry); many are looked up by the
 * decoded name.
 */
function editFinder<T extends { name: Buffer }>(body: Buffer, pending: readonly T[]): (nameStart: number, nameEnd: number) => T | undefined {
  if (pending.length <= 8) return (nameStart, nameEnd) => pending.find((p) => sameBytes(body, nameStart, nameEnd, p.name));
  const byName = new Map(pending.map((p) => [p.name.toString('utf8'), p]));
  return (nameStart, nameEnd) => byName.get(body.toString('utf8', nameStart, nameEnd));
}

function encodeEntry(name: Buffer, edit: { mode: string; oid: string }): Buffer {
  return Buffer.concat([Buffer.from(`${edit.mode} `, 'latin1'), name, Buffer.from([0]), Buffer.from(edit.oid, 'hex')]);
}

/**
 * `body` with the named entries replaced, added or (null) removed, in git
 * order; the other entries' bytes are copied as they are. An existing entry
 * keeps its place, so an edit must not turn a file into a folder or back
 * (the caller refuses that).
 */
export function spliceTree(body: Buffer, edits: ReadonlyMap<string, EntryEdit>): Buffer {
  const pending = [...edits].map(([name, edit]) => ({ name: Buffer.from(name, 'utf8'), edit, done: false }));
  // Additions go in before the first stored entry that sorts after them.
  const additions = pending
    .filter((p) => p.edit !== null)
    .map((p) => ({ ...p, key: orderKey(p.name, (p.edit as { mode: string }).mode) }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  const editOf = editFinder(body, pending);
  const parts: Buffer[] = [];
  let copied = 0;
  let next = 0;
  walk(body, (start, nameStart, nameEnd) => {
    const isDir = body[start] === 0x34; // modes of folders start with '4' (40000), files with '1'
    while (next < additions.length && compareStored(body, nameStart, nameEnd, isDir, (additions[next] as { key: Buffer }).key) > 0) {
      const add = additions[next++] as (typeof additions)[number];
      if (add.done) continue;
      parts.push(body.subarray(copied, start), encodeEntry(add.name, add.edit as { mode: string; oid: string }));
      copied = start;
      add.done = true;
    }
    const edit = editOf(nameStart, nameEnd);
    if (edit === undefined || edit.done) return false;
    edit.done = true;
    const additionOfIt = additions.find((a) => a.name.equals(edit.name));
    if (additionOfIt !== undefined) additionOfIt.done = true;
    parts.push(body.subarray(copied, start));
    if (edit.edit !== null) parts.push(encodeEntry(edit.name, edit.edit));
    copied = nameEnd + 21;
    return false;
  });
  parts.push(body.subarray(copied));
  for (const add of additions) if (!add.done) parts.push(encodeEntry(add.name, add.edit as { mode: string; oid: string }));
  return Buffer.concat(parts);
}
