export * from './containerd.ts';
export * from './cni.ts';
export * from './write.ts';
