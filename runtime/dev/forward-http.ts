// HTTP-direct locally: the gateway passes a request it has no lambda for straight to the node, as
// an API Gateway VPC link does in AWS.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';

export function forwardHttp(req: IncomingMessage, body: Buffer, res: ServerResponse, nodeUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const upstream = request(new URL(req.url ?? '/', nodeUrl), { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}
