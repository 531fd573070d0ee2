/**
 * The reconciler's logs: pino JSON lines, to stdout in the container (the
 * cluster's log collector reads them) and to stderr for CLI use, where stdout
 * carries results (ecosystem-notes.md §5).
 *
 * Writes are synchronous: a pod that is SIGKILLed after its grace period, or
 * a loop that exits right after logging, loses no line (pino
 * docs/asynchronous.md: async destinations can drop lines on a hard exit).
 * The volume is a few lines per reconcile, so the cost does not matter.
 *
 * Credentials never reach a log line: well-known credential fields are
 * censored by path, and every line is scrubbed of the secret strings the
 * process knows (the git token, kubeconfig tokens) before it is written.
 */
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** 'stdout' in the container, 'stderr' for the CLI (default). */
  destination?: 'stdout' | 'stderr';
  level?: pino.LevelWithSilent;
  /** Strings that must never be written (tokens); replaced by *** in every line. */
  secrets?: readonly (string | undefined)[];
  /** For tests: receives each line instead of a file descriptor. */
  write?: (line: string) => void;
}

/** Field paths that hold credentials wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'token',
  'password',
  'authorization',
  '*.token',
  '*.password',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'kubeconfig',
  '*.kubeconfig',
];

/** Replaces every occurrence of each secret (shortest last, so overlapping secrets are all hidden). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...new Set((options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s !== ''))].sort((a, b) => b.length - a.length);
  const fd = options.destination === 'stdout' ? 1 : 2;
  const sink = options.write ?? ((line: string) => writeSync(fd, line));
  const stream = { write: (line: string) => sink(secrets.length === 0 ? line : scrub(line, secrets)) };
  return pino(
    {
      name: 'manifold',
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '***' },
    },
    stream,
  );
}

/** A logger that writes nothing (library use, tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
