// Service cluster IP and NodePort allocation: in-process sets, rebuilt from stored Services at start.
// Automatic allocation is random and prefers the upper band of each range, as upstream 1.32.
import { randomInt } from 'node:crypto';
import { errors } from '@k8ts/api';

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`invalid IPv4 address ${ip}`);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Picks an integer in [0, n): injectable so tests can make allocation deterministic. */
export type RandomInt = (n: number) => number;

const defaultRandom: RandomInt = (n) => randomInt(n);

/**
 * A contiguous block of values [base, base+size). Automatic allocation is random, as upstream's
 * randomScanStrategyWithOffset: a random start in the upper band [offset, size), scanning forward and
 * wrapping inside that band; only when it is full, the same in the lower band [0, offset), which is thus
 * kept for values that users ask for by number (KEP-3070 for Service IPs, KEP-3668 for NodePorts).
 */
export class Range {
  private readonly used = new Set<number>();
  private readonly base: number;
  private readonly size: number;
  /** The size of the lower band, preferred for static (user-chosen) values. */
  readonly offset: number;
  private readonly random: RandomInt;
  constructor(base: number, size: number, offset = 0, random: RandomInt = defaultRandom) {
    this.base = base;
    this.size = size;
    this.offset = offset > 0 && offset < size ? offset : 0;
    this.random = random;
  }
  contains(n: number): boolean { return n >= this.base && n < this.base + this.size; }
  isFree(n: number): boolean { return this.contains(n) && !this.used.has(n); }
  has(n: number): boolean { return this.used.has(n); }
  take(n: number): boolean {
    if (!this.isFree(n)) return false;
    this.used.add(n);
    return true;
  }
  takeNext(): number | undefined {
    if (this.used.size >= this.size) return undefined;
    const at = this.scan(this.offset, this.size) ?? this.scan(0, this.offset);
    if (at === undefined) return undefined;
    this.used.add(at);
    return at;
  }
  /** A free value in [from, to) of the range, starting at a random place and wrapping. */
  private scan(from: number, to: number): number | undefined {
    const span = to - from;
    if (span <= 0) return undefined;
    const start = this.random(span);
    for (let i = 0; i < span; i++) {
      const n = this.base + from + ((start + i) % span);
      if (!this.used.has(n)) return n;
    }
    return undefined;
  }
  release(n: number): void { this.used.delete(n); }
  get free(): number { return this.size - this.used.size; }
}

/**
 * The size of the lower (static) band of a service CIDR of `cidrSize` addresses: min(max(16, size/16), 256),
 * none for ranges of 16 addresses or fewer (upstream ipallocator calculateRangeOffset).
 */
export function serviceIPRangeOffset(cidrSize: number): number {
  if (cidrSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(cidrSize / 16)), 256);
}

/**
 * The size of the lower (static) band of a NodePort range of `size` ports: min(max(16, size/32), 128),
 * none for ranges of 16 ports or fewer (upstream portallocator calculateRangeOffset).
 */
export function nodePortRangeOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

/** Allocates from a CIDR like 10.96.0.0/12, never the network or broadcast address. */
export class ClusterIPAllocator {
  readonly cidr: string;
  private readonly range: Range;
  private readonly first: number;
  constructor(cidr: string, random?: RandomInt) {
    const [addr, bits] = cidr.split('/');
    const prefix = Number(bits);
    if (!(prefix >= 8 && prefix <= 30)) throw new Error(`service CIDR ${cidr}: prefix must be between /8 and /30`);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const network = (ipToInt(addr) & mask) >>> 0;
    this.cidr = cidr;
    this.first = network + 1;
    const cidrSize = 2 ** (32 - prefix);
    this.range = new Range(network + 1, cidrSize - 2, serviceIPRangeOffset(cidrSize), random);
  }
  /** The first address: the `kubernetes` Service's. */
  get firstIP(): string { return intToIp(this.first); }
  contains(ip: string): boolean {
    try { return this.range.contains(ipToInt(ip)); } catch { return false; }
  }
  /** Allocates `ip` or a random free address (upper band first); throws a field-shaped error message on failure. */
  allocate(ip?: string): string {
    if (ip) {
      let n: number;
      try { n = ipToInt(ip); } catch { throw new AllocationError(`failed to allocate IP ${ip}: not a valid IP address`); }
      if (!this.range.contains(n)) throw new AllocationError(`failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
      if (!this.range.take(n)) throw new AllocationError(`failed to allocate IP ${ip}: provided IP is already allocated`);
      return ip;
    }
    const n = this.range.takeNext();
    if (n === undefined) throw errors.internal('failed to allocate a serviceIP: range is full');
    return intToIp(n);
  }
  /** Marks an address used (rebuild at start); false when it was already used or is out of range. */
  restore(ip: string): boolean {
    try { return this.range.take(ipToInt(ip)); } catch { return false; }
  }
  release(ip: string): void {
    try { this.range.release(ipToInt(ip)); } catch { /* not ours */ }
  }
  /** Whether `ip` is allocated. */
  has(ip: string): boolean {
    try { return this.range.has(ipToInt(ip)); } catch { return false; }
  }
}

export class PortAllocator {
  readonly min: number;
  readonly max: number;
  private readonly range: Range;
  constructor(spec: string, random?: RandomInt) {
    const m = /^(\d+)-(\d+)$/.exec(spec);
    if (!m) throw new Error(`invalid port range ${spec}`);
    this.min = Number(m[1]);
    this.max = Number(m[2]);
    const size = this.max - this.min + 1;
    this.range = new Range(this.min, size, nodePortRangeOffset(size), random);
  }
  /** Allocates `port` or a random free port (upper band first). */
  allocate(port?: number): number {
    if (port) {
      if (!this.range.contains(port)) throw new AllocationError(`provided port is not in the valid range. The range of valid ports is ${this.min}-${this.max}`);
      if (!this.range.take(port)) throw new AllocationError('provided port is already allocated');
      return port;
    }
    const n = this.range.takeNext();
    if (n === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
    return n;
  }
  restore(port: number): boolean { return this.range.take(port); }
  release(port: number): void { this.range.release(port); }
  /** Whether `port` is allocated. */
  has(port: number): boolean { return this.range.has(port); }
}

export class AllocationError extends Error {}
