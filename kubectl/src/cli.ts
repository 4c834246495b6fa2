// The kubectl command tree (commander), global flags, and error reporting as cmdutil.CheckErr does it.
import { Command, CommanderError, Option } from 'commander';
import { Factory, type GlobalFlags } from './factory.ts';
import type { IOStreams } from './io.ts';
import { formatError, ExitError } from './errors.ts';
import { registerCommands } from './cmd/index.ts';

/** Runs kubectl with `argv` (without the program name); resolves with the exit code. */
export async function run(argv: string[], io: IOStreams): Promise<number> {
  const program = new Command('kubectl');
  let factory: Factory | undefined;
  const getFactory = (cmd: Command): Factory => {
    factory ??= new Factory(normalizeGlobals(cmd.optsWithGlobals() as GlobalFlags), io);
    return factory;
  };
  program
    .description('kubectl controls the Kubernetes cluster manager.')
    .option('--kubeconfig <path>', 'Path to the kubeconfig file to use for CLI requests.')
    .option('--context <name>', 'The name of the kubeconfig context to use')
    .option('--cluster <name>', 'The name of the kubeconfig cluster to use')
    .option('--user <name>', 'The name of the kubeconfig user to use')
    .option('-n, --namespace <namespace>', 'If present, the namespace scope for this CLI request')
    .option('-s, --server <address>', 'The address and port of the Kubernetes API server')
    .option('--token <token>', 'Bearer token for authentication to the API server')
    .option('--insecure-skip-tls-verify', 'If true, the server\'s certificate will not be checked for validity.')
    .option('--request-timeout <duration>', 'The length of time to wait before giving up on a single server request.')
    .option('--cache-dir <dir>', 'Default cache directory')
    .addOption(new Option('-v, --v <level>', 'number for the log level verbosity'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
    .showSuggestionAfterError(false);
  const invoked = argv[0] === '__complete' ? undefined : invokedCommand(argv, program);
  await registerCommands(program, getFactory, invoked);
  if (argv[0] === '__complete') {
    // The completion script's callback: the words are the user's command line, not ours to parse.
    const { runComplete } = await import('./cmd/completion.ts');
    try {
      return await runComplete(argv.slice(1), program, io, (g) => (factory ??= new Factory(normalizeGlobals(g), io)));
    } finally {
      factory?.close();
    }
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      io.err(cobraStyleError(e, argv, program));
      return e.exitCode || 1;
    }
    if (e instanceof ExitError) return e.code;
    let server: string | undefined;
    try { server = factory?.restConfig().server; } catch { /* no config */ }
    const { message, code } = formatError(e, server);
    if (message) io.err(message.endsWith('\n') ? message : message + '\n');
    return code;
  } finally {
    factory?.close();
  }
}

/** The subcommand argv names (the first word that is neither a global flag nor its value), if any. */
export function invokedCommand(argv: string[], program: Command): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (!a.startsWith('-') || a === '-') return a;
    if (a.includes('=')) continue;
    const o = program.options.find((x) => x.long === a || x.short === a);
    if (o?.required) i++;
  }
  return undefined;
}

/** Commander's parse errors in cobra's words. */
function cobraStyleError(e: CommanderError, argv: string[], program: Command): string {
  const names = new Set(program.commands.map((c) => c.name()));
  const sub = argv.find((a) => names.has(a));
  const usage = `See 'kubectl${sub ? ' ' + sub : ''} --help' for usage.\n`;
  let m: RegExpMatchArray | null;
  if (e.code === 'commander.unknownOption' && (m = e.message.match(/'([^']+)'/))) return `Error: unknown flag: ${m[1]}\n${usage}`;
  if (e.code === 'commander.unknownCommand' && (m = e.message.match(/'([^']+)'/))) return `Error: unknown command "${m[1]}" for "kubectl"\n`;
  if (e.code === 'commander.optionMissingArgument') {
    const typed = argv[argv.length - 1] ?? '';
    const flag = typed.startsWith('--') ? typed : `'${typed.slice(1)}' in ${typed}`;
    return `Error: flag needs an argument: ${flag}\n${usage}`;
  }
  return `Error: ${e.message.replace(/^error: /, '')}\n${usage}`;
}

function normalizeGlobals(g: GlobalFlags): GlobalFlags {
  const out: GlobalFlags = { ...g };
  for (const k of ['namespace', 'context', 'v', 'kubeconfig', 'server'] as const) {
    const v = out[k];
    if (typeof v === 'string') out[k] = v.replace(/^=/, '');
  }
  return out;
}
