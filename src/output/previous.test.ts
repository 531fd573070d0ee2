import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../dialects/index.ts';
import { loadRepository } from '../load/repository.ts';
import { isRecord } from '../load/validate.ts';
import { resourceKey } from '../model/types.ts';
import { render } from '../render/render.ts';
import { generateFleet } from '../../bench/generate.ts';
import { replicasOfFile } from './previous.ts';
import { InputError } from '../errors/index.ts';

/** What replicasOfFile must return: the answer of a full YAML parse. */
function parsedAnswer(content: string): { key: string; replicas: number } | undefined {
  const obj = load(content);
  if (!isRecord(obj) || !isRecord(obj.metadata) || !isRecord(obj.spec)) return undefined;
  const count = obj.kind === 'Job' ? obj.spec.parallelism : obj.spec.replicas;
  // A count that is not a replica count (2.5, -1) is no previous placement at all.
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return undefined;
  const namespace = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '';
  return { key: resourceKey({ apiVersion: String(obj.apiVersion), kind: String(obj.kind), namespace, name: String(obj.metadata.name) }), replicas: count };
}

const GOLDEN = path.join(import.meta.dirname, '..', '..', 'test', 'golden');

describe('replicasOfFile', () => {
  it('agrees with a full parse on every golden file and a generated fleet', () => {
    const contents = new Set<string>();
    for (const e of readdirSync(GOLDEN, { recursive: true, withFileTypes: true })) if (e.isFile()) contents.add(readFileSync(path.join(e.parentPath, e.name), 'utf8'));
    const fleet = generateFleet({ clusters: 8, templates: 30 });
    const repo = loadRepository([...fleet].map(([p, text]) => ({ path: p, text })), registry);
    for (const files of render(repo, dialects, { manifoldVersion: 'test' }).clusters.values()) for (const c of files.values()) contents.add(c);
    let counted = 0;
    for (const c of contents) {
      const expected = parsedAnswer(c);
      expect(replicasOfFile(c, 'f.yaml'), c).toEqual(expected);
      if (expected !== undefined) counted++;
    }
    expect(counted).toBeGreaterThan(20);
  });

  it('falls back to parsing whatever is not in the layout Manifold writes', () => {
    const cases = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "123"\n  namespace: shop\nspec:\n  replicas: 3\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 4}\n',
      '# a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 0x10\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2.5\n',
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n  namespace: jobs\nspec:\n  parallelism: 2\n  completions: 8\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels:\n      replicas: "9"\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  spec: |\n    replicas: 5\n',
    ];
    for (const c of cases) expect(replicasOfFile(c, 'f.yaml'), c).toEqual(parsedAnswer(c));
  });
});

describe('an unreadable previous render (issue 10 item 4)', () => {
  it('is an input error naming the file and line, not a crash', () => {
    const broken = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: [unclosed\n';
    let error: unknown;
    try {
      replicasOfFile(broken, 'prev/eu-1/namespaces/shop/Deployment.apps/web.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0]).toMatchObject({ code: 'PREVIOUS_UNREADABLE', file: 'prev/eu-1/namespaces/shop/Deployment.apps/web.yaml', line: 7 });
  });

  it('does not quote the file in the message (a reason such as an unknown tag repeats input, which may be a credential)', () => {
    const broken = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: !<s3cr3t-v4lue> 2\n';
    let error: unknown;
    try {
      replicasOfFile(broken, 'prev/eu-1/namespaces/shop/Deployment.apps/web.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    const problem = (error as InputError).problems[0];
    expect(problem).toMatchObject({ code: 'PREVIOUS_UNREADABLE', line: 6 });
    expect(problem?.message).not.toContain('s3cr3t-v4lue');
  });
});
