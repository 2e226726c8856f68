// `ions node`: a compute node as a long-running process (systemd on EC2, a container), serving one
// built revision until CodeDeploy or a signal replaces it.
import { resolve } from 'node:path';
import type { IonsConfig } from '../config/ions-config.js';
import { fileStorage } from '../db/storage/file-storage.js';
import { memoryStorage } from '../db/storage/memory-storage.js';
import type { Storage } from '../db/storage/storage.js';
import { startNode } from '../node/index.js';
import { loadSecret } from '../proxy/secret.js';
import { readManifest } from '../revision/index.js';

export interface NodeCommandOptions {
  revisionDir: string;
  port: number;
  host: string;
  /** Where a `file` storage without its own `dir` keeps its data. */
  dataDir: string;
  log?: (line: string) => void;
}

export interface RunningNodeProcess {
  url: string;
  close(): Promise<void>;
}

function storageFor(config: IonsConfig, dataDir: string): Storage {
  const storage = config.storage ?? { type: 'file' };
  switch (storage.type) {
    case 'memory':
      return memoryStorage();
    case 'file':
      return fileStorage(resolve(storage.dir ?? dataDir));
    default:
      throw new Error(`ions node: storage type ${storage.type} (ions.storage.type) is not available in this version; use file or memory`);
  }
}

export async function runNode(options: NodeCommandOptions): Promise<RunningNodeProcess> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const manifest = await readManifest(resolve(options.revisionDir));
  const secret = await loadSecret(process.env);
  const storage = storageFor(manifest.config, options.dataDir);
  let node;
  try {
    node = await startNode({ revisionDir: resolve(options.revisionDir), port: options.port, host: options.host, secret, storage });
  } catch (err) {
    await storage.close();
    throw err;
  }
  log(`ions node: ${manifest.config.app} revision ${manifest.revision} on ${node.url}`);
  return {
    url: node.url,
    async close() {
      await node.close();
      await storage.close();
    },
  };
}
