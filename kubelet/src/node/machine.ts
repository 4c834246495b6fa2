// Machine facts for the Node object, read from the host (upstream cadvisor MachineInfo).
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import { goArch, type MachineInfo } from './node-status.ts';

const readOr = (p: string, d = '') => { try { return readFileSync(p, 'utf8').trim(); } catch { return d; } };

export function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readOr('/etc/os-release'));
  return m?.[1] ?? 'Linux';
}

export function machineInfo(rootDir: string): MachineInfo {
  let storage = 0;
  try { const s = statfsSync(rootDir); storage = s.blocks * s.bsize; } catch { /* not there yet */ }
  return {
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: storage,
    kernelVersion: release(),
    osImage: osImage(),
    machineID: readOr('/etc/machine-id'),
    systemUUID: readOr('/sys/class/dmi/id/product_uuid', readOr('/etc/machine-id')),
    bootID: readOr('/proc/sys/kernel/random/boot_id'),
    architecture: goArch(arch()),
  };
}
