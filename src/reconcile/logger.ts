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
import { redact } from '../errors/redact.ts';

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

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  const fd = options.destination === 'stdout' ? 1 : 2;
  const sink = options.write ?? ((line: string) => writeSync(fd, line));
  // JSON escapes nothing a credential is made of, so redacting the serialized line is enough.
  const stream = { write: (line: string) => sink(redact(line, secrets)) };
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
