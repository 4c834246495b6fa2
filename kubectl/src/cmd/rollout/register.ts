// The `kubectl rollout` command group.
import type { Command } from 'commander';
import { type FactoryFor, parseDuration } from '../flags.ts';
import { flagValue } from '../output.ts';
import { FlagError } from '../../errors.ts';
import { runRolloutStatus } from './status.ts';
import { runRolloutHistory } from './history.ts';
import { runRolloutUndo } from './undo.ts';
import { runRolloutPatch, type RolloutVerb } from './restart.ts';

/** An int64 flag as pflag parses it. */
export function intFlag(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const s = flagValue(String(v))!;
  if (!/^[-+]?\d+$/.test(s)) throw new FlagError(`invalid argument "${s}" for "--${name}" flag: strconv.ParseInt: parsing "${s}": invalid syntax`);
  return Number(s);
}

/**
 * A bool flag given as "--x", "--x=false" or "--x=true". Commander takes the word after a bare "--x" as
 * its optional value; anything but true/false there was a positional argument, and goes back to `args`.
 */
export function boolFlag(v: unknown, dflt: boolean, args?: string[]): boolean {
  if (v === undefined) return dflt;
  if (v === true) return true;
  const s = String(v);
  const b = flagValue(s);
  if (b === 'true' || b === 'false') return b === 'true';
  if (args && !s.startsWith('=')) { args.unshift(s); return true; }
  throw new FlagError(`invalid argument "${b}" for "--flag" flag: strconv.ParseBool: parsing "${b}": invalid syntax`);
}

export function registerRolloutCommands(program: Command, factory: FactoryFor): void {
  const rollout = program.command('rollout').description('Manage the rollout of one or many resources.');

  rollout.command('status')
    .description('Show the status of the rollout')
    .argument('[args...]')
    .option('-w, --watch [bool]', 'Watch the status of the rollout until it\'s done.')
    .option('--revision <n>', 'Pin to a specific revision for showing its status. Defaults to 0 (last revision).')
    .option('--timeout <duration>', 'The length of time to wait before ending watch, zero means never.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runRolloutStatus(factory(cmd), args, {
        selector: flagValue(opts.selector as string | undefined), watch: boolFlag(opts.watch, true, args),
        revision: intFlag('revision', opts.revision, 0),
        timeoutSeconds: opts.timeout === undefined ? 0 : parseDuration(flagValue(opts.timeout as string)!),
      });
    });

  rollout.command('history')
    .description('View rollout history')
    .argument('[args...]')
    .option('--revision <n>', 'See the details, including podTemplate of the revision specified')
    .option('-o, --output <format>', 'Output format.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runRolloutHistory(factory(cmd), args, {
        selector: flagValue(opts.selector as string | undefined), revision: intFlag('revision', opts.revision, 0),
        output: flagValue(opts.output as string | undefined),
      });
    });

  rollout.command('undo')
    .description('Undo a previous rollout')
    .argument('[args...]')
    .option('--to-revision <n>', 'The revision to rollback to. Default to 0 (last revision).')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runRolloutUndo(factory(cmd), args, { selector: flagValue(opts.selector as string | undefined), toRevision: intFlag('to-revision', opts.toRevision, 0) });
    });

  const verbs: [RolloutVerb, string][] = [['restart', 'Restart a resource'], ['pause', 'Mark the provided resource as paused'], ['resume', 'Resume a paused resource']];
  for (const [verb, description] of verbs) {
    rollout.command(verb)
      .description(description)
      .argument('[args...]')
      .option('-l, --selector <selector>', 'Selector (label query) to filter on')
      .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
        await runRolloutPatch(factory(cmd), verb, args, { selector: flagValue(opts.selector as string | undefined) });
      });
  }
}
