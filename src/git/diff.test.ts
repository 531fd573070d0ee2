import { describe, expect, it } from 'vitest';
import { diffTrees, formatJson, formatMarkdown, formatText, MASK, MASK_CHANGED } from './diff.ts';

const cm = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: web\ndata:\n  key: ${value}\n  other: same\n`;
const secret = (data: Record<string, string>, stringData?: Record<string, string>) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: web\ntype: Opaque\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: ${v}\n`)
    .join('')}${stringData ? `stringData:\n${Object.entries(stringData).map(([k, v]) => `  ${k}: ${v}\n`).join('')}` : ''}`;

const CM = 'namespaces/web/ConfigMap/app.yaml';
const SECRET = 'namespaces/web/Secret/creds.yaml';

function tree(spec: Record<string, Record<string, string>>): Map<string, Map<string, string>> {
  return new Map(Object.entries(spec).map(([c, files]) => [c, new Map(Object.entries(files))]));
}

describe('diffTrees', () => {
  it('reports per cluster which objects were added, removed or changed, with unified diffs', () => {
    const base = tree({ east: { [CM]: cm('app', 'v1'), 'namespaces/web/ConfigMap/old.yaml': cm('old', 'x') }, gone: { [CM]: cm('app', 'v1') }, same: { [CM]: cm('app', 'v1') } });
    const head = tree({ east: { [CM]: cm('app', 'v2'), 'namespaces/web/ConfigMap/new.yaml': cm('new', 'y') }, fresh: { [CM]: cm('app', 'v1') }, same: { [CM]: cm('app', 'v1') } });
    const diffs = diffTrees(base, head);
    expect(diffs.map((d) => [d.cluster, d.status, d.added, d.changed, d.removed])).toEqual([
      ['east', 'changed', 1, 1, 1],
      ['fresh', 'added', 1, 0, 0],
      ['gone', 'removed', 0, 0, 1],
    ]);
    const east = diffs[0]!;
    expect(east.objects.map((o) => [o.path, o.change, o.kind, o.namespace, o.name])).toEqual([
      [CM, 'changed', 'ConfigMap', 'web', 'app'],
      ['namespaces/web/ConfigMap/new.yaml', 'added', 'ConfigMap', 'web', 'new'],
      ['namespaces/web/ConfigMap/old.yaml', 'removed', 'ConfigMap', 'web', 'old'],
    ]);
    expect(east.objects[0]!.diff).toBe('@@ -4,5 +4,5 @@\n   name: app\n   namespace: web\n data:\n-  key: v1\n+  key: v2\n   other: same\n');
    expect(east.objects[0]).toMatchObject({ linesAdded: 1, linesRemoved: 1 });
    expect(diffTrees(base, base)).toEqual([]);
  });

  it('masks Secret values on both sides and flags the ones that changed', () => {
    const base = tree({ east: { [SECRET]: secret({ password: 'c2VjcmV0MQ==', user: 'YWRtaW4=' }, { token: 'plain-old' }) } });
    const head = tree({ east: { [SECRET]: secret({ password: 'c2VjcmV0Mg==', user: 'YWRtaW4=', added: 'bmV3' }, { token: 'plain-new' }) } });
    const [east] = diffTrees(base, head);
    const obj = east!.objects[0]!;
    expect(obj.change).toBe('changed');
    expect(obj.secretValuesChanged).toEqual(['data.password', 'stringData.token']);
    for (const value of ['c2VjcmV0MQ==', 'c2VjcmV0Mg==', 'YWRtaW4=', 'bmV3', 'plain-old', 'plain-new']) {
      expect(obj.diff).not.toContain(value);
      expect(formatText([east!])).not.toContain(value);
      expect(formatMarkdown([east!])).not.toContain(value);
      expect(formatJson([east!])).not.toContain(value);
    }
    expect(obj.diff).toContain(`-  password: '${MASK}'`);
    expect(obj.diff).toContain(`+  password: '${MASK_CHANGED}'`);
    expect(obj.diff).toContain(`+  added: '${MASK}'`);
    expect(obj.diff).not.toMatch(/^[-+] {2}user:/m); // unchanged value: no diff line at all
    expect(formatText([east!])).toContain('[secret value changed: data.password, stringData.token]');
  });

  it('masks added and removed Secrets entirely, and hides unparseable Secrets', () => {
    const [added] = diffTrees(tree({ e: {} }), tree({ e: { [SECRET]: secret({ password: 'c2VjcmV0' }) } }));
    expect(added!.objects[0]!.diff).toContain(`+  password: '${MASK}'`);
    expect(added!.objects[0]!.diff).not.toContain('c2VjcmV0');
    const broken = 'kind: Secret\ndata: {password: c2VjcmV0\n';
    const [bad] = diffTrees(tree({ e: {} }), tree({ e: { [SECRET]: broken } }));
    expect(bad!.objects[0]!.diff).not.toContain('c2VjcmV0');
    expect(bad!.objects[0]!.name).toBe('creds');
  });

  it('masks what else carries a Secret value: data that is not a mapping, and the last-applied annotation', () => {
    const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: { password: 'bGFzdC1hcHBsaWVk' } });
    const odd = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '${lastApplied}'\n    team: web\ndata: bm90LWEtbWFw\nstringData: [c3RyaW5n]\n`;
    const [added] = diffTrees(tree({ e: {} }), tree({ e: { [SECRET]: odd } }));
    const diff = added!.objects[0]!.diff;
    for (const value of ['bGFzdC1hcHBsaWVk', 'bm90LWEtbWFw', 'c3RyaW5n']) expect(diff).not.toContain(value);
    expect(diff).toContain('team: web');
    expect(diff).toContain(`kubectl.kubernetes.io/last-applied-configuration: '${MASK}'`);
  });
});

describe('formatters', () => {
  const base = tree({ east: { [CM]: cm('app', 'v1') }, west: { [CM]: cm('app', 'v1') } });
  const head = tree({ east: { [CM]: cm('app', 'v2') }, west: { [CM]: cm('app', 'v1'), [SECRET]: secret({ a: 'eA==' }) } });
  const diffs = diffTrees(base, head);

  it('text: one line per cluster and object, hunks indented, colour only on request', () => {
    const text = formatText(diffs);
    expect(text).toContain('cluster east: 0 added, 1 changed, 0 removed\n~ ConfigMap web/app (east/namespaces/web/ConfigMap/app.yaml)\n    @@ -4,5 +4,5 @@');
    expect(text).toContain('+ Secret web/creds (west/namespaces/web/Secret/creds.yaml)');
    expect(text).toMatch(/2 clusters changed: 1 added, 1 changed, 0 removed\n$/);
    expect(text).not.toContain('\x1b[');
    expect(formatText(diffs, { color: true })).toContain('\x1b[32m    +  key: v2\x1b[0m');
    expect(formatText([])).toBe('No differences.\n');
  });

  it('markdown: a summary table and a collapsible section per object, capped in size', () => {
    const md = formatMarkdown(diffs);
    expect(md).toContain('| Cluster | Added | Changed | Removed |\n|---|---:|---:|---:|\n| `east` | 0 | 1 | 0 |\n| `west` | 1 | 0 | 0 |\n| **2 clusters** | **1** | **1** | **0** |');
    expect(md).toContain('<details><summary><code>~ ConfigMap web/app</code> (changed, +1 −1)</summary>\n\n```diff\n@@ -4,5 +4,5 @@');
    expect(md.match(/<details>/g)).toHaveLength(2);
    const capped = formatMarkdown(diffs, { maxLength: 220, fullDiffUrl: 'https://example.com/run/1' });
    expect(capped).toContain('2 object diffs not shown');
    expect(capped).toContain('[full diff](https://example.com/run/1)');
    expect(capped).not.toContain('<details>');
    expect(formatMarkdown([])).toContain('No rendered object changes.');
  });

  it('json: totals and the clusters as data', () => {
    const parsed = JSON.parse(formatJson(diffs)) as { summary: unknown; clusters: { cluster: string }[] };
    expect(parsed.summary).toEqual({ clusters: 2, added: 1, changed: 1, removed: 0 });
    expect(parsed.clusters.map((c) => c.cluster)).toEqual(['east', 'west']);
  });

  it('uses a longer fence when a diff contains backticks', () => {
    const d = diffTrees(tree({ e: { [CM]: cm('app', '"```"') } }), tree({ e: { [CM]: cm('app', '"````x"') } }));
    expect(formatMarkdown(d)).toContain('`````diff');
  });
});
