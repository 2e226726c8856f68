// The peer of bench/proxy: a plain keep-alive HTTP server that answers every request with the same
// JSON. Like any JSON server it parses what it gets and serializes what it answers. The bench runs it
// in its own process and, started as a script (`tsx plain-server.ts <answer JSON>`), in a child that
// sends its URL to the parent.
import { Buffer } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export function startPlainServer(answerValue: unknown): Promise<Server> {
  const server = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const answer = JSON.stringify(answerValue);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startPlainServer(JSON.parse(process.argv[2]!));
  // Ends with the bench, whichever way the bench ends.
  process.on('disconnect', () => process.exit(0));
  process.send!(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}
