// The e2e harness: one real cluster (`k8ts up`) per test file, always torn down (afterAll, and on
// SIGINT/SIGTERM of the test process), in a K8TS_HOME of its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { up, down, enabledComponents, type OptionalComponent, type UpResult } from '@k8ts/cluster/up.ts';
import { ourKubectl, realKubectl, runKubectl, type KubectlOptions, type KubectlResult } from './kubectl.ts';

export interface ClusterOptions {
  /** Nodes including the control plane (default 3). */
  nodes?: number;
  /** Prefix of the random cluster name. */
  prefix?: string;
  components?: Partial<Record<OptionalComponent, boolean>>;
  readyTimeoutMs?: number;
}

export interface E2ECluster {
  name: string;
  home: string;
  state: UpResult;
  kubeconfig: string;
  /** Which optional components run (kubelet, scheduler, ...). */
  components: Record<OptionalComponent, boolean>;
  /** The real kubectl against this cluster. */
  kubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** Like kubectl, but throws unless it exits 0; returns stdout. */
  kubectlOk(args: string[], o?: KubectlOptions): Promise<string>;
  /** This repository's kubectl against this cluster. */
  ourKubectl(args: string[], o?: KubectlOptions): Promise<KubectlResult>;
  teardown(): Promise<void>;
}

export async function startCluster(o: ClusterOptions = {}): Promise<E2ECluster> {
  const name = `${o.prefix ?? 'e2e'}-${randomBytes(3).toString('hex')}`;
  const home = mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
  const previousHome = process.env.K8TS_HOME;
  process.env.K8TS_HOME = home;
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    try {
      await down(name);
    } finally {
      rmSync(home, { recursive: true, force: true });
      if (previousHome === undefined) delete process.env.K8TS_HOME;
      else process.env.K8TS_HOME = previousHome;
    }
  };
  const onSignal = (sig: NodeJS.Signals) => { void teardown().finally(() => process.kill(process.pid, sig)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let state: UpResult;
  try {
    state = await up({ name, nodes: o.nodes ?? 3, components: o.components, readyTimeoutMs: o.readyTimeoutMs });
  } catch (err) {
    await teardown();
    throw err;
  }
  const kubeconfig = state.kubeconfig!;
  const kubectl = (args: string[], ko?: KubectlOptions) => runKubectl(realKubectl, kubeconfig, args, ko);
  return {
    name, home, state, kubeconfig, kubectl,
    ourKubectl: (args, ko) => runKubectl(ourKubectl, kubeconfig, args, ko),
    components: enabledComponents(o.components),
    async kubectlOk(args, ko) {
      const r = await kubectl(args, ko);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    async teardown() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await teardown();
    },
  };
}

/**
 * Registers beforeAll/afterAll bringing a cluster up for the calling test file; the returned function
 * gives the cluster inside tests.
 */
export function useCluster(o: ClusterOptions = {}): () => E2ECluster {
  let cluster: E2ECluster | undefined;
  beforeAll(async () => { cluster = await startCluster(o); }, 240_000);
  afterAll(async () => { await cluster?.teardown(); }, 120_000);
  return () => {
    if (!cluster) throw new Error('the e2e cluster did not come up (see the beforeAll error)');
    return cluster;
  };
}
