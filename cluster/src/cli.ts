// bin/k8ts: up, down, status, kubeconfig, logs, load, stop-node, start-node.
import { parseArgs } from 'node:util';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { up, down, defaultNodes } from './up.ts';
import { readState, alive, type ClusterState } from './state.ts';
import { loadImage, startNode, stopNode } from './node-ops.ts';
import { followLogs, subjectsFor } from './log-follow.ts';

const usage = `Usage: k8ts <command> [--name NAME]
  up [--nodes N]     start a cluster: control plane + N-1 workers (default ${defaultNodes} nodes), wait until Ready
  down               stop everything the cluster started and remove its network and directory
  status             show the cluster's nodes and processes
  kubeconfig         print the path of the cluster's admin kubeconfig
  logs [C|NODE]      print a component's log (etcd, apiserver, registry, scheduler, NODE (its kubelet),
                     NODE.containerd, ...), or list them
  logs -f [C|NODE]   follow the live log and event stream (NATS) of the whole cluster, of one component
                     (kubelet, kube-scheduler, kube-controller-manager, kube-proxy) or of one node
  load IMAGE.tar     import an image archive into every node's containerd
  stop-node NODE     stop the node's kubelet
  start-node NODE    start the node's kubelet again
Options: --name NAME (default k8ts), K8TS_HOME (default /var/lib/k8ts) holds the clusters' state.`;

const [cmd, ...rest] = process.argv.slice(2);
const { values: f, positionals } = parseArgs({
  args: rest,
  options: {
    name: { type: 'string', default: 'k8ts' }, nodes: { type: 'string' }, port: { type: 'string' },
    retain: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' }, help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: true,
});
const name = f.name!;

function need(): ClusterState {
  const s = readState(name);
  if (!s) throw new Error(`no cluster "${name}"`);
  return s;
}

function printStatus(s: ClusterState): boolean {
  console.log(`Cluster "${s.name}" (${s.dir})\nAPI server: ${s.apiserverURL}\nKubeconfig: ${s.kubeconfig}\nRegistry:   ${s.registryURL}\nLog stream: ${s.natsURL ?? '(none)'}`);
  if (s.network) console.log(`Bridge:     ${s.network.bridge} ${s.network.bridgeAddress} (${s.network.subnet})`);
  console.log(`\n${'NODE'.padEnd(28)}${'ROLE'.padEnd(15)}${'ADDRESS'.padEnd(16)}${'POD CIDR'.padEnd(18)}NETNS`);
  for (const n of s.nodes ?? []) console.log(`${n.name.padEnd(28)}${n.role.padEnd(15)}${n.address.padEnd(16)}${n.podCidr.padEnd(18)}${n.netns}`);
  console.log(`\n${'COMPONENT'.padEnd(40)}${'PID'.padEnd(10)}STATE`);
  let ok = true;
  for (const [c, pid] of Object.entries(s.pids)) {
    const stopped = s.stopped?.includes(c);
    const running = alive(pid) && !stopped;
    if (!running && !stopped) ok = false;
    console.log(`${c.padEnd(40)}${String(pid).padEnd(10)}${running ? 'running' : stopped ? 'stopped (stop-node)' : 'exited'}`);
  }
  return ok;
}

async function main(): Promise<number> {
  switch (cmd) {
    case 'up': {
      const t0 = performance.now();
      const s = await up({
        name, nodes: f.nodes ? Number(f.nodes) : undefined, apiserverPort: f.port ? Number(f.port) : undefined,
        retain: f.retain, log: (m) => console.log(m),
      });
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`\nCluster "${name}" ${s.reused ? 'was already up' : `is up in ${secs}s`}: ${s.nodes?.length} nodes, API server ${s.apiserverURL}`);
      console.log(`Kubeconfig: ${s.kubeconfig}\n`);
      console.log(`Try:\n  export KUBECONFIG=${s.kubeconfig}\n  kubectl get nodes\n  kubectl get namespaces`);
      return 0;
    }
    case 'down':
      console.log((await down(name)) ? `Cluster "${name}" removed` : `No cluster "${name}"`);
      return 0;
    case 'status': {
      const s = readState(name);
      if (!s) { console.log(`No cluster "${name}"`); return 1; }
      return printStatus(s) ? 0 : 1;
    }
    case 'kubeconfig': {
      const s = need();
      if (!s.kubeconfig) throw new Error(`cluster "${name}" has no kubeconfig yet`);
      console.log(s.kubeconfig);
      return 0;
    }
    case 'logs': {
      const s = need();
      if (f.follow) {
        if (!s.natsURL) throw new Error(`cluster "${name}" has no log stream (it was started without NATS)`);
        const ac = new AbortController();
        process.once('SIGINT', () => ac.abort());
        process.once('SIGTERM', () => ac.abort());
        const { done } = await followLogs(s.natsURL, subjectsFor(positionals[0], (s.nodes ?? []).map((n) => n.name)), (l) => console.log(l), ac.signal);
        console.error(`Following the log stream of cluster "${name}" (${s.natsURL}); Ctrl-C to stop`);
        await done;
        return 0;
      }
      const dir = join(s.dir, 'logs');
      if (!positionals[0]) { for (const l of readdirSync(dir).sort()) console.log(l.replace(/\.log$/, '')); return 0; }
      const c = positionals[0];
      const file = [join(dir, `${c}.log`), join(dir, `${c}.kubelet.log`), join(dir, `${c}.containerd.log`)].find(existsSync);
      if (!file) { console.error(`no log for "${c}"`); return 1; }
      process.stdout.write(readFileSync(file));
      return 0;
    }
    case 'load': {
      if (!positionals[0]) throw new Error('usage: k8ts load IMAGE.tar');
      for (const line of await loadImage(need(), positionals[0])) console.log(line);
      return 0;
    }
    case 'stop-node':
    case 'start-node': {
      if (!positionals[0]) throw new Error(`usage: k8ts ${cmd} NODE`);
      const pid = cmd === 'stop-node' ? await stopNode(name, positionals[0]) : await startNode(name, positionals[0]);
      console.log(`${cmd === 'stop-node' ? 'Stopped' : 'Started'} the kubelet of ${positionals[0]}${pid ? ` (pid ${pid})` : ''}`);
      return 0;
    }
    default:
      console.log(usage);
      return cmd === undefined || f.help ? 0 : 1;
  }
}

main().then((code) => process.exit(code), (err) => { console.error(`error: ${(err as Error).message}`); process.exit(1); });
