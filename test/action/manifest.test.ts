/** action.yml agrees with the code: runtime, entry point, input defaults, and every output the code sets. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS } from '../../src/action/main.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Manifest {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const manifest = load(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Manifest;

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(manifest.runs).toEqual({ using: 'node24', main: 'dist/action.js' });
  });

  it('declares the inputs the code reads, with the same defaults', () => {
    const declared = Object.fromEntries(Object.entries(manifest.inputs).map(([name, spec]) => [name, spec.default]));
    expect(declared).toEqual({ ...INPUT_DEFAULTS, token: '${{ github.token }}' });
    for (const spec of Object.values(manifest.inputs)) expect(spec.description.length).toBeGreaterThan(10);
  });

  it('declares every output the code sets, and the docs table lists inputs and outputs', () => {
    const source = readFileSync(path.join(ROOT, 'src/action/main.ts'), 'utf8');
    const set = [...source.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]);
    expect(new Set(set)).toEqual(new Set(Object.keys(manifest.outputs)));
    const docs = readFileSync(path.join(ROOT, 'docs/github-action.md'), 'utf8');
    for (const name of [...Object.keys(manifest.inputs), ...Object.keys(manifest.outputs)]) expect(docs).toContain(`| \`${name}\` |`);
  });

  it('the example workflow uses the action with the permissions it needs and a full-history checkout', () => {
    const workflow = load(readFileSync(path.join(ROOT, 'examples/github-workflow/manifold.yml'), 'utf8')) as {
      on: Record<string, unknown>;
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.permissions).toMatchObject({ contents: 'write', 'pull-requests': 'write' });
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with).toMatchObject({ 'fetch-depth': 0 });
    const ours = steps.find((s) => s.uses?.includes('manifold'));
    expect(ours).toBeDefined();
    for (const key of Object.keys(ours?.with ?? {})) expect(Object.keys(manifest.inputs)).toContain(key);
  });
});
