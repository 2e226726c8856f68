// A local stand-in for the group's load balancer: round robin over the nodes it lets traffic to, the
// way CodeDeploy's BlockTraffic/AllowTraffic take a node out of and back into a target group.
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  url: string;
  block(target: string): void;
  allow(target: string): void;
  close(): Promise<void>;
}

export async function startRoundRobin(targets: string[]): Promise<RoundRobin> {
  const blocked = new Set<string>();
  const agent = new Agent({ keepAlive: true });
  let next = 0;
  const server: Server = createServer((req, res) => {
    const open = targets.filter((target) => !blocked.has(target));
    if (open.length === 0) {
      res.writeHead(503).end('no target in service');
      return;
    }
    const target = open[next++ % open.length]!;
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502).end(`upstream ${target} failed: ${error.message}`);
      else res.destroy(error);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    block: (target) => void blocked.add(target),
    allow: (target) => void blocked.delete(target),
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
