export * from './cluster.ts';
export * from './kubectl.ts';
