export * from './etcd.ts';
export * from './ports.ts';
export * from './process.ts';
