// IPv4 CIDR arithmetic (pure): parsing, containment and overlap.

export interface Cidr { base: number; bits: number }

export function parseIPv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address ${ip}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`invalid IPv4 address ${ip}`);
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** "10.244.0.0/16" (a bare address is a /32; "default" is 0.0.0.0/0). */
export function parseCidr(s: string): Cidr {
  if (s === 'default') return { base: 0, bits: 0 };
  const [ip, len] = s.split('/');
  const bits = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`invalid CIDR ${s}`);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(parseIPv4(ip!) / size) * size, bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.bits}`;
}

function size(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.bits <= inner.bits && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}
