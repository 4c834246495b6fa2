// Deployments and Services on a real three-node cluster, driven with the real kubectl: the Deployment,
// ReplicaSet, EndpointSlice/Endpoints and garbage-collector controllers, and kube-proxy's iptables rules
// in every node's network namespace.
import { describe, it, expect } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { run } from '@k8ts/cluster/images/run.ts';
import { useCluster, eventually, busyboxPod, podView } from '../src/index.ts';

const cluster = useCluster({ nodes: 3, prefix: 'e2ew' });

/** Pods of the app, with their nodes and readiness. */
async function appPods(app: string) {
  const out = await cluster().kubectlOk(['get', 'pods', '-l', `app=${app}`, '-o', 'json']);
  return (JSON.parse(out) as { items: Pod[] }).items.map((p) => ({ name: p.metadata!.name!, deleting: !!p.metadata!.deletionTimestamp, ...podView(p) }));
}

const webCommand = 'echo "serving from $(hostname)"; echo "hello from $(hostname)" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp';

describe('deployments and services on a three-node cluster', () => {
  it('rolls out a Deployment created with the real kubectl: one ReplicaSet, three running pods', async () => {
    const created = await cluster().kubectlOk(['create', 'deployment', 'web', '--image=busybox', '--replicas=3', '--port=8080', '--', 'sh', '-c', webCommand]);
    expect(created.trim()).toBe('deployment.apps/web created');
    const status = await cluster().kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(status.trim().split('\n').pop()).toBe('deployment "web" successfully rolled out');
    const rs = (await cluster().kubectlOk(['get', 'rs', '-l', 'app=web', '--no-headers'])).trim().split('\n').map((l) => l.split(/\s+/));
    expect(rs).toHaveLength(1);
    expect(rs[0].slice(1, 4)).toEqual(['3', '3', '3']);
    const pods = await appPods('web');
    expect(pods.filter((p) => p.phase === 'Running' && p.ready)).toHaveLength(3);
    const deploy = (await cluster().kubectlOk(['get', 'deployment', 'web', '--no-headers'])).trim().split(/\s+/);
    expect(deploy.slice(0, 4)).toEqual(['web', '3/3', '3', '3']);
  }, 150_000);

  it('our kubectl reads the logs of the Deployment\'s pods by selector and through the Deployment, as the real one', async () => {
    const sorted = (s: string) => s.trim().split('\n').sort();
    const [ours, real] = await Promise.all([
      cluster().ourKubectl(['logs', '-l', 'app=web', '--prefix']),
      cluster().kubectl(['logs', '-l', 'app=web', '--prefix']),
    ]);
    expect(ours.code).toBe(0);
    expect(sorted(ours.stdout)).toEqual(sorted(real.stdout));
    expect(sorted(ours.stdout)).toHaveLength(3);
    for (const l of sorted(ours.stdout)) expect(l).toMatch(/^\[pod\/(web-[a-z0-9]+-[a-z0-9]{5})\/busybox\] serving from \1$/);
    const viaDeployment = await cluster().ourKubectl(['logs', 'deployment/web']);
    expect(viaDeployment.code).toBe(0);
    expect(viaDeployment.stderr).toMatch(/^Found 3 pods, using pod\/web-/);
    expect(viaDeployment.stdout).toMatch(/^serving from web-/);
  }, 60_000);

  it('serves the Deployment behind a Service: ClusterIP from a pod, NodePort on every node', async () => {
    const exposed = await cluster().kubectlOk(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--type=NodePort']);
    expect(exposed.trim()).toBe('service/web exposed');
    // The EndpointSlice controller lists the three ready pods.
    const addresses = await eventually('endpoint slice with 3 ready endpoints', async () => {
      const out = await cluster().kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']);
      const slices = JSON.parse(out) as { items: { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] }[] };
      const ready = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses);
      return ready.length === 3 ? ready : undefined;
    }, 30_000);
    const podIPs = (await appPods('web')).map((p) => p.podIP);
    expect([...addresses].sort()).toEqual([...podIPs].sort());
    const endpoints = await cluster().kubectlOk(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']);
    expect(endpoints.split(' ').sort()).toEqual([...podIPs].sort());

    const svc = JSON.parse(await cluster().kubectlOk(['get', 'service', 'web', '-o', 'json'])) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
    const { clusterIP } = svc.spec;
    const nodePort = svc.spec.ports[0].nodePort;
    // From a client pod (not one of the backends), through kube-proxy's DNAT in its node's namespace.
    await cluster().kubectlOk(['apply', '-f', '-'], { input: busyboxPod('client', ['sleep', '3600']) });
    await eventually('client Running', async () => {
      const r = await cluster().kubectl(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Running' ? true : undefined;
    }, 60_000);
    const seen = new Set<string>();
    await eventually('ClusterIP answers from every backend', async () => {
      // (busybox-static's wget crashes on -T, so kubectl's own timeout bounds it.)
      const r = await cluster().kubectl(['exec', 'client', '--', 'wget', '-q', '-O', '-', `http://${clusterIP}/`], { timeoutMs: 10_000 });
      if (r.code === 0) seen.add(r.stdout.trim());
      return seen.size === 3 ? true : undefined;
    }, 60_000, 100);
    expect([...seen].every((s) => /^hello from web-[a-z0-9]+-[a-z0-9]{5}$/.test(s))).toBe(true);
    // NodePort on each node's address, from the host (into the node's namespace, where kube-proxy runs).
    for (const n of cluster().state.nodes!) {
      const body = await eventually(`NodePort on ${n.name}`, async () => {
        const r = await run('curl', ['-sS', '--max-time', '3', `http://${n.address}:${nodePort}/`]).catch(() => undefined);
        return r?.stdout.startsWith('hello from web-') ? r.stdout : undefined;
      }, 30_000);
      expect(body).toMatch(/^hello from web-/);
    }
  }, 180_000);

  it('rolls a new template out (set image), then undoes it back to the first ReplicaSet', async () => {
    await cluster().kubectlOk(['set', 'image', 'deployment/web', 'busybox=busybox:latest']);
    await cluster().kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    const history = await cluster().kubectlOk(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const rsBefore = (await cluster().kubectlOk(['get', 'rs', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas} {end}'])).trim().split(' ').sort();
    expect(rsBefore.filter((r) => r.endsWith('=3'))).toHaveLength(1);
    expect(rsBefore.filter((r) => r.endsWith('=0'))).toHaveLength(1);
    const undone = await cluster().kubectlOk(['rollout', 'undo', 'deployment/web']);
    expect(undone.trim()).toBe('deployment.apps/web rolled back');
    await cluster().kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    const image = await cluster().kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(image).toBe('busybox');
    // The first ReplicaSet is back at 3 with revision 3; the second is scaled to 0.
    const rsAfter = JSON.parse(await cluster().kubectlOk(['get', 'rs', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string; annotations: Record<string, string> }; spec: { replicas: number } }[] };
    expect(rsAfter.items).toHaveLength(2);
    const active = rsAfter.items.find((r) => r.spec.replicas === 3)!;
    expect(active.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(rsBefore.some((r) => r.startsWith(`${active.metadata.name}=0`))).toBe(true);
  }, 300_000);

  it('our kubectl restarts, follows and undoes the rollout, and prints the history as the real one does', async () => {
    expect(await cluster().ourKubectl(['rollout', 'restart', 'deployment/web'])).toMatchObject({ code: 0, stdout: 'deployment.apps/web restarted\n' });
    const status = await cluster().ourKubectl(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(status.code).toBe(0);
    expect(status.stdout.trim().split('\n').pop()).toBe('deployment "web" successfully rolled out');
    const ours = await cluster().ourKubectl(['rollout', 'history', 'deployment/web']);
    const real = await cluster().kubectl(['rollout', 'history', 'deployment/web']);
    expect(ours.stdout).toBe(real.stdout);
    expect(ours.stdout).toMatch(/\n2\s+<none>\n3\s+<none>\n4\s+<none>\n/);
    expect(await cluster().ourKubectl(['rollout', 'undo', 'deployment/web'])).toMatchObject({ code: 0, stdout: 'deployment.apps/web rolled back\n' });
    await cluster().kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 });
    const restartedAt = await cluster().kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations}']);
    expect(restartedAt).not.toContain('restartedAt');
  }, 300_000);

  it('scales the Deployment, and deleting it takes its ReplicaSets and pods (garbage collector)', async () => {
    expect((await cluster().kubectlOk(['scale', 'deployment/web', '--replicas=1'])).trim()).toBe('deployment.apps/web scaled');
    await eventually('one pod left', async () => ((await appPods('web')).filter((p) => !p.deleting).length === 1 ? true : undefined), 60_000);
    const deleted = await cluster().kubectlOk(['delete', 'deployment', 'web'], { timeoutMs: 90_000 });
    expect(deleted.trim()).toBe('deployment.apps "web" deleted');
    await eventually('ReplicaSets collected', async () => {
      const out = await cluster().kubectlOk(['get', 'rs', '-l', 'app=web', '-o', 'name']);
      return out.trim() === '' ? true : undefined;
    }, 60_000);
    await eventually('pods collected', async () => ((await appPods('web')).length === 0 ? true : undefined), 90_000);
    await cluster().kubectlOk(['delete', 'service', 'web']);
    await eventually('EndpointSlice removed', async () => {
      const out = await cluster().kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'name']);
      return out.trim() === '' ? true : undefined;
    }, 30_000);
    await cluster().kubectlOk(['delete', 'pod', 'client', '--grace-period=1'], { timeoutMs: 60_000 });
  }, 240_000);
});
