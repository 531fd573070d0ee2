#!/usr/bin/env node
/**
 * The CLI and its one error boundary: user errors (InputError, usage) exit 2
 * with one message per problem and no stack trace; runtime failures exit 3;
 * anything else is a bug and says so.
 */
import { existsSync, realpathSync } from 'node:fs';
import { DEFAULT_BRANCH, TOKEN_ENV } from '../git/names.ts';
import module from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { formatProblem, InputError, ManifoldError, RuntimeError } from '../errors/index.ts';
import { redact, rememberSecret } from '../errors/redact.ts';
import { printableLines } from '../errors/terminal.ts';
import { MANIFOLD_VERSION } from '../version.ts';
// Commands are imported when they run: the reconciler's Kubernetes client,
// logger and metrics cost about half a second to load, which a render should not pay.
import type { DiffFormat } from './diff.ts';
import type { LoopCommandOptions } from './reconcile.ts';

export const EXIT = { ok: 0, changed: 1, invalid: 2, runtime: 3, bug: 4 } as const;

/** `--unschedulable`: a fresh Option per command (commander keeps state on it). */
function unschedulableOption(): Option {
  return new Option('--unschedulable <mode>', 'a template no cluster can take: fail the render (exit 2) or report it (Scheduled=False) and render the rest; manifold.yaml: unschedulable').choices([
    'fail',
    'report',
  ]);
}

function buildProgram(): Command {
  const program = new Command('manifold')
    .description('Render multi-cluster federation policies (Karmada, KubeFed, KubeAdmiral) into per-cluster manifest trees.')
    .version(MANIFOLD_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => printError(printableLines(s)) })
    .option('-q, --quiet', 'no progress line on a terminal (it never appears on a pipe or file, nor on stdout)')
    .hook('preAction', async (command) => {
      const { configureProgress } = await import('./output.ts');
      configureProgress({ quiet: command.opts<{ quiet?: boolean }>().quiet, delayMs: progressDelay() });
    });

  program
    .command('render')
    .description('render SOURCE into one folder per cluster (or print it with -o)')
    .argument('[source]', 'source folder', '.')
    .option('--out <dir>', 'output folder (replaced atomically)')
    .addOption(new Option('-o, --output <format>', 'print to stdout instead of writing a folder').choices(['yaml', 'json']))
    .option('--previous <dir>', 'a previous render, to keep placements stable')
    .option('--source-ref <ref>', 'read SOURCE from this commit of its git repository (branch, tag, id, REF~N); no checkout')
    .option('--commit', 'commit the rendered tree to --branch of the git repository (no folder written unless --out)')
    .option('--branch <branch>', 'branch to commit to', DEFAULT_BRANCH)
    .option('--prefix <path>', 'put the tree under this path of the branch, keeping the rest of it')
    .option('--repo <dir>', 'git repository to commit to (default: the one holding SOURCE)')
    .option('--push <remote>', 'push the commit to this remote (name, https URL, file:// URL or path; token from MANIFOLD_GIT_TOKEN); implies --commit; refused when the local branch has diverged from the remote one')
    .option('--full', 'with --commit: render every template again, even when only some templates changed since the branch\'s render')
    .addOption(new Option('--as-works <api>', 'write each cluster\'s objects as Work objects for a hub (OCM ManifestWork, Karmada Work, KubeFleet Work, SIG Work) into one folder, <out>/<hub>/').choices(['ocm', 'karmada', 'kubefleet', 'sig']))
    .option('--hub <name>', 'with --as-works: the folder that holds the Works (default hub)')
    .option('--work-name <name>', 'with --as-works: name of each cluster\'s Work; more get -2, -3… (default manifold)')
    .option('--strict', 'exit 2 on the warnings that explain an empty or partial render (no inventory, unclaimed templates, unknown federation kinds); manifold.yaml: strict')
    .addOption(unschedulableOption())
    .option('--status <ref|dir>', 'overlay the live status of this report (branch, revision or folder of clusters/<name>.json) on the inventory before placement; manifold.yaml: status')
    .option('--now <time>', 'with --status: the decision time (ISO 8601; default the report commit\'s time, required for a folder)')
    .action(
      async (
        source: string,
        opts: {
          status?: string;
          now?: string;
          out?: string;
          output?: 'yaml' | 'json';
          previous?: string;
          sourceRef?: string;
          commit?: boolean;
          branch?: string;
          prefix?: string;
          repo?: string;
          push?: string;
          full?: boolean;
          asWorks?: 'ocm' | 'karmada' | 'kubefleet' | 'sig';
          hub?: string;
          workName?: string;
          strict?: boolean;
          unschedulable?: 'fail' | 'report';
        },
      ) => {
        const { renderCommand } = await import('./render.ts');
        process.exitCode = await renderCommand({
          source,
          outDir: opts.out,
          format: opts.output,
          previousDir: opts.previous,
          sourceRef: opts.sourceRef,
          commit: opts.commit,
          branch: opts.branch,
          prefix: opts.prefix,
          repoDir: opts.repo,
          push: opts.push,
          full: opts.full,
          asWorks: opts.asWorks,
          hub: opts.hub,
          workName: opts.workName,
          strict: opts.strict,
          unschedulable: opts.unschedulable,
          status: opts.status,
          now: opts.now,
        });
      },
    );

  program
    .command('diff')
    .description('render two sides and show per-cluster changes; exit 0 no change, 1 changes, 2 invalid input')
    .argument('[source]', 'source folder (a git repository for --base/--head)', '.')
    .option('--base <ref>', 'base revision of SOURCE')
    .option('--head <ref>', 'head revision of SOURCE (default: the working folder)')
    .option('--base-dir <dir>', 'a rendered folder as the base side')
    .option('--head-dir <dir>', 'a rendered folder as the head side')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .action(async (source: string, opts: { base?: string; head?: string; baseDir?: string; headDir?: string; output?: DiffFormat }) => {
      const { diffCommand } = await import('./diff.ts');
      process.exitCode = await diffCommand({ source, base: opts.base, head: opts.head, baseDir: opts.baseDir, headDir: opts.headDir, format: opts.output });
    });

  program
    .command('validate')
    .description('check SOURCE; exit 0 when valid, 2 when not; writes nothing')
    .argument('[source]', 'source folder', '.')
    .option('--strict', 'exit 2 on the warnings that explain an empty or partial render; manifold.yaml: strict')
    .addOption(unschedulableOption())
    .action(async (source: string, opts: { strict?: boolean; unschedulable?: 'fail' | 'report' }) => {
      const { validateCommand } = await import('./validate.ts');
      process.exitCode = await validateCommand({ source, strict: opts.strict, unschedulable: opts.unschedulable });
    });

  program
    .command('failover')
    .description('when a cluster has been NotReady/unreachable for the grace period, propose the fleet re-placed as upstream would after eviction (and the failback once it is Ready again) as a commit on manifold/failover/<cluster>')
    .argument('[source]', 'source folder', '.')
    .option('--status <ref|dir>', 'the report to decide from (branch, revision or folder of clusters/<name>.json); manifold.yaml: status')
    .option('--now <time>', 'the decision time (ISO 8601; default the report commit\'s time, required for a folder)')
    .option('--source-ref <ref>', 'read SOURCE from this commit of its git repository')
    .option('--repo <dir>', 'git repository holding the rendered branch (default: the one holding SOURCE)')
    .option('--branch <branch>', 'the rendered branch proposals are based on; manifold.yaml: failover.branch (default manifold/rendered)')
    .option('--prefix <path>', 'folder of the rendered branch that holds the cluster folders')
    .option('--grace-period <seconds>', 'seconds a cluster stays not Ready (or Ready again) before workloads move (back); manifold.yaml: failover.gracePeriodSeconds (default 300)')
    .option('--unattended', 'commit straight to the rendered branch instead of proposing on a branch of its own')
    .option('--dry-run', 'print the commit message of the decision; write nothing')
    .option('--push <remote>', 'push the proposal branch to this remote (token from MANIFOLD_GIT_TOKEN) and, with --github-repo, open its pull request')
    .option('--github-repo <owner/repo>', 'open (or update) the proposal\'s pull request there, token from GITHUB_TOKEN, API from GITHUB_API_URL; pull requests of overtaken proposals are closed')
    .action(
      async (
        source: string,
        opts: { status?: string; now?: string; sourceRef?: string; repo?: string; branch?: string; prefix?: string; gracePeriod?: string; unattended?: boolean; dryRun?: boolean; push?: string; githubRepo?: string },
      ) => {
        const { failoverCommand } = await import('./failover.ts');
        process.exitCode = await failoverCommand({
          source,
          status: opts.status,
          now: opts.now,
          sourceRef: opts.sourceRef,
          repoDir: opts.repo,
          branch: opts.branch,
          prefix: opts.prefix,
          gracePeriodSeconds: gracePeriodOf(opts.gracePeriod),
          unattended: opts.unattended,
          dryRun: opts.dryRun,
          push: opts.push,
          githubRepo: opts.githubRepo,
        });
      },
    );

  program
    .command('explain')
    .description('explain where one template goes and why: KIND/NAME, e.g. deployment/nginx')
    .argument('<target>', 'KIND/NAME (kind is case-insensitive; KIND.group also accepted)')
    .argument('[source]', 'source folder', '.')
    .option('-n, --namespace <ns>', 'namespace of the template')
    .option('--previous <dir>', 'a previous render, to keep placements stable')
    .option('--status <ref|dir>', 'explain the placement with this report\'s live status (see render --status); manifold.yaml: status')
    .option('--now <time>', 'with --status: the decision time (ISO 8601)')
    .action(async (target: string, source: string, opts: { namespace?: string; previous?: string; status?: string; now?: string }) => {
      const { explainCommand } = await import('./explain.ts');
      process.exitCode = await explainCommand({ target, source, namespace: opts.namespace, previousDir: opts.previous, status: opts.status, now: opts.now });
    });

  program
    .command('status')
    .description('the fleet at a glance from the report branch: one row per cluster, or the objects of the clusters named; exit 0 all Synced and healthy at the rendered tip, 1 otherwise, 2 invalid input')
    .argument('[cluster...]', 'show these clusters\' objects with health and drift (the exit code covers only them)')
    .option('--status <ref|dir>', 'the report: a branch, revision or folder with its layout (default manifold/status)')
    .option('--repo <dir>', 'git repository holding the report and rendered branches (default: the one containing the current folder)')
    .option('--branch <branch>', 'rendered branch whose tip the clusters are compared with (any revision, e.g. origin/manifold/rendered)', DEFAULT_BRANCH)
    .option('--prefix <path>', 'folder of the rendered branch that holds the cluster folders')
    .option('--now <time>', 'ISO 8601 time the ages are counted to (default: the report commit\'s time)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (clusters: string[], opts: { status?: string; repo?: string; branch?: string; prefix?: string; now?: string; output?: 'table' | 'json' | 'yaml' }) => {
      const { statusCommand } = await import('./status.ts');
      process.exitCode = await statusCommand({
        clusters,
        cwd: process.cwd(),
        status: opts.status,
        repoDir: opts.repo,
        renderedBranch: opts.branch,
        prefix: opts.prefix,
        now: opts.now,
        format: opts.output,
      });
    });

  program
    .command('reconcile')
    .description('apply each cluster\'s rendered tree (server-side apply, prune, health, drift); exit 0 synced, 1 not converged, 2 invalid input, 3 runtime failure')
    .option('--once', 'reconcile once and exit')
    .option('--dir <dir>', 'rendered folder (manifold render --out layout: <dir>/<cluster>/...)')
    .option('--repo <dir>', 'git repository holding the rendered branch')
    .option('--branch <branch>', 'rendered branch (with --repo; default manifold/rendered)')
    .option('--ref <ref>', 'commit, tag or branch to apply instead of the branch tip (with --repo)')
    .option('--prefix <path>', 'folder of the rendered branch that holds the cluster folders (with --repo)')
    .option('--kubeconfig <path>', 'kubeconfig with one context per cluster (default $KUBECONFIG, then ~/.kube/config)')
    .option('--context <cluster=context...>', 'use CONTEXT for CLUSTER (default: the context named after the cluster)')
    .option('--cluster <name>', 'reconcile only this cluster')
    .option('--in-cluster', 'use the pod\'s in-cluster credentials (pull mode; needs --cluster)')
    .option('--no-self-heal', 'report drift without correcting it')
    .option('--no-prune', 'never delete objects the tree no longer has')
    .option('--allow-mass-prune', 'allow a prune that empties a cluster or deletes more than 30 % of its objects')
    .option('--wait', 'wait until every object is healthy')
    .option('--timeout <duration>', 'how long --wait waits (default 5m)')
    .option('--cluster-timeout <duration>', 'deadline for one cluster, retries included')
    .option('--request-timeout <duration>', 'an API server request without an answer for this long makes its cluster Unreachable (default 30s)')
    .option('--concurrency <n>', 'clusters reconciled at once (default 8)')
    .addOption(new Option('-o, --output <format>', 'print statuses as JSON instead of a summary').choices(['text', 'json']))
    .option('-v, --verbose', 'log progress to stderr')
    // The loop, its report branch and its probes (src/app/reconcile.ts, src/reconcile/loop.ts).
    .option('--interval <duration>', 'without --once: poll the rendered branch this often (default 60s)')
    .option('--drift-interval <duration>', 'without --once: re-check drift of synced clusters this often (default 5m)')
    .option('--watch <dir>', 'reconcile a rendered folder on every change (development; runs until stopped)')
    .option('--remote <remote>', 'fetch the rendered branch from this remote (name, https URL, file:// URL or path; token from MANIFOLD_GIT_TOKEN)')
    .option('--report [branch]', 'write one status file per cluster and a fleet table to this branch (default manifold/status)')
    .option('--report-remote <remote>', 'push the report here (default: --remote; else the local branch of --repo)')
    .option('--live-refresh <duration>', 'write a change of live allocated/allocating alone to the report only this long after the last one (default 30m)')
    .option('--commit-status', 'post a manifold/<cluster> commit status (synced|degraded|failed) on each cluster\'s source commit when it changes (GitHub API; token from MANIFOLD_GITHUB_TOKEN or GITHUB_TOKEN)')
    .option('--github-repository <owner/repo>', 'with --commit-status: the source repository (default $GITHUB_REPOSITORY)')
    .option('--github-api-url <url>', 'with --commit-status: the REST API root (default $GITHUB_API_URL, else https://api.github.com)')
    .option('--status-url <url>', 'with --commit-status: link shown with each status, e.g. where the status page is served')
    .option('--failover <source>', 'after each report, decide failover from it with the policies of this source folder (manifold failover): a proposal on manifold/failover/<cluster>; needs --repo and --report')
    .option('--failover-unattended', 'with --failover: commit the decision straight to the rendered branch')
    .option('--listen <address>', 'serve /, /healthz, /readyz and /metrics here (default :8080 without --once; "off" disables)')
    .option('--shutdown-grace <duration>', 'on SIGTERM, let the running reconcile finish this long before cancelling it (default 20s)')
    .option('--log-level <level>', 'JSON log level: debug, info, warn, error (default info)')
    // Sharding across replicas through Leases in the hub (src/reconcile/leases.ts, docs/reconciler.md "Sharding").
    .option('--shard-leases <namespace>', 'share the clusters with other replicas through Leases in this namespace of the hub')
    .option('--shard-identity <id>', 'this replica in the Leases (default: hostname_random, as controller-runtime)')
    .option('--lease-duration <duration>', 'others take a cluster over after its Lease went this long without renewal (default 40s)')
    .option('--renew-interval <duration>', 'renew, take and give back Leases this often (default 10s)')
    .option('--shard-slack <n>', 'clusters a replica may hold above ceil(clusters / live replicas) (default 1)')
    .option('--hub-kubeconfig <path>', 'kubeconfig of the hub that holds the Leases (default: in-cluster in a pod, else --kubeconfig)')
    .option('--hub-context <name>', 'context of the hub in that kubeconfig (default: its current context)')
    .action(async (opts: LoopCommandOptions) => {
      // One code path for every source and mode, so `--once --dir` and `--once --repo` log alike (JSON on stderr).
      process.exitCode = await (await import('./reconcile.ts')).reconcileCommand(opts);
    });
  addRolloutCommands(program);
  return program;
}

/** `manifold rollout …` (src/cli/rollout.ts, src/app/rollout.ts; docs/rollout.md). */
function addRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('progressive rollout in cluster waves (RolloutPolicy): status and controls');
  const common = (cmd: Command): Command =>
    cmd
      .option('--repo <dir>', 'a folder inside the repository holding the rendered branch', '.')
      .option('--rendered-branch <branch>', 'the rendered branch', DEFAULT_BRANCH)
      .option('--prefix <path>', 'folder of the rendered branch that holds the cluster folders')
      .option('--commit <ref>', 'a rendered commit other than the branch tip');
  common(rollout.command('status').description('per cluster: its wave, the commit it runs, the commit it may run and why not yet'))
    .argument('[source]', 'a folder inside the repository holding the rendered branch (as --repo)')
    .requiredOption('--status <ref|dir>', 'the report: a revision (e.g. manifold/status) or a folder with its layout')
    .option('--now <time>', 'decision time (ISO 8601) for a folder report, which records none')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (source: string | undefined, opts: { repo: string; renderedBranch: string; prefix?: string; commit?: string; status: string; now?: string; output?: 'text' | 'json' }) => {
      const { rolloutStatusCommand } = await import('./rollout.ts');
      process.exitCode = await rolloutStatusCommand({ ...opts, repo: source ?? opts.repo });
    });
  type ControlOpts = { repo: string; renderedBranch: string; prefix?: string; commit?: string; report?: string; remote?: string; by?: string };
  const control = (name: string, description: string, wave: boolean): void => {
    const cmd = common(rollout.command(name).description(description));
    if (wave) cmd.argument('<wave>', 'the wave to approve');
    cmd
      .option('--report <branch>', 'the report branch the controls are written to (default manifold/status)')
      .option('--remote <remote>', 'push the decision to this remote (token from MANIFOLD_GIT_TOKEN)')
      .option('--by <who>', 'who decides (default: git user.name <user.email>)')
      .action(async (...args: unknown[]) => {
        const opts = (wave ? args[1] : args[0]) as ControlOpts;
        const action = (wave ? { kind: 'approve', wave: String(args[0]) } : { kind: name }) as import('../app/rollout.ts').ControlAction;
        const { rolloutControlCommand } = await import('./rollout.ts');
        process.exitCode = await rolloutControlCommand(action, { ...opts, token: process.env[TOKEN_ENV] });
      });
  };
  control('approve', 'let WAVE start for the rendered commit (a commit to the report branch: author and time recorded)', true);
  control('pause', 'release no new cluster until resume', false);
  control('resume', 'lift a pause', false);
  control('abort', 'stop the rollout of the rendered commit: clusters that run it go back to the commit before it', false);
}

/** MANIFOLD_PROGRESS_DELAY_MS: how long a run lasts before its progress line appears (default 2 s; tests set it low). */
function progressDelay(): number | undefined {
  const value = process.env.MANIFOLD_PROGRESS_DELAY_MS;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Errors quote servers, libraries and arguments: they reach the terminal through the one redaction function. */
function printError(text: string): void {
  process.stderr.write(redact(text));
}

export async function main(argv: readonly string[]): Promise<number> {
  rememberSecret(process.env[TOKEN_ENV]);
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}

const SYSTEM_ERROR_CODES = new Set(['ENOSPC', 'EEXIST', 'ENOENT', 'EACCES', 'EPERM', 'EROFS', 'EMFILE', 'ENFILE', 'EDQUOT', 'EIO', 'ENOTDIR', 'EISDIR', 'EBUSY', 'EXDEV']);

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && SYSTEM_ERROR_CODES.has((err as NodeJS.ErrnoException).code as string);
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and version are not errors; usage problems were already printed.
    return err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  }
  if (err instanceof InputError) {
    for (const p of err.problems) printError(`error: ${formatProblem(p)}\n`);
    const n = err.problems.length;
    printError(`${n} error${n === 1 ? '' : 's'}; nothing was written\n`);
    return EXIT.invalid;
  }
  if (err instanceof RuntimeError || err instanceof ManifoldError) {
    printError(`error: ${printableLines(err.message)}\n`);
    return EXIT.runtime;
  }
  if (isSystemError(err)) {
    // The environment failed (disk full, permissions, too many open files): not a bug.
    printError(`error: ${printableLines(err.message)}\n`);
    return EXIT.runtime;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  printError(`internal error (a bug in manifold ${MANIFOLD_VERSION}; please report it):\n${printableLines(detail)}\n`);
  return EXIT.bug;
}

/**
 * Run as the program itself (`node src/cli/main.ts`, `node dist/manifold.js`,
 * also through a symlink), not imported: bin/manifold.js imports this module
 * and calls main() itself.
 */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined || !existsSync(script)) return false;
  return realpathSync(script) === realpathSync(import.meta.filename);
}
if (invokedDirectly()) {
  // V8's compiled code of every module, kept on disk (os.tmpdir()/node-compile-cache) for
  // the next run, as Node recommends for command-line tools: a `reconcile` from the sources
  // compiles about 0.3 s less CPU after the first run. Fails silently on a read-only disk.
  // (bin/manifold.js does the same before it loads the bundle.)
  module.enableCompileCache?.();
  process.exitCode = await main(process.argv.slice(2));
}

/** `--grace-period SECONDS`: a whole number of seconds, else a usage error naming the flag. */
function gracePeriodOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw InputError.single({ code: 'USAGE', field: '--grace-period', message: `"${value}" is not a whole number of seconds` });
  return Number(value);
}
