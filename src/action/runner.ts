/**
 * The GitHub Actions runner protocol, without `@actions/core`: inputs from
 * `INPUT_<NAME>`, outputs appended to `$GITHUB_OUTPUT`, the job summary
 * appended to `$GITHUB_STEP_SUMMARY`, and workflow commands (`::error …::`)
 * on stdout. The encodings follow actions/toolkit `packages/core/src/core.ts`,
 * `command.ts` and `file-command.ts` (ecosystem-notes.md §3); the whole
 * protocol is these few functions, so the bundle carries no toolkit.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { InputError } from '../errors/index.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** `INPUT_<NAME>`: spaces become `_`, upper-cased, hyphens kept (core.ts getInput). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * An input, trimmed. The runner sets every input that has a default in
 * action.yml, so `fallback` (the same default) only applies when the
 * action runs outside a runner; an input set to '' stays ''.
 */
export function readInput(env: Env, name: string, fallback = ''): string {
  const value = env[inputVariable(name)];
  return value === undefined ? fallback : value.trim();
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** YAML 1.2 core-schema booleans only, like core.getBooleanInput. */
export function readBooleanInput(env: Env, name: string, fallback: boolean): boolean {
  const value = readInput(env, name, String(fallback));
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw InputError.single({ code: 'ACTION_INPUT_INVALID', field: name, message: `"${value}" is not a boolean (use true or false)` });
}

/** Workflow-command message encoding (command.ts escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property encoding (command.ts escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface AnnotationProperties {
  title?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
}

/** `::error title=…,file=a.yaml,line=3::message` (or warning, notice). */
export function annotation(level: 'error' | 'warning' | 'notice', message: string, props: AnnotationProperties = {}): string {
  // Property order as core.ts toCommandProperties writes them.
  const parts: string[] = [];
  if (props.title !== undefined) parts.push(`title=${escapeProperty(props.title)}`);
  if (props.file !== undefined) parts.push(`file=${escapeProperty(props.file)}`);
  if (props.line !== undefined) parts.push(`line=${props.line}`);
  return `::${level}${parts.length > 0 ? ` ${parts.join(',')}` : ''}::${escapeData(message)}`;
}

/**
 * One `name<<delimiter` block for `$GITHUB_OUTPUT` (file-command.ts
 * prepareKeyValueMessage): a random delimiter, refused if the value holds it.
 */
export function outputBlock(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`output ${name}: value contains the delimiter`);
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Where the action writes: the log (stdout) and the runner's files. */
export interface RunnerIo {
  log(line: string): void;
  setOutput(name: string, value: string): void;
  appendSummary(markdown: string): void;
}

/** The real runner: stdout, `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY` (skipped when unset, as outside a runner). */
export function runnerIo(env: Env, write: (s: string) => void = (s) => process.stdout.write(s)): RunnerIo {
  return {
    log: (line) => write(`${line}\n`),
    setOutput: (name, value) => {
      const file = env.GITHUB_OUTPUT;
      if (file === undefined || file === '') write(`${name}=${value}\n`);
      else appendFileSync(file, outputBlock(name, value));
    },
    appendSummary: (markdown) => {
      const file = env.GITHUB_STEP_SUMMARY;
      if (file !== undefined && file !== '') appendFileSync(file, markdown);
    },
  };
}
