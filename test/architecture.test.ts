/**
 * The layer rules of docs/architecture.md, checked over the import graph of
 * src/ (test files excluded). A rule broken by new code fails here with the
 * importing file and the import; a known violation listed in KNOWN must
 * still exist, so the list can only shrink.
 *
 * Hand-written rather than dependency-cruiser: the sources use one import
 * syntax (ESM with explicit `.ts` paths), so a scan of the import
 * specifiers is exact, and it saves a dependency tree of ~40 packages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.join(import.meta.dirname, '..', 'src');

interface Import {
  /** Importing file, relative to src/ (e.g. `reconcile/loop.ts`). */
  from: string;
  /** Resolved file relative to src/ for relative imports, else the package specifier. */
  to: string;
}

/** Import and re-export specifiers, static and dynamic, of one source text. */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gms,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function importGraph(): Import[] {
  return sourceFiles(SRC).flatMap((from) =>
    specifiers(readFileSync(path.join(SRC, from), 'utf8')).map((spec) => ({
      from,
      to: spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)) : spec,
    })),
  );
}

const layer = (file: string): string => file.split('/')[0]!;
const FRONT_DOORS = new Set(['cli', 'action']);
/** The pure core: no file system, network, git or Kubernetes client. */
const CORE = new Set(['model', 'render', 'dialects']);
const IO_PACKAGES = /^(node:(fs|fs\/promises|child_process|net|http|https|os|worker_threads)|isomorphic-git|@kubernetes\/client-node|undici)$/;

interface Rule {
  name: string;
  breaks(imp: Import): boolean;
}

const RULES: Rule[] = [
  {
    name: 'nothing below a front door imports a front door (src/cli, src/action)',
    breaks: ({ from, to }) => FRONT_DOORS.has(layer(to)) && !to.startsWith('node:') && layer(from) !== layer(to),
  },
  {
    name: 'the pure core (model, render, dialects) does no I/O',
    breaks: ({ from, to }) => CORE.has(layer(from)) && IO_PACKAGES.test(to),
  },
  {
    name: 'the pure core does not import adapters or use cases (load, output, git, github, reconcile, app)',
    breaks: ({ from, to }) => CORE.has(layer(from)) && ['output', 'git', 'github', 'reconcile', 'app'].includes(layer(to)) && !to.startsWith('node:'),
  },
  {
    name: 'adapters (load, output, git, github) do not import use cases (app): use cases call adapters, not the reverse',
    breaks: ({ from, to }) => ['load', 'output', 'git', 'github'].includes(layer(from)) && layer(to) === 'app',
  },
  {
    name: 'dialects never know each other',
    breaks: ({ from, to }) => {
      const [a, dialectA] = from.split('/');
      const [b, dialectB] = to.split('/');
      return a === 'dialects' && b === 'dialects' && to.split('/').length > 2 && from.split('/').length > 2 && dialectA !== dialectB;
    },
  },
  {
    name: 'reconcile never knows policies (dialects)',
    breaks: ({ from, to }) => layer(from) === 'reconcile' && layer(to) === 'dialects',
  },
  {
    name: 'render never knows git or Kubernetes',
    breaks: ({ from, to }) => layer(from) === 'render' && (['git', 'reconcile'].includes(layer(to)) || /^(isomorphic-git|@kubernetes\/client-node)$/.test(to)),
  },
];

/**
 * Violations tolerated for a while, each with the reason; each must still
 * occur, so the list can only shrink. Empty since issue 13 moved the shared
 * workflows to src/app/ and the Federation v1 / KubeFed planner to src/model/.
 */
const KNOWN = new Set<string>([]);

describe('architecture: import rules (docs/architecture.md)', () => {
  const graph = importGraph();
  const violations = graph.flatMap((imp) => RULES.filter((r) => r.breaks(imp)).map((r) => ({ imp, rule: r.name })));
  const key = ({ from, to }: Import) => `${from} → ${to}`;

  it('reads the import graph', () => {
    // Guards the scan itself: a broken pattern would make every rule pass.
    expect(graph.length).toBeGreaterThan(300);
    expect(graph).toContainEqual({ from: 'render/render.ts', to: 'errors/index.ts' });
  });

  it('no import breaks a rule (except the known ones)', () => {
    const unexpected = violations.filter((v) => !KNOWN.has(key(v.imp))).map((v) => `${key(v.imp)}: ${v.rule}`);
    expect(unexpected).toEqual([]);
  });

  it('every known violation still exists (remove it from KNOWN when fixed)', () => {
    const present = new Set(violations.map((v) => key(v.imp)));
    expect([...KNOWN].filter((k) => !present.has(k))).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    const check = (from: string, to: string) => RULES.filter((r) => r.breaks({ from, to })).map((r) => r.name);
    expect(check('reconcile/loop.ts', 'cli/reconcile.ts')).toHaveLength(1);
    expect(check('render/render.ts', 'node:fs')).toHaveLength(1);
    expect(check('render/render.ts', 'git/repo.ts')).toHaveLength(2);
    expect(check('dialects/karmada/index.ts', 'dialects/kubefed/planner.ts')).toHaveLength(1);
    expect(check('dialects/karmada/index.ts', 'dialects/registry.ts')).toEqual([]);
    expect(check('reconcile/cluster.ts', 'dialects/karmada/index.ts')).toHaveLength(1);
    expect(check('cli/main.ts', 'cli/render.ts')).toEqual([]);
    expect(check('app/render.ts', 'cli/output.ts')).toHaveLength(1);
    expect(check('git/publish.ts', 'app/render.ts')).toHaveLength(1);
    expect(check('cli/render.ts', 'app/render.ts')).toEqual([]);
    expect(specifiers("import a from './a.ts';\nexport { b } from '../b.ts';\nconst c = await import('./c.ts');\nimport type {\n  D,\n} from './d.ts';")).toEqual([
      './a.ts',
      '../b.ts',
      './d.ts',
      './c.ts',
    ]);
  });
});
