// `ions invoke <lambda> --event file.json`: one event through the real proxy to a node, the way AWS
// would deliver it. Uses the node of a running `ions dev` for the service, or starts one for the call.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runningDev } from './dev-state.js';
import { collectStreamed, StreamedInvocation } from './function-url-stream.js';
import { startLocalApp } from './local-app.js';
import { localInvoker } from './local-proxy.js';
import { loadService } from './service.js';

export interface InvokeOptions {
  serviceDir: string;
  lambda: string;
  event: unknown;
}

/** The lambda's result; a streaming lambda's answer is collected whole. */
export async function invokeLocal(options: InvokeOptions): Promise<unknown> {
  const service = await loadService(options.serviceDir);
  if (service.config.lambdas?.[options.lambda] === undefined) {
    const known = Object.keys(service.config.lambdas ?? {});
    throw new Error(`no lambda ion named ${JSON.stringify(options.lambda)} in ions.lambdas (known: ${known.join(', ') || 'none'})`);
  }
  const dev = await runningDev(join(service.dir, '.ions'));
  if (dev !== undefined) {
    const invoke = localInvoker({ serviceName: service.name, config: service.config, nodeUrl: dev.nodeUrl, secretFile: dev.secretFile });
    return whole(await invoke(options.lambda, options.event));
  }
  const app = await startLocalApp({ serviceDir: service.dir });
  try {
    const invoke = localInvoker({ serviceName: service.name, config: app.service.config, nodeUrl: app.nodeUrl, secretFile: app.secretFile });
    // Collected before the node closes: the node waits for an answer still streaming.
    return await whole(await invoke(options.lambda, options.event));
  } finally {
    await app.close();
  }
}

function whole(result: unknown): unknown {
  return result instanceof StreamedInvocation ? collectStreamed(result) : result;
}

export async function readEventFile(file: string): Promise<unknown> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the event file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`the event file ${path} is not valid JSON (${(err as Error).message})`);
  }
}
