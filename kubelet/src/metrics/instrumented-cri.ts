// A CriClient that counts and times every call (upstream kuberuntime instrumentedRuntimeService),
// under upstream's operation_type names.
import type { CriClient } from '../cri/client.ts';
import type { KubeletMetrics } from './metrics.ts';

export const operationTypes: Partial<Record<keyof CriClient, string>> = {
  version: 'version', status: 'status',
  runPodSandbox: 'run_podsandbox', stopPodSandbox: 'stop_podsandbox', removePodSandbox: 'remove_podsandbox',
  podSandboxStatus: 'podsandbox_status', listPodSandbox: 'list_podsandbox',
  createContainer: 'create_container', startContainer: 'start_container', stopContainer: 'stop_container',
  removeContainer: 'remove_container', listContainers: 'list_containers', containerStatus: 'container_status',
  execSync: 'exec_sync', exec: 'exec',
  pullImage: 'pull_image', imageStatus: 'image_status', listImages: 'list_images', removeImage: 'remove_image',
};

export function instrumentCri(cri: CriClient, m: KubeletMetrics): CriClient {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(cri, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      const op = operationTypes[prop as keyof CriClient];
      if (typeof v !== 'function') return v;
      if (!op) return (v as (...a: unknown[]) => unknown).bind(target);
      let w = wrapped.get(prop);
      if (!w) {
        w = async (...args: unknown[]) => {
          m.runtimeOperations.inc({ operation_type: op });
          const end = m.runtimeOperationsDuration.startTimer({ operation_type: op });
          try {
            return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (err) {
            m.runtimeOperationsErrors.inc({ operation_type: op });
            throw err;
          } finally {
            end();
          }
        };
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}
