export * from './status.ts';
export * from './resources.ts';
export * from './object.ts';
