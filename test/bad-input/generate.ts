/**
 * A corpus of hostile and unlucky sources (issue 10), generated from the
 * repository's example fleets so that every case is one mistake away from a
 * source that renders. Categories:
 *
 * - numeric: every number in every example set to -1, 2^31, 1e309, .nan, 1.5, -0,
 *   and so are the numeric policy fields the examples do not use;
 * - quantity: every resource quantity set to text, a negative, 1e309, .nan;
 * - type: every node (up to depth 6) replaced by a value of another type;
 * - alias: alias bombs (nested, scalar), a recursive alias, alias keys;
 * - size: a 20,000-key ConfigMap with a syntax error, 5,000 documents, deep nesting;
 * - name: object names, namespaces and cluster names of legal and illegal shapes;
 * - kind: kinds and apiVersions the API server would or would not serve;
 * - yaml: directives, tags, markers, encodings, empty and comment-only files;
 * - traffic: TrafficSplits that name a missing or unplaced workload, a cluster
 *   without entry points, an address twice, an output cluster not in the
 *   inventory (issue 18), and cluster variables a cluster cannot fill.
 *
 * `scripts/node24.sh node test/bad-input/generate.ts DIR` writes each case to
 * DIR/<category>/<n>/ (a source folder); test/bad-input/corpus.test.ts runs
 * them all through the CLI.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

export interface Case {
  id: string;
  category: string;
  /** What was done, for failure messages. */
  what: string;
  /** Relative path → content: a whole source folder. */
  files: Record<string, string>;
  /** The exit code the case must end with, when the case is known to be wrong (or right). */
  expect?: 0 | 2;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BASES = ['quickstart', 'kubeadmiral', 'kubefed', 'federation-v1', 'karmada-seed', 'traffic', 'monitoring'];

/** The example's source files (YAML only), by relative path. */
function readBase(name: string): Record<string, string> {
  const dir = path.join(ROOT, 'examples', name);
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) continue;
    const abs = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, abs).split(path.sep).join('/')] = readFileSync(abs, 'utf8');
  }
  return files;
}

interface Site {
  /** Offsets of the node's text in its file. */
  start: number;
  end: number;
  node: Node;
  key: string;
  depth: number;
}

/** Every node of a file that is a mapping value or a sequence item, with its source range. */
function sites(text: string): Site[] {
  const out: Site[] = [];
  const docs = parseAllDocuments(text, { lineCounter: new LineCounter() });
  if (!Array.isArray(docs)) return out;
  const visit = (node: unknown, key: string, depth: number): void => {
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return;
    const range = node.range;
    if (range && depth > 0) out.push({ start: range[0], end: range[1], node, key, depth });
    if (depth >= 6) return;
    if (isMap(node)) {
      for (const pair of node.items) if (isPair(pair)) visit(pair.value, isScalar(pair.key) ? String(pair.key.value) : '?', depth + 1);
    } else if (isSeq(node)) {
      node.items.forEach((item) => visit(item, key, depth + 1));
    }
  };
  for (const doc of docs) visit(doc.contents, '', 0);
  return out;
}

function splice(text: string, site: Site, replacement: string): string {
  return text.slice(0, site.start) + replacement + text.slice(site.end);
}

const NUMERIC_EXTREMES = ['-1', '2147483648', '1e309', '.nan', '1.5', '-0'];
const QUANTITY_EXTREMES = ['"lots"', '"-1"', '"1e309"', '".nan"', '""', '1e309'];
const QUANTITY_KEYS = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage', 'nvidia.com/gpu']);
/** Replacements of another type, cycled through the nodes so each node gets one. */
const WRONG_TYPES: Record<'scalar' | 'map' | 'seq', string[]> = {
  scalar: ['{a: 1}', '[x, 1]', 'null', 'true'],
  map: ['"text"', '[1, 2]', '42', 'null'],
  seq: ['{a: b}', '"text"', '7', '[[1]]'],
};

function mutationCases(): Case[] {
  const cases: Case[] = [];
  for (const base of BASES) {
    const files = readBase(base);
    let turn = 0;
    for (const [file, text] of Object.entries(files)) {
      for (const site of sites(text)) {
        const where = `${base}/${file}:${site.start} (${site.key})`;
        const add = (category: string, replacement: string) =>
          cases.push({ id: `${category}-${cases.length}`, category, what: `${where} := ${replacement}`, files: { ...files, [file]: splice(text, site, replacement) } });
        if (isScalar(site.node) && typeof site.node.value === 'number') {
          for (const value of NUMERIC_EXTREMES) add('numeric', value);
        }
        if (isScalar(site.node) && QUANTITY_KEYS.has(site.key)) {
          for (const value of QUANTITY_EXTREMES) add('quantity', value);
        }
        const shape = isMap(site.node) ? 'map' : isSeq(site.node) ? 'seq' : 'scalar';
        const options = WRONG_TYPES[shape];
        add('type', options[turn++ % options.length] as string);
      }
    }
  }
  return cases;
}

/** Numeric policy fields the examples leave out, inserted into the quickstart's PropagationPolicy with each extreme. */
function insertedNumericCases(): Case[] {
  const files = readBase('quickstart');
  const policy = files['propagation.yaml'] as string;
  const inserts: [string, (x: string) => string][] = [
    ['priority', (x) => policy.replace('spec:\n', `spec:\n  priority: ${x}\n`)],
    ['spreadConstraints.maxGroups', (x) => policy.replace('  placement:\n', `  placement:\n    spreadConstraints:\n      - spreadByField: cluster\n        maxGroups: ${x}\n        minGroups: 1\n`)],
    ['spreadConstraints.minGroups', (x) => policy.replace('  placement:\n', `  placement:\n    spreadConstraints:\n      - spreadByField: region\n        maxGroups: 2\n        minGroups: ${x}\n`)],
    ['clusterTolerations.tolerationSeconds', (x) => policy.replace('  placement:\n', `  placement:\n    clusterTolerations:\n      - key: k\n        operator: Exists\n        effect: NoExecute\n        tolerationSeconds: ${x}\n`)],
    ['failover.tolerationSeconds', (x) => policy.replace('spec:\n', `spec:\n  failover:\n    application:\n      decisionConditions:\n        tolerationSeconds: ${x}\n      purgeMode: Gracefully\n      gracePeriodSeconds: ${x}\n`)],
  ];
  return inserts.flatMap(([field, insert]) =>
    NUMERIC_EXTREMES.map((x) => ({ id: '', category: 'numeric', what: `quickstart/propagation.yaml ${field} := ${x}`, files: { ...files, 'propagation.yaml': insert(x) } })),
  );
}

const CLUSTER = 'apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: c1\n';
const PLACE_ALL = [
  'apiVersion: policy.karmada.io/v1alpha1',
  'kind: ClusterPropagationPolicy',
  'metadata:',
  '  name: all',
  'spec:',
  '  resourceSelectors:',
  ...['v1 ConfigMap', 'apps/v1 Deployment', 'v1 Namespace', 'example.com/v1 Thing'].flatMap((s) => {
    const [apiVersion, kind] = s.split(' ');
    return [`    - apiVersion: ${apiVersion}`, `      kind: ${kind}`];
  }),
  '',
].join('\n');

/** A source with one cluster, a policy placing ConfigMaps and Deployments everywhere, and `app.yaml`. */
function single(category: string, what: string, app: string, extra: Record<string, string> = {}): Case {
  return { id: '', category, what, files: { 'clusters.yaml': CLUSTER, 'policy.yaml': PLACE_ALL, 'app.yaml': app, ...extra } };
}

function configMap(name: string, namespace = 'default', data = '{}'): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ndata: ${data}\n`;
}

function aliasCases(): Case[] {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const big = 'x'.repeat(2 * 1024 * 1024);
  return [
    single('alias', 'billion laughs in data', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs, namespace: default}\ndata:\n  ${laughs.join('\n  ')}\n`),
    single('alias', 'scalar alias bomb', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb, namespace: default}\ndata:\n  s: &s "${big}"\n  t: [${Array(300).fill('*s').join(',')}]\n`),
    single('alias', 'recursive alias', 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: rec, namespace: default, self: *m}\n'),
    single('alias', 'recursive alias in a list', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rec2, namespace: default}\ndata: &d\n  - *d\n'),
    single('alias', 'alias used as a key overwrites a label', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &k keyed\n  namespace: default\n  labels:\n    keyed: a\n    *k : b\n'),
    single('alias', 'alias of a whole document root', 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: one, namespace: default}\n---\n*m\n'),
    single('alias', 'undefined alias', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: *nothing}\n'),
    single('alias', 'merge key', 'apiVersion: v1\nkind: ConfigMap\nbase: &b {name: merged, namespace: default}\nmetadata:\n  <<: *b\n'),
  ];
}

function sizeCases(): Case[] {
  const keys = Array.from({ length: 20_000 }, (_, i) => `  key${i}: "value ${i}"`).join('\n');
  const docs = Array.from({ length: 5_000 }, (_, i) => configMap(`cm-${i}`)).join('---\n');
  const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep, namespace: default}\ndata:\n  x: ${'['.repeat(2000)}${']'.repeat(2000)}\n`;
  const deepBlock = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deepb, namespace: default}\nspec:\n${Array.from({ length: 500 }, (_, i) => `${'  '.repeat(i + 1)}k:`).join('\n')} 1\n`;
  return [
    single('size', '20,000 keys and a syntax error', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: default}\ndata:\n${keys}\n  broken: [unclosed\n`),
    single('size', '20,000 keys behind an anchor', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: default}\ndata: &d\n${keys}\n`),
    single('size', '5,000 documents', docs),
    single('size', '2,000 nested flow lists', deep),
    single('size', '500 nested block mappings', deepBlock),
    single('size', 'a 4 MB value', configMap('huge', 'default', `{v: "${'y'.repeat(4 * 1024 * 1024)}"}`)),
  ];
}

function nameCases(): Case[] {
  const names = [
    'a', 'a'.repeat(63), 'a'.repeat(64), `a${'.b'.repeat(126)}`, 'x'.repeat(251), 'x'.repeat(252), 'x'.repeat(253), 'x'.repeat(254), 'x'.repeat(10_000),
    'system:controller', 'UPPER', 'under_score', 'dot.dot', '.', '..', '.git', '-lead', 'trail-', 'a/b', 'a%2Fb', 'a\\\\b', 'tab\\there', 'nul\\u0000', 'é', '日本',
    '""', '" "', '"0"', '123', 'true', 'null', '~', '"a b"', "'quoted'", 'new\\nline',
  ];
  const cases: Case[] = [];
  for (const name of names) {
    const quoted = /^["']/.test(name) ? name : /\\/.test(name) ? `"${name}"` : JSON.stringify(name);
    cases.push(single('name', `ConfigMap name ${name.slice(0, 40)}`, configMap(quoted)));
    cases.push(single('name', `namespace ${name.slice(0, 40)}`, configMap('cm', quoted)));
    cases.push(single('name', `cluster name ${name.slice(0, 40)}`, configMap('cm'), { 'clusters.yaml': CLUSTER.replace('name: c1', `name: ${quoted}`) }));
    cases.push(single('name', `Namespace object ${name.slice(0, 40)}`, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${quoted}\n`));
  }
  return cases;
}

function kindCases(): Case[] {
  const kinds = ['Thing', 'thing', 'My-Thing', 'K'.repeat(63), 'K'.repeat(64), 'K'.repeat(300), '..', '.git', 'a/b', 'Service/web.yaml', '1Thing', 'Con\\u0000fig', 'Thing.v2', '"Th ing"', 'Thïng', '""', '123', '[Thing]', '{a: b}', 'null'];
  const apiVersions = ['v1', 'example.com/v1', 'example.com/v1beta1', '../v1', 'a/b/c', '/v1', 'example.com/', '.git/v1', `${'g'.repeat(300)}.io/v1`, `${'g'.repeat(63)}.io/v1`, 'Example.com/v1', 'example.com/V1', 'example.com/1', '""', '[v1]', '1', 'null', 'v1 ', 'e\\u0000x.com/v1'];
  const quote = (s: string) => (/^[[{"]|^null$|^\d+$/.test(s) ? s : /\\/.test(s) ? `"${s}"` : JSON.stringify(s));
  const cases: Case[] = [];
  for (const kind of kinds) cases.push(single('kind', `kind ${kind.slice(0, 40)}`, `apiVersion: example.com/v1\nkind: ${quote(kind)}\nmetadata:\n  name: x\n  namespace: default\n`));
  for (const apiVersion of apiVersions) cases.push(single('kind', `apiVersion ${apiVersion.slice(0, 40)}`, `apiVersion: ${quote(apiVersion)}\nkind: Thing\nmetadata:\n  name: x\n  namespace: default\n`));
  return cases;
}

function yamlCases(): Case[] {
  const cm = configMap('y');
  const texts: [string, string][] = [
    ['%YAML 2.0', `%YAML 2.0\n---\n${cm}`],
    ['%YAML 1.1', `%YAML 1.1\n---\n${cm}`],
    ['%YAML 1.1 yes/no', `%YAML 1.1\n---\n${cm.replace('data: {}', 'data: {a: yes}')}`],
    ['%TAG directive', `%TAG !e! tag:example.com,2000:\n---\n${cm.replace('data: {}', 'data: {a: !e!x 1}')}`],
    ['unknown directive', `%FOO bar\n---\n${cm}`],
    ['!!omap', cm.replace('data: {}', 'data: !!omap\n  - a: "1"')],
    ['!!set', cm.replace('data: {}', 'data: !!set {a}')],
    ['!!binary', cm.replace('data: {}', 'data: {a: !!binary aGk=}')],
    ['!!timestamp', cm.replace('data: {}', 'data: {a: !!timestamp 2001-12-14}')],
    ['!!int on text', cm.replace('data: {}', 'data: {a: !!int abc}')],
    ['local tag', cm.replace('data: {}', 'data: {a: !custom x}')],
    ['verbatim tag', cm.replace('data: {}', 'data: {a: !<tag:example.com:x> y}')],
    ['!!str number', cm.replace('data: {}', 'data: {a: !!str 1}')],
    ['document end markers', `${cm}...\n---\n${configMap('z')}...\n`],
    ['BOM', `\uFEFF${cm}`],
    ['CRLF', cm.replace(/\n/g, '\r\n')],
    ['tab indentation', cm.replace('  name: y', '\tname: y')],
    ['empty file', ''],
    ['only comments', '# nothing\n# here\n'],
    ['only separators', '---\n---\n---\n'],
    ['scalar document', 'just a string\n'],
    ['list document', '- a\n- b\n'],
    ['null keys', cm.replace('data: {}', 'data: {~: a, null: b}')],
    ['duplicate keys', `${cm}kind: Secret\n`],
    ['complex key', cm.replace('data: {}', 'data: {[a, b]: c}')],
    ['unclosed quote', cm.replace('name: y', 'name: "y')],
    ['bad escape', cm.replace('name: y', 'name: "\\q"')],
    ['invalid UTF-8 replaced', cm.replace('name: y', 'name: y\uFFFD')],
    ['control character', cm.replace('data: {}', 'data: {a: "\u0007"}')],
    ['lone surrogate escape', cm.replace('data: {}', 'data: {a: "\\uD800"}')],
    ['JSON file', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j', namespace: 'default' } })],
    ['broken JSON', '{"apiVersion": "v1", "kind": '],
    ['JSON with 1e999', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j", "namespace": "default"}, "data": {"n": 1e999}}'],
    ['very long line', cm.replace('data: {}', `data: {a: ${'z'.repeat(200_000)}}`)],
  ];
  return texts.map(([what, text]) => single('yaml', what, text));
}

/** One edit of an example file; the edit must change it (a stale pattern would test nothing). */
function edited(base: string, what: string, edits: Record<string, (text: string) => string>, expect: 0 | 2 = 2): Case {
  const files = readBase(base);
  for (const [file, edit] of Object.entries(edits)) {
    const before = files[file] ?? '';
    const after = edit(before);
    if (after === before) throw new Error(`traffic case "${what}": the edit of ${base}/${file} changed nothing`);
    files[file] = after;
  }
  return { id: '', category: 'traffic', what, files, expect };
}

function trafficCases(): Case[] {
  const unplaced = (t: string) => `${t}---\n${t.replace('name: web\n', 'name: lonely\n')}`;
  return [
    edited('traffic', 'TrafficSplit workload that does not exist', { 'traffic.yaml': (t) => t.replace('    name: web\n', '    name: wbe\n') }),
    edited('traffic', 'TrafficSplit workload of another kind', { 'traffic.yaml': (t) => t.replace('kind: Deployment', 'kind: StatefulSet') }),
    edited('traffic', 'TrafficSplit workload placed nowhere', { 'app.yaml': unplaced, 'traffic.yaml': (t) => t.replace('    name: web\n', '    name: lonely\n') }),
    edited('traffic', 'a cluster with replicas but no entry points', { 'traffic.yaml': (t) => t.replace('    clusters:\n      - cluster: member2\n        addresses: [10.2.0.11:80, 10.2.0.12:80]\n', '') }),
    edited('traffic', 'entry point annotation missing on a cluster', { 'clusters.yaml': (t) => t.replace('    manifold.dev/entry-points: 10.3.0.11:80\n', '    other: x\n') }),
    edited('traffic', 'duplicate address across clusters', { 'traffic.yaml': (t) => t.replace('10.2.0.12:80', '10.1.0.12:80') }),
    edited('traffic', 'duplicate address: the VM is an Ingress node', { 'traffic.yaml': (t) => t.replace('address: 10.9.0.5:8080', 'address: 10.2.0.11:80') }),
    edited('traffic', 'output cluster not in the inventory', { 'traffic.yaml': (t) => t.replace('    - cluster: edge\n      httpRoute', '    - cluster: egde\n      httpRoute') }),
    edited('traffic', 'entry points for a cluster not in the inventory', { 'traffic.yaml': (t) => t.replace('cluster: member2', 'cluster: member9') }),
    edited('traffic', 'address without a port', { 'traffic.yaml': (t) => t.replace('10.2.0.12:80', '10.2.0.12') }),
    edited('traffic', 'address with port 0', { 'clusters.yaml': (t) => t.replace('10.3.0.11:80', '10.3.0.11:0') }),
    edited('traffic', 'IPv4 octet above 255', { 'traffic.yaml': (t) => t.replace('10.2.0.12:80', '10.2.0.312:80') }),
    edited('traffic', 'an output with nginx and httpRoute', { 'traffic.yaml': (t) => t.replace('        upstream: web\n', '        upstream: web\n      httpRoute: {name: x, parentRefs: [{name: p}], clusterBackendRef: {name: y}}\n') }),
    edited('traffic', 'an output with neither', { 'traffic.yaml': (t) => t.replace(/ {6}nginx:\n(?: {8}.*\n)+/, '') }),
    edited('traffic', 'HTTPRoute backendRef the same for every cluster', { 'traffic.yaml': (t) => t.replace('web-${MEMBER-CLUSTER-NAME}', 'web') }),
    edited('traffic', 'unknown cluster variable in a backendRef', { 'traffic.yaml': (t) => t.replace('${MEMBER-CLUSTER-NAME}', '${MEMBER-CLUSTER-NOM}') }),
    edited('traffic', 'VM without a backendRef next to an HTTPRoute', { 'traffic.yaml': (t) => t.replace(/ {6}backendRef:\n {8}name: web-vm\n {8}port: 8080\n/, '') }),
    edited('traffic', 'output name taken by a template', { 'app.yaml': (t) => `${t}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-upstream, namespace: edge}\n` }),
    edited('traffic', 'two TrafficSplits generate the same ConfigMap', { 'app.yaml': (t) => `${t}---\n${readBase('traffic')['traffic.yaml']!.replace('  name: web\n  namespace: shop\nspec', '  name: web2\n  namespace: shop\nspec')}` }),
    edited('traffic', 'weightPerPod 0', { 'traffic.yaml': (t) => t.replace('weightPerPod: 10', 'weightPerPod: 0') }),
    edited('traffic', 'every replica drained: an empty upstream', {
      'traffic.yaml': (t) => t.replace(/ {2}extraServers:\n(?: {4}.*\n)+/, ''),
      'app.yaml': (t) => t.replace('replicas: 10', 'replicas: 0'),
    }),
    edited('monitoring', 'cluster variable: a label no cluster has', { 'overrides.yaml': (t) => t.replace('LABEL-KEY-environment', 'LABEL-KEY-team') }),
    edited('monitoring', 'cluster variable: unknown', { 'overrides.yaml': (t) => t.replace('${MEMBER-CLUSTER-ZONE}', '${MEMBER-CLUSTER-DATACENTER}') }),
    edited('monitoring', 'cluster variable: no closing brace', { 'overrides.yaml': (t) => t.replace('${MEMBER-CLUSTER-ZONE}', '"${MEMBER-CLUSTER-ZONE"') }),
    edited('monitoring', 'cluster variable: a cluster without a region', {
      'overrides.yaml': (t) => t.replace('${MEMBER-CLUSTER-ZONE}', '${MEMBER-CLUSTER-REGION}'),
      'clusters.yaml': (t) => t.replace('  region: shanghai\n', ''),
    }),
    edited('monitoring', 'cluster variables off: written literally (exit 0)', { 'manifold.yaml': (t) => t.replace('clusterVariables: true', 'clusterVariables: false') }, 0),
  ];
}

export function generateCorpus(): Case[] {
  const cases = [...mutationCases(), ...insertedNumericCases(), ...aliasCases(), ...sizeCases(), ...nameCases(), ...kindCases(), ...yamlCases(), ...trafficCases()];
  const counters = new Map<string, number>();
  return cases.map((c) => {
    const n = counters.get(c.category) ?? 0;
    counters.set(c.category, n + 1);
    return { ...c, id: `${c.category}/${n}` };
  });
}

function writeCorpus(dir: string): void {
  for (const c of generateCorpus()) {
    for (const [file, text] of Object.entries(c.files)) {
      const target = path.join(dir, c.id, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  }
}

if (import.meta.filename === process.argv[1]) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: generate.ts DIR\n');
    process.exitCode = 2;
  } else {
    writeCorpus(dir);
  }
}
