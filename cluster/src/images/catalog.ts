// The images k8ts provides offline, built from Debian's busybox-static.

export interface LocalImage {
  /** Fully qualified name nodes use, e.g. docker.io/library/busybox:latest. */
  name: string;
  /** Repository path inside the local registry (the name without its registry host). */
  repository: string;
  /** Tag inside the local registry. */
  tag: string;
  /** Tag in the OCI layout cache (umoci tags cannot hold ':' or '/'). */
  layoutTag: string;
}

export const busyboxImage: LocalImage = {
  name: 'docker.io/library/busybox:latest', repository: 'library/busybox', tag: 'latest', layoutTag: 'busybox-latest',
};

export const pauseImage: LocalImage = {
  name: 'registry.k8s.io/pause:3.10', repository: 'pause', tag: '3.10', layoutTag: 'pause-3.10',
};

export const localImages: LocalImage[] = [busyboxImage, pauseImage];

/** The registry hosts whose images the local registry serves (nodes mirror them onto it). */
export const mirroredRegistries = ['docker.io', 'registry.k8s.io'];

/**
 * The pause process: PID 1 of every sandbox. It sleeps until SIGTERM/SIGINT and exits 0 on them;
 * as PID 1 its shell's wait also reaps orphans re-parented to it.
 */
export const pauseScript = "trap 'kill $! 2>/dev/null; exit 0' TERM INT; while :; do sleep 2147483647 & wait $!; done";
