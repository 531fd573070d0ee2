/**
 * The CLI run in-process through its real boundary (`main`: argument parsing,
 * the error boundary, exit codes), with stdout and stderr captured. Bulk
 * hostile-input runs use this; a sample is also run as child processes.
 */
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `manifold ...args` in this process. Runs must not overlap (the streams are shared). */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const capture = (into: string[]) => ((chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  const exitCode = process.exitCode;
  try {
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    process.exitCode = exitCode;
  }
}

/** A stack trace line (`    at fn (file:1:2)`) or the bug banner: never allowed on bad input. */
export function looksLikeCrash(run: CliRun): boolean {
  return run.code === 4 || /internal error \(a bug in manifold|^\s+at .+:\d+:\d+\)?$/m.test(run.stderr);
}
