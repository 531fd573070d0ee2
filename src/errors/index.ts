/**
 * Manifold's error families. Every failure a user can cause is an InputError
 * carrying one Problem per invalid thing (all reported together, exit 2);
 * failures of the environment (network, git, API server) are RuntimeErrors
 * (exit 3). The CLI boundary (src/cli/main.ts) is the only place that turns
 * them into messages and exit codes.
 */
import { printable } from './terminal.ts';

/** Identity of the object a problem is about, as printed in messages. */
export interface ProblemObject {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export interface Problem {
  /** Stable string code, e.g. `SCHEMA_INVALID`, `OVERRIDE_FAILED`. */
  code: string;
  severity: 'error' | 'warning';
  file?: string | undefined;
  line?: number | undefined;
  object?: ProblemObject | undefined;
  /** Dot path of the field inside the document, e.g. `spec.placement.replicaScheduling`. */
  field?: string | undefined;
  message: string;
}

/**
 * `file:line: Kind namespace/name: field.path: what is wrong`, with control
 * characters from the user's names and values escaped (terminal.ts).
 */
export function formatProblem(problem: Problem): string {
  const parts: string[] = [];
  if (problem.file !== undefined) {
    parts.push(printable(problem.line !== undefined ? `${problem.file}:${problem.line}` : problem.file));
  }
  if (problem.object !== undefined) {
    const { kind, namespace, name } = problem.object;
    parts.push(printable(`${kind} ${namespace ? `${namespace}/` : ''}${name}`));
  }
  if (problem.field !== undefined && problem.field !== '') parts.push(printable(problem.field));
  // One problem, one line: a line break in a quoted value must not start a line that looks like Manifold's own.
  parts.push(printable(problem.message));
  return parts.join(': ');
}

/** Sorts problems by file, line, then message, so output is deterministic. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      cmp(a.file ?? '', b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      cmp(formatProblem(a), formatProblem(b)),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ManifoldError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown>;
  constructor(code: string, message: string, data: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }
}

/** Invalid input: one or more problems with the user's files or arguments. Exit 2. */
export class InputError extends ManifoldError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const sorted = sortProblems(problems);
    super('INPUT_INVALID', sorted.map(formatProblem).join('\n'), { count: sorted.length });
    this.problems = sorted;
  }

  static single(problem: Omit<Problem, 'severity'>): InputError {
    return new InputError([{ ...problem, severity: 'error' }]);
  }
}

/** The environment failed (git remote, API server, file system). Exit 3. */
export class RuntimeError extends ManifoldError {}

/**
 * Warnings that explain why a render is empty or misses objects the source
 * seems to intend (no inventory, templates no policy claims, documents of an
 * unknown group that look like federation objects, Federated kinds no type
 * config federates). `--strict` (or `strict: true` in manifold.yaml) turns
 * them into errors: exit 2, nothing written.
 */
export const STRICT_WARNING_CODES: ReadonlySet<string> = new Set(['NO_INVENTORY', 'UNCLAIMED_TEMPLATES', 'UNKNOWN_FEDERATION_KIND', 'TYPE_NOT_FEDERATED', 'FEDERATION_V1_NOT_FEDERATED']);

/** Under `--strict`, the strict warnings as one InputError (undefined when there are none). */
export function strictError(warnings: readonly Problem[]): InputError | undefined {
  const strict = warnings.filter((w) => STRICT_WARNING_CODES.has(w.code));
  if (strict.length === 0) return undefined;
  return new InputError(strict.map((w) => ({ ...w, severity: 'error', message: `${w.message} (--strict)` })));
}

/** Collects problems across a whole run so that all of them are reported at once. */
export class ProblemSink {
  readonly problems: Problem[] = [];

  error(problem: Omit<Problem, 'severity'>): void {
    this.problems.push({ ...problem, severity: 'error' });
  }

  warn(problem: Omit<Problem, 'severity'>): void {
    this.problems.push({ ...problem, severity: 'warning' });
  }

  get errors(): Problem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }

  get warnings(): Problem[] {
    return sortProblems(this.problems.filter((p) => p.severity === 'warning'));
  }

  /** Throws an InputError holding every error collected so far, if any. */
  throwIfErrors(): void {
    const errors = this.errors;
    if (errors.length > 0) throw new InputError(errors);
  }
}
