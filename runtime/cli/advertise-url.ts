// Where other nodes reach this one when it listens on every interface (as on EC2): the host's first
// non-internal IPv4 address, an EC2 node's private address, and the port it listens on. Its writer
// leases carry this URL, so the other primary-group nodes can pass transactions to it.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

type Interfaces = Record<string, NetworkInterfaceInfo[] | undefined>;

/** undefined when the node listens on one address (then it advertises that) or the port is not fixed yet. */
export function advertiseUrl(host: string, port: number, interfaces: Interfaces = networkInterfaces()): string | undefined {
  if ((host !== '0.0.0.0' && host !== '::') || port === 0) return undefined;
  for (const addresses of Object.values(interfaces)) {
    const found = addresses?.find((address) => address.family === 'IPv4' && !address.internal);
    if (found !== undefined) return `http://${found.address}:${port}`;
  }
  return undefined;
}
