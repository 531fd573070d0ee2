// Child processes of the test fleet: each runs in its own session (so a Ctrl-C
// in the terminal reaches only the harness, which then stops them in order),
// logs to a file, and is registered so that it is killed when the harness
// process exits for any reason. A detached watchdog shell also kills them and
// removes the fleet's temporary folder if the harness dies without cleaning up
// (SIGKILL, crash).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** Set when the process exited without stop() being called. */
  readonly unexpectedExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  logTail(chars?: number): string;
}

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function killAllSync(): void {
  for (const child of live) {
    try {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

type SignalListener = (signal: NodeJS.Signals) => void;
const signalCleanups = new Set<() => Promise<void>>();

/**
 * Installs, once per process, the hooks that stop every fleet when the process
 * exits or receives SIGINT/SIGTERM/SIGHUP. On a signal, registered async
 * cleanups run first (ordered shutdown); if nothing else listens for that
 * signal the process then exits the way the signal would have ended it.
 */
function installExitHooks(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const listener: SignalListener = (sig) => {
      const others = process.listenerCount(sig) > 1;
      void Promise.allSettled([...signalCleanups].map((c) => c())).then(() => {
        killAllSync();
        if (!others) process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
      });
    };
    process.on(signal, listener);
  }
}

/** Registers a cleanup to run (and await) on SIGINT/SIGTERM/SIGHUP. */
export function onSignal(cleanup: () => Promise<void>): () => void {
  installExitHooks();
  signalCleanups.add(cleanup);
  return () => signalCleanups.delete(cleanup);
}

/** A temporary folder removed on process exit unless released. */
export function registerTempDir(dir: string): () => void {
  installExitHooks();
  tempDirs.add(dir);
  return () => tempDirs.delete(dir);
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function startProcess(opts: StartOptions): ManagedProcess {
  installExitHooks();
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      stdio: ['ignore', fd, fd],
      detached: true,
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let running = true;
  let stopping = false;
  let unexpected: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      running = false;
      live.delete(child);
      writeFileSync(opts.logFile, `\n[fleet] failed to start ${opts.command}: ${err.message}\n`, { flag: 'a' });
      unexpected = { code: null, signal: null };
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      running = false;
      live.delete(child);
      if (!stopping) unexpected = { code, signal };
      resolve({ code, signal });
    });
  });
  const pid = child.pid ?? -1;
  return {
    name: opts.name,
    pid,
    logFile: opts.logFile,
    exited,
    get running() {
      return running;
    },
    get unexpectedExit() {
      return unexpected;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
      if (!running) return;
      stopping = true;
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
    logTail(chars = 3000): string {
      try {
        const text = readFileSync(opts.logFile, 'utf8');
        return text.slice(-chars);
      } catch {
        return '';
      }
    },
  };
}

/**
 * Starts a detached shell that waits for this process to die, then kills the
 * pids listed (one a line) in pidFile and removes dir. Returns a function that
 * dismisses the watchdog after a normal shutdown.
 */
export function startWatchdog(pidFile: string, dir: string): () => void {
  const script = [
    'parent=$1; pids=$2; dir=$3',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    'if [ -f "$pids" ]; then',
    '  for p in $(cat "$pids"); do kill -TERM "$p" 2>/dev/null; done',
    '  sleep 3',
    '  for p in $(cat "$pids"); do kill -KILL "$p" 2>/dev/null; done',
    'fi',
    'rm -rf "$dir"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'manifold-fleet-watchdog', String(process.pid), pidFile, dir], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  return () => {
    try {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
}
