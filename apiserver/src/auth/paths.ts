// Paths that need no credentials, like upstream's system:public-info-viewer role grants to everyone.

const anonymousRoots = ['/healthz', '/livez', '/readyz'];

export function isAnonymousPath(path: string): boolean {
  const p = path.split('?')[0];
  if (p === '/version' || p === '/version/') return true;
  return anonymousRoots.some((root) => p === root || p.startsWith(root + '/'));
}
