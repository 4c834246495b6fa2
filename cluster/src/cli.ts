// bin/k8ts: up, down, status, kubeconfig, logs.
import { parseArgs } from 'node:util';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { up, down } from './up.ts';
import { readState, alive } from './state.ts';

const usage = `Usage: k8ts <command> [--name NAME]
  up          start the cluster (etcd, API server) and write its kubeconfig
  down        stop everything the cluster started and remove its directory
  status      show the cluster's processes
  kubeconfig  print the path of the cluster's admin kubeconfig
  logs [C]    print a component's log (etcd, apiserver, ...), or list them`;

const [cmd, ...rest] = process.argv.slice(2);
const { values: f, positionals } = parseArgs({
  args: rest,
  options: { name: { type: 'string', default: 'k8ts' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
const name = f.name!;

async function main(): Promise<number> {
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      const s = await up({ name, apiserverPort: f.port ? Number(f.port) : undefined });
      console.log(`Cluster "${name}" is up in ${((Date.now() - t0) / 1000).toFixed(1)}s: API server ${s.apiserverURL}`);
      console.log(`Kubeconfig: ${s.kubeconfig}\n`);
      console.log(readFileSync(s.kubeconfig!, 'utf8'));
      console.log(`Try:\n  export KUBECONFIG=${s.kubeconfig}\n  kubectl get namespaces`);
      return 0;
    }
    case 'down':
      console.log((await down(name)) ? `Cluster "${name}" removed` : `No cluster "${name}"`);
      return 0;
    case 'status': {
      const s = readState(name);
      if (!s) { console.log(`No cluster "${name}"`); return 1; }
      console.log(`Cluster "${name}" (${s.dir})\nAPI server: ${s.apiserverURL}\nKubeconfig: ${s.kubeconfig}`);
      for (const [c, pid] of Object.entries(s.pids)) console.log(`  ${c.padEnd(20)} pid ${String(pid).padEnd(8)} ${alive(pid) ? 'running' : 'stopped'}`);
      return Object.values(s.pids).every(alive) ? 0 : 1;
    }
    case 'kubeconfig': {
      const s = readState(name);
      if (!s?.kubeconfig) { console.error(`No cluster "${name}"`); return 1; }
      console.log(s.kubeconfig);
      return 0;
    }
    case 'logs': {
      const s = readState(name);
      if (!s) { console.error(`No cluster "${name}"`); return 1; }
      const dir = join(s.dir, 'logs');
      if (!positionals[0]) { for (const l of readdirSync(dir)) console.log(l.replace(/\.log$/, '')); return 0; }
      const file = join(dir, `${positionals[0]}.log`);
      if (!existsSync(file)) { console.error(`no log for "${positionals[0]}"`); return 1; }
      process.stdout.write(readFileSync(file));
      return 0;
    }
    default:
      console.log(usage);
      return cmd === undefined || f.help ? 0 : 1;
  }
}

main().then((code) => process.exit(code), (err) => { console.error(`error: ${(err as Error).message}`); process.exit(1); });
