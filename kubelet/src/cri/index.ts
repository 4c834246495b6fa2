export * from './client.ts';
export * from './errors.ts';
export * from './image-ref.ts';
export type * from './types.ts';
export * from './logs.ts';
