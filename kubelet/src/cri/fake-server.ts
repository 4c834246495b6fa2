// An in-process CRI runtime for unit tests: a real gRPC server on a unix socket implementing the
// same runtime.v1 proto in memory. Sandboxes get addresses from a pod CIDR, containers move through
// CREATED -> RUNNING -> EXITED, and tests script exits, exec results, pull failures and errors.
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runtimeV1, maxMsgSize } from './proto.ts';
import { normalizeImageRef } from './image-ref.ts';
import type { CriCode } from './errors.ts';
import type {
  Container, ContainerConfig, ContainerFilter, ContainerState, ContainerStatus, ExecRequest, Image, ImageSpec,
  Labels, PodSandbox, PodSandboxConfig, PodSandboxFilter, PodSandboxState, PodSandboxStatus,
} from './types.ts';

export interface FakeExecResult { stdout?: string | Buffer; stderr?: string | Buffer; exitCode?: number }
/** What a started container does: print lines (written to its CRI log file) and maybe exit. */
export interface FakeContainerScript {
  stdout?: string[];
  stderr?: string[];
  /** Exit with this code (after afterMs); runs until stopped when absent. */
  exitCode?: number;
  afterMs?: number;
  reason?: string;
  message?: string;
}

export interface FakeCriOptions {
  /** Socket path; a fresh one in a temporary directory when absent. */
  socketPath?: string;
  /** Images present from the start (normalised references). */
  images?: string[];
  /** Whether PullImage of a reference succeeds; default: every reference. */
  pullable?: (ref: string) => boolean;
  /** Pod addresses come from this /24 (first three octets); default '10.88.0'. */
  podCidrPrefix?: string;
  /** Decides, when a container starts, whether and when it exits by itself. */
  onStart?: (config: ContainerConfig, containerId: string) => FakeContainerScript | undefined;
  /** ExecSync results; default: exit 0 with no output. */
  exec?: (containerId: string, cmd: string[]) => FakeExecResult;
  /** Exit code a container reports after StopContainer; default 137 (killed). */
  stopExitCode?: number;
}

export interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  createdAt: number;
  ip: string;
  runtimeHandler: string;
}

export interface FakeContainer {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
}

export interface FakeCriServer {
  socketPath: string;
  sandboxes: Map<string, FakeSandbox>;
  containers: Map<string, FakeContainer>;
  images: Map<string, Image>;
  /** RPC names in the order they were called. */
  calls: string[];
  /** The next call of rpc fails with this gRPC code. */
  failNext(rpc: string, code: CriCode, details?: string): void;
  /** A running container exits now with exitCode. */
  exitContainer(containerId: string, exitCode: number, reason?: string, message?: string): void;
  addImage(ref: string): Image;
  stop(): Promise<void>;
}

type Handler = (req: any) => unknown;
type Failure = { code: number; details: string };

class RpcError extends Error {
  readonly code: number;
  constructor(code: CriCode, details: string) { super(details); this.code = grpc.status[code]; }
}

const nowNs = () => Date.now() * 1_000_000;
const newId = () => randomBytes(32).toString('hex');
const toBuffer = (b: string | Buffer | undefined) => (typeof b === 'string' ? Buffer.from(b) : b ?? Buffer.alloc(0));

function labelsMatch(labels: Labels | undefined, selector: Labels | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

export async function startFakeCriServer(o: FakeCriOptions = {}): Promise<FakeCriServer> {
  const tempDir = o.socketPath ? undefined : mkdtempSync(join(tmpdir(), 'k8ts-fakecri-'));
  const socketPath = o.socketPath ?? join(tempDir!, 'cri.sock');
  const prefix = o.podCidrPrefix ?? '10.88.0';
  const sandboxes = new Map<string, FakeSandbox>();
  const containers = new Map<string, FakeContainer>();
  const images = new Map<string, Image>();
  const calls: string[] = [];
  const failures = new Map<string, Failure[]>();
  const timers = new Set<NodeJS.Timeout>();
  const usedIps = new Set<string>();

  function addImage(ref: string): Image {
    const name = normalizeImageRef(ref);
    const existing = images.get(name);
    if (existing) return existing;
    const id = `sha256:${randomBytes(32).toString('hex')}`;
    const img: Image = { id, repoTags: [name], repoDigests: [], size: 1024 * 1024, uid: null, username: '', spec: { image: id }, pinned: false };
    images.set(name, img);
    return img;
  }
  for (const ref of o.images ?? []) addImage(ref);

  function findImage(spec: ImageSpec | null | undefined): Image | undefined {
    const ref = spec?.image ?? '';
    if (!ref) return undefined;
    for (const img of images.values()) if (img.id === ref) return img;
    return images.get(normalizeImageRef(ref));
  }

  function allocateIp(): string {
    for (let i = 2; i < 255; i++) {
      const ip = `${prefix}.${i}`;
      if (!usedIps.has(ip)) { usedIps.add(ip); return ip; }
    }
    throw new RpcError('RESOURCE_EXHAUSTED', `no free address in ${prefix}.0/24`);
  }

  function sandbox(id: string): FakeSandbox {
    const s = sandboxes.get(id);
    if (!s) throw new RpcError('NOT_FOUND', `an error occurred when try to find sandbox: not found: ${id}`);
    return s;
  }
  function container(id: string): FakeContainer {
    const c = containers.get(id);
    if (!c) throw new RpcError('NOT_FOUND', `an error occurred when try to find container "${id}": not found`);
    return c;
  }

  function exitContainer(id: string, exitCode: number, reason?: string, message = ''): void {
    const c = containers.get(id);
    if (!c || c.state !== 'CONTAINER_RUNNING') return;
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = nowNs();
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.message = message;
  }

  function stopSandbox(s: FakeSandbox): void {
    for (const c of containers.values()) {
      if (c.podSandboxId === s.id) exitContainer(c.id, o.stopExitCode ?? 137);
    }
    if (s.state === 'SANDBOX_READY') {
      s.state = 'SANDBOX_NOTREADY';
      usedIps.delete(s.ip);
    }
  }

  const containerMeta = (c: FakeContainer) => ({ name: c.config.metadata.name, attempt: c.config.metadata.attempt ?? 0 });
  const sandboxMeta = (s: FakeSandbox) => ({ attempt: 0, ...s.config.metadata });

  function listContainer(c: FakeContainer): Container {
    return {
      id: c.id, podSandboxId: c.podSandboxId, metadata: containerMeta(c), image: { image: c.imageRef },
      imageRef: c.imageRef, state: c.state, createdAt: c.createdAt, labels: c.config.labels ?? {},
      annotations: c.config.annotations ?? {}, imageId: c.imageRef,
    };
  }

  const runtime: Record<string, Handler> = {
    Version: () => ({ version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' }),
    Status: () => ({
      status: { conditions: [
        { type: 'RuntimeReady', status: true, reason: '', message: '' },
        { type: 'NetworkReady', status: true, reason: '', message: '' },
      ] },
      info: {},
    }),

    RunPodSandbox: (req: { config: PodSandboxConfig | null; runtimeHandler: string }) => {
      if (!req.config?.metadata?.name) throw new RpcError('INVALID_ARGUMENT', 'sandbox config must include metadata');
      const { name, namespace, uid, attempt } = req.config.metadata;
      for (const s of sandboxes.values()) {
        const m = s.config.metadata;
        if (m.name === name && m.namespace === namespace && m.uid === uid && (m.attempt ?? 0) === (attempt ?? 0)) {
          throw new RpcError('UNKNOWN', `failed to reserve sandbox name "${name}_${namespace}_${uid}_${attempt ?? 0}": name is reserved for "${s.id}"`);
        }
      }
      const hostNetwork = req.config.linux?.securityContext?.namespaceOptions?.network === 'NODE';
      const s: FakeSandbox = {
        id: newId(), config: req.config, state: 'SANDBOX_READY', createdAt: nowNs(),
        ip: hostNetwork ? '' : allocateIp(), runtimeHandler: req.runtimeHandler,
      };
      sandboxes.set(s.id, s);
      return { podSandboxId: s.id };
    },
    StopPodSandbox: (req: { podSandboxId: string }) => { stopSandbox(sandbox(req.podSandboxId)); return {}; },
    RemovePodSandbox: (req: { podSandboxId: string }) => {
      const s = sandboxes.get(req.podSandboxId);
      if (!s) return {};
      stopSandbox(s);
      for (const c of [...containers.values()]) if (c.podSandboxId === s.id) containers.delete(c.id);
      sandboxes.delete(s.id);
      return {};
    },
    PodSandboxStatus: (req: { podSandboxId: string }) => {
      const s = sandbox(req.podSandboxId);
      const status: PodSandboxStatus = {
        id: s.id, metadata: sandboxMeta(s), state: s.state, createdAt: s.createdAt,
        network: { ip: s.state === 'SANDBOX_READY' ? s.ip : '', additionalIps: [] },
        linux: { namespaces: { options: s.config.linux?.securityContext?.namespaceOptions ?? {} } },
        labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {}, runtimeHandler: s.runtimeHandler,
      };
      return { status, info: {} };
    },
    ListPodSandbox: (req: { filter: PodSandboxFilter | null }) => {
      const f = req.filter;
      const items: PodSandbox[] = [...sandboxes.values()]
        .filter((s) => !f?.id || s.id === f.id)
        .filter((s) => !f?.state || s.state === f.state.state)
        .filter((s) => labelsMatch(s.config.labels, f?.labelSelector))
        .map((s) => ({
          id: s.id, metadata: sandboxMeta(s), state: s.state, createdAt: s.createdAt,
          labels: s.config.labels ?? {}, annotations: s.config.annotations ?? {}, runtimeHandler: s.runtimeHandler,
        }));
      return { items };
    },

    CreateContainer: (req: { podSandboxId: string; config: ContainerConfig | null; sandboxConfig: PodSandboxConfig | null }) => {
      const s = sandbox(req.podSandboxId);
      if (s.state !== 'SANDBOX_READY') throw new RpcError('UNKNOWN', `sandbox ${s.id} is not ready`);
      const config = req.config;
      if (!config?.metadata?.name) throw new RpcError('INVALID_ARGUMENT', 'container config must include metadata');
      const img = findImage(config.image);
      if (!img) throw new RpcError('NOT_FOUND', `failed to get image "${config.image?.image ?? ''}": not found`);
      for (const c of containers.values()) {
        if (c.podSandboxId === s.id && c.config.metadata.name === config.metadata.name && (c.config.metadata.attempt ?? 0) === (config.metadata.attempt ?? 0)) {
          throw new RpcError('UNKNOWN', `failed to reserve container name "${config.metadata.name}": name is reserved for "${c.id}"`);
        }
      }
      const logDir = s.config.logDirectory ?? '';
      const c: FakeContainer = {
        id: newId(), podSandboxId: s.id, config, imageRef: img.id, state: 'CONTAINER_CREATED', createdAt: nowNs(),
        startedAt: 0, finishedAt: 0, exitCode: 0, reason: '', message: '',
        logPath: config.logPath ? (logDir ? join(logDir, config.logPath) : config.logPath) : '',
      };
      containers.set(c.id, c);
      return { containerId: c.id };
    },
    StartContainer: (req: { containerId: string }) => {
      const c = container(req.containerId);
      if (c.state !== 'CONTAINER_CREATED') throw new RpcError('UNKNOWN', `container ${c.id} is in ${c.state} state, want CONTAINER_CREATED`);
      c.state = 'CONTAINER_RUNNING';
      c.startedAt = nowNs();
      const script = o.onStart?.(c.config, c.id);
      if (script && c.logPath) {
        const ts = new Date().toISOString().replace('Z', '000000Z'); // RFC3339Nano-like: ns digits
        const lines = [...(script.stdout ?? []).map((l) => `${ts} stdout F ${l}\n`), ...(script.stderr ?? []).map((l) => `${ts} stderr F ${l}\n`)];
        if (lines.length > 0) {
          mkdirSync(dirname(c.logPath), { recursive: true });
          appendFileSync(c.logPath, lines.join(''));
        }
      }
      if (script?.exitCode !== undefined) {
        const code = script.exitCode;
        const t = setTimeout(() => { timers.delete(t); exitContainer(c.id, code, script.reason, script.message); }, script.afterMs ?? 0);
        timers.add(t);
      }
      return {};
    },
    StopContainer: (req: { containerId: string }) => {
      exitContainer(container(req.containerId).id, o.stopExitCode ?? 137);
      return {};
    },
    RemoveContainer: (req: { containerId: string }) => {
      const c = containers.get(req.containerId);
      if (c) { exitContainer(c.id, o.stopExitCode ?? 137); containers.delete(c.id); }
      return {};
    },
    ListContainers: (req: { filter: ContainerFilter | null }) => {
      const f = req.filter;
      const list = [...containers.values()]
        .filter((c) => !f?.id || c.id === f.id)
        .filter((c) => !f?.podSandboxId || c.podSandboxId === f.podSandboxId)
        .filter((c) => !f?.state || c.state === f.state.state)
        .filter((c) => labelsMatch(c.config.labels, f?.labelSelector))
        .map(listContainer);
      return { containers: list };
    },
    ContainerStatus: (req: { containerId: string }) => {
      const c = container(req.containerId);
      const status: ContainerStatus = {
        id: c.id, metadata: containerMeta(c), state: c.state, createdAt: c.createdAt, startedAt: c.startedAt,
        finishedAt: c.finishedAt, exitCode: c.exitCode, image: { image: c.config.image.image }, imageRef: c.imageRef,
        reason: c.reason, message: c.message, labels: c.config.labels ?? {}, annotations: c.config.annotations ?? {},
        mounts: c.config.mounts ?? [], logPath: c.logPath, resources: { linux: c.config.linux?.resources ?? null },
        imageId: c.imageRef,
      };
      return { status, info: {} };
    },
    ExecSync: (req: { containerId: string; cmd: string[] }) => {
      const c = container(req.containerId);
      if (c.state !== 'CONTAINER_RUNNING') throw new RpcError('FAILED_PRECONDITION', `container is in ${c.state} state`);
      const r = o.exec?.(c.id, req.cmd) ?? {};
      return { stdout: toBuffer(r.stdout), stderr: toBuffer(r.stderr), exitCode: r.exitCode ?? 0 };
    },
    Exec: (req: ExecRequest) => {
      const c = container(req.containerId);
      if (c.state !== 'CONTAINER_RUNNING') throw new RpcError('FAILED_PRECONDITION', `container is in ${c.state} state`);
      if (!req.stdin && !req.stdout && !req.stderr) throw new RpcError('INVALID_ARGUMENT', 'one of stdin, stdout, or stderr must be set');
      // No streaming server behind it: the fake only hands out a token URL.
      return { url: `http://127.0.0.1:0/exec/${randomBytes(6).toString('base64url')}` };
    },
  };

  const imageService: Record<string, Handler> = {
    ListImages: (req: { filter: { image: ImageSpec | null } | null }) => {
      const want = req.filter?.image?.image;
      const list = [...images.values()].filter((i) => !want || findImage({ image: want }) === i);
      return { images: list };
    },
    ImageStatus: (req: { image: ImageSpec | null }) => ({ image: findImage(req.image) ?? null, info: {} }),
    PullImage: (req: { image: ImageSpec | null }) => {
      const ref = req.image?.image ?? '';
      if (!ref) throw new RpcError('INVALID_ARGUMENT', 'image reference is empty');
      const name = normalizeImageRef(ref);
      if (!images.has(name) && o.pullable && !o.pullable(name)) {
        throw new RpcError('UNKNOWN', `failed to pull and unpack image "${name}": failed to resolve reference "${name}": ${name}: not found`);
      }
      return { imageRef: addImage(name).id };
    },
    RemoveImage: (req: { image: ImageSpec | null }) => {
      const img = findImage(req.image);
      if (img) for (const [k, v] of images) if (v === img) images.delete(k);
      return {};
    },
  };

  function wrap(handlers: Record<string, Handler>): grpc.UntypedServiceImplementation {
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [rpc, fn] of Object.entries(handlers)) {
      impl[rpc] = ((call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        calls.push(rpc);
        const queued = failures.get(rpc);
        const fail = queued?.shift();
        if (fail) { cb({ code: fail.code, details: fail.details }); return; }
        try { cb(null, fn(call.request)); } catch (err) {
          if (err instanceof RpcError) cb({ code: err.code, details: err.message });
          else cb({ code: grpc.status.INTERNAL, details: String(err) });
        }
      }) as grpc.handleUnaryCall<unknown, unknown>;
    }
    return impl;
  }

  const { RuntimeService, ImageService } = runtimeV1();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxMsgSize, 'grpc.max_send_message_length': maxMsgSize });
  server.addService(RuntimeService.service, wrap(runtime));
  server.addService(ImageService.service, wrap(imageService));
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
  });

  return {
    socketPath, sandboxes, containers, images, calls,
    failNext(rpc, code, details = 'injected failure') {
      const q = failures.get(rpc) ?? [];
      q.push({ code: grpc.status[code], details });
      failures.set(rpc, q);
    },
    exitContainer,
    addImage,
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
