/**
 * Karmada's typed overriders (reference §1.8; upstream
 * `pkg/util/overridemanager/{overridemanager,imageoverride,commandargsoverride,
 * labelannotationoverrider}.go`). Inside one rule the order is fixed
 * (`applyPolicyOverriders`): imageOverrider, commandOverrider, argsOverrider,
 * labelsOverrider, annotationsOverrider, fieldOverrider, plaintext. Each item
 * becomes RFC 6902 ops applied with evanphx/json-patch/v5 default options, so
 * this module patches in `strict` mode; all plaintext items of a rule form one
 * patch. Like Karmada's unstructured round trip after every patch, a result
 * without a string `kind` is an error.
 *
 * Opt-in extensions (Manifold decisions, default off = Karmada behaviour):
 * `initContainersAndCronJob` also covers initContainers and CronJob
 * (`/spec/jobTemplate/spec/template/spec`) in the image, command and args
 * overriders; `keepDigest` keeps the digest of `tag@digest` images, which
 * Karmada drops (a warning says so when the extension is off).
 */
import { yamlErrorPlace } from '../../errors/redact.ts';
import {
  NOT_RESOLVED,
  Schema,
  boolYaml11Tag,
  defineScalarTag,
  dump,
  loadAll,
  mapTag,
  mergeTag,
  nullYaml11Tag,
  seqTag,
  strTag,
  visit,
} from 'js-yaml';
import { ManifoldError } from '../../errors/index.ts';
import type { JsonObject, JsonValue } from '../../model/types.ts';
import { PatchError, applyPatch, unescapeToken, type PatchOp } from '../../render/jsonpatch.ts';
import {
  imageString,
  parseImage,
  removeTagOrDigest,
  setTagOrDigest,
  tagOrDigest,
  type ImageComponents,
} from './imageparser.ts';
import type {
  CommandArgsOverrider,
  FieldOverrider,
  ImageOverrider,
  LabelAnnotationOverrider,
  Overriders,
  PlaintextOverrider,
} from './schema.ts';

export type OverriderName =
  | 'imageOverrider'
  | 'commandOverrider'
  | 'argsOverrider'
  | 'labelsOverrider'
  | 'annotationsOverrider'
  | 'fieldOverrider'
  | 'plaintext';

export interface OverrideExtensions {
  /** Also patch initContainers, and CronJob pod templates, in image/command/args overriders. */
  initContainersAndCronJob?: boolean | undefined;
  /** Keep the digest of `tag@digest` images instead of dropping it like Karmada. */
  keepDigest?: boolean | undefined;
}

export interface OverrideOptions {
  extensions?: OverrideExtensions | undefined;
}

export interface OverrideResult {
  object: JsonObject;
  /** Things the user should know, e.g. an image digest Karmada drops. */
  warnings: string[];
}

export interface OverrideErrorData {
  overrider: OverriderName;
  /** Position in that overrider's list. */
  index: number;
  /** The JSON pointer involved, when there is one. */
  path?: string | undefined;
  reason: string;
}

/** An overrider cannot be applied. The caller adds the policy, rule index and cluster. */
export class OverrideError extends ManifoldError {
  constructor(data: OverrideErrorData, options?: ErrorOptions) {
    super('OVERRIDE_FAILED', data.reason, { ...data }, options);
  }
}

/** Applies one rule's overriders to `obj` in Karmada's fixed order. `obj` is not modified. */
export function applyOverriders(obj: JsonObject, overriders: Overriders, options: OverrideOptions = {}): OverrideResult {
  const ext = options.extensions ?? {};
  const warnings: string[] = [];
  let current = obj;

  (overriders.imageOverrider ?? []).forEach((overrider, index) => {
    current = applyImageOverrider(current, overrider, index, ext, warnings);
  });
  for (const target of ['command', 'args'] as const) {
    const name = target === 'command' ? 'commandOverrider' : 'argsOverrider';
    (overriders[name] ?? []).forEach((overrider, index) => {
      const ops = guard(name, index, undefined, () => buildCommandArgsPatches(target, current, overrider, ext));
      current = patchObject(current, ops, name, index);
    });
  }
  for (const field of ['labels', 'annotations'] as const) {
    const name = field === 'labels' ? 'labelsOverrider' : 'annotationsOverrider';
    (overriders[name] ?? []).forEach((overrider, index) => {
      const built = buildLabelAnnotationPatches(current, overrider, field);
      // labelannotationoverrider.go skips applyJSONPatch when there is nothing to do.
      if (built.ops.length > 0) current = patchObject(built.base, built.ops, name, index);
    });
  }
  (overriders.fieldOverrider ?? []).forEach((overrider, index) => {
    current = guard('fieldOverrider', index, overrider.fieldPath, () => applyFieldOverrider(current, overrider));
  });
  current = applyPlaintext(current, overriders.plaintext ?? []);
  return { object: current, warnings };
}

/**
 * Karmada's `getOverridersFromOverridePolicies` order: every
 * ClusterOverridePolicy before every OverridePolicy; within each kind a
 * stable sort by implicit priority (match-all 1 < label 2 < name 3), then name.
 * Later patches win, so the most specific policy applies last.
 */
export function orderOverridePolicies<
  T extends { kind: 'ClusterOverridePolicy' | 'OverridePolicy'; name: string; implicitPriority: 1 | 2 | 3 },
>(policies: T[]): T[] {
  const ofKind = (kind: T['kind']) =>
    policies
      .filter((p) => p.kind === kind)
      .sort((a, b) => a.implicitPriority - b.implicitPriority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...ofKind('ClusterOverridePolicy'), ...ofKind('OverridePolicy')];
}

// ---- shared plumbing ----

/** Runs `build`, turning any failure into an OverrideError for that overrider. */
function guard<T>(overrider: OverriderName, index: number, path: string | undefined, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof OverrideError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new OverrideError({ overrider, index, path, reason }, { cause: err });
  }
}

/** overridemanager.go applyJSONPatch: strict patch, then the unstructured round trip (kind required). */
function patchObject(obj: JsonObject, ops: readonly PatchOp[], overrider: OverriderName, index: number): JsonObject {
  let patched: JsonValue;
  try {
    patched = applyPatch(obj, ops, 'strict');
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    throw new OverrideError({ overrider, index, path: err.path, reason: err.message }, { cause: err });
  }
  return requireKind(patched, overrider, index);
}

function requireKind(value: JsonValue, overrider: OverriderName, index: number): JsonObject {
  if (!isObject(value)) {
    throw new OverrideError({ overrider, index, reason: 'the patched document is not an object' });
  }
  if (typeof value['kind'] !== 'string' || value['kind'] === '') {
    throw new OverrideError({ overrider, index, reason: "Object 'Kind' is missing in the patched object" });
  }
  return value;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function member(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function kindOf(obj: JsonObject): string {
  const kind = member(obj, 'kind');
  return typeof kind === 'string' ? kind : '';
}

/** Where the pod spec lives, by kind (imageoverride.go, commandargsoverride.go). */
function podSpecPath(kind: string, ext: OverrideExtensions): string[] | undefined {
  switch (kind) {
    case 'Pod':
      return ['spec'];
    case 'ReplicaSet':
    case 'Deployment':
    case 'DaemonSet':
    case 'StatefulSet':
    case 'Job':
      return ['spec', 'template', 'spec'];
    case 'CronJob':
      return ext.initContainersAndCronJob === true ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : undefined;
    default:
      return undefined;
  }
}

function containerLists(ext: OverrideExtensions): string[] {
  return ext.initContainersAndCronJob === true ? ['containers', 'initContainers'] : ['containers'];
}

// ---- imageOverrider ----

/**
 * What an imageOverrider (without predicate) made of a pod spec, by the pod
 * spec it was given (identity). Its patches read and write that subtree
 * only, so a pod spec shared by many clusters' copies of a template (the
 * other overrides are copy-on-write) is overridden once and the result
 * shared in turn: a fleet with a registry per region and a label per
 * cluster built and serialized every cluster's pod spec anew (issue 19,
 * about a quarter of the render), and the shared result also lets emit.ts
 * write it once. Weak both ways: entries go with the policy or the template.
 */
const imageOverridden = new WeakMap<ImageOverrider, WeakMap<JsonObject, { podSpec: JsonObject; extensions: string; warnings: string[] }>>();

function applyImageOverrider(obj: JsonObject, overrider: ImageOverrider, index: number, ext: OverrideExtensions, warnings: string[]): JsonObject {
  const specPath = overrider.predicate === undefined ? podSpecPath(kindOf(obj), ext) : undefined;
  const podSpec = specPath === undefined ? undefined : subtreeAt(obj, specPath);
  const extensions = `${ext.keepDigest === true}/${ext.initContainersAndCronJob === true}`;
  const known = podSpec === undefined ? undefined : imageOverridden.get(overrider)?.get(podSpec);
  if (specPath !== undefined && known !== undefined && known.extensions === extensions) {
    warnings.push(...known.warnings.map((w) => `imageOverrider[${index}]: ${w}`));
    return known.podSpec === podSpec ? obj : withSubtree(obj, specPath, known.podSpec);
  }
  const built = guard('imageOverrider', index, overrider.predicate?.path, () => buildImagePatches(obj, overrider, ext));
  warnings.push(...built.warnings.map((w) => `imageOverrider[${index}]: ${w}`));
  const patched = patchObject(obj, built.ops, 'imageOverrider', index);
  const result = specPath === undefined ? undefined : subtreeAt(patched, specPath);
  if (podSpec !== undefined && result !== undefined) {
    let byPodSpec = imageOverridden.get(overrider);
    if (byPodSpec === undefined) imageOverridden.set(overrider, (byPodSpec = new WeakMap()));
    byPodSpec.set(podSpec, { podSpec: result, extensions, warnings: built.warnings });
  }
  return patched;
}

/** The object at `path` (members only), or undefined when any step is not an object. */
function subtreeAt(obj: JsonObject, path: readonly string[]): JsonObject | undefined {
  let current: JsonObject = obj;
  for (const key of path) {
    const next = member(current, key);
    if (!isObject(next)) return undefined;
    current = next;
  }
  return current;
}

/** `obj` with the object at `path` (which exists) replaced: the containers along it copied, keys in place. */
function withSubtree(obj: JsonObject, path: readonly string[], value: JsonObject): JsonObject {
  const [key, ...rest] = path as [string, ...string[]];
  return { ...obj, [key]: rest.length === 0 ? value : withSubtree(obj[key] as JsonObject, rest, value) };
}

/** imageoverride.go buildPatches: one `replace` per image, plus digest warnings. */
export function buildImagePatches(
  obj: JsonObject,
  overrider: ImageOverrider,
  ext: OverrideExtensions = {},
): { ops: PatchOp[]; warnings: string[] } {
  const ops: PatchOp[] = [];
  const warnings: string[] = [];
  const add = (path: string, image: string) => {
    if (!path.startsWith('/')) throw new Error('imagePath should be start with / character');
    const result = overrideImage(image, overrider, ext.keepDigest === true);
    if (result.droppedDigest) {
      warnings.push(
        `${path}: image "${image}" loses its digest, as in Karmada, and becomes "${result.image}"; enable the keepDigest extension to keep it`,
      );
    }
    ops.push({ op: 'replace', path, value: result.image });
  };

  if (overrider.predicate !== undefined) {
    const path = overrider.predicate.path;
    let image: string;
    try {
      image = obtainImageValue(obj, path);
    } catch (err) {
      throw new Error(`failed to obtain imageValue with predicate path(${path}), error: ${(err as Error).message}`);
    }
    add(path, image);
    return { ops, warnings };
  }

  const kind = kindOf(obj);
  const specPath = podSpecPath(kind, ext);
  if (specPath === undefined) return { ops, warnings };
  const podSpec = typedPodSpec(obj, specPath, kind);
  for (const list of containerLists(ext)) {
    typedContainers(podSpec, list, kind).forEach((container, i) => {
      add(`/${specPath.join('/')}/${list}/${i}/image`, typedImage(container, kind));
    });
  }
  return { ops, warnings };
}

/**
 * helper.ConvertToTypedObject, along the pod spec path only: absent or null
 * members are zero values, members of the wrong type fail the conversion.
 */
function typedPodSpec(obj: JsonObject, path: string[], kind: string): JsonObject {
  let current: JsonObject = obj;
  for (const key of path) {
    const next = member(current, key);
    if (next === undefined || next === null) return {};
    if (!isObject(next)) throw conversionError(kind, `.${key} is not an object`);
    current = next;
  }
  return current;
}

function typedContainers(podSpec: JsonObject, list: string, kind: string): JsonObject[] {
  const containers = member(podSpec, list);
  if (containers === undefined || containers === null) return [];
  if (!Array.isArray(containers)) throw conversionError(kind, `${list} is not an array`);
  return containers.map((c) => {
    if (c === null) return {};
    if (!isObject(c)) throw conversionError(kind, `an element of ${list} is not an object`);
    return c;
  });
}

function typedImage(container: JsonObject, kind: string): string {
  const image = member(container, 'image');
  if (image === undefined || image === null) return '';
  if (typeof image !== 'string') throw conversionError(kind, 'a container image is not a string');
  return image;
}

function conversionError(kind: string, detail: string): Error {
  return new Error(`failed to convert ${kind} from unstructured object: ${detail}`);
}

/**
 * imageoverride.go obtainImageValue: trims slashes, splits on `/` without
 * unescaping, and after an array takes the next segment as its index.
 */
function obtainImageValue(obj: JsonObject, predicatePath: string): string {
  const segments = predicatePath.replace(/^\/+|\/+$/g, '').split('/');
  let current: JsonObject = obj;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as string;
    const value = member(current, segment);
    if (isObject(value)) {
      current = value;
    } else if (Array.isArray(value)) {
      const indexSegment = segments[i + 1] as string;
      const index = parseInt32(indexSegment);
      if (index === undefined) throw new Error(`path(${indexSegment}) of rawObj's is not number`);
      // Go would panic on a bad index or a non-map element; the controller reports an error.
      const element = value[index];
      if (index < 0 || index >= value.length) throw new Error(`index ${index} out of range [0,${value.length})`);
      if (!isObject(element)) throw new Error(`element ${index} of path(${segment}) is not an object`);
      current = element;
      i++;
    } else {
      throw new Error(`path(${segment}) of rawObj's type is not map[string]interface{} and []interface{}`);
    }
  }
  const last = segments[segments.length - 1] as string;
  const image = member(current, last);
  if (typeof image !== 'string') throw new Error(`failed to convert path(${last}) to string`);
  return image;
}

/** strconv.ParseInt(s, 10, 32). */
function parseInt32(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -2147483648 && n <= 2147483647 ? n + 0 : undefined;
}

/** imageoverride.go overrideImage, reporting whether Karmada's tag-or-digest parse lost a digest. */
function overrideImage(image: string, overrider: ImageOverrider, keepDigest: boolean): { image: string; droppedDigest: boolean } {
  let components: ImageComponents;
  try {
    components = parseImage(image, { keepDigest });
  } catch (err) {
    throw new Error(`failed to parse image value(${image}), error: ${(err as Error).message}`);
  }
  const result = imageString(changeComponent(components, overrider));
  if (keepDigest) return { image: result, droppedDigest: false };
  const kept = imageString(changeComponent(parseImage(image, { keepDigest: true }), overrider));
  return { image: result, droppedDigest: kept !== result };
}

function changeComponent(c: ImageComponents, overrider: ImageOverrider): ImageComponents {
  const value = overrider.value ?? '';
  const op = overrider.operator;
  switch (overrider.component) {
    case 'Registry':
      return { ...c, hostname: op === 'add' ? c.hostname + value : op === 'replace' ? value : '' };
    case 'Repository':
      return { ...c, repository: op === 'add' ? c.repository + value : op === 'replace' ? value : '' };
    case 'Tag':
      if (op === 'add') return setTagOrDigest(c, tagOrDigest(c) + value);
      if (op === 'replace') return setTagOrDigest(c, value);
      return removeTagOrDigest(c);
  }
}

// ---- commandOverrider / argsOverrider ----

/**
 * commandargsoverride.go buildCommandArgsPatches: for every container named
 * `containerName`, `add` the list when it is absent, else `replace` it with
 * the edited list (`add` appends, `remove` drops every element equal to a value).
 */
export function buildCommandArgsPatches(
  target: 'command' | 'args',
  obj: JsonObject,
  overrider: CommandArgsOverrider,
  ext: OverrideExtensions = {},
): PatchOp[] {
  const specPath = podSpecPath(kindOf(obj), ext);
  if (specPath === undefined) return [];
  const ops: PatchOp[] = [];
  for (const list of containerLists(ext)) {
    const fields = [...specPath, list];
    const containers = nestedSlice(obj, fields);
    containers.forEach((container, index) => {
      if (!isObject(container)) throw new Error(`an element of ${fields.join('.')} is not an object`);
      if (member(container, 'name') !== overrider.containerName) return;
      const path = `/${fields.join('/')}/${index}/${target}`;
      const current = member(container, target);
      if (current === undefined || current === null) {
        ops.push({ op: 'add', path, value: editCommandArgs([], overrider) });
        return;
      }
      if (!Array.isArray(current)) throw new Error(`${path} is not an array`);
      ops.push({ op: 'replace', path, value: editCommandArgs(current.map(goFormat), overrider) });
    });
  }
  return ops;
}

/** unstructured.NestedSlice: absent (or under a null) → empty; a non-map on the way or a non-list → error. */
function nestedSlice(obj: JsonObject, fields: string[]): JsonValue[] {
  let value: JsonValue | undefined = obj;
  for (const [i, field] of fields.entries()) {
    if (value === null) return [];
    if (!isObject(value)) {
      throw new Error(`failed to retrieves path(${fields.join('/')}) from rawObj, error: .${fields.slice(0, i + 1).join('.')} accessor error: expected map`);
    }
    value = member(value, field);
    if (value === undefined) return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`failed to retrieves path(${fields.join('/')}) from rawObj, error: .${fields.join('.')} accessor error: expected []interface{}`);
  }
  return value;
}

function editCommandArgs(current: string[], overrider: CommandArgsOverrider): string[] {
  const values = overrider.value ?? [];
  if (overrider.operator === 'add') return [...current, ...values];
  const removed = new Set(values);
  return current.filter((v) => !removed.has(v));
}

/** fmt.Sprintf("%s", v) for the values an unstructured list can hold. */
function goFormat(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return '%!s(<nil>)';
  if (typeof v === 'boolean') return `%!s(bool=${v})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `%!s(int64=${v})` : `%!s(float64=${v})`;
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  return `map[${Object.keys(v)
    .sort()
    .map((k) => `${k}:${goFormat(v[k] as JsonValue)}`)
    .join(' ')}]`;
}

// ---- labelsOverrider / annotationsOverrider ----

/**
 * labelannotationoverrider.go: top-level metadata only. `add` creates the map
 * when it is not a string map (Karmada sets it on the object before patching)
 * and upserts; `replace` and `remove` touch existing keys only. `/` in keys is
 * escaped as `~1` (and nothing else, as upstream).
 */
export function buildLabelAnnotationPatches(
  obj: JsonObject,
  overrider: LabelAnnotationOverrider,
  field: 'labels' | 'annotations',
): { base: JsonObject; ops: readonly PatchOp[] } {
  if (overrider.operator === 'add') {
    const ops = addOpsOf(overrider, field);
    if (ops.length === 0 || nestedStringMap(obj, field) !== undefined) return { base: obj, ops };
    // SetNestedStringMap fails when metadata is not a map: then nothing is added.
    const created = withEmptyMap(obj, field);
    return created === undefined ? { base: obj, ops: [] } : { base: created, ops };
  }
  // replace and remove: existing keys only.
  const existing = nestedStringMap(obj, field);
  const ops: PatchOp[] = [];
  for (const key of Object.keys(overrider.value ?? {}).sort()) {
    if (existing === undefined || !Object.hasOwn(existing, key)) continue;
    const path = `/metadata/${field}/${key.replace(/\//g, '~1')}`;
    ops.push(overrider.operator === 'remove' ? { op: 'remove', path } : { op: overrider.operator, path, value: (overrider.value ?? {})[key] as string });
  }
  return { base: obj, ops };
}

/**
 * An `add` overrider's patch: one upsert per key, whatever the object holds
 * (only whether the map must be created first depends on it). Worked out
 * once per overrider: a per-cluster label rule is applied to every template.
 */
const addOps = new WeakMap<LabelAnnotationOverrider, Partial<Record<'labels' | 'annotations', readonly PatchOp[]>>>();

function addOpsOf(overrider: LabelAnnotationOverrider, field: 'labels' | 'annotations'): readonly PatchOp[] {
  let byField = addOps.get(overrider);
  if (byField === undefined) addOps.set(overrider, (byField = {}));
  // Go iterates the map in random order; the keys are independent, sorting makes the output stable.
  return (byField[field] ??= Object.keys(overrider.value ?? {})
    .sort()
    .map((key) => ({ op: 'add', path: `/metadata/${field}/${key.replace(/\//g, '~1')}`, value: (overrider.value ?? {})[key] as string })));
}

/** unstructured.NestedStringMap(obj, "metadata", field): undefined unless a map of strings. */
function nestedStringMap(obj: JsonObject, field: string): Record<string, string> | undefined {
  const metadata = member(obj, 'metadata');
  if (!isObject(metadata)) return undefined;
  const map = member(metadata, field);
  if (!isObject(map)) return undefined;
  return Object.values(map).every((v) => typeof v === 'string') ? (map as Record<string, string>) : undefined;
}

/** unstructured.SetNestedStringMap(obj, {}, "metadata", field), without touching `obj`. */
function withEmptyMap(obj: JsonObject, field: string): JsonObject | undefined {
  const metadata = member(obj, 'metadata');
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) return undefined;
  return { ...obj, metadata: { ...(metadata ?? {}), [field]: {} } };
}

// ---- fieldOverrider ----

/**
 * overridemanager.go applyFieldOverriders: the value at `fieldPath`
 * (go-openapi/jsonpointer) must be a string holding JSON or YAML; it is
 * patched and written back re-serialised. YAML wins when both lists are set;
 * with both empty the field becomes "".
 */
export function applyFieldOverrider(obj: JsonObject, overrider: FieldOverrider): JsonObject {
  const raw = pointerGet(obj, overrider.fieldPath);
  if (typeof raw !== 'string') {
    throw new Error(`Get object's value by overrider's path(${overrider.fieldPath}) is not string`);
  }
  let patched: string;
  if (overrider.yaml !== undefined && overrider.yaml.length > 0) {
    patched = patchYamlString(raw, fieldOps(overrider.yaml));
  } else if (overrider.json !== undefined && overrider.json.length > 0) {
    patched = patchJsonString(raw, fieldOps(overrider.json));
  } else {
    patched = '';
  }
  return applyPatch(obj, [{ op: 'replace', path: overrider.fieldPath, value: patched }], 'strict') as JsonObject;
}

function fieldOps(list: NonNullable<FieldOverrider['json']>): PatchOp[] {
  return list.map((p) => toPatchOp(p.operator, p.subPath, p.value));
}

/** overrideOption from an apiextensionsv1.JSON value: an absent value marshals as null. */
function toPatchOp(operator: 'add' | 'remove' | 'replace', path: string, value: unknown): PatchOp {
  if (operator === 'remove') return { op: 'remove', path };
  return { op: operator, path, value: (value ?? null) as JsonValue };
}

/** go-openapi/jsonpointer Pointer.Get over an unstructured object. */
function pointerGet(obj: JsonObject, pointer: string): JsonValue {
  if (pointer !== '' && !pointer.startsWith('/')) throw new Error(`JSON pointer must be empty or start with a "/"`);
  let node: JsonValue = obj;
  if (pointer === '') return node;
  for (const token of pointer.slice(1).split('/').map(unescapeToken)) {
    if (Array.isArray(node)) {
      const index = /^[+-]?[0-9]+$/.test(token) ? Number(token) : Number.NaN;
      if (!Number.isInteger(index)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(token)}: invalid syntax`);
      if (index < 0 || index >= node.length) throw new Error(`index out of bounds array[0,${node.length - 1}] index '${index}'`);
      node = node[index] as JsonValue;
    } else if (isObject(node)) {
      if (!Object.hasOwn(node, token)) throw new Error(`object has no key ${JSON.stringify(token)}`);
      node = node[token] as JsonValue;
    } else {
      throw new Error(`invalid token reference ${JSON.stringify(token)}`);
    }
  }
  return node;
}

/** applyRawJSONPatch: evanphx v5 Apply on the raw bytes, compact output. */
function patchJsonString(raw: string, ops: PatchOp[]): string {
  if (raw === '') return ''; // v5 Apply returns an empty document unchanged
  let doc: JsonValue;
  try {
    doc = JSON.parse(raw) as JsonValue;
  } catch {
    throw new Error('the value is not valid JSON');
  }
  // v5 decides by the first byte: '[' is an array, anything else must be an object.
  const shapeOk = raw.startsWith('[') ? Array.isArray(doc) : isObject(doc);
  if (!shapeOk) throw new Error('the JSON value must be an object, or an array starting with "["');
  return goJson(patchEmbedded(doc, ops, 'JSON'));
}

/** applyRawYAMLPatch: sigs.k8s.io/yaml YAMLToJSON, v5 patch, JSONToYAML. */
function patchYamlString(raw: string, ops: PatchOp[]): string {
  let doc: JsonValue;
  try {
    // yaml.v2 Unmarshal reads the first document only.
    doc = toJsonValue(loadAll(raw, { schema: YAML_V2_SCHEMA })[0] ?? null);
  } catch (err) {
    // js-yaml's message quotes the lines around the error, and the field may hold a Secret's value.
    throw new Error(`the value is not valid YAML (${yamlErrorPlace(err)})`);
  }
  if (!isObject(doc) && !Array.isArray(doc)) throw new Error('the YAML value must be a mapping or a sequence');
  return dumpYamlV2(patchEmbedded(doc, ops, 'YAML'));
}

function patchEmbedded(doc: JsonValue, ops: PatchOp[], format: string): JsonValue {
  try {
    return applyPatch(doc, ops, 'strict');
  } catch (err) {
    if (err instanceof PatchError) throw new Error(`${format} patch failed: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Plain JSON data from js-yaml output; NaN and ±Inf fail like Go's json.Marshal. */
function toJsonValue(v: unknown): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
    return v;
  }
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, child] of Object.entries(v)) {
      Object.defineProperty(out, k, { value: toJsonValue(child), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new Error(`unsupported YAML value of type ${typeof v}`);
}

/** Go encoding/json Marshal: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: JsonValue): string {
  return JSON.stringify(value).replace(/\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})|[<>&\u2028\u2029]/g, (m) =>
    m.length > 1 ? m : `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// ---- YAML as sigs.k8s.io/yaml (go-yaml v2) reads and writes it ----

/** yaml.v2 resolve.go: ints via strconv.ParseInt(base 0) after dropping underscores. */
const goIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  resolve: (source) => {
    const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(source.replace(/_/g, ''));
    if (m === null) return NOT_RESOLVED;
    const digits = m[2] as string;
    const lower = digits.toLowerCase();
    const magnitude = lower.startsWith('0x')
      ? Number.parseInt(lower.slice(2), 16)
      : lower.startsWith('0b')
        ? Number.parseInt(lower.slice(2), 2)
        : lower.startsWith('0o')
          ? Number.parseInt(lower.slice(2), 8)
          : lower.length > 1 && lower.startsWith('0')
            ? Number.parseInt(lower.slice(1), 8)
            : Number(lower);
    return m[1] === '-' ? -magnitude : magnitude;
  },
  identify: (data) => typeof data === 'number' && Number.isInteger(data),
  represent: (data) => String(data),
});

/** yaml.v2 resolve.go: `.inf`/`.nan` spellings, ParseFloat after `.`, yamlStyleFloat otherwise. */
const goFloatTag = defineScalarTag<number>('tag:yaml.org,2002:float', {
  implicit: true,
  resolve: (source) => {
    const special: Record<string, number> = {
      '.nan': Number.NaN,
      '.NaN': Number.NaN,
      '.NAN': Number.NaN,
      '.inf': Infinity,
      '.Inf': Infinity,
      '.INF': Infinity,
      '+.inf': Infinity,
      '+.Inf': Infinity,
      '+.INF': Infinity,
      '-.inf': -Infinity,
      '-.Inf': -Infinity,
      '-.INF': -Infinity,
    };
    if (Object.hasOwn(special, source)) return special[source] as number;
    const plain = source.startsWith('.') ? source : source.replace(/_/g, '');
    return /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain) ? Number(plain) : NOT_RESOLVED;
  },
  identify: (data) => typeof data === 'number',
  represent: (data) => String(data),
});

/**
 * YAML 1.1 as go-yaml v2 decodes into interface{}: y/yes/on… are booleans,
 * `0755` is octal, timestamps stay strings, merge keys work.
 */
const YAML_V2_SCHEMA = new Schema([strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, goIntTag, goFloatTag, mergeTag]);

/** yaml.v2 Marshal: mapping keys in go-yaml's keyList order, block sequences not indented. */
function dumpYamlV2(value: JsonValue): string {
  return dump(value, {
    noRefs: true,
    seqNoIndent: true,
    lineWidth: -1,
    quoteStyle: 'double',
    transform: (documents) =>
      visit(documents, (node) => {
        if (node.kind !== 'mapping') return;
        node.items.sort((a, b) => {
          const x = a.key.kind === 'scalar' ? a.key.value : '';
          const y = b.key.kind === 'scalar' ? b.key.value : '';
          return yamlV2KeyLess(x, y) ? -1 : yamlV2KeyLess(y, x) ? 1 : 0;
        });
      }),
  });
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** go-yaml v2 sorter.go keyList.Less for two string keys: letters after other runes, digit runs by value. */
export function yamlV2KeyLess(a: string, b: string): boolean {
  const ar = Array.from(a, (c) => c.codePointAt(0) as number);
  const br = Array.from(b, (c) => c.codePointAt(0) as number);
  const isLetter = (r: number) => LETTER.test(String.fromCodePoint(r));
  const isDigit = (r: number | undefined) => r !== undefined && DIGIT.test(String.fromCodePoint(r));
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ai0 = ar[i] as number;
    const bi0 = br[i] as number;
    if (ai0 === bi0) continue;
    const al = isLetter(ai0);
    const bl = isLetter(bi0);
    if (al && bl) return ai0 < bi0;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ai0 === 0x30 || bi0 === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + ((ar[ai] as number) - 0x30);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + ((br[bi] as number) - 0x30);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ai0 < bi0;
  }
  return ar.length < br.length;
}

// ---- plaintext ----

/** parseJSONPatchesByPlaintext + applyJSONPatch: every item of the rule in one patch. */
function applyPlaintext(obj: JsonObject, plaintext: readonly PlaintextOverrider[]): JsonObject {
  const ops = plaintext.map((p) => toPatchOp(p.operator, p.path, p.value));
  let patched: JsonValue;
  try {
    patched = applyPatch(obj, ops, 'strict');
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    throw new OverrideError({ overrider: 'plaintext', index: err.opIndex, path: err.path, reason: err.message }, { cause: err });
  }
  return requireKind(patched, 'plaintext', Math.max(0, plaintext.length - 1));
}
