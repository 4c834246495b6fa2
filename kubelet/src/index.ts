export { Kubelet, type KubeletOptions } from './kubelet.ts';
export { runKubelet, connectRuntime, defaultNodeIP, type KubeletFlags, type RunningKubelet } from './app.ts';
export { computePodActions, podSandboxChanged, shouldContainerBeRestarted, type PodActions } from './pod-workers/compute-pod-actions.ts';
export { generatePodStatus, getPhase, podStatusEqual } from './status/generate.ts';
export { parseTaints, kubeletVersion } from './node/node-status.ts';
