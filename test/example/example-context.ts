// Runs the example's ions the way a node would host them, on a fresh in-memory storage.
import { closeNodeContext, setNodeContext } from '../../runtime/app/context.js';
import { memoryStorage } from '../../runtime/db/storage/memory-storage.js';
import type { Storage } from '../../runtime/db/storage/storage.js';
import * as fns from '../../examples/event-signup/src/fns.js';

// The allow list of examples/event-signup/serverless.yml.
const allowed: Record<string, (...args: never[]) => unknown> = {
  'src/fns.normalEmail': fns.normalEmail,
  'src/fns.signup': fns.signup,
};

export function useExampleContext(environment: Record<string, string> = {}): Storage {
  const storage = memoryStorage();
  setNodeContext({
    app: 'event-signup',
    group: 'primary',
    revision: 'test',
    environment: { EVENT_NAME: 'Test Meetup', EVENT_CAPACITY: '3', DB_NAME: 'event-signup', ...environment },
    storage,
    functions: { resolve: (name) => allowed[name] },
    local: true,
  });
  return storage;
}

export async function closeExampleContext(storage: Storage): Promise<void> {
  await closeNodeContext();
  await storage.close();
}
