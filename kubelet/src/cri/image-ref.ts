// Docker-style image reference normalisation, as container runtimes apply it:
// "busybox" -> "docker.io/library/busybox:latest", "me/app" -> "docker.io/me/app:latest".

export function normalizeImageRef(ref: string): string {
  let name = ref;
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) { digest = name.slice(at); name = name.slice(0, at); }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) name = `docker.io/${name}`;
  const afterDomain = name.slice(name.indexOf('/') + 1);
  if (name.startsWith('docker.io/') && !afterDomain.includes('/')) name = `docker.io/library/${afterDomain}`;
  const lastSlash = name.lastIndexOf('/');
  const hasTag = name.slice(lastSlash + 1).includes(':');
  if (!hasTag && !digest) name += ':latest';
  return name + digest;
}
