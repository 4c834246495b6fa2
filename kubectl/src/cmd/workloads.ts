// Workload commands: rollout (status, history, undo, restart, pause, resume) and drain.
import type { Command } from 'commander';
import type { FactoryFor } from './flags.ts';
import { registerRolloutCommands, boolFlag, intFlag } from './rollout/register.ts';
import { parseDuration } from './flags.ts';
import { flagValue } from './output.ts';
import { runDrain } from './drain.ts';

export function registerWorkloadCommands(program: Command, factory: FactoryFor): void {
  registerRolloutCommands(program, factory);

  program.command('drain')
    .description('Drain node in preparation for maintenance')
    .argument('[node...]')
    .option('--force [bool]', 'Continue even if there are pods that do not declare a controller.')
    .option('--ignore-daemonsets [bool]', 'Ignore DaemonSet-managed pods.')
    .option('--delete-emptydir-data [bool]', 'Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).')
    .option('--disable-eviction [bool]', 'Force drain to use delete, even if eviction is supported.')
    .option('--grace-period <seconds>', 'Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.')
    .option('--timeout <duration>', 'The length of time to wait before giving up, zero means infinite')
    .option('--pod-selector <selector>', 'Label selector to filter pods on the node')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runDrain(factory(cmd), args, {
        force: boolFlag(opts.force, false, args), ignoreDaemonSets: boolFlag(opts.ignoreDaemonsets, false, args),
        deleteEmptyDirData: boolFlag(opts.deleteEmptydirData, false, args), disableEviction: boolFlag(opts.disableEviction, false, args),
        gracePeriod: intFlag('grace-period', opts.gracePeriod, -1),
        timeoutSeconds: opts.timeout === undefined ? 0 : parseDuration(flagValue(opts.timeout as string)!),
        podSelector: flagValue(opts.podSelector as string | undefined), selector: flagValue(opts.selector as string | undefined),
      });
    });
}
