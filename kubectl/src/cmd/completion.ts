// kubectl completion bash, and the hidden `__complete` command the script calls on every TAB (cobra's
// protocol: one "candidate<TAB>description" per line, then ":<directive>"). Commands and flags come from
// the commander tree; resource types and object names come from the server (discovery and a list).
import type { Command, Option } from 'commander';
import type { Factory, GlobalFlags } from '../factory.ts';
import type { IOStreams } from '../io.ts';
import { ExitError } from '../errors.ts';

/** cobra.ShellCompDirective bits. */
export const Directive = { Default: 0, Error: 1, NoSpace: 2, NoFileComp: 4 } as const;
const directiveNames: [number, string][] = [[1, 'ShellCompDirectiveError'], [2, 'ShellCompDirectiveNoSpace'], [4, 'ShellCompDirectiveNoFileComp']];

/** Commands whose first argument is a resource type and later ones names of that type. */
const resourceCommands = new Set(['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'scale', 'explain', 'patch', 'replace']);
const outputFormats = ['json', 'yaml', 'name', 'go-template', 'go-template-file', 'template', 'templatefile', 'jsonpath', 'jsonpath-as-json', 'jsonpath-file', 'custom-columns', 'custom-columns-file', 'wide'];

function usageError(io: IOStreams, message: string): never {
  io.err(`error: ${message}\nSee 'kubectl completion -h' for help and examples\n`);
  throw new ExitError(1);
}

export function runCompletion(io: IOStreams, _program: Command, args: string[]): void {
  if (args.length === 0) usageError(io, 'Shell not specified.');
  if (args.length > 1) usageError(io, 'Too many arguments. Expected only the shell type.');
  if (args[0] !== 'bash') usageError(io, `Unsupported shell type "${args[0]}".`);
  io.out(bashScript('kubectl'));
}

/** The bash script: asks `<program> __complete <words...>` and turns its answer into COMPREPLY. */
export function bashScript(name: string): string {
  const fn = `__k8ts_${name.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  return `# bash completion for ${name} (k8ts)                       -*- shell-script -*-
# Load it with: source <(${name} completion bash)

${fn}() {
    local cur=\${COMP_WORDS[COMP_CWORD]}
    local -a args=("\${COMP_WORDS[@]:1:COMP_CWORD}")
    local out directive
    out=$("\${COMP_WORDS[0]}" __complete "\${args[@]}" 2>/dev/null) || return 0
    directive=\${out##*:}
    out=\${out%:*}
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    if (( directive & ${Directive.Error} )); then
        return 0
    fi
    local -a candidates=()
    local line
    while IFS= read -r line; do
        [[ -n $line ]] && candidates+=("\${line%%$'\\t'*}")
    done <<< "$out"
    COMPREPLY=()
    local c
    for c in "\${candidates[@]}"; do
        [[ $c == "$cur"* ]] && COMPREPLY+=("$c")
    done
    if (( directive & ${Directive.NoSpace} )); then
        compopt -o nospace 2>/dev/null
    fi
    if (( \${#COMPREPLY[@]} == 0 )) && ! (( directive & ${Directive.NoFileComp} )); then
        compopt -o default 2>/dev/null
    fi
    return 0
}

complete -F ${fn} ${name}
`;
}

/** What a word is to the command line parser. */
interface FlagInfo { option: Option; takesValue: boolean }

function flagsOf(cmds: Command[]): Map<string, FlagInfo> {
  const m = new Map<string, FlagInfo>();
  for (const c of cmds) {
    for (const o of c.options) {
      const info = { option: o, takesValue: o.required || o.optional };
      if (o.long) m.set(o.long, info);
      if (o.short) m.set(o.short, info);
    }
  }
  return m;
}

function globalFlagsFrom(words: string[], program: Command): GlobalFlags {
  const g: Record<string, string | boolean> = {};
  const flags = flagsOf([program]);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('-')) continue;
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    const f = flags.get(name);
    if (!f) continue;
    const key = f.option.attributeName();
    if (!f.takesValue) { g[key] = true; continue; }
    if (eq >= 0) g[key] = w.slice(eq + 1);
    else if (i + 1 < words.length - 1) g[key] = words[++i];
  }
  return g as GlobalFlags;
}

interface Candidate { value: string; description?: string }

function visibleCommands(cmd: Command): Command[] {
  // Sorted by name, as cobra lists subcommands.
  return cmd.createHelp().visibleCommands(cmd).filter((c) => c.name() !== 'help' || cmd.parent === null).sort((a, b) => a.name().localeCompare(b.name()));
}

/** Completes `words` (the last one is being typed); resolves with the candidates and a directive. */
export async function complete(words: string[], program: Command, factoryFor: (g: GlobalFlags) => Factory): Promise<{ candidates: Candidate[]; directive: number }> {
  const toComplete = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let cmd = program;
  const chain: Command[] = [program];
  const positional: string[] = [];
  let pendingValue: FlagInfo | undefined;
  for (let i = 0; i < before.length; i++) {
    const w = before[i];
    const flags = flagsOf(chain);
    if (w.startsWith('-') && w !== '-') {
      const f = flags.get(w.includes('=') ? w.slice(0, w.indexOf('=')) : w);
      if (f?.takesValue && !w.includes('=') && f.option.required) {
        if (i + 1 < before.length) i++;
        else pendingValue = f;
      }
      continue;
    }
    const sub = positional.length === 0 ? cmd.commands.find((c) => c.name() === w || c.aliases().includes(w)) : undefined;
    if (sub) { cmd = sub; chain.push(sub); continue; }
    positional.push(w);
  }
  const factory = () => factoryFor(globalFlagsFrom(words, program));
  const filter = (cs: Candidate[]) => cs.filter((c) => c.value.startsWith(toComplete));

  if (pendingValue) {
    const long = pendingValue.option.long;
    if (long === '--namespace') return { candidates: filter((await namesOf(factory(), 'namespaces', undefined)).map((value) => ({ value }))), directive: Directive.NoFileComp };
    if (long === '--output') return { candidates: filter(outputFormats.map((value) => ({ value }))), directive: Directive.NoFileComp };
    if (long === '--context' || long === '--cluster' || long === '--user') {
      const kc = factory().rawConfig();
      const names = long === '--context' ? [...kc.contexts.keys()] : long === '--cluster' ? [...kc.clusters.keys()] : [...kc.users.keys()];
      return { candidates: filter(names.sort().map((value) => ({ value }))), directive: Directive.NoFileComp };
    }
    return { candidates: [], directive: Directive.Default };
  }
  if (toComplete.startsWith('-')) {
    const out: Candidate[] = [];
    for (const c of [...chain].reverse()) {
      for (const o of c.createHelp().visibleOptions(c)) {
        if (o.long && o.long !== '--help') out.push({ value: o.long, description: o.description });
      }
    }
    return { candidates: filter(out), directive: Directive.NoFileComp };
  }
  const subs = visibleCommands(cmd);
  if (subs.length && positional.length === 0) {
    return { candidates: filter(subs.map((c) => ({ value: c.name(), description: c.description() }))), directive: Directive.NoFileComp };
  }
  if (resourceCommands.has(cmd.name()) && cmd.parent === program) {
    const f = factory();
    if (positional.length === 0) {
      const mapper = await f.restMapper();
      const types = mapper.resources.filter((r) => r.verbs.includes('list') || cmd.name() === 'explain')
        .map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource));
      return { candidates: filter([...new Set(types)].sort().map((value) => ({ value }))), directive: Directive.NoFileComp };
    }
    if (cmd.name() !== 'explain' && !positional[0].includes('/') && !positional[0].includes(',')) {
      return { candidates: filter((await namesOf(f, positional[0], f.namespace().namespace)).map((value) => ({ value }))), directive: Directive.NoFileComp };
    }
    return { candidates: [], directive: Directive.NoFileComp };
  }
  return { candidates: [], directive: Directive.Default };
}

/** Names of the objects of a resource type (in a namespace when it is namespaced). */
async function namesOf(f: Factory, typed: string, namespace: string | undefined): Promise<string[]> {
  const { pathFor } = await import('../discovery.ts');
  const mapper = await f.restMapper();
  const r = mapper.resourceFor(typed);
  const list = await f.rest().request<{ items?: { metadata?: { name?: string } }[] }>({ path: pathFor(r, r.namespaced ? namespace : undefined) });
  return (list?.items ?? []).map((i) => i.metadata?.name ?? '').filter(Boolean).sort();
}

/** `kubectl __complete <words...>`: prints the candidates and the directive as cobra does. */
export async function runComplete(words: string[], program: Command, io: IOStreams, factoryFor: (g: GlobalFlags) => Factory): Promise<number> {
  let result: { candidates: Candidate[]; directive: number };
  try {
    result = await complete(words.length ? words : [''], program, factoryFor);
  } catch {
    result = { candidates: [], directive: Directive.Error };
  }
  io.out(result.candidates.map((c) => (c.description ? `${c.value}\t${c.description.split('\n')[0]}` : c.value) + '\n').join('') + `:${result.directive}\n`);
  const names = directiveNames.filter(([bit]) => result.directive & bit).map(([, n]) => n);
  io.err(`Completion ended with directive: ${names.length ? names.join(', ') : 'ShellCompDirectiveDefault'}\n`);
  return 0;
}
