// A stand-in for the primary group's network load balancer on loopback: passes each TCP connection
// to the next backend in turn, skipping one that refuses connections (as health checks would).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  url: string;
  close(): Promise<void>;
}

export async function loadBalancer(backends: readonly string[]): Promise<LoadBalancer> {
  const targets = backends.map((url) => new URL(url));
  let next = 0;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const pass = (client: Socket, tries: number): void => {
    const target = targets[next++ % targets.length]!;
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.once('close', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.once('error', () => {
      if (!connected && tries > 1 && !client.destroyed) pass(client, tries - 1);
      else client.destroy();
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => client.destroy());
    pass(client, targets.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
