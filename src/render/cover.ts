/**
 * Helper for `Dialect.cover`: when templates reference each other (a
 * workload and the ConfigMaps it reads), a change to one can move the others,
 * so an incremental render re-places the whole connected group.
 */
import type { Template } from '../model/types.ts';

/** Disjoint sets of template keys (path halving). */
class UnionFind {
  private readonly parent = new Map<string, string>();

  find(key: string): string {
    let k = key;
    for (;;) {
      const p = this.parent.get(k);
      if (p === undefined || p === k) return k;
      const grand = this.parent.get(p) ?? p;
      this.parent.set(k, grand);
      k = grand;
    }
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/**
 * `changed` plus every template connected to one of them through
 * `references` (keys a template names; unknown keys are ignored), in either
 * direction.
 */
export function connectedTemplates(templates: readonly Template[], references: (t: Template) => Iterable<string>, changed: ReadonlySet<string>): Set<string> {
  const links = new UnionFind();
  const keys = new Set(templates.map((t) => t.key));
  for (const t of templates) for (const key of references(t)) if (keys.has(key)) links.union(t.key, key);
  const roots = new Set([...changed].map((k) => links.find(k)));
  const out = new Set(changed);
  for (const key of keys) if (roots.has(links.find(key))) out.add(key);
  return out;
}
