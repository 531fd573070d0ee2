/** `manifold failover`: the failover use case (src/app/failover.ts); the decision on stderr, the proposal's message with --dry-run on stdout. */
import { failover, type FailoverOptions } from '../app/failover.ts';
import { printNotice, say } from './output.ts';

export async function failoverCommand(opts: FailoverOptions): Promise<number> {
  const outcome = await failover(opts, (notice) => printNotice(notice, true));
  for (const branch of outcome.closed) {
    say(branch.endsWith(' (merged)') ? `deleted proposal ${branch.slice(0, -' (merged)'.length)}: merged into the rendered branch` : `closed proposal ${branch}: overtaken by the fleet's latest state`);
  }
  switch (outcome.action) {
    case 'none':
      say('nothing to move: the rendered branch already matches the fleet');
      break;
    case 'dry-run':
      process.stdout.write(outcome.message ?? '');
      break;
    case 'unchanged':
      say(`proposal ${outcome.branch} unchanged at ${outcome.commit?.slice(0, 12)}: same decision on the same base`);
      break;
    case 'proposed':
      say(`proposed ${outcome.commit?.slice(0, 12)} on ${outcome.branch}`);
      process.stdout.write(outcome.message ?? '');
      break;
    case 'committed':
      say(`committed ${outcome.commit?.slice(0, 12)} to ${outcome.branch} (unattended)`);
      process.stdout.write(outcome.message ?? '');
      break;
  }
  return 0;
}
