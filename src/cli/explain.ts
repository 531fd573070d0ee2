/** `manifold explain KIND/NAME`: every decision behind one template's placement (src/app/explain.ts), as text. */
import { describeId, type Template } from '../model/types.ts';
import type { RenderResult } from '../render/render.ts';
import type { TrafficExplanation } from '../render/traffic.ts';
import { explain, type ExplainOptions } from '../app/explain.ts';
import { printNotice } from './output.ts';

export function formatExplanation(result: RenderResult, template: Template): string {
  const lines: string[] = [`${describeId(template.id)}  (${template.source.file}:${template.source.line})`];
  const placement = result.placements.find((p) => p.template.key === template.key);
  const unschedulable = result.unschedulable.find((u) => u.key === template.key);
  if (unschedulable !== undefined) {
    lines.push('', 'Not rendered: Scheduled=False (unschedulable)', `  ${unschedulable.reason}`);
    return `${lines.join('\n')}\n`;
  }
  if (placement === undefined) {
    lines.push('', 'Not rendered: no policy of any dialect claims this template.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`dialect: ${placement.dialect}`);
  lines.push(...liveStatusLines(result));
  for (const section of placement.explain) {
    lines.push('', `${section.title}:`, ...section.lines.map((l) => `  ${l}`));
  }
  const rendered = result.rendered.find((r) => r.template.key === template.key);
  lines.push('', 'Result per cluster:');
  for (const v of rendered?.variants ?? []) {
    const overrides = v.overrides.length ? v.overrides.join('; ') : 'no overrides';
    lines.push(`  ${v.clusters.join(', ')}: ${v.path} (sha256 ${v.sha256.slice(0, 12)}) — ${overrides}`);
  }
  if ((rendered?.variants.length ?? 0) === 0) lines.push('  (no cluster receives this template)');
  return `${lines.join('\n')}\n`;
}

/** `manifold explain TrafficSplit/NAME`: the weight arithmetic per server and the generated objects. */
export function formatTrafficExplanation(traffic: TrafficExplanation): string {
  const lines: string[] = [`TrafficSplit ${traffic.id.namespace}/${traffic.id.name}  (${traffic.source.file}:${traffic.source.line})`];
  for (const section of traffic.sections) lines.push('', `${section.title}:`, ...section.lines.map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}

/** Which report and clock the render used, and what it changed per cluster (taints, capacity) since when. */
function liveStatusLines(result: RenderResult): string[] {
  const status = result.provenance.status;
  if (status === undefined) return [];
  const from = status.commit === undefined ? 'a report folder' : `report ${status.commit.slice(0, 12)}`;
  const grace = status.failover === undefined ? '' : `, failover grace ${status.failover.gracePeriodSeconds}s`;
  const lines = ['', `Fleet live status (${from}, decided at ${status.now}${grace}):`];
  const clusters = Object.entries(status.clusters);
  if (clusters.length === 0) lines.push('  no cluster changed by the live status');
  for (const [cluster, notes] of clusters) for (const note of notes) lines.push(`  ${cluster}: ${note}`);
  return lines;
}

export async function explainCommand(opts: ExplainOptions): Promise<number> {
  const { result, template, traffic } = await explain(opts, (notice) => printNotice(notice));
  if (traffic !== undefined) process.stdout.write(formatTrafficExplanation(traffic));
  if (template !== undefined) process.stdout.write(formatExplanation(result, template));
  return 0;
}
