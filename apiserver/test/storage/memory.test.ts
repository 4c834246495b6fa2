import { describe } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory.ts';
import { storageContract } from './contract.ts';

describe('MemoryStorage', () => {
  const storage = new MemoryStorage();
  storageContract(() => storage);
});
