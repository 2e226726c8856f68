// A loopback TCP relay between pg and a PostgreSQL server that follows the wire protocol's message
// framing, so a test can lose one execution of a prepared statement where a network would: the
// statement on its way to the server, or the server's answer to it (up to ReadyForQuery, which the
// server sends after committing) on its way back. The client connection is then cut, as a dropped
// connection would be, and pg fails the statement without knowing whether it ran.
import type { AddressInfo } from 'node:net';
import { connect as connectTcp, createServer, type Socket } from 'node:net';

/** Where the next execution is lost: before the server gets the statement, or after the server answered it. */
export type Loss = 'statement' | 'answer';

export interface LossOptions {
  /** Runs once the loss is set in train, before the client connection is cut (e.g. another writer's append). */
  readonly meanwhile?: () => Promise<void>;
  /** After the cut, drop every connection and refuse new ones, as a server gone away would. */
  readonly thenDown?: boolean;
}

export interface PostgresRelay {
  readonly port: number;
  /** How many executions were lost so far. */
  readonly lost: number;
  /** Loses the next execution of a prepared statement the relay watches, once; settles after the cut, as `meanwhile` did. */
  loseNext(loss: Loss, options?: LossOptions): Promise<void>;
  stop(): Promise<void>;
}

interface Message {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * Splits a byte stream into protocol messages: a type byte, then a length that counts itself and the
 * body. A client's stream opens with `untyped` messages without the type byte (the startup message).
 */
function framer(untyped: number): (chunk: Buffer) => Message[] {
  let buffered = Buffer.alloc(0);
  let left = untyped;
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    const messages: Message[] = [];
    for (;;) {
      const typeBytes = left > 0 ? 0 : 1;
      if (buffered.length < typeBytes + 4) return messages;
      const size = typeBytes + buffered.readInt32BE(typeBytes);
      if (buffered.length < size) return messages;
      messages.push({ type: typeBytes === 0 ? '' : String.fromCharCode(buffered[0]!), body: buffered.subarray(typeBytes + 4, size) });
      buffered = buffered.subarray(size);
      if (left > 0) left--;
    }
  };
}

/** The prepared statement a Bind message executes: its body is the portal's name, then the statement's, each NUL-terminated. */
function boundStatement(body: Buffer): string {
  const portalEnd = body.indexOf(0);
  return body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1));
}

/** A relay to the server on 127.0.0.1:`targetPort` that watches executions of the prepared statements `watched` picks by name. */
export async function startPostgresRelay(targetPort: number, watched: (statement: string) => boolean): Promise<PostgresRelay> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  interface Planned {
    readonly loss: Loss;
    readonly options: LossOptions;
    readonly settle: (failure?: unknown) => void;
  }
  let next: Planned | undefined;
  let lost = 0;
  const server = createServer((client) => {
    const upstream = connectTcp(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    const fromClient = framer(1);
    const fromServer = framer(0);
    /** Set once a loss is under way on this connection: from then on nothing more is passed either way. */
    let losing = false;
    /** Set while the server's answer to a watched execution is being held back. */
    let holding: Planned | undefined;
    const cut = async ({ options, settle }: Planned): Promise<void> => {
      losing = true;
      let failure: unknown;
      try {
        await options.meanwhile?.();
      } catch (error) {
        failure = error;
      }
      lost++;
      client.destroy();
      upstream.destroy();
      if (options.thenDown === true) await close();
      settle(failure);
    };
    client.on('data', (chunk: Buffer) => {
      if (losing) return;
      const executes = fromClient(chunk).some((message) => message.type === 'B' && watched(boundStatement(message.body)));
      if (executes && next !== undefined) {
        const planned = next;
        next = undefined;
        if (planned.loss === 'statement') return void cut(planned);
        holding = planned;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (losing) return;
      const readyForQuery = fromServer(chunk).some((message) => message.type === 'Z');
      if (holding === undefined) return void client.write(chunk);
      if (readyForQuery) void cut(holding);
    });
  });
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get lost() {
      return lost;
    },
    loseNext(loss, options = {}) {
      return new Promise<void>((resolve, reject) => {
        next = { loss, options, settle: (failure) => (failure === undefined ? resolve() : reject(failure)) };
      });
    },
    stop: close,
  };
}
