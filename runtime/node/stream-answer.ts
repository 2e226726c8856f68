// A web ion's streamed answer to an invoke that asked for one (see STREAM_FRAMING): the prelude line,
// then the body's chunks as the ion yields them, each pulled only once the socket has taken the one
// before, so a large body never sits in the node's memory and a slow client slows the ion down.
import type { ServerResponse } from 'node:http';
import type { StreamedResponse } from '../../adapter/stream.js';
import { alert } from '../cast/index.js';
import { HEADERS, STREAM_FRAMING } from '../protocol/wire.js';

export interface StreamAnswerInfo {
  target: string;
  requestId: string;
  revision: string;
}

/**
 * Writes `answer` to `res` and calls `done` once, when the body has ended, failed or the caller left.
 * A body that fails after bytes went out cannot be answered any more: the connection is cut (the
 * caller sees a cut-off answer) and an alert cast. A caller that leaves stops the body.
 */
export function writeStreamAnswer(res: ServerResponse, answer: StreamedResponse, info: StreamAnswerInfo, done: () => void): void {
  res.writeHead(200, [HEADERS.framing, STREAM_FRAMING]);
  res.write(`${JSON.stringify(answer.prelude)}\n`);
  new BodyPump(res, answer.body, info, done).start();
}

class BodyPump {
  private finished = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly body: AsyncIterator<Uint8Array, undefined>,
    private readonly info: StreamAnswerInfo,
    private readonly done: () => void,
  ) {}

  start(): void {
    this.res.once('close', () => this.closed());
    this.pull();
  }

  private readonly pull = (): void => {
    if (this.finished) return;
    this.body.next().then(
      (chunk) => this.take(chunk),
      (error: unknown) => this.failed(error),
    );
  };

  private take(chunk: IteratorResult<Uint8Array, undefined>): void {
    if (this.finished) return;
    if (chunk.done === true) {
      this.res.end();
      return this.finish();
    }
    if (this.res.write(chunk.value)) this.pull();
    else this.res.once('drain', this.pull);
  }

  private failed(error: unknown): void {
    if (this.finished) return;
    const { target, requestId, revision } = this.info;
    alert({ msg: 'ion response body failed while streaming', target, requestId, revision, ex: error });
    this.res.destroy();
    this.finish();
  }

  /** The connection closed: after the end, nothing to do; before it, the caller left (a proxy past its deadline). */
  private closed(): void {
    if (this.finished) return;
    this.finish();
    // A generator blocked on its next chunk finishes once that chunk comes; a stream is destroyed now.
    this.body.return?.().catch((error: unknown) => {
      const { target, requestId, revision } = this.info;
      alert({ msg: 'ion response body failed to stop after its caller left', target, requestId, revision, ex: error });
    });
  }

  private finish(): void {
    this.finished = true;
    this.done();
  }
}
