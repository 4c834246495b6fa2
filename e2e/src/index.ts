export * from './cluster.ts';
export * from './kubectl.ts';
export * from './pods.ts';
