// Registers every kubectl subcommand.
import type { Command } from 'commander';
import { type FactoryFor, collect, collectFiles, parseDuration } from './flags.ts';
import { flagValue } from './output.ts';
import { UsageError } from '../errors.ts';


/**
 * Registers the command tree. When `invoked` names a command registered here, the workload and editing
 * modules (and what they import) are not loaded at all: `kubectl get` starts faster.
 */
export async function registerCommands(program: Command, factory: FactoryFor, invoked?: string): Promise<void> {
  program.command('get')
    .description('Display one or many resources')
    .argument('[args...]')
    .option('-o, --output <format>', 'Output format.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('--field-selector <selector>', 'Selector (field query) to filter on')
    .option('-A, --all-namespaces', 'List the requested object(s) across all namespaces.')
    .option('--show-labels', 'When printing, show all labels as the last column')
    .option('--show-kind', 'If present, list the resource type for the requested object(s).')
    .option('--no-headers', 'When using the default or custom-column output format, don\'t print headers')
    .option('-L, --label-columns <labels>', 'Accepts a comma separated list of labels that are going to be presented as columns.', collect)
    .option('--ignore-not-found', 'If set to true, suppresses NotFound error for specific objects that do not exist.')
    .option('--chunk-size <n>', 'Return large lists in chunks rather than all at once.')
    .option('--sort-by <field>', 'If non-empty, sort list types using this field specification (a JSONPath expression).')
    .option('--show-managed-fields', 'If true, keep the managedFields when printing objects in JSON or YAML format.')
    .option('-w, --watch', 'After listing/getting the requested object, watch for changes.')
    .option('--watch-only', 'Watch for changes to the requested object(s), without listing/getting first.')
    .option('--output-watch-events', 'Output watch event objects when --watch or --watch-only is used.')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runGet } = await import('./get.ts');
      await runGet(factory(cmd), args, {
        output: flagValue(opts.output as string | undefined),
        selector: flagValue(opts.selector as string | undefined),
        fieldSelector: flagValue(opts.fieldSelector as string | undefined),
        allNamespaces: !!opts.allNamespaces,
        showLabels: !!opts.showLabels,
        showKind: !!opts.showKind,
        noHeaders: opts.headers === false,
        labelColumns: opts.labelColumns as string[] | undefined,
        ignoreNotFound: !!opts.ignoreNotFound,
        chunkSize: flagValue(opts.chunkSize as string | undefined),
        sortBy: flagValue(opts.sortBy as string | undefined),
        showManagedFields: !!opts.showManagedFields,
        watch: !!opts.watch, watchOnly: !!opts.watchOnly, outputWatchEvents: !!opts.outputWatchEvents,
      });
    });

  program.command('apply')
    .description('Apply a configuration to a resource by file name or stdin')
    .option('-f, --filename <file>', 'The files that contain the configurations to apply.', collectFiles)
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('-o, --output <format>', 'Output format. One of: name.')
    .argument('[args...]')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      if (args.length) throw new UsageError(`Unexpected args: [${args.join(' ')}]`, 'apply');
      const { runApply } = await import('./apply.ts');
      await runApply(factory(cmd), { filenames: (opts.filename as string[]) ?? [], recursive: !!opts.recursive, output: flagValue(opts.output as string | undefined) });
    });

  program.command('create')
    .description('Create a resource from a file or from stdin')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files to use to create the resource', collectFiles)
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('-o, --output <format>', 'Output format. One of: name.')
    .argument('[args...]')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      if (args.length) throw new UsageError(`Unexpected args: [${args.join(' ')}]`, 'create');
      const { runCreate } = await import('./create.ts');
      await runCreate(factory(cmd), { filenames: (opts.filename as string[]) ?? [], recursive: !!opts.recursive, output: flagValue(opts.output as string | undefined) });
    });

  program.command('delete')
    .description('Delete resources by file names, stdin, resources and names, or by resources and label selector')
    .argument('[args...]')
    .option('-f, --filename <file>', 'containing the resource to delete.', collectFiles)
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('--field-selector <selector>', 'Selector (field query) to filter on')
    .option('--all', 'Delete all resources, in the namespace of the specified resource types.')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces.')
    .option('--ignore-not-found', 'Treat "resource not found" as a successful delete.')
    .option('--wait [bool]', 'If true, wait for resources to be gone before returning.')
    .option('--grace-period <seconds>', 'Period of time in seconds given to the resource to terminate gracefully.')
    .option('--force', 'Immediately remove resources from API and bypass graceful deletion.')
    .option('--now', 'If true, resources are signaled for immediate shutdown (same as --grace-period=1).')
    .option('--timeout <duration>', 'The length of time to wait before giving up on a delete.')
    .option('-o, --output <format>', 'Output mode. Use "-o name" for shorter output (resource/name).')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const wait = opts.wait === undefined || opts.wait === true || String(opts.wait).replace(/^=/, '') !== 'false';
      const grace = opts.now ? 1 : opts.gracePeriod !== undefined ? Number(flagValue(opts.gracePeriod as string)) : undefined;
      const { runDelete } = await import('./delete.ts');
      await runDelete(factory(cmd), args, {
        filenames: (opts.filename as string[]) ?? [], recursive: !!opts.recursive,
        selector: flagValue(opts.selector as string | undefined), fieldSelector: flagValue(opts.fieldSelector as string | undefined),
        all: !!opts.all, allNamespaces: !!opts.allNamespaces, ignoreNotFound: !!opts.ignoreNotFound, wait,
        output: flagValue(opts.output as string | undefined), gracePeriod: grace, force: !!opts.force,
        timeoutSeconds: opts.timeout ? parseDuration(flagValue(opts.timeout as string)!) : undefined,
      });
    });
  program.command('describe')
    .description('Show details of a specific resource or group of resources')
    .argument('[args...]')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces.')
    .option('--show-events [bool]', 'If true, display events related to the described object.')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const showEvents = opts.showEvents === undefined || opts.showEvents === true || String(opts.showEvents).replace(/^=/, '') !== 'false';
      const { runDescribe } = await import('./describe.ts');
      await runDescribe(factory(cmd), args, { selector: flagValue(opts.selector as string | undefined), allNamespaces: !!opts.allNamespaces, showEvents });
    });

  program.command('logs')
    .description('Print the logs for a container in a pod')
    .argument('[args...]')
    .option('-c, --container <name>', 'Print the logs of this container')
    .option('-f, --follow', 'Specify if the logs should be streamed.')
    .option('--tail <n>', 'Lines of recent log file to display.')
    .option('--timestamps', 'Include timestamps on each line in the log output')
    .option('--since <duration>', 'Only return logs newer than a relative duration like 5s, 2m, or 3h.')
    .option('-p, --previous', 'If true, print the logs for the previous instance of the container in a pod if it exists.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on.')
    .option('--all-containers', 'Get all containers\' logs in the pod(s).')
    .option('--prefix', 'Prefix each log line with the log source (pod name and container name)')
    .option('--max-log-requests <n>', 'Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.')
    .option('--ignore-errors', 'If watching / following pod logs, allow for any errors that occur to be non-fatal')
    .option('--limit-bytes <n>', 'Maximum bytes of logs to return. Defaults to no limit.')
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runLogs } = await import('./logs.ts');
      await runLogs(factory(cmd), args, {
        container: flagValue(opts.container as string | undefined), follow: !!opts.follow, tail: flagValue(opts.tail as string | undefined),
        timestamps: !!opts.timestamps, since: flagValue(opts.since as string | undefined), previous: !!opts.previous,
        selector: flagValue(opts.selector as string | undefined), allContainers: !!opts.allContainers, prefix: !!opts.prefix,
        maxLogRequests: flagValue(opts.maxLogRequests as string | undefined), ignoreErrors: !!opts.ignoreErrors, limitBytes: flagValue(opts.limitBytes as string | undefined),
        podRunningTimeout: flagValue(opts.podRunningTimeout as string | undefined),
      });
    });

  program.command('exec')
    .description('Execute a command in a container')
    .argument('[args...]')
    .option('-c, --container <name>', 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation or the first container')
    .option('-i, --stdin', 'Pass stdin to the container')
    .option('-t, --tty', 'Stdin is a TTY')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runExec } = await import('./logs.ts');
      await runExec(factory(cmd), args, { container: flagValue(opts.container as string | undefined), stdin: !!opts.stdin, tty: !!opts.tty });
    });

  program.command('version')
    .description('Print the client and server version information')
    .option('--client', 'If true, shows client version only (no server required).')
    .option('-o, --output <format>', "One of 'yaml' or 'json'.")
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runVersion } = await import('./version.ts');
      await runVersion(factory(cmd), { client: !!opts.client, output: flagValue(opts.output as string | undefined) });
    });

  const config = program.command('config').description('Modify kubeconfig files');
  config.command('view')
    .description('Display merged kubeconfig settings or a specified kubeconfig file')
    .option('--raw', 'Display raw byte data and sensitive data')
    .option('--minify', 'Remove all information not used by current-context from the output')
    .option('--flatten', 'Flatten the resulting kubeconfig file into self-contained output')
    .option('-o, --output <format>', 'Output format.')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { runConfigView } = await import('./config.ts');
      runConfigView(factory(cmd), { raw: !!opts.raw || !!opts.flatten, minify: !!opts.minify, output: flagValue(opts.output as string | undefined) });
    });
  config.command('current-context')
    .description('Display the current-context')
    .action(async (_opts: unknown, cmd: Command) => { const { runCurrentContext } = await import('./config.ts'); runCurrentContext(factory(cmd)); });
  config.command('get-contexts')
    .description('Describe one or many contexts')
    .argument('[names...]')
    .option('-o, --output <format>', "Output format. One of: (name).")
    .option('--no-headers', "When using the default or custom-column output format, don't print headers")
    .action(async (names: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runGetContexts } = await import('./config.ts');
      runGetContexts(factory(cmd), names, { output: flagValue(opts.output as string | undefined), noHeaders: opts.headers === false });
    });
  config.command('use-context')
    .alias('use')
    .description('Set the current-context in a kubeconfig file')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) => { const { runUseContext } = await import('./config.ts'); runUseContext(factory(cmd), name); });

  const configWrite = async (cmd: Command) => {
    const f = factory(cmd);
    const m = await import('./config-write.ts');
    const g = cmd.optsWithGlobals() as Record<string, unknown>;
    const str = (k: string) => flagValue(g[k] as string | undefined);
    const bool = (k: string) => (g[k] === undefined ? undefined : g[k] === true || !/^=?(false|0|f|F|FALSE|False)$/.test(String(g[k])));
    return { m, x: { f, out: (s: string) => f.io.out(s), err: (s: string) => f.io.err(s) }, str, bool };
  };
  config.command('set-context')
    .description('Set a context entry in kubeconfig')
    .argument('[name...]')
    .option('--current [bool]', 'Modify the current context')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      const { m, x, str, bool } = await configWrite(cmd);
      m.runSetContext(x, args, { current: bool('current'), cluster: str('cluster'), user: str('user'), namespace: str('namespace') });
    });
  config.command('set-cluster')
    .description('Set a cluster entry in kubeconfig')
    .argument('[name...]')
    .option('--certificate-authority <path>', 'Path to certificate-authority file for the cluster entry in kubeconfig')
    .option('--embed-certs [bool]', 'embed-certs for the cluster entry in kubeconfig')
    .option('--insecure-skip-tls-verify [bool]', 'insecure-skip-tls-verify for the cluster entry in kubeconfig')
    .option('--proxy-url <url>', 'proxy-url for the cluster entry in kubeconfig')
    .option('--tls-server-name <name>', 'tls-server-name for the cluster entry in kubeconfig')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      const { m, x, str, bool } = await configWrite(cmd);
      m.runSetCluster(x, args, {
        server: str('server'), certificateAuthority: str('certificateAuthority'), insecureSkipTlsVerify: bool('insecureSkipTlsVerify'),
        tlsServerName: str('tlsServerName'), proxyUrl: str('proxyUrl'), embedCerts: bool('embedCerts'),
      });
    });
  config.command('set-credentials')
    .description('Set a user entry in kubeconfig')
    .argument('[name...]')
    .option('--client-certificate <path>', 'Path to client-certificate file for the user entry in kubeconfig')
    .option('--client-key <path>', 'Path to client-key file for the user entry in kubeconfig')
    .option('--embed-certs [bool]', 'Embed client cert/key for the user entry in kubeconfig')
    .option('--username <name>', 'username for the user entry in kubeconfig')
    .option('--password <password>', 'password for the user entry in kubeconfig')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      const { m, x, str, bool } = await configWrite(cmd);
      m.runSetCredentials(x, args, {
        token: str('token'), username: str('username'), password: str('password'),
        clientCertificate: str('clientCertificate'), clientKey: str('clientKey'), embedCerts: bool('embedCerts'),
      });
    });
  config.command('delete-context')
    .description('Delete the specified context from the kubeconfig')
    .argument('[name...]')
    .action(async (args: string[], _opts: unknown, cmd: Command) => { const { m, x } = await configWrite(cmd); m.runDeleteContext(x, args); });
  config.command('rename-context')
    .description('Rename a context from the kubeconfig file')
    .argument('[names...]')
    .action(async (args: string[], _opts: unknown, cmd: Command) => { const { m, x } = await configWrite(cmd); m.runRenameContext(x, args); });

  program.command('api-resources')
    .description('Print the supported API resources on the server')
    .option('-o, --output <format>', 'Output format. One of: (wide, name).')
    .option('--no-headers', "When using the default or custom-column output format, don't print headers")
    .option('--namespaced [bool]', 'If false, non-namespaced resources will be returned')
    .option('--api-group <group>', 'Limit to resources in the specified API group.')
    .option('--verbs <verbs>', 'Limit to resources that support the specified verbs.', collect)
    .option('--sort-by <field>', "If non-empty, sort list of resources using specified field. One of (name, kind).")
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ns = opts.namespaced === undefined ? undefined : String(opts.namespaced).replace(/^=/, '') !== 'false';
      const { runApiResources } = await import('./api-resources.ts');
      await runApiResources(factory(cmd), {
        output: flagValue(opts.output as string | undefined), noHeaders: opts.headers === false, namespaced: ns,
        apiGroup: flagValue(opts.apiGroup as string | undefined), verbs: opts.verbs as string[] | undefined, sortBy: flagValue(opts.sortBy as string | undefined),
      });
    });

  program.command('scale')
    .description('Set a new size for a deployment, replica set, replication controller, or stateful set')
    .argument('[args...]')
    .option('--replicas <n>', 'The new desired number of replicas. Required.')
    .option('--current-replicas <n>', 'Precondition for current size.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('--all', 'Select all resources in the namespace of the specified resource types')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runScale } = await import('./mutate.ts');
      await runScale(factory(cmd), args, {
        replicas: flagValue(opts.replicas as string | undefined), currentReplicas: flagValue(opts.currentReplicas as string | undefined),
        selector: flagValue(opts.selector as string | undefined), all: !!opts.all,
      });
    });

  for (const what of ['label', 'annotation'] as const) {
    program.command(what === 'label' ? 'label' : 'annotate')
      .description(what === 'label' ? 'Update the labels on a resource' : 'Update the annotations on a resource')
      .argument('[args...]')
      .option('--overwrite', 'If true, allow values to be overwritten.')
      .option('-l, --selector <selector>', 'Selector (label query) to filter on')
      .option('--all', 'Select all resources, in the namespace of the specified resource types')
      .option('-A, --all-namespaces', 'If true, check the specified action in all namespaces.')
      .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
        const { runLabelOrAnnotate } = await import('./mutate.ts');
        await runLabelOrAnnotate(factory(cmd), what, args, {
          overwrite: !!opts.overwrite, selector: flagValue(opts.selector as string | undefined), all: !!opts.all, allNamespaces: !!opts.allNamespaces,
        });
      });
  }

  for (const [name, unschedulable] of [['cordon', true], ['uncordon', false]] as const) {
    program.command(name)
      .description(unschedulable ? 'Mark node as unschedulable' : 'Mark node as schedulable')
      .argument('[node...]')
      .option('-l, --selector <selector>', 'Selector (label query) to filter on')
      .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
        const { runCordon } = await import('./mutate.ts');
        await runCordon(factory(cmd), args, unschedulable, { selector: flagValue(opts.selector as string | undefined) });
      });
  }

  program.command('explain')
    .description('Get documentation for a resource')
    .argument('[args...]')
    .option('--recursive', 'When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.')
    .option('--api-version <version>', 'Use given api-version (group/version) of the resource.')
    .option('--output <format>', 'Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).')
    .action(async (args: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { runExplain } = await import('./explain.ts');
      await runExplain(factory(cmd), args, { recursive: !!opts.recursive, apiVersion: flagValue(opts.apiVersion as string | undefined), output: flagValue(opts.output as string | undefined) });
    });

  program.command('cluster-info')
    .description('Display cluster information')
    .argument('[args...]')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      const { runClusterInfo } = await import('./cluster-info.ts');
      await runClusterInfo(factory(cmd), args);
    });

  program.command('completion')
    .description('Output shell completion code for the specified shell (bash)')
    .argument('[shell...]')
    .action(async (args: string[], _opts: unknown, cmd: Command) => {
      const { runCompletion } = await import('./completion.ts');
      runCompletion(factory(cmd).io, program, args);
    });

  if (invoked !== undefined && program.commands.some((c) => c.name() === invoked || c.aliases().includes(invoked))) return;
  const [{ registerWorkloadCommands }, { registerEditingCommands }] = await Promise.all([import('./workloads.ts'), import('./editing.ts')]);
  registerWorkloadCommands(program, factory);
  registerEditingCommands(program, factory);
}
