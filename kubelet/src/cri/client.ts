// The kubelet's CRI client: typed, promise-returning calls to runtime.v1 RuntimeService and
// ImageService over the runtime's unix socket, each with its own deadline.
import * as grpc from '@grpc/grpc-js';
import { runtimeV1, maxMsgSize } from './proto.ts';
import { CriError } from './errors.ts';
import type {
  AuthConfig, Container, ContainerConfig, ContainerFilter, ContainerStatusResponse, ExecRequest,
  ExecSyncResponse, Image, ImageSpec, PodSandbox, PodSandboxConfig, PodSandboxFilter,
  PodSandboxStatusResponse, StatusResponse, VersionResponse,
} from './types.ts';

/** The CRI API version this client speaks. */
export const criApiVersion = 'v1';

export interface CriClient {
  readonly endpoint: string;
  version(): Promise<VersionResponse>;
  status(verbose?: boolean): Promise<StatusResponse>;

  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string, verbose?: boolean): Promise<PodSandboxStatusResponse>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Stops with a grace period in seconds (0: kill at once). */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(containerId: string, verbose?: boolean): Promise<ContainerStatusResponse>;
  /** Runs cmd in the container; timeoutSeconds 0 means no runtime-side timeout. */
  execSync(containerId: string, cmd: string[], timeoutSeconds?: number): Promise<ExecSyncResponse>;
  /** Prepares a streaming exec; returns the runtime's streaming URL. */
  exec(req: ExecRequest): Promise<string>;

  /** Pulls and returns the image reference (image id) on the node. */
  pullImage(image: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  /** The image, or null when the runtime does not have it. */
  imageStatus(image: ImageSpec, verbose?: boolean): Promise<Image | null>;
  listImages(filter?: ImageSpec): Promise<Image[]>;
  removeImage(image: ImageSpec): Promise<void>;

  close(): void;
}

export interface CriClientOptions {
  /** Deadline of ordinary calls (upstream kubelet: --runtime-request-timeout, 2m). */
  timeoutMs?: number;
  /** Deadline of PullImage. */
  pullTimeoutMs?: number;
  /** Deadline of the Version call connectCri makes to check the runtime is there. */
  connectTimeoutMs?: number;
}

type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

/** Connects to a CRI runtime on a unix socket and checks it answers Version (API v1). */
export async function connectCri(socketPath: string, o: CriClientOptions = {}): Promise<CriClient> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const pullTimeoutMs = o.pullTimeoutMs ?? 10 * 60_000;
  const endpoint = socketPath.startsWith('unix:') ? socketPath : `unix://${socketPath}`;
  const { RuntimeService, ImageService } = runtimeV1();
  const channelOptions: grpc.ChannelOptions = {
    'grpc.max_receive_message_length': maxMsgSize,
    'grpc.max_send_message_length': maxMsgSize,
  };
  const runtime = new RuntimeService(endpoint, grpc.credentials.createInsecure(), channelOptions);
  // Share the channel between both services.
  const images = new ImageService(endpoint, grpc.credentials.createInsecure(), { ...channelOptions, channelOverride: runtime.getChannel() } as grpc.ClientOptions);

  function call<T>(client: grpc.Client, rpc: string, req: unknown, deadlineMs = timeoutMs): Promise<T> {
    const method = (client as unknown as Record<string, Unary>)[rpc];
    return new Promise<T>((resolve, reject) => {
      method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) reject(toCriError(rpc, err, socketPath));
        else resolve(res as T);
      });
    });
  }
  const rt = <T>(rpc: string, req: unknown, deadlineMs?: number) => call<T>(runtime, rpc, req, deadlineMs);
  const img = <T>(rpc: string, req: unknown, deadlineMs?: number) => call<T>(images, rpc, req, deadlineMs);

  const client: CriClient = {
    endpoint,
    version: () => rt<VersionResponse>('Version', { version: criApiVersion }),
    status: (verbose = false) => rt<StatusResponse>('Status', { verbose }),

    runPodSandbox: async (config, runtimeHandler = '') =>
      (await rt<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler })).podSandboxId,
    stopPodSandbox: async (podSandboxId) => { await rt('StopPodSandbox', { podSandboxId }); },
    removePodSandbox: async (podSandboxId) => { await rt('RemovePodSandbox', { podSandboxId }); },
    podSandboxStatus: (podSandboxId, verbose = false) =>
      rt<PodSandboxStatusResponse>('PodSandboxStatus', { podSandboxId, verbose }),
    listPodSandbox: async (filter) => (await rt<{ items: PodSandbox[] }>('ListPodSandbox', { filter })).items,

    createContainer: async (podSandboxId, config, sandboxConfig) =>
      (await rt<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig })).containerId,
    startContainer: async (containerId) => { await rt('StartContainer', { containerId }); },
    stopContainer: async (containerId, timeoutSeconds) => {
      // The runtime waits up to the grace period before killing: give the call that long plus the usual deadline.
      await rt('StopContainer', { containerId, timeout: timeoutSeconds }, timeoutMs + timeoutSeconds * 1000);
    },
    removeContainer: async (containerId) => { await rt('RemoveContainer', { containerId }); },
    listContainers: async (filter) => (await rt<{ containers: Container[] }>('ListContainers', { filter })).containers,
    containerStatus: (containerId, verbose = false) =>
      rt<ContainerStatusResponse>('ContainerStatus', { containerId, verbose }),
    execSync: (containerId, cmd, timeoutSeconds = 0) =>
      rt<ExecSyncResponse>('ExecSync', { containerId, cmd, timeout: timeoutSeconds },
        timeoutSeconds > 0 ? timeoutSeconds * 1000 + timeoutMs : undefined),
    exec: async (req) => (await rt<{ url: string }>('Exec', req)).url,

    pullImage: async (image, auth, sandboxConfig) =>
      (await img<{ imageRef: string }>('PullImage', { image, auth, sandboxConfig }, pullTimeoutMs)).imageRef,
    imageStatus: async (image, verbose = false) =>
      (await img<{ image: Image | null }>('ImageStatus', { image, verbose })).image,
    listImages: async (filter) =>
      (await img<{ images: Image[] }>('ListImages', { filter: filter ? { image: filter } : undefined })).images,
    removeImage: async (image) => { await img('RemoveImage', { image }); },

    close() { images.close(); runtime.close(); },
  };

  try {
    const v = await rt<VersionResponse>('Version', { version: criApiVersion }, o.connectTimeoutMs ?? 10_000);
    if (v.runtimeApiVersion !== criApiVersion) {
      throw new Error(`container runtime at ${socketPath} speaks CRI ${v.runtimeApiVersion || '(none)'}, want ${criApiVersion}`);
    }
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

function toCriError(rpc: string, err: grpc.ServiceError, socketPath: string): CriError {
  const details = err.details || err.message;
  if (err.code === grpc.status.UNAVAILABLE) {
    return new CriError(rpc, err.code, details,
      `CRI ${rpc}: container runtime is unavailable at ${socketPath} (is containerd running?): ${details}`);
  }
  return new CriError(rpc, err.code, details);
}
