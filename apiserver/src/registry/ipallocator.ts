// Service cluster IP and NodePort allocation: in-process bitmaps, rebuilt from stored Services at start.
import { errors } from '@k8ts/api';

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`invalid IPv4 address ${ip}`);
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class Range {
  private readonly used = new Set<number>();
  private readonly base: number;
  private readonly size: number;
  private next = 0;
  constructor(base: number, size: number) { this.base = base; this.size = size; }
  contains(n: number): boolean { return n >= this.base && n < this.base + this.size; }
  isFree(n: number): boolean { return this.contains(n) && !this.used.has(n); }
  take(n: number): boolean {
    if (!this.isFree(n)) return false;
    this.used.add(n);
    return true;
  }
  takeNext(): number | undefined {
    for (let i = 0; i < this.size; i++) {
      const n = this.base + ((this.next + i) % this.size);
      if (!this.used.has(n)) {
        this.used.add(n);
        this.next = (this.next + i + 1) % this.size;
        return n;
      }
    }
    return undefined;
  }
  release(n: number): void { this.used.delete(n); }
  get free(): number { return this.size - this.used.size; }
}

/** Allocates from a CIDR like 10.96.0.0/12, never the network or broadcast address. */
export class ClusterIPAllocator {
  readonly cidr: string;
  private readonly range: Range;
  private readonly first: number;
  constructor(cidr: string) {
    const [addr, bits] = cidr.split('/');
    const prefix = Number(bits);
    if (!(prefix >= 8 && prefix <= 30)) throw new Error(`service CIDR ${cidr}: prefix must be between /8 and /30`);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const network = (ipToInt(addr) & mask) >>> 0;
    this.cidr = cidr;
    this.first = network + 1;
    this.range = new Range(network + 1, 2 ** (32 - prefix) - 2);
  }
  /** The first address: the `kubernetes` Service's. */
  get firstIP(): string { return intToIp(this.first); }
  contains(ip: string): boolean {
    try { return this.range.contains(ipToInt(ip)); } catch { return false; }
  }
  /** Allocates `ip` or the next free address; throws a field-shaped error message on failure. */
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
}

export class PortAllocator {
  readonly min: number;
  readonly max: number;
  private readonly range: Range;
  constructor(spec: string) {
    const m = /^(\d+)-(\d+)$/.exec(spec);
    if (!m) throw new Error(`invalid port range ${spec}`);
    this.min = Number(m[1]);
    this.max = Number(m[2]);
    this.range = new Range(this.min, this.max - this.min + 1);
  }
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
}

export class AllocationError extends Error {}
