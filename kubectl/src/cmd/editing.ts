// Commands that edit or follow objects: replace, edit, events.
import type { Command } from 'commander';
import { type FactoryFor, collect, collectFiles, parseDuration } from './flags.ts';
import { flagValue } from './output.ts';
import { runEvents } from './events.ts';
import { runReplace } from './replace.ts';
import { runEdit } from './edit.ts';

export function registerEditingCommands(program: Command, factory: FactoryFor): void {
  program.command('replace')
    .description('Replace a resource by filename or stdin')
    .argument('[args...]')
    .option('-f, --filename <file>', 'The files that contain the configurations to replace.', collectFiles)
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('--force', 'If true, immediately remove resources from API and bypass graceful deletion.')
    .option('--grace-period <seconds>', 'Period of time in seconds given to the resource to terminate gracefully.')
    .option('--timeout <duration>', 'The length of time to wait before giving up on a delete.')
    .option('-o, --output <format>', 'Output format. One of: (json, yaml, name).')
    .option('--save-config', 'If true, the configuration of current object will be saved in its annotation.')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runReplace(factory(cmd), args, {
        saveConfig: !!opts.saveConfig,
        filenames: (opts.filename as string[]) ?? [], recursive: !!opts.recursive, force: !!opts.force,
        gracePeriod: opts.gracePeriod !== undefined ? Number(flagValue(opts.gracePeriod as string)) : undefined,
        timeoutSeconds: opts.timeout ? parseDuration(flagValue(opts.timeout as string)!) : undefined,
        output: flagValue(opts.output as string | undefined),
      });
    });

  program.command('edit')
    .description('Edit a resource on the server')
    .argument('[args...]')
    .option('-o, --output <format>', 'Output format. One of: (json, yaml).')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files to use to edit the resource', collectFiles)
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('--output-patch', 'Output the patch if the resource is edited.')
    .option('--field-manager <name>', 'Name of the manager used to track field ownership.')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runEdit(factory(cmd), args, {
        output: flagValue(opts.output as string | undefined), filenames: (opts.filename as string[]) ?? [], recursive: !!opts.recursive,
        outputPatch: !!opts.outputPatch, fieldManager: flagValue(opts.fieldManager as string | undefined),
      });
    });

  program.command('events')
    .description('List events')
    .argument('[args...]')
    .option('-w, --watch', 'After listing the requested events, watch for more events.')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces.')
    .option('--for <object>', 'Filter events to only those pertaining to the specified resource.')
    .option('--types <types>', 'Output only events of given types.', collect)
    .option('--no-headers', "When using the default output format, don't print headers.")
    .option('--chunk-size <n>', 'Return large lists in chunks rather than all at once.')
    .option('-o, --output <format>', 'Output format.')
    .action(async (_args: string[], opts: Record<string, unknown>, cmd: Command) => {
      await runEvents(factory(cmd), {
        watch: !!opts.watch, allNamespaces: !!opts.allNamespaces, forObject: flagValue(opts.for as string | undefined),
        types: opts.types as string[] | undefined, noHeaders: opts.headers === false,
        chunkSize: flagValue(opts.chunkSize as string | undefined), output: flagValue(opts.output as string | undefined),
      });
    });
}
