/**
 * What the Action writes, as pure functions of the render outcome: the
 * sticky PR comment (hidden marker first, capped below GitHub's 65,536
 * characters), the job summary (capped below the runner's 1 MiB), and the
 * JSON summary file. The per-cluster tables and collapsible diffs are
 * src/git/diff.ts's Markdown form, the same as `manifold diff -o markdown`.
 */
import { formatProblem, type Problem } from '../errors/index.ts';
import { formatMarkdown, totals, type ClusterDiff, type DiffTotals } from '../git/diff.ts';
import type { ReviewSide } from '../app/review.ts';
import type { RolloutPlan } from '../model/rollout.ts';

export const COMMENT_MARKER = '<!-- manifold-diff -->';
/** GitHub refuses longer issue comment bodies (ecosystem-notes.md §3). */
export const COMMENT_LIMIT = 65_536;
/** The runner refuses a step summary above 1 MiB (actions/toolkit summary.ts). */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_TITLE = 'Manifold: rendered changes';

/** One side of the comparison, as the review use case returns it. */
export type Side = ReviewSide;

export interface Outcome {
  title: string;
  eventName: string;
  head: Side;
  /** Absent when there is nothing to compare with (a push creating a branch). */
  base?: Side | undefined;
  /** Undefined when the head did not render. */
  diffs?: ClusterDiff[] | undefined;
  runUrl?: string | undefined;
  manifoldVersion: string;
  /** The head's RolloutPolicy waves (provenance `rollout`), when it has one. */
  rollout?: RolloutPlan | undefined;
}

export function headRendered(o: Outcome): boolean {
  return o.head.problems.length === 0 && o.diffs !== undefined;
}

export function changedClusters(o: Outcome): string[] {
  return (o.diffs ?? []).map((d) => d.cluster);
}

function short(side: Side): string {
  return (side.commit ?? side.ref).slice(0, 12);
}

function problemBlock(problems: readonly Problem[], severity: 'error' | 'warning'): string {
  const lines = problems.map((p) => `${severity}: ${formatProblem(p)}`).join('\n');
  let fence = '```';
  while (lines.includes(fence)) fence += '`';
  return `${fence}text\n${lines}\n${fence}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The part before the per-object diffs: which commits, and any reason the diff is not the plain one. */
function preamble(o: Outcome): string {
  const parts: string[] = [];
  const base = o.base;
  parts.push(base === undefined ? `Rendered \`${short(o.head)}\` (no base to compare with).` : `Base \`${short(base)}\` → head \`${short(o.head)}\`.`);
  if (o.head.problems.length > 0) {
    parts.push(`> [!CAUTION]\n> The head commit does not render: ${plural(o.head.problems.length, 'error')}. Nothing below reflects this change.`);
    parts.push(problemBlock(o.head.problems, 'error'));
  }
  if (base !== undefined && base.problems.length > 0) {
    parts.push(`> [!WARNING]\n> The base commit does not render (${plural(base.problems.length, 'error')}), so every rendered object is shown as added.`);
    parts.push(`<details><summary>Base errors</summary>\n\n${problemBlock(base.problems, 'error')}\n</details>`);
  }
  const waves = rolloutTable(o);
  if (waves !== undefined) parts.push(waves);
  if (o.head.warnings.length > 0) {
    parts.push(`<details><summary>${plural(o.head.warnings.length, 'warning')}</summary>\n\n${problemBlock(o.head.warnings, 'warning')}\n</details>`);
  }
  return `${parts.join('\n\n')}\n`;
}

/**
 * Which wave each changed cluster is in, in wave order, and what each wave
 * waits for before it starts (docs/rollout.md): merged, this change does not
 * reach every cluster at once.
 */
export function rolloutTable(o: Outcome): string | undefined {
  const plan = o.rollout;
  const changed = new Set(changedClusters(o));
  if (plan === undefined || changed.size === 0) return undefined;
  const rows: string[] = [];
  plan.waves.forEach((wave, i) => {
    const clusters = wave.clusters.filter((c) => changed.has(c));
    if (clusters.length === 0) return;
    const before = plan.waves[i - 1];
    const gates = [
      before === undefined ? 'starts first' : `after wave ${before.name} is Healthy${before.minHealthySeconds > 0 ? ` for ${before.minHealthySeconds} s` : ''}`,
      ...(wave.requireApproval ? ['`manifold rollout approve ' + wave.name + '`'] : []),
      ...(wave.window === undefined ? [] : [`between ${wave.window.start} and ${wave.window.end} UTC`]),
      ...(wave.maxUnavailableClusters === undefined ? [] : [`${wave.maxUnavailableClusters} cluster(s) at a time`]),
    ];
    rows.push(`| ${i + 1}. ${wave.name} | ${clusters.join(', ')} | ${gates.join('; ')} |`);
  });
  return [`Rollout \`${plan.policy}\`: the changed clusters get this change in waves.`, '', '| wave | changed clusters | starts |', '|---|---|---|', ...rows].join('\n');
}

function footer(o: Outcome): string {
  const run = o.runUrl === undefined ? '' : ` · [workflow run](${o.runUrl})`;
  return `\n<sub>Manifold ${o.manifoldVersion}${run}</sub>\n`;
}

function body(o: Outcome, maxLength: number, fullDiffUrl: string | undefined): string {
  const top = preamble(o);
  const bottom = footer(o);
  if (o.diffs === undefined) return `### ${o.title}\n\n${top}${bottom}`;
  // formatMarkdown stops adding per-object sections at maxLength; keep room for what surrounds them.
  const room = Math.max(1_000, maxLength - top.length - bottom.length - 200);
  const markdown = formatMarkdown(o.diffs, { title: o.title, maxLength: room, fullDiffUrl });
  const [heading, ...rest] = markdown.split('\n');
  return `${heading}\n\n${top}${rest.join('\n')}${bottom}`;
}

/**
 * Cuts `text` at a line boundary so that it plus `note` fits in `limit`,
 * measured by `size` (characters for comments, UTF-8 bytes for the summary).
 */
export function capText(text: string, limit: number, note: string, size: (s: string) => number = (s) => s.length): string {
  if (size(text) <= limit) return text;
  const budget = limit - size(note) - 1;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(text.slice(0, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const cut = text.lastIndexOf('\n', lo);
  return `${text.slice(0, cut > 0 ? cut : lo)}\n${note}`;
}

function truncationNote(where: string, limit: string, url: string | undefined): string {
  const link = url === undefined ? '' : ` The [workflow run](${url}) has the job summary and the JSON summary path.`;
  return `\n> [!NOTE]\n> Truncated: ${where} is capped at ${limit}.${link}\n`;
}

/** The sticky PR comment: marker first, at most COMMENT_LIMIT characters. */
export function commentBody(o: Outcome): string {
  const text = `${COMMENT_MARKER}\n${body(o, COMMENT_LIMIT - COMMENT_MARKER.length - 1, o.runUrl)}`;
  return capText(text, COMMENT_LIMIT, truncationNote('a pull request comment', '65,536 characters', o.runUrl));
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The job summary: the same report with room for far more diffs, at most 1 MiB of UTF-8. */
export function summaryMarkdown(o: Outcome, summaryPath?: string): string {
  const where = summaryPath === undefined ? '' : `\n<sub>JSON summary: \`${summaryPath}\`</sub>\n`;
  // Characters approximate bytes for YAML; capText enforces the byte limit exactly.
  const text = `${body(o, SUMMARY_LIMIT_BYTES - 4_096, undefined)}${where}`;
  return capText(text, SUMMARY_LIMIT_BYTES, truncationNote('the job summary', '1 MiB', undefined), bytes);
}

export interface JsonSummary {
  event: string;
  valid: boolean;
  base: { ref: string; commit?: string | undefined; errors: string[] } | null;
  head: { ref: string; commit?: string | undefined; errors: string[]; warnings: string[] };
  changedClusters: string[];
  /** Changed cluster → its rollout wave (absent without a RolloutPolicy). */
  waves?: Record<string, string> | undefined;
  summary: DiffTotals;
  clusters: ClusterDiff[];
}

/** The machine-readable report behind the `summary-path` output (Secret values masked as in the diff). */
export function jsonSummary(o: Outcome): JsonSummary {
  const diffs = o.diffs ?? [];
  const side = (s: Side) => ({ ref: s.ref, commit: s.commit, errors: s.problems.map(formatProblem) });
  return {
    event: o.eventName,
    valid: headRendered(o),
    base: o.base === undefined ? null : side(o.base),
    head: { ...side(o.head), warnings: o.head.warnings.map(formatProblem) },
    changedClusters: changedClusters(o),
    waves: o.rollout === undefined ? undefined : Object.fromEntries(o.rollout.waves.flatMap((w) => w.clusters.filter((c) => changedClusters(o).includes(c)).map((c) => [c, w.name]))),
    summary: totals(diffs),
    clusters: diffs,
  };
}
