// How a child process opens the same storage as the test: a JSON description, one case per backend
// that can be shared across processes (memory storage cannot).
import { fileStorage, type Storage } from '../../../runtime/db/storage/index.js';

export type StorageSpec = { readonly kind: 'file'; readonly dir: string };

export function openSpec(spec: StorageSpec): Storage {
  switch (spec.kind) {
    case 'file':
      return fileStorage(spec.dir);
  }
}
