/**
 * reconcileCluster: one cluster's rendered tree → live state, and what
 * happened (a ClusterStatus). DESIGN.md §4 steps 2–5.
 *
 * 1. Stages (Flux ApplyAllStaged): CRDs, Namespaces, ClusterRoles first, then
 *    wait until CRDs are Established and discovery knows their kinds; then
 *    `*Class` kinds; then the rest.
 * 2. Per stage, one paged LIST per resource with the ApplySet label gives the
 *    live members; an object that looks in sync (compare.ts) is not touched
 *    (its resourceVersion stays). The others are dry-run applied and compared
 *    (Flux's drift check), then applied for real under field manager
 *    `manifold` with force. New objects skip the dry-run.
 * 3. Drift: fields another actor changed, as JSON pointers (Secret values
 *    masked); corrected unless selfHeal is false.
 * 4. Rejected objects are reported with the server's message; the rest still
 *    converges. Immutable fields: delete and re-create only with
 *    `manifold.dev/recreate: allowed`.
 * 5. Prune through the ApplySet (applyset.ts): superset on the parent before
 *    applying, delete stale members, narrow the parent after.
 * 6. Health (health.ts), optionally waited for.
 *
 * Cluster-level failures (unreachable, 401, timeout) end the run with a
 * status saying so; this function never throws for them.
 */
import type { JsonObject } from '../model/types.ts';
import {
  applySetId,
  DEFAULT_PARENT,
  type ApplySetParentRef,
  type ApplySetState,
  type LiveMember,
  PART_OF_LABEL,
  parentConflict,
  parentObject,
  parentUpToDate,
  planPrune,
  readParentState,
  unionState,
} from './applyset.ts';
import { redact } from '../errors/redact.ts';
import { RuntimeError } from '../errors/index.ts';
import { driftEntries, externalDrift, hasDrifted, looksInSync, secretValues } from './compare.ts';
import { assessHealth, type HealthResult, isSettled } from './health.ts';
import {
  type ApiResource,
  asObject,
  ClusterAuthError,
  ClusterUnreachableError,
  type DiscoveryIndex,
  groupKind,
  KubeApiError,
  KubeClient,
  sleep,
} from './kube.ts';
import {
  annotation,
  compareApplyOrder,
  type DesiredObject,
  describeObject,
  isCrd,
  metadataOf,
  objectKey,
  parseTree,
  RECREATE_ANNOTATION,
  type Stage,
  STAGES,
  stageOf,
  withLabels,
} from './objects.ts';
import { isWorkload, kubeTime, unreachableLive, type WorkloadObject } from './live.ts';
import { observeCluster } from './observe.ts';
import type { ClusterResult, ClusterStatus, Condition, DriftEntry, LiveState, ObjectAction, ObjectStatus } from './types.ts';

/** Message of each object a refused prune left in place (the reason is in the Pruned condition). */
export const PRUNE_REFUSED_MESSAGE = 'not pruned: the prune was refused (see the Pruned condition)';

export const FIELD_MANAGER = 'manifold';
/** kubectl writes its ApplySet parents as `kubectl-applyset`. */
export const PARENT_FIELD_MANAGER = 'manifold-applyset';

export interface ReconcileEvent {
  level: 'info' | 'warn' | 'error';
  cluster: string;
  message: string;
  object?: string | undefined;
}

export interface ReconcileOptions {
  /** Client of the cluster (kube.ts). */
  client: KubeClient;
  /** Cluster name (for the status; defaults to the client's). */
  cluster?: string;
  /** Commit of the rendered branch, or 'folder:<path>'. */
  renderedCommit: string;
  /** Correct drift (default true); false only reports it. */
  selfHeal?: boolean;
  /** Delete what the tree no longer has (default true). */
  prune?: boolean;
  /** Allow a prune that empties the cluster or exceeds maxPruneShare. */
  allowMassPrune?: boolean;
  /** Largest share of managed objects one prune may delete (default 0.3). */
  maxPruneShare?: number;
  /** Wait until every object is healthy (or Degraded), up to waitTimeoutMs. */
  wait?: boolean;
  /** Default 5 minutes. */
  waitTimeoutMs?: number;
  /** How long to wait for CRDs to be Established before stage 2 (default 60 s). */
  crdTimeoutMs?: number;
  /** Poll interval while waiting (default 1 s). */
  pollIntervalMs?: number;
  parent?: ApplySetParentRef;
  /**
   * The cluster left the fleet (no folder in the rendered tree): the tree is
   * empty, so every managed object is stale; the mass-prune guard still
   * applies. The result is Orphaned while anything is left, and the ApplySet
   * parent is deleted once nothing is (docs/reconciler.md "Leaving the fleet").
   */
  orphaned?: boolean;
  signal?: AbortSignal | undefined;
  /**
   * Sharded reconcilers (loop.ts ShardGate): called before each write stage
   * (ApplySet parent, each apply stage, prune); throws when this replica no
   * longer holds the cluster's Lease, so a replica that lost it mid-apply
   * stops writing there.
   */
  fence?: ((cluster: string) => void) | undefined;
  /** Read the cluster's live state after applying (observe.ts; default true). */
  observe?: boolean;
  /** Progress and problems, already safe to log (no Secret values). */
  log?: (event: ReconcileEvent) => void;
  now?: () => Date;
}

interface Tracked {
  desired: DesiredObject;
  key: string;
  stage: Stage;
  resource: ApiResource | undefined;
  status: ObjectStatus;
  /** The object as it is live after this run (apply response or listed). */
  live: JsonObject | undefined;
  /** Strings to scrub from messages about this object (Secret values). */
  secrets: string[];
}

const IMMUTABLE_MESSAGE = /\bis immutable\b|\bimmutable field\b|\bfield is immutable\b/i;

/** Flux `IsImmutableError`, narrowed to the message: a plain 422 (an invalid object) must never lead to a delete. */
export function isImmutableError(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError && (err.status === 422 || err.status === 409 || err.status === 400) && IMMUTABLE_MESSAGE.test(err.serverMessage);
}

/**
 * Whether an object-level failure is the object's fault (the API server
 * rejected it: invalid value, unknown field, conflict) rather than the
 * environment's (server error, throttling, missing permission). A rejected
 * object needs a fix in the source, so it is "not converged" (exit 1); the
 * environment is exit 3 (docs/reconciler.md "Exit codes").
 */
export function isRejection(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  if (err.status === 500) return UNDECODABLE_OBJECT.test(err.serverMessage);
  return err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 408 && err.status !== 429;
}

/**
 * The API server answers 500 when it cannot decode the object it was sent
 * (e.g. Secret data that is not base64): deterministic, the object's fault.
 * Messages of k8s.io/apimachinery pkg/util/managedfields/internal/structuredmerge.go
 * (structuredMergeManager.Update/Apply) and the unstructured converter.
 */
const UNDECODABLE_OBJECT = /failed to convert new object|failed to create typed patch object|unable to convert unstructured object|error decoding from json/i;

/** Ready reasons of a Failed cluster: only rejected objects (1), or something the environment did (3). */
export const OBJECTS_REJECTED = 'ObjectsRejected';
export const RECONCILIATION_FAILED = 'ReconciliationFailed';

function isClusterLevel(err: unknown): boolean {
  return err instanceof ClusterUnreachableError || err instanceof ClusterAuthError || (err as { name?: string })?.name === 'AbortError' || (err as { name?: string })?.name === 'TimeoutError';
}

class ClusterRun {
  readonly client: KubeClient;
  readonly cluster: string;
  readonly opts: ReconcileOptions;
  readonly parent: ApplySetParentRef;
  readonly id: string;
  readonly signal: AbortSignal | undefined;
  readonly selfHeal: boolean;
  /** Live members by resource (`group/version/plural`), listed once per run. */
  private readonly listed = new Map<string, Promise<JsonObject[]>>();
  readonly pruned: ObjectStatus[] = [];
  pruneCondition: Condition | undefined;
  /** Object-level failures that were not the object's fault (see isRejection). */
  environmentFailures = 0;
  discovery!: DiscoveryIndex;

  constructor(opts: ReconcileOptions) {
    this.opts = opts;
    this.client = opts.client;
    this.cluster = opts.cluster ?? opts.client.cluster;
    this.parent = opts.parent ?? DEFAULT_PARENT;
    this.id = applySetId(this.parent);
    this.signal = opts.signal;
    this.selfHeal = opts.selfHeal ?? true;
  }

  log(level: ReconcileEvent['level'], message: string, object?: string): void {
    this.opts.log?.({ level, cluster: this.cluster, message, object });
  }

  /** Live members of one resource (every namespace), listed once. */
  members(res: ApiResource): Promise<JsonObject[]> {
    const key = `${res.group}/${res.version}/${res.plural}`;
    let p = this.listed.get(key);
    if (p === undefined) {
      p = this.client.list(res, { labelSelector: `${PART_OF_LABEL}=${this.id}`, signal: this.signal }).catch((err: unknown) => {
        // A kind whose CRD is gone cannot have members left.
        if (err instanceof KubeApiError && err.status === 404) return [];
        throw err;
      });
      this.listed.set(key, p);
    }
    return p;
  }

  /** Starts the LIST of a resource; a failure surfaces where the result is awaited. */
  prefetch(res: ApiResource): void {
    this.members(res).catch(() => {});
  }

  forgetListings(): void {
    this.listed.clear();
  }

  // ---- one object ---------------------------------------------------------

  private fail(t: Tracked, err: unknown): void {
    if (isClusterLevel(err)) throw err;
    if (!isRejection(err)) this.environmentFailures++;
    let message = err instanceof KubeApiError ? err.serverMessage : (err as Error).message ?? String(err);
    if (isImmutableError(err)) {
      message += ` (Manifold deletes and re-creates an object on an immutable change only when it carries the annotation ${RECREATE_ANNOTATION}: allowed)`;
    }
    t.status.action = 'failed';
    t.status.health = 'Unknown';
    t.status.message = redact(message, t.secrets);
    this.log('error', `${t.status.message} (rendered file ${t.desired.file})`, describeObject(t.desired));
  }

  private async applyFor(t: Tracked, res: ApiResource, body: JsonObject, dryRun: boolean): Promise<{ status: number; object: JsonObject }> {
    const r = await this.client.apply(res, body, { fieldManager: FIELD_MANAGER, force: true, dryRun, signal: this.signal });
    return { status: r.status, object: r.body };
  }

  /** Applies one object if it needs it; never throws for object-level errors. */
  async sync(t: Tracked, liveIndex: ReadonlyMap<string, JsonObject>): Promise<void> {
    const res = t.resource;
    if (res === undefined) return;
    const body = withLabels(t.desired.body, { [PART_OF_LABEL]: this.id });
    let live = liveIndex.get(t.key);
    try {
      if (live !== undefined && looksInSync(body, live, FIELD_MANAGER)) {
        this.settle(t, 'unchanged', live);
        return;
      }
      if (live === undefined && this.selfHeal) {
        // Not a member yet: nothing to compare with, so apply straight away.
        const r = await this.applyFor(t, res, body, false);
        this.settle(t, r.status === 201 ? 'created' : 'configured', r.object);
        return;
      }
      let dry = await this.applyFor(t, res, body, true);
      if (live === undefined) {
        if (dry.status === 201) {
          const r = await this.applyFor(t, res, body, false);
          this.settle(t, 'created', r.object);
          return;
        }
        // It exists but is not a member (yet): compare with what is there.
        live = await this.client.get(res, t.desired.namespace, t.desired.name, this.signal);
        if (live === undefined) {
          dry = await this.applyFor(t, res, body, false);
          this.settle(t, 'created', dry.object);
          return;
        }
      }
      if (!hasDrifted(live, dry.object)) {
        this.settle(t, 'unchanged', live);
        return;
      }
      const drift = externalDrift(live, driftEntries(live, dry.object), FIELD_MANAGER);
      if (drift.length > 0 && !this.selfHeal) {
        this.settle(t, 'skipped', live, drift, 'drift not corrected: self-heal is off');
        return;
      }
      const r = await this.applyFor(t, res, body, false);
      this.settle(t, 'configured', r.object, drift.length > 0 ? drift : undefined);
      if (drift.length > 0) this.log('warn', `drift corrected: ${drift.map((d) => d.path).join(', ')}`, describeObject(t.desired));
    } catch (err) {
      if (isImmutableError(err) && annotation(t.desired.body, RECREATE_ANNOTATION) === 'allowed') {
        try {
          await this.recreate(t, res, body, live);
          return;
        } catch (again) {
          this.fail(t, again);
          return;
        }
      }
      this.fail(t, err);
    }
  }

  /** Delete (uid precondition), wait until gone (finalizers), apply again. Flux's force flow, opt-in per object. */
  private async recreate(t: Tracked, res: ApiResource, body: JsonObject, known: JsonObject | undefined): Promise<void> {
    const live = known ?? (await this.client.get(res, t.desired.namespace, t.desired.name, this.signal));
    const uid = metadataOf(live).uid;
    this.log('warn', 'immutable field changed: deleting and re-creating (manifold.dev/recreate: allowed)', describeObject(t.desired));
    await this.client.delete(res, t.desired.namespace, t.desired.name, { uid: typeof uid === 'string' ? uid : undefined, signal: this.signal });
    const deadline = Date.now() + 60_000;
    while ((await this.client.get(res, t.desired.namespace, t.desired.name, this.signal)) !== undefined) {
      if (Date.now() > deadline) throw new Error('deleted for re-creation, but it was still there after 60 s (finalizers?)');
      await sleep(250, this.signal);
    }
    const r = await this.applyFor(t, res, body, false);
    this.settle(t, 'recreated', r.object);
  }

  private settle(t: Tracked, action: ObjectAction, live: JsonObject, drift?: DriftEntry[], message?: string): void {
    t.live = live;
    t.status.action = action;
    if (drift !== undefined) t.status.drift = drift;
    const h = assessHealth(live);
    t.status.health = h.health;
    t.status.message = message ?? h.message;
  }

  // ---- stages -------------------------------------------------------------

  async runStage(stage: Stage, objects: Tracked[]): Promise<void> {
    if (objects.length === 0) return;
    this.log('info', `stage ${stage}: ${objects.length} object(s)`);
    const resources = new Map<string, ApiResource>();
    for (const t of objects) if (t.resource) resources.set(`${t.resource.group}/${t.resource.version}/${t.resource.plural}`, t.resource);
    const liveIndex = new Map<string, JsonObject>();
    const lists = await Promise.all([...resources.values()].map(async (r) => ({ r, items: await this.members(r) })));
    for (const { r, items } of lists) {
      for (const item of items) {
        const m = metadataOf(item);
        liveIndex.set(objectKey({ group: r.group, kind: r.kind, namespace: typeof m.namespace === 'string' ? m.namespace : undefined, name: String(m.name) }), item);
      }
    }
    const sorted = [...objects].sort((a, b) => compareApplyOrder(a.desired, b.desired));
    await Promise.all(sorted.map((t) => this.sync(t, liveIndex)));
  }

  /** Waits until the stage's CRDs are Established (and served) and its Namespaces Active. */
  async waitForDefinitions(objects: Tracked[]): Promise<void> {
    const timeout = this.opts.crdTimeoutMs ?? 60_000;
    const pending = objects.filter((t) => t.resource && t.status.action !== 'failed' && t.live && !isSettled(assessHealth(t.live)));
    const deadline = Date.now() + timeout;
    while (pending.length > 0) {
      await sleep(this.opts.pollIntervalMs ?? 250, this.signal);
      for (let i = pending.length - 1; i >= 0; i--) {
        const t = pending[i] as Tracked;
        const live = await this.client.get(t.resource as ApiResource, t.desired.namespace, t.desired.name, this.signal);
        if (live === undefined) continue;
        t.live = live;
        const h = assessHealth(live);
        t.status.health = h.health;
        t.status.message = h.message;
        if (isSettled(h)) pending.splice(i, 1);
      }
      if (Date.now() > deadline) {
        for (const t of pending) this.log('warn', `not ready after ${Math.round(timeout / 1000)} s: ${t.status.message ?? ''}`, describeObject(t.desired));
        return;
      }
    }
  }

  // ---- health -------------------------------------------------------------

  async waitHealthy(objects: Tracked[]): Promise<boolean> {
    const timeout = this.opts.waitTimeoutMs ?? 300_000;
    const deadline = Date.now() + timeout;
    const interval = this.opts.pollIntervalMs ?? 1000;
    let pending = objects.filter((t) => t.resource && t.live && t.status.action !== 'failed' && !isSettled({ health: t.status.health }));
    while (pending.length > 0) {
      if (Date.now() > deadline) {
        for (const t of pending) t.status.message = `still ${t.status.health} after ${Math.round(timeout / 1000)} s${t.status.message ? `: ${t.status.message}` : ''}`;
        return false;
      }
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), this.signal);
      // Many objects of one resource: one LIST is cheaper than many GETs.
      const byResource = new Map<ApiResource, Tracked[]>();
      for (const t of pending) byResource.set(t.resource as ApiResource, [...(byResource.get(t.resource as ApiResource) ?? []), t]);
      await Promise.all(
        [...byResource].map(async ([res, group]) => {
          let fresh: Map<string, JsonObject>;
          if (group.length > 8) {
            const items = await this.client.list(res, { labelSelector: `${PART_OF_LABEL}=${this.id}`, signal: this.signal });
            fresh = new Map(items.map((o) => [objectKey({ group: res.group, kind: res.kind, namespace: str(metadataOf(o).namespace), name: String(metadataOf(o).name) }), o]));
          } else {
            fresh = new Map();
            await Promise.all(
              group.map(async (t) => {
                const o = await this.client.get(res, t.desired.namespace, t.desired.name, this.signal);
                if (o) fresh.set(t.key, o);
              }),
            );
          }
          for (const t of group) {
            const o = fresh.get(t.key);
            if (o === undefined) {
              // A finished Job with ttlSecondsAfterFinished is deleted by its controller (Flux counts it as Current).
              if (t.desired.kind === 'Job' && t.desired.group === 'batch' && t.live !== undefined) {
                t.status.health = 'Healthy';
                t.status.message = 'job finished and was removed (ttlSecondsAfterFinished)';
              }
              continue;
            }
            t.live = o;
            const h: HealthResult = assessHealth(o);
            t.status.health = h.health;
            t.status.message = t.status.action === 'skipped' ? t.status.message : h.message;
          }
        }),
      );
      pending = pending.filter((t) => !isSettled({ health: t.status.health }));
    }
    return true;
  }

  // ---- prune --------------------------------------------------------------

  async prune(state: ApplySetState, desiredKeys: ReadonlySet<string>): Promise<boolean> {
    const members: LiveMember[] = [];
    for (const gk of state.groupKinds) {
      const res = this.discovery.findGroupKind(gk);
      if (res === undefined) continue; // the kind is no longer served: nothing of it can be left
      for (const o of await this.members(res)) {
        const m = metadataOf(o);
        const namespace = str(m.namespace);
        members.push({
          apiVersion: String(o.apiVersion),
          kind: res.kind,
          group: res.group,
          namespace,
          name: String(m.name),
          uid: str(m.uid),
          key: objectKey({ group: res.group, kind: res.kind, namespace, name: String(m.name) }),
          object: o,
        });
      }
    }
    const plan = planPrune(members, desiredKeys, { maxShare: this.opts.maxPruneShare, allowMassPrune: this.opts.allowMassPrune });
    const entry = (m: LiveMember, action: ObjectAction, message?: string): ObjectStatus => ({
      apiVersion: m.apiVersion,
      kind: m.kind,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      name: m.name,
      action,
      health: 'Unknown',
      ...(message ? { message } : {}),
    });
    for (const m of plan.keep) this.pruned.push(entry(m, 'skipped', 'not pruned: manifold.dev/prune: disabled'));
    if (plan.refused !== undefined) {
      const stale = members.filter((m) => !desiredKeys.has(m.key) && !plan.keep.includes(m));
      // The reason is the Pruned condition's message, said once; each object only points at it.
      for (const m of stale) this.pruned.push(entry(m, 'skipped', PRUNE_REFUSED_MESSAGE));
      this.pruneCondition = { type: 'Pruned', status: 'False', reason: 'PruneRefused', message: plan.refused };
      this.log('warn', plan.refused);
      return false;
    }
    let failed = 0;
    // Sequential, in reverse apply order (ssa/manager_delete.go).
    for (const m of plan.delete) {
      const res = this.discovery.findGroupKind(groupKind(m.group, m.kind)) as ApiResource;
      try {
        await this.client.delete(res, m.namespace, m.name, { uid: m.uid, signal: this.signal });
        this.pruned.push(entry(m, 'pruned'));
        this.log('info', 'pruned', describeObject(m));
      } catch (err) {
        if (isClusterLevel(err)) throw err;
        failed++;
        if (!isRejection(err)) this.environmentFailures++;
        const message = err instanceof KubeApiError ? err.serverMessage : String(err);
        this.pruned.push(entry(m, 'failed', `prune failed: ${message}`));
      }
    }
    const n = plan.delete.length - failed;
    this.pruneCondition =
      failed > 0
        ? { type: 'Pruned', status: 'False', reason: 'PruneFailed', message: `${failed} of ${plan.delete.length} deletes failed` }
        : { type: 'Pruned', status: 'True', reason: 'PruneSucceeded', message: `${n} object(s) pruned${plan.keep.length ? `, ${plan.keep.length} kept (prune disabled)` : ''}` };
    return failed === 0;
  }

  // ---- parent -------------------------------------------------------------

  parentResource(): ApiResource {
    return { group: '', version: 'v1', kind: this.parent.kind, plural: this.parent.kind === 'Secret' ? 'secrets' : 'configmaps', namespaced: true, verbs: [] };
  }

  async writeParent(current: JsonObject | undefined, state: ApplySetState): Promise<JsonObject | undefined> {
    if (parentUpToDate(current, this.parent, state)) return current;
    const r = await this.client.apply(this.parentResource(), parentObject(this.parent, state), {
      fieldManager: PARENT_FIELD_MANAGER,
      force: true,
      signal: this.signal,
      what: `write the ApplySet parent ${this.parent.kind} ${this.parent.namespace}/${this.parent.name}`,
    });
    return r.body;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function emptySummary(objects: number): ClusterStatus['summary'] {
  return { objects, applied: 0, unchanged: 0, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 };
}

function failureStatus(cluster: string, renderedCommit: string, started: Date, finished: Date, objects: number, result: ClusterResult, reason: string, message: string): ClusterStatus {
  return {
    cluster,
    renderedCommit,
    result,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.max(0, finished.getTime() - started.getTime()),
    summary: emptySummary(objects),
    conditions: [{ type: 'Ready', status: 'False', reason, message }],
    objects: [],
  };
}

/** Classifies a cluster-level error: result, condition reason and a message free of credentials. */
export function classifyClusterError(err: unknown, signal?: AbortSignal): { result: ClusterResult; reason: string; message: string } {
  if (signal?.aborted) {
    const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
    return { result: 'Failed', reason: timedOut ? 'Timeout' : 'Cancelled', message: timedOut ? 'the reconcile of this cluster timed out' : 'the reconcile was cancelled' };
  }
  if (err instanceof ClusterUnreachableError) return { result: 'Unreachable', reason: 'Unreachable', message: err.message };
  if (err instanceof RuntimeError && err.code === 'LEASE_LOST') return { result: 'Failed', reason: 'LeaseLost', message: err.message };
  if (err instanceof ClusterAuthError) return { result: 'Failed', reason: 'Unauthorized', message: err.message };
  if (err instanceof KubeApiError) return { result: 'Failed', reason: err.status === 403 ? 'Forbidden' : err.reason || 'APIError', message: err.message };
  return { result: 'Failed', reason: 'Error', message: (err as Error)?.message ?? String(err) };
}

/**
 * Reconciles one cluster with its rendered tree (relative path → YAML) and
 * reports what happened.
 */
export async function reconcileCluster(tree: ReadonlyMap<string, string>, opts: ReconcileOptions): Promise<ClusterStatus> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const run = new ClusterRun(opts);
  const parsed = parseTree(tree);
  if (parsed.problems.length > 0) {
    const message = parsed.problems.map((p) => `${p.file ?? ''}: ${p.message}`).join('; ');
    return failureStatus(run.cluster, opts.renderedCommit, started, now(), parsed.objects.length, 'Failed', 'InvalidTree', message);
  }
  const tracked: Tracked[] = parsed.objects.map((d) => ({
    desired: d,
    key: '',
    stage: stageOf(d),
    resource: undefined,
    live: undefined,
    secrets: secretValues(d.body),
    status: { apiVersion: d.apiVersion, kind: d.kind, ...(d.namespace ? { namespace: d.namespace } : {}), name: d.name, file: d.file, action: 'skipped', health: 'Unknown' },
  }));
  try {
    const [discovery, parentLive] = await Promise.all([
      opts.client.resources(opts.signal),
      opts.client.get(run.parentResource(), run.parent.namespace, run.parent.name, opts.signal),
    ]);
    run.discovery = discovery;
    // A cluster that left the fleet and has no ApplySet parent holds nothing of Manifold's: create nothing there.
    if (opts.orphaned && parentLive === undefined) return orphanStatus(run, started, now(), opts);
    const conflict = parentConflict(parentLive, run.parent);
    if (conflict !== undefined) {
      return failureStatus(run.cluster, opts.renderedCommit, started, now(), tracked.length, 'Failed', 'ApplySetConflict', conflict);
    }
    // Kinds of CRDs in this tree may not be served yet: resolved after stage 1.
    const definedHere = new Set(tracked.filter((t) => isCrd(t.desired)).map((t) => crdGroupKind(t.desired.body)).filter((gk): gk is string => gk !== undefined));
    const resolve = (t: Tracked, final: boolean): void => {
      if (t.resource !== undefined || t.status.action === 'failed') return;
      const res = run.discovery.find(t.desired.apiVersion, t.desired.kind);
      if (res === undefined) {
        if (!final && definedHere.has(groupKind(t.desired.group, t.desired.kind))) return;
        t.status.action = 'failed';
        t.status.message = `no matches for kind "${t.desired.kind}" in version "${t.desired.apiVersion}": the API server does not serve it`;
        return;
      }
      t.resource = res;
      // Scope comes from discovery: a namespaced object without a namespace goes to "default", as kubectl does.
      if (res.namespaced && t.desired.namespace === undefined) {
        t.desired = { ...t.desired, namespace: 'default', body: { ...t.desired.body, metadata: { ...metadataOf(t.desired.body), namespace: 'default' } } };
        t.status.namespace = 'default';
      } else if (!res.namespaced && t.desired.namespace !== undefined) {
        const { namespace: _ns, ...meta } = metadataOf(t.desired.body);
        t.desired = { ...t.desired, namespace: undefined, body: { ...t.desired.body, metadata: meta } };
        delete t.status.namespace;
      }
      t.key = objectKey(t.desired);
    };
    // A long-lived client caches discovery: kinds installed since then are looked up once more.
    if (tracked.some((t) => run.discovery.find(t.desired.apiVersion, t.desired.kind) === undefined && !definedHere.has(groupKind(t.desired.group, t.desired.kind)))) {
      opts.client.invalidateDiscovery();
      run.discovery = await opts.client.resources(opts.signal);
    }
    for (const t of tracked) resolve(t, false);
    // Every stage's LISTs start now: they do not depend on each other's applies.
    for (const t of tracked) if (t.resource !== undefined && t.stage !== 'definitions') run.prefetch(t.resource);

    // Record the superset before applying, so an interrupted run leaks nothing (KEP-3659).
    const desiredState: ApplySetState = {
      groupKinds: [...new Set(tracked.map((t) => groupKind(t.desired.group, t.desired.kind)))].sort(),
      namespaces: [...new Set(tracked.map((t) => t.desired.namespace).filter((ns): ns is string => ns !== undefined))].sort(),
    };
    const recorded = readParentState(parentLive);
    const fence = (): void => opts.fence?.(run.cluster);
    fence();
    let parent = await run.writeParent(parentLive, unionState(recorded, desiredState));

    for (const stage of STAGES) {
      const inStage = tracked.filter((t) => t.stage === stage);
      if (stage !== 'definitions') for (const t of inStage) resolve(t, true);
      fence();
      await run.runStage(stage, inStage.filter((t) => t.resource !== undefined));
      if (stage === 'definitions' && inStage.length > 0) {
        await run.waitForDefinitions(inStage);
        if (inStage.some((t) => isCrd(t.desired) && (t.status.action === 'created' || t.status.action === 'configured' || t.status.action === 'recreated'))) {
          opts.client.invalidateDiscovery();
          run.forgetListings();
          run.discovery = await waitForKinds(opts.client, tracked, opts.signal, opts.crdTimeoutMs ?? 60_000);
        }
      }
    }

    let pruneComplete = true;
    if (opts.prune !== false) {
      const keys = new Set(tracked.map((t) => t.key || objectKey(t.desired)));
      fence();
      pruneComplete = await run.prune(unionState(recorded, desiredState), keys);
    } else {
      run.pruneCondition = { type: 'Pruned', status: 'True', reason: 'PruneDisabled', message: 'pruning is off' };
    }
    // Narrow the parent only once the prune is done: a refused or failed prune keeps the old kinds listed.
    if (opts.orphaned) {
      // Nothing is left: the ApplySet parent goes too, so nothing of Manifold's stays behind.
      if (pruneComplete && parent !== undefined) {
        fence();
        await opts.client.delete(run.parentResource(), run.parent.namespace, run.parent.name, { uid: str(metadataOf(parent).uid), signal: opts.signal });
      }
      return orphanStatus(run, started, now(), opts);
    }
    if (pruneComplete) {
      fence();
      parent = await run.writeParent(parent, desiredState);
    }

    let waited = true;
    if (opts.wait) waited = await run.waitHealthy(tracked);
    const live = opts.observe === false ? undefined : await observeTree(run, tracked, now);
    return { ...buildStatus(run, tracked, started, now(), opts, waited), ...(live === undefined ? {} : { live }) };
  } catch (err) {
    const c = classifyClusterError(err, opts.signal);
    run.log('error', c.message);
    const failed = failureStatus(run.cluster, opts.renderedCommit, started, now(), tracked.length, c.result, c.reason, c.message);
    // What Karmada's health check would say of a server that refuses us or does not answer.
    if (opts.observe !== false && (c.result === 'Unreachable' || c.reason === 'Unauthorized')) failed.live = unreachableLive(kubeTime(now()));
    return failed;
  }
}

/** The live state of the cluster, with the workloads of its tree (observe.ts); its cost is logged. */
async function observeTree(run: ClusterRun, tracked: readonly Tracked[], now: () => Date): Promise<LiveState> {
  const workloads: WorkloadObject[] = tracked
    .filter((t) => t.resource !== undefined && t.status.action !== 'failed' && isWorkload(t.desired.apiVersion, t.desired.kind))
    .map((t) => ({ apiVersion: t.desired.apiVersion, kind: t.desired.kind, namespace: t.desired.namespace, name: t.desired.name, live: t.live ?? t.desired.body }));
  const o = await observeCluster({ client: run.client, discovery: run.discovery, workloads, signal: run.signal, now, warn: (m) => run.log('warn', m) });
  run.log('info', `live state observed: ${o.requests} request(s) in ${o.durationMs} ms`);
  return o.live;
}

/** `Kind.group` a CRD body defines. */
function crdGroupKind(body: JsonObject): string | undefined {
  const spec = asObject(body.spec);
  const kind = asObject(spec.names).kind;
  return typeof spec.group === 'string' && typeof kind === 'string' ? groupKind(spec.group, kind) : undefined;
}

/** After CRDs are Established, discovery can trail for a moment: wait until the tree's kinds are served. */
async function waitForKinds(client: KubeClient, tracked: readonly Tracked[], signal: AbortSignal | undefined, timeoutMs: number): Promise<DiscoveryIndex> {
  const deadline = Date.now() + Math.min(timeoutMs, 30_000);
  for (;;) {
    const index = await client.resources(signal);
    const missing = tracked.filter((t) => t.resource === undefined && t.status.action !== 'failed' && index.find(t.desired.apiVersion, t.desired.kind) === undefined);
    if (missing.length === 0 || Date.now() > deadline) return index;
    await sleep(500, signal);
    client.invalidateDiscovery();
  }
}

function buildStatus(run: ClusterRun, tracked: Tracked[], started: Date, finished: Date, opts: ReconcileOptions, waited: boolean): ClusterStatus {
  const objects = [...tracked.map((t) => t.status), ...run.pruned];
  const count = (a: ObjectAction): number => tracked.filter((t) => t.status.action === a).length;
  const failed = count('failed') + run.pruned.filter((o) => o.action === 'failed').length;
  const drifted = tracked.filter((t) => t.status.drift !== undefined && t.status.drift.length > 0);
  const uncorrected = drifted.filter((t) => t.status.action === 'skipped');
  const unhealthy = tracked.filter((t) => t.status.action !== 'failed' && t.status.health !== 'Healthy');
  const degraded = tracked.filter((t) => t.status.health === 'Degraded');
  const summary = {
    objects: tracked.length,
    applied: count('created') + count('configured') + count('recreated'),
    unchanged: count('unchanged'),
    pruned: run.pruned.filter((o) => o.action === 'pruned').length,
    failed,
    drifted: drifted.length,
    unhealthy: unhealthy.length,
  };
  const pruneRefused = run.pruneCondition?.status === 'False';
  let result: ClusterResult = 'Synced';
  if (failed > 0) result = 'Failed';
  else if (uncorrected.length > 0 || pruneRefused || degraded.length > 0 || (opts.wait && (!waited || unhealthy.length > 0))) result = 'Degraded';

  const conditions: Condition[] = [];
  const ready: string[] = [];
  if (failed > 0) ready.push(`${failed} object(s) failed`);
  if (uncorrected.length > 0) ready.push(`${uncorrected.length} object(s) drifted (not corrected)`);
  if (pruneRefused) ready.push('prune refused or failed');
  if (degraded.length > 0) ready.push(`${degraded.length} object(s) degraded`);
  if (opts.wait && unhealthy.length > 0) ready.push(`${unhealthy.length} object(s) not healthy`);
  conditions.push({
    type: 'Ready',
    status: result === 'Synced' ? 'True' : 'False',
    reason: result === 'Synced' ? 'ReconciliationSucceeded' : result === 'Failed' ? (run.environmentFailures > 0 ? RECONCILIATION_FAILED : OBJECTS_REJECTED) : 'NotConverged',
    message: ready.length > 0 ? ready.join('; ') : `${summary.objects} object(s): ${summary.applied} applied, ${summary.unchanged} unchanged, ${summary.pruned} pruned`,
  });
  conditions.push({
    type: 'Drifted',
    status: drifted.length > 0 ? 'True' : 'False',
    reason: drifted.length === 0 ? 'NoDrift' : uncorrected.length > 0 ? 'DriftNotCorrected' : 'DriftCorrected',
    message: drifted.length === 0 ? 'no drift' : `${drifted.length} object(s) drifted: ${drifted.slice(0, 5).map((t) => describeObject(t.desired)).join(', ')}`,
  });
  conditions.push({
    type: 'Healthy',
    status: unhealthy.length === 0 ? 'True' : degraded.length > 0 ? 'False' : 'Unknown',
    reason: unhealthy.length === 0 ? 'AllHealthy' : degraded.length > 0 ? 'Degraded' : opts.wait ? 'HealthCheckTimeout' : 'Progressing',
    message:
      unhealthy.length === 0
        ? 'every object is healthy'
        : unhealthy
            .slice(0, 10)
            .map((t) => `${describeObject(t.desired)}: ${t.status.health}${t.status.message ? ` (${t.status.message})` : ''}`)
            .join('; '),
  });
  if (run.pruneCondition) conditions.push(run.pruneCondition);
  return {
    cluster: run.cluster,
    renderedCommit: opts.renderedCommit,
    result,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.max(0, finished.getTime() - started.getTime()),
    summary,
    conditions,
    objects,
    // Every object was applied (Degraded: applied, not converged): this is now what runs there.
    ...(result === 'Failed' ? {} : { lastApplied: { renderedCommit: opts.renderedCommit } }),
  };
}

/** Ready reasons of an Orphaned cluster. */
export const LEFT_THE_FLEET = 'LeftTheFleet';
export const DECOMMISSIONED = 'Decommissioned';

/** A cluster that left the fleet and has nothing of Manifold's left: its status file can go. */
export function isDecommissioned(s: ClusterStatus): boolean {
  return s.result === 'Orphaned' && s.conditions.some((c) => c.type === 'Ready' && c.reason === DECOMMISSIONED);
}

/** The status of a reconcile with an empty tree because the cluster left the fleet: Orphaned, with what is still there. */
function orphanStatus(run: ClusterRun, started: Date, finished: Date, opts: ReconcileOptions): ClusterStatus {
  const left = run.pruned.filter((o) => o.action !== 'pruned');
  const pruned = run.pruned.length - left.length;
  const failed = left.filter((o) => o.action === 'failed').length;
  const ready: Condition =
    left.length === 0
      ? { type: 'Ready', status: 'False', reason: DECOMMISSIONED, message: `cluster "${run.cluster}" left the fleet (no folder in the rendered tree): ${pruned} managed object(s) pruned, the ApplySet parent deleted` }
      : {
          type: 'Ready',
          status: 'False',
          reason: LEFT_THE_FLEET,
          message: `cluster "${run.cluster}" left the fleet (no folder in the rendered tree) but ${left.length} Manifold-managed object(s) still run there${
            run.pruneCondition?.status === 'False' ? `: ${run.pruneCondition.message}` : ''
          }`,
        };
  return {
    cluster: run.cluster,
    renderedCommit: opts.renderedCommit,
    result: 'Orphaned',
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.max(0, finished.getTime() - started.getTime()),
    summary: { objects: left.length, applied: 0, unchanged: 0, pruned, failed, drifted: 0, unhealthy: 0 },
    conditions: [ready, ...(run.pruneCondition ? [run.pruneCondition] : [])],
    objects: run.pruned,
  };
}
