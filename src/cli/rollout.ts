/**
 * `manifold rollout status | approve WAVE | pause | resume | abort`: the
 * rollout use cases (src/app/rollout.ts) as a command. Status prints one line
 * per cluster (wave, commit it runs, commit it may run, why not yet) or the
 * gate as JSON; the controls print what they committed.
 */
import { rolloutControl, rolloutStatus, type ControlAction, type RolloutStatusOptions } from '../app/rollout.ts';
import type { GateResult } from '../model/rollout-gate.ts';
import { say } from './output.ts';

const short = (c: string | undefined): string => (c === undefined ? '-' : c.slice(0, 12));

/** The status table, as docs/rollout.md shows it. */
export function formatGate(gate: GateResult): string {
  const lines = [`rollout ${gate.policy}: ${gate.state} at ${short(gate.target)} (report time ${gate.now})`, `  ${gate.reason}`, ''];
  const rows = gate.clusters.map((c) => [c.cluster, c.wave, short(c.running), short(c.allowed), c.gate === undefined ? '' : `${c.gate}: ${c.reason}`]);
  const header = ['CLUSTER', 'WAVE', 'RUNS', 'MAY RUN', 'WHY NOT YET'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) lines.push(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
  lines.push('', 'waves:');
  for (const w of gate.waves) lines.push(`  ${w.name.padEnd(Math.max(...gate.waves.map((x) => x.name.length)))}  ${w.state.padEnd(11)}  ${w.reason}`);
  return `${lines.join('\n')}\n`;
}

export async function rolloutStatusCommand(opts: RolloutStatusOptions & { output?: 'text' | 'json' }): Promise<number> {
  const gate = await rolloutStatus(opts);
  process.stdout.write(opts.output === 'json' ? `${JSON.stringify(gate, null, 2)}\n` : formatGate(gate));
  return 0;
}

export interface ControlCommandOptions {
  repo: string;
  renderedBranch: string;
  prefix?: string | undefined;
  commit?: string | undefined;
  report?: string | undefined;
  remote?: string | undefined;
  token?: string | undefined;
  by?: string | undefined;
}

export async function rolloutControlCommand(action: ControlAction, opts: ControlCommandOptions): Promise<number> {
  const outcome = await rolloutControl({ ...opts, action, reportBranch: opts.report });
  say(outcome.message);
  // As render --commit: the commit id on stdout, for scripts.
  if (outcome.changed && outcome.commit !== undefined) process.stdout.write(`${outcome.commit}\n`);
  return 0;
}
