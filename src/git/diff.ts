/**
 * The per-cluster diff between two rendered trees, and its text, Markdown
 * and JSON forms. Pure: the CLI and the GitHub Action render both sides and
 * hand the cluster maps in. Secret values never appear: `data` and
 * `stringData` values are replaced by `***` on both sides before diffing, and
 * a changed value is flagged instead (gitops-practices.md §8, decision).
 */
import { dump, load } from 'js-yaml';
import { isRecord } from '../load/validate.ts';
import { compareTexts } from './myers.ts';
import type { ClusterFiles } from './tree.ts';

export type Change = 'added' | 'removed' | 'changed';

export interface ObjectDiff {
  /** Path inside the cluster folder. */
  path: string;
  change: Change;
  kind: string;
  namespace?: string | undefined;
  name: string;
  /** Unified diff hunks (Secret values masked); '' only for an unchanged object. */
  diff: string;
  linesAdded: number;
  linesRemoved: number;
  /** Secret fields whose value changed (`data.password`); their values are never shown. */
  secretValuesChanged: string[];
}

export interface ClusterDiff {
  cluster: string;
  /** added / removed: the whole cluster folder appeared or disappeared. */
  status: Change;
  added: number;
  changed: number;
  removed: number;
  objects: ObjectDiff[];
}

export const MASK = '***';
export const MASK_CHANGED = '*** (value changed)';

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const EMPTY: ReadonlyMap<string, string> = new Map();

/** Clusters that differ, sorted by name; each with its objects that differ, sorted by path. */
export function diffTrees(base: ClusterFiles, head: ClusterFiles): ClusterDiff[] {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort(byName);
  const out: ClusterDiff[] = [];
  for (const cluster of names) {
    const before = base.get(cluster);
    const after = head.get(cluster);
    const objects = diffCluster(before ?? EMPTY, after ?? EMPTY);
    if (objects.length === 0 && before !== undefined && after !== undefined) continue;
    const count = (c: Change) => objects.filter((o) => o.change === c).length;
    const status: Change = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    out.push({ cluster, status, added: count('added'), changed: count('changed'), removed: count('removed'), objects });
  }
  return out;
}

function diffCluster(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ObjectDiff[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(byName);
  const out: ObjectDiff[] = [];
  for (const p of paths) {
    const a = before.get(p);
    const b = after.get(p);
    if (a === b) continue;
    out.push(diffObject(p, a, b));
  }
  return out;
}

interface Parsed {
  value: Record<string, unknown> | undefined;
  text: string;
}

function parse(text: string | undefined): Parsed | undefined {
  if (text === undefined) return undefined;
  try {
    const value = load(text);
    return { value: isRecord(value) ? value : undefined, text };
  } catch {
    return { value: undefined, text };
  }
}

function isSecret(p: Parsed | undefined): boolean {
  if (p === undefined) return false;
  if (p.value !== undefined) return p.value.kind === 'Secret';
  // Unparseable: be safe if it even looks like a Secret.
  return /^kind:\s*["']?Secret["']?\s*$/m.test(p.text);
}

/** Identity from the object itself, falling back to the file path (`…/<Kind[.group]>/<name>.yaml`). */
function identity(p: string, parsed: Parsed | undefined): { kind: string; namespace?: string | undefined; name: string } {
  const v = parsed?.value;
  const meta = v !== undefined && isRecord(v.metadata) ? v.metadata : undefined;
  if (v !== undefined && typeof v.kind === 'string' && meta !== undefined && typeof meta.name === 'string') {
    return { kind: v.kind, namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined, name: meta.name };
  }
  const segments = p.split('/');
  const name = (segments[segments.length - 1] ?? p).replace(/\.ya?ml$/, '');
  const kind = (segments[segments.length - 2] ?? 'Object').split('.')[0] ?? 'Object';
  const namespace = segments[0] === 'namespaces' ? segments[1] : undefined;
  return { kind, namespace, name };
}

function diffObject(p: string, before: string | undefined, after: string | undefined): ObjectDiff {
  const a = parse(before);
  const b = parse(after);
  const change: Change = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
  const id = identity(p, b ?? a);
  let left = before ?? '';
  let right = after ?? '';
  let secretValuesChanged: string[] = [];
  if (isSecret(a) || isSecret(b)) {
    const masked = maskSecrets(a, b);
    left = masked.before;
    right = masked.after;
    secretValuesChanged = masked.changed;
  }
  const { diff, added, removed } = compareTexts(left, right);
  return { path: p, change, ...id, diff, linesAdded: added, linesRemoved: removed, secretValuesChanged };
}

const SECRET_FIELDS = ['data', 'stringData'] as const;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** kubectl's client-side apply copy of a Secret holds its data: never shown either. */
function maskLastApplied(secret: Record<string, unknown>): void {
  const meta = secret.metadata;
  if (!isRecord(meta) || !isRecord(meta.annotations) || meta.annotations[LAST_APPLIED] === undefined) return;
  secret.metadata = { ...meta, annotations: { ...meta.annotations, [LAST_APPLIED]: MASK } };
}

/**
 * Both sides with every `data`/`stringData` value replaced; a value that
 * differs from the other side's is marked on the new side, so the diff shows
 * that it changed without showing it.
 */
export function maskSecrets(a: Parsed | undefined, b: Parsed | undefined): { before: string; after: string; changed: string[] } {
  const changed: string[] = [];
  const maskOne = (side: Parsed | undefined, other: Parsed | undefined, markChanges: boolean): string => {
    if (side === undefined) return '';
    if (side.value === undefined) return `# Secret content hidden (not valid YAML)\n`;
    const copy: Record<string, unknown> = { ...side.value };
    maskLastApplied(copy);
    for (const field of SECRET_FIELDS) {
      const values = copy[field];
      if (values === undefined || values === null) continue;
      if (!isRecord(values)) {
        copy[field] = MASK; // not a mapping (invalid, the API server rejects it), but it may still hold the values
        continue;
      }
      const otherValues = other?.value !== undefined && isRecord(other.value[field]) ? other.value[field] : undefined;
      const masked: Record<string, string> = {};
      for (const [key, value] of Object.entries(values)) {
        const differs = other !== undefined && otherValues?.[key] !== undefined && otherValues[key] !== value;
        if (differs && markChanges) changed.push(`${field}.${key}`);
        masked[key] = differs && markChanges ? MASK_CHANGED : MASK;
      }
      copy[field] = masked;
    }
    return dump(copy, { noRefs: true, lineWidth: -1, sortKeys: false });
  };
  return { before: maskOne(a, b, false), after: maskOne(b, a, true), changed };
}

export interface DiffTotals {
  clusters: number;
  added: number;
  changed: number;
  removed: number;
}

export function totals(diffs: readonly ClusterDiff[]): DiffTotals {
  return diffs.reduce(
    (t, d) => ({ clusters: t.clusters + 1, added: t.added + d.added, changed: t.changed + d.changed, removed: t.removed + d.removed }),
    { clusters: 0, added: 0, changed: 0, removed: 0 },
  );
}

export function describeObject(o: Pick<ObjectDiff, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function clusterLine(d: ClusterDiff): string {
  const counts = `${d.added} added, ${d.changed} changed, ${d.removed} removed`;
  if (d.status === 'added') return `cluster ${d.cluster} (new): ${counts}`;
  if (d.status === 'removed') return `cluster ${d.cluster} (removed): ${counts}`;
  return `cluster ${d.cluster}: ${counts}`;
}

const SIGN: Record<Change, string> = { added: '+', removed: '-', changed: '~' };

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', cyan: '\x1b[36m', bold: '\x1b[1m', yellow: '\x1b[33m', reset: '\x1b[0m' };

/** Plain text for a terminal; `color` adds ANSI colours (the CLI decides: TTY and no NO_COLOR). */
export function formatText(diffs: readonly ClusterDiff[], options: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (options.color ? `${code}${s}${ANSI.reset}` : s);
  if (diffs.length === 0) return 'No differences.\n';
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(c(ANSI.bold, clusterLine(d)));
    for (const o of d.objects) {
      const secret = o.secretValuesChanged.length > 0 ? c(ANSI.yellow, ` [secret value changed: ${o.secretValuesChanged.join(', ')}]`) : '';
      lines.push(`${SIGN[o.change]} ${describeObject(o)} (${d.cluster}/${o.path})${secret}`);
      for (const l of o.diff.split('\n')) {
        if (l === '') continue;
        if (l.startsWith('@@')) lines.push(c(ANSI.cyan, `    ${l}`));
        else if (l.startsWith('+')) lines.push(c(ANSI.green, `    ${l}`));
        else if (l.startsWith('-')) lines.push(c(ANSI.red, `    ${l}`));
        else lines.push(`    ${l}`);
      }
    }
    lines.push('');
  }
  const t = totals(diffs);
  lines.push(`${t.clusters} cluster${t.clusters === 1 ? '' : 's'} changed: ${t.added} added, ${t.changed} changed, ${t.removed} removed`);
  return `${lines.join('\n')}\n`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A code fence longer than any backtick run inside the content. */
function fence(content: string): string {
  let n = 3;
  for (const m of content.matchAll(/`{3,}/g)) n = Math.max(n, m[0].length + 1);
  return '`'.repeat(n);
}

export interface MarkdownOptions {
  title?: string | undefined;
  /** Stop adding per-object sections past this many characters (GitHub comments hold 65,536). */
  maxLength?: number | undefined;
  /** A link to the full, untruncated diff, shown when truncated. */
  fullDiffUrl?: string | undefined;
}

/** A summary table (cluster × added/changed/removed), then one collapsible section per object. */
export function formatMarkdown(diffs: readonly ClusterDiff[], options: MarkdownOptions = {}): string {
  const title = options.title ?? 'Manifold: rendered changes';
  const maxLength = options.maxLength ?? 60_000;
  const head: string[] = [`### ${title}`, ''];
  if (diffs.length === 0) {
    head.push('No rendered object changes.');
    return `${head.join('\n')}\n`;
  }
  const t = totals(diffs);
  head.push('| Cluster | Added | Changed | Removed |', '|---|---:|---:|---:|');
  for (const d of diffs) {
    const note = d.status === 'changed' ? '' : ` (${d.status === 'added' ? 'new cluster' : 'cluster removed'})`;
    head.push(`| \`${d.cluster}\`${note} | ${d.added} | ${d.changed} | ${d.removed} |`);
  }
  head.push(`| **${t.clusters} cluster${t.clusters === 1 ? '' : 's'}** | **${t.added}** | **${t.changed}** | **${t.removed}** |`, '');
  let text = head.join('\n');
  let omitted = 0;
  for (const d of diffs) {
    const sections: string[] = [];
    for (const o of d.objects) {
      const secret = o.secretValuesChanged.length > 0 ? ` — secret value changed: ${o.secretValuesChanged.map((k) => `\`${escapeHtml(k)}\``).join(', ')}` : '';
      const summary = `<code>${SIGN[o.change]} ${escapeHtml(describeObject(o))}</code> (${o.change}, +${o.linesAdded} −${o.linesRemoved})${secret}`;
      const f = fence(o.diff);
      const body = o.diff === '' ? '_Only formatting hidden by Secret masking changed._' : `${f}diff\n${o.diff}${f}`;
      sections.push(`<details><summary>${summary}</summary>\n\n${body}\n\n</details>\n`);
    }
    const block = `\n#### \`${d.cluster}\`\n\n${sections.join('\n')}`;
    if (text.length + block.length > maxLength) {
      omitted += d.objects.length;
      continue;
    }
    text += block;
  }
  if (omitted > 0) {
    const link = options.fullDiffUrl !== undefined ? ` See the [full diff](${options.fullDiffUrl}).` : '';
    text += `\n> [!NOTE]\n> ${omitted} object diff${omitted === 1 ? '' : 's'} not shown: the comment is capped at ${maxLength} characters.${link}\n`;
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

export function formatJson(diffs: readonly ClusterDiff[]): string {
  return `${JSON.stringify({ summary: totals(diffs), clusters: diffs }, null, 2)}\n`;
}
