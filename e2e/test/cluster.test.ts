// A real three-node cluster (`k8ts up`) driven with the real kubectl: nodes, namespaces, a pod's life
// on a worker, pod-to-pod traffic across nodes, an unschedulable pod, deletion.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '@k8ts/cluster/images/run.ts';
import { isInRange } from '@k8ts/cluster/net/plan.ts';
import { startNode, stopNode } from '@k8ts/cluster/node-ops.ts';
import { readState } from '@k8ts/cluster/state.ts';
import { useCluster, eventually } from '../src/index.ts';

const cluster = useCluster({ nodes: 3 });
const k8tsMain = fileURLToPath(new URL('../../cluster/src/cli.ts', import.meta.url));

interface PodView { phase?: string; nodeName?: string; podIP?: string; exitCode?: number; containerID?: string }

async function pod(name: string): Promise<PodView | undefined> {
  const r = await cluster().kubectl(['get', 'pod', name, '-o', 'json']);
  if (r.code !== 0) return undefined;
  const p = JSON.parse(r.stdout) as { spec: { nodeName?: string }; status: { phase?: string; podIP?: string; containerStatuses?: { containerID?: string; state?: { terminated?: { exitCode: number } } }[] } };
  const cs = p.status.containerStatuses?.[0];
  return { phase: p.status.phase, nodeName: p.spec.nodeName, podIP: p.status.podIP, exitCode: cs?.state?.terminated?.exitCode, containerID: cs?.containerID };
}

const running = (name: string) => eventually(`pod ${name} Running`, async () => {
  const p = await pod(name);
  return p?.phase === 'Running' && p.podIP ? p : undefined;
}, 60_000);

const manifest = (name: string, o: { node?: string; command: string[]; restartPolicy?: string; schedulerName?: string }) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, labels: { app: name } },
  spec: {
    ...(o.node ? { nodeSelector: { 'kubernetes.io/hostname': o.node } } : {}),
    ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
    restartPolicy: o.restartPolicy ?? 'Always',
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', image: 'busybox', command: o.command }],
  },
});

describe('a three-node cluster with the real kubectl', () => {
  it('lists every node Ready, the control-plane node tainted and labelled', async () => {
    const { state } = cluster();
    console.log(`up took ${state.upSeconds}s`);
    const out = await cluster().kubectlOk(['get', 'nodes', '--no-headers']);
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0]).sort()).toEqual(state.nodes!.map((n) => n.name).sort());
    for (const r of rows) expect(r[1]).toBe('Ready');
    const cp = state.nodes!.find((n) => n.role === 'control-plane')!;
    expect(rows.find((r) => r[0] === cp.name)![2]).toBe('control-plane');
    const taints = await cluster().kubectlOk(['get', 'node', cp.name, '-o', 'jsonpath={.spec.taints[*].key}:{.spec.taints[*].effect}']);
    expect(taints).toBe('node-role.kubernetes.io/control-plane:NoSchedule');
    const ips = await cluster().kubectlOk(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.addresses[?(@.type=="InternalIP")].address} {end}']);
    for (const n of state.nodes!) expect(ips).toContain(`${n.name}=${n.address}`);
  });

  it('has the system namespaces', async () => {
    const out = await cluster().kubectlOk(['get', 'namespaces', '-o', 'name']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect(out).toContain(`namespace/${ns}`);
  });

  it('runs an applied pod on a worker with an address from that node\'s pod CIDR', async () => {
    const created = await cluster().kubectlOk(['apply', '-f', '-'], { input: manifest('hello', { command: ['sh', '-c', 'echo hello from k8ts; sleep 3600'] }) });
    expect(created.trim()).toBe('pod/hello created');
    const p = await running('hello');
    const node = cluster().state.nodes!.find((n) => n.name === p.nodeName)!;
    expect(node.role).toBe('worker');
    expect(isInRange(p.podIP!, node.podCidr)).toBe(true);
  }, 90_000);

  it('streams the reconciliation over NATS: `k8ts logs -f` shows the scheduler\'s binding, the kubelet starting the container and the Events', async () => {
    const cli = spawn(process.execPath, [k8tsMain, 'logs', '-f', '--name', cluster().name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cli.stdout.on('data', (d) => { out += String(d); });
    cli.stderr.on('data', (d) => { err += String(d); });
    try {
      await eventually('k8ts logs -f subscribed', async () => (err.includes('Following the log stream') ? true : undefined), 20_000);
      await cluster().kubectlOk(['apply', '-f', '-'], { input: manifest('streamed', { command: ['sleep', '3600'] }) });
      const p = await running('streamed');
      const lines = await eventually('scheduler, kubelet and event lines', async () => {
        const ls = out.split('\n');
        const bound = ls.find((l) => / kube-scheduler INFO Successfully assigned default\/streamed to /.test(l));
        const started = ls.find((l) => l.includes(`${p.nodeName}/kubelet INFO started container`) && l.includes('pod=default/streamed'));
        const event = ls.find((l) => / event pod\/default\/streamed Normal Scheduled: Successfully assigned default\/streamed to /.test(l));
        return bound && started && event ? { bound, started, event } : undefined;
      }, 30_000);
      expect(lines.bound).toContain(`to ${p.nodeName}`);
      expect(lines.event).toContain('[default-scheduler');
    } finally {
      cli.kill('SIGINT');
      await new Promise((r) => cli.once('exit', r));
    }
    expect(cli.exitCode).toBe(0);
  }, 90_000);

  it('shows the pod\'s output with kubectl logs (through the API server and the node\'s kubelet)', async () => {
    const out = await eventually('logs', async () => {
      const r = await cluster().kubectl(['logs', 'hello']);
      return r.code === 0 && r.stdout.includes('hello from k8ts') ? r.stdout : undefined;
    }, 30_000);
    expect(out).toBe('hello from k8ts\n');
    const ts = await cluster().kubectlOk(['logs', 'hello', '--timestamps', '--tail=1']);
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z hello from k8ts\n$/);
  }, 60_000);

  it('runs a command in the pod with kubectl exec, with its exit code', async () => {
    const r = await cluster().kubectl(['exec', 'hello', '--', 'sh', '-c', 'echo in-pod $(hostname); exit 3']);
    expect(r.stdout).toBe('in-pod hello\n');
    expect(r.code).toBe(3);
    const ok = await cluster().kubectlOk(['exec', 'hello', '--', 'cat', '/etc/hostname']);
    expect(ok.trim()).toBe('hello');
  }, 60_000);

  it('our kubectl shows the same logs and runs exec with the same output and exit code', async () => {
    const logs = await cluster().ourKubectl(['logs', 'hello']);
    expect(logs).toMatchObject({ code: 0, stdout: 'hello from k8ts\n' });
    const ex = await cluster().ourKubectl(['exec', 'hello', '--', 'sh', '-c', 'echo in-pod $(hostname); echo oops >&2; exit 3']);
    expect(ex.stdout).toBe('in-pod hello\n');
    expect(ex.stderr).toBe('oops\ncommand terminated with exit code 3\n');
    expect(ex.code).toBe(3);
  }, 60_000);

  it('lets pods on different nodes (and the host) reach each other by pod IP', async () => {
    const [w1, w2] = cluster().state.nodes!.filter((n) => n.role === 'worker');
    await cluster().kubectlOk(['apply', '-f', '-'], {
      input: manifest('web', { node: w1!.name, command: ['sh', '-c', 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www'] }),
    });
    const web = await running('web');
    expect(isInRange(web.podIP!, w1!.podCidr)).toBe(true);
    // From the root namespace (routed to the node's address).
    const fromHost = await eventually('httpd answers', async () => (await run('busybox', ['wget', '-q', '-O', '-', `http://${web.podIP}:8080/`])).stdout);
    expect(fromHost.trim()).toBe('hello-from-web');
    // From a pod on the other worker: it exits 0 only if the page was fetched.
    await cluster().kubectlOk(['apply', '-f', '-'], {
      input: manifest('fetch', { node: w2!.name, restartPolicy: 'Never', command: ['sh', '-c', `wget -q -O /tmp/page http://${web.podIP}:8080/ && grep -q hello-from-web /tmp/page`] }),
    });
    const fetched = await eventually('fetch pod finished', async () => {
      const p = await pod('fetch');
      return p?.phase === 'Succeeded' || p?.phase === 'Failed' ? p : undefined;
    }, 60_000);
    expect(fetched.nodeName).toBe(w2!.name);
    expect(fetched).toMatchObject({ phase: 'Succeeded', exitCode: 0 });
  }, 150_000);

  it('our kubectl sees the same nodes and pods as the real one', async () => {
    for (const args of [['get', 'nodes', '-o', 'name'], ['get', 'pods', '-o', 'name'], ['get', 'namespaces', '-o', 'name'], ['get', 'pod', 'web', '-o', 'json']]) {
      const [real, ours] = await Promise.all([cluster().kubectl(args), cluster().ourKubectl(args)]);
      expect(real.code, real.stderr).toBe(0);
      expect(ours.code, ours.stderr).toBe(0);
      if (args.includes('json')) expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(real.stdout));
      else expect(ours.stdout).toBe(real.stdout);
    }
  }, 60_000);

  it('keeps a pod for a scheduler that does not exist Pending', async () => {
    await cluster().kubectlOk(['apply', '-f', '-'], { input: manifest('waiting', { schedulerName: 'no-such-scheduler', command: ['sleep', '10'] }) });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await pod('waiting')).toMatchObject({ phase: 'Pending', nodeName: undefined });
  }, 30_000);

  it('stop-node stops renewing the node Lease while its containers keep running; start-node resumes', async () => {
    const w2 = cluster().state.nodes!.filter((n) => n.role === 'worker')[1]!;
    await cluster().kubectlOk(['apply', '-f', '-'], { input: manifest('keep', { node: w2.name, command: ['sleep', '3600'] }) });
    const before = await running('keep');
    const id = before.containerID!.replace(/^containerd:\/\//, '');
    const renewTime = () => cluster().kubectlOk(['get', 'lease', '-n', 'kube-node-lease', w2.name, '-o', 'jsonpath={.spec.renewTime}']);
    const running_ = async () => (await run('ctr', ['-a', w2.criSocket, '-n', 'k8s.io', 'tasks', 'ls'])).stdout.split('\n').some((l) => l.startsWith(id) && l.includes('RUNNING'));

    const pid = await stopNode(cluster().name, w2.name);
    expect(pid).toBeGreaterThan(0);
    expect(readState(cluster().name)!.stopped).toEqual([`kubelet/${w2.name}`]);
    const stoppedAt = await renewTime();
    await new Promise((r) => setTimeout(r, 12_000)); // longer than the 10 s renew interval
    expect(await renewTime()).toBe(stoppedAt);
    expect(await running_()).toBe(true);

    await startNode(cluster().name, w2.name);
    await eventually('lease renewed again', async () => ((await renewTime()) > stoppedAt ? true : undefined), 30_000);
    const after = await running('keep');
    expect(after.containerID).toBe(before.containerID);
    expect(await running_()).toBe(true);
    const restarts = await cluster().kubectlOk(['get', 'pod', 'keep', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']);
    expect(restarts).toBe('0');
  }, 120_000);

  it('deletes pods and their containers leave the node', async () => {
    const p = (await pod('hello'))!;
    const node = cluster().state.nodes!.find((n) => n.name === p.nodeName)!;
    const id = p.containerID!.replace(/^containerd:\/\//, '');
    const tasks = async () => (await run('ctr', ['-a', node.criSocket, '-n', 'k8s.io', 'tasks', 'ls', '-q'])).stdout;
    expect(await tasks()).toContain(id);
    const out = await cluster().kubectlOk(['delete', 'pod', 'hello', 'streamed', 'web', 'fetch', 'waiting', 'keep', '--grace-period=1', '--timeout=60s'], { timeoutMs: 90_000 });
    expect(out).toContain('pod "hello" deleted');
    expect((await cluster().kubectl(['get', 'pod', 'hello'])).stderr).toContain('NotFound');
    await eventually('container stopped on the node', async () => ((await tasks()).includes(id) ? undefined : true), 30_000);
  }, 120_000);
});
