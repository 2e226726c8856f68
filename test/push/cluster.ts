// Three nodes behind the round-robin balancer, each with a disk of its own (chunk cache, revisions),
// and the part of CodeDeploy that matters here: reading the registered bundle and running its hooks on
// one node at a time, each node out of the balancer while its hooks run.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { runHook, type NodeHost } from '../../runtime/deploy/run-hook.js';
import { startNode, type RunningNode } from '../../runtime/node/index.js';
import { PROXY_ENV } from '../../runtime/protocol/proxy-env.js';
import { createProxyHandler } from '../../runtime/proxy/handler.js';
import { HOOK_PHASES, HOOK_SPEC_FILE, type HookSpec } from '../../runtime/push/codedeploy-bundle.js';
import { startRoundRobin, type RoundRobin } from './round-robin.js';

export const SECRET = 'push-test-secret';

export interface ClusterNode {
  node: RunningNode;
  host: NodeHost;
}

export interface Cluster {
  nodes: ClusterNode[];
  balancer: RoundRobin;
  close(): Promise<void>;
}

export async function startCluster(s3: S3Client, size = 3): Promise<Cluster> {
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < size; i++) {
    const node = await startNode({ port: 0, host: '127.0.0.1', secret: SECRET, local: true });
    const home = await mkdtemp(join(tmpdir(), `ions-push-node${i}-`));
    nodes.push({
      node,
      host: {
        home,
        nodeUrl: node.url,
        s3,
        secret: async () => SECRET,
        startNode: () => Promise.reject(new Error('the test nodes are already running')),
        healthTimeoutMs: 5_000,
      },
    });
  }
  const balancer = await startRoundRobin(nodes.map(({ node }) => node.url));
  return {
    nodes,
    balancer,
    async close() {
      await balancer.close();
      for (const { node, host } of nodes) {
        await node.close();
        await rm(host.home, { recursive: true, force: true });
      }
    },
  };
}

/** The hook spec inside a registered CodeDeploy bundle, and the appspec beside it. */
export async function readBundle(s3: S3Client, location: { bucket: string; key: string }): Promise<{ spec: HookSpec; appspec: string; files: string[] }> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  const zip = await JSZip.loadAsync(await answer.Body!.transformToByteArray());
  return {
    spec: JSON.parse(await zip.file(HOOK_SPEC_FILE)!.async('string')) as HookSpec,
    appspec: await zip.file('appspec.yml')!.async('string'),
    files: Object.keys(zip.files).sort(),
  };
}

export interface NodeRollout {
  url: string;
  /** The swap hook's wall time: the hot swap itself, as the node answered it. */
  swapMs: number;
  messages: string[];
}

/** CodeDeployDefault.OneAtATime with traffic control: each node leaves the balancer, runs every hook, and comes back. */
export async function rollOut(cluster: Cluster, spec: HookSpec): Promise<NodeRollout[]> {
  const done: NodeRollout[] = [];
  for (const { node, host } of cluster.nodes) {
    cluster.balancer.block(node.url);
    try {
      const rollout: NodeRollout = { url: node.url, swapMs: 0, messages: [] };
      for (const phase of HOOK_PHASES) {
        const started = performance.now();
        rollout.messages.push(await runHook(phase, spec, host));
        if (phase === 'swap') rollout.swapMs = performance.now() - started;
      }
      done.push(rollout);
    } finally {
      cluster.balancer.allow(node.url);
    }
  }
  return done;
}

export interface WebAnswer {
  status: number;
  version?: string;
  revision?: string;
  body: string;
}

/** The fixture's web ion through the real proxy code, forwarding to `endpoint` (the balancer). */
export function webProxy(endpoint: string): () => Promise<WebAnswer> {
  const proxy = createProxyHandler({
    [PROXY_ENV.target]: 'web',
    [PROXY_ENV.integration]: 'api-gateway',
    [PROXY_ENV.endpoint]: endpoint,
    [PROXY_ENV.secret]: SECRET,
  });
  const event = { version: '2.0', rawPath: '/', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET' } } };
  const context = { awsRequestId: 'load', functionName: 'web', getRemainingTimeInMillis: () => 5_000 };
  return async () => {
    const result = (await proxy(event, context)) as { statusCode: number; body: string };
    if (result.statusCode !== 200) return { status: result.statusCode, body: result.body };
    const { version, revision } = JSON.parse(result.body) as { version: string; revision: string };
    return { status: 200, version, revision, body: result.body };
  };
}
