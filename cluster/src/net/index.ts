export * from './cidr.ts';
export * from './plan.ts';
export * from './setup.ts';
export * from './lock.ts';
export * from './ip.ts';
