/**
 * JSON Schemas for editors, generated from the same zod schemas that validate
 * documents (draft-07, input side, so defaults stay optional). Committed under
 * schemas/ and kept in sync by schemas.test.ts.
 */
import { z } from 'zod';
import { registry } from '../dialects/registry.ts';
import { ProjectSettings } from '../model/settings.ts';
import { ClusterStatusSchema } from '../reconcile/report.ts';

export const SCHEMA_BASE_URL = 'https://raw.githubusercontent.com/manifold-dev/manifold/main/schemas';

/** file name → JSON text. */
export function generateSchemas(): Map<string, string> {
  const entries: [string, z.ZodType, string][] = registry.kinds.filter((k) => k.schemaFile !== false).map((k) => [
    k.title,
    k.schema,
    `${k.apiVersion} ${typeof k.kind === 'string' ? k.kind : k.title}`,
  ]);
  entries.push(['manifold-project', ProjectSettings, 'manifold.dev/v1alpha1 Project (manifold.yaml)']);
  entries.push(['manifold-cluster-status', ClusterStatusSchema, 'manifold reconcile status of one cluster (report branch clusters/<name>.json)']);
  const out = new Map<string, string>();
  for (const [title, schema, description] of entries.sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const json = z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' });
    const withId = { $id: `${SCHEMA_BASE_URL}/${title}.json`, title, description, ...json };
    out.set(`${title}.json`, `${JSON.stringify(withId, null, 2)}\n`);
  }
  return out;
}
