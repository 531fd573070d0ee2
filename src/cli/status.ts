/**
 * `manifold status`: the status use case (src/app/status.ts) as a
 * kubectl-like table, JSON or YAML. Exit 0 when everything asked about is
 * Synced and healthy at the rendered tip, 1 otherwise, 2 on bad input, so
 * scripts and CI can gate on it.
 */
import { dump } from 'js-yaml';
import { fleetStatus, type ClusterDetail, type StatusOptions, type StatusResult } from '../app/status.ts';
import { redact } from '../errors/redact.ts';
import { printable } from '../errors/terminal.ts';
import { humanDuration, type ClusterRow, type FleetView } from '../reconcile/fleet-view.ts';
import type { ObjectStatus } from '../reconcile/types.ts';
import { printWarnings } from './output.ts';

export type StatusFormat = 'table' | 'json' | 'yaml';

export interface StatusCommandOptions extends StatusOptions {
  format?: StatusFormat | undefined;
}

export async function statusCommand(options: StatusCommandOptions): Promise<number> {
  const result = await fleetStatus(options);
  printWarnings(result.view.notes.map((message) => ({ code: 'STATUS_NOTE', severity: 'warning', message })));
  const format = options.format ?? 'table';
  const out = format === 'json' ? `${JSON.stringify(machineOutput(result), null, 2)}\n` : format === 'yaml' ? dump(machineOutput(result), { noRefs: true, lineWidth: -1 }) : formatTable(result);
  // Messages quote API servers: the one redaction function on the way out, like every other channel.
  process.stdout.write(redact(out));
  return result.ok ? 0 : 1;
}

/** JSON and YAML: the view (rows without the chart data; only the clusters named, if any), plus their objects. */
function machineOutput(result: StatusResult): unknown {
  const { view } = result;
  const named = new Set(result.details.map((d) => d.row.cluster));
  const clusters = view.clusters.filter((r) => named.size === 0 || named.has(r.cluster)).map(({ workloads: _w, ...row }) => row);
  return {
    ok: result.ok,
    report: view.report,
    ...(view.tip === undefined ? {} : { tip: view.tip }),
    counts: view.counts,
    clusters,
    ...(view.rollouts === undefined ? {} : { rollouts: view.rollouts }),
    ...(view.proposals === undefined ? {} : { proposals: view.proposals }),
    ...(view.notes.length === 0 ? {} : { notes: view.notes }),
    ...(result.details.length === 0 ? {} : { objects: Object.fromEntries(result.details.map((d) => [d.row.cluster, d.objects])) }),
  };
}

function short(commit: string | undefined): string {
  if (commit === undefined) return '<none>';
  return /^[0-9a-f]{40}$/.test(commit) ? commit.slice(0, 12) : commit;
}

/** Where the applied commit stands against the tip. */
function tipCell(row: ClusterRow, view: FleetView): string {
  if (row.applied === undefined) return 'never applied';
  if (view.tip === undefined) return '<unknown>';
  if (row.behind === 0) return 'at tip';
  return row.behind === undefined ? 'behind' : `${row.behind} behind`;
}

/** kubectl's STATUS style: the result, then what else is true of it (Ready,SchedulingDisabled). */
function resultCell(row: ClusterRow): string {
  return row.stale ? `${row.result},Stale` : row.result;
}

/** Columns padded to the widest cell, three spaces apart, as kubectl's tabwriter prints them. */
export function columns(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n');
}

function fleetTable(view: FleetView, only?: ReadonlySet<string>): string {
  const header = ['CLUSTER', 'RESULT', 'READY', 'APPLIED', 'TIP', ...(view.rollout ? ['WAVE', 'GATE'] : []), 'OBJECTS', 'UNHEALTHY', 'DRIFTED', 'FAILED', 'AGE'];
  const rows = view.clusters.filter((r) => only === undefined || only.has(r.cluster)).map((r) => [
    r.cluster,
    resultCell(r),
    r.readiness,
    short(r.applied),
    tipCell(r, view),
    ...(view.rollout ? [r.rollout?.wave ?? '', r.rollout?.gate ?? ''] : []),
    String(r.objects),
    String(r.unhealthy),
    String(r.drifted),
    String(r.failed),
    r.ageSeconds === undefined ? '<unknown>' : humanDuration(r.ageSeconds),
  ]);
  return columns([header, ...rows].map((r) => r.map(printable)));
}

function objectRows(objects: readonly ObjectStatus[]): string[][] {
  return objects.map((o) => [o.kind, o.namespace ?? '', o.name, o.action, o.health, String(o.drift?.length ?? 0), o.message ?? '']);
}

function detailText(detail: ClusterDetail, view: FleetView): string {
  const { row } = detail;
  const lines = [
    printable(
      `Cluster ${row.cluster}: ${resultCell(row)}, ${row.readiness} (from ${row.readinessFrom === 'live' ? 'its Ready condition' : 'the reconcile result'}), applied ${short(row.applied)} (${tipCell(row, view)}), last attempt ${short(row.attempted)}`,
    ),
  ];
  if (row.stale) lines.push('  stale: the rendered tip has no folder for this cluster any more (it left the inventory)');
  const conditions = row.problems.filter((p) => p.kind === 'condition');
  for (const c of conditions) lines.push(printable(`  ${c.subject}: ${c.message}`));
  lines.push('', columns([['KIND', 'NAMESPACE', 'NAME', 'ACTION', 'HEALTH', 'DRIFT', 'MESSAGE'], ...objectRows(detail.objects)].map((r) => r.map(printable))));
  const drift = detail.objects.flatMap((o) => (o.drift ?? []).map((d) => `  ${o.kind} ${o.namespace === undefined ? '' : `${o.namespace}/`}${o.name} ${d.path}: ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`));
  if (drift.length > 0) lines.push('', 'Drift (live → rendered; Secret values masked):', ...drift.map(printable));
  return lines.join('\n');
}

export function formatTable(result: StatusResult): string {
  const parts = [fleetTable(result.view, result.details.length === 0 ? undefined : new Set(result.details.map((d) => d.row.cluster)))];
  for (const d of result.details) parts.push(detailText(d, result.view));
  return `${parts.join('\n\n')}\n`;
}
