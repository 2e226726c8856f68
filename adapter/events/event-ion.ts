// Event ions: `({ event, context }) => result` for everything that is not an HTTP request. eventIon
// makes one a plain Lambda handler too, so the same function runs on a node and as a Lambda.
import type { Context } from 'aws-lambda';
import { alert } from '../../runtime/cast/index.js';

export interface EventIonInput<E> {
  readonly event: E;
  readonly context: Context;
}

export type EventIon<E, R = void> = (input: EventIonInput<E>) => R | Promise<R>;

export interface EventLambdaHandler<E, R> {
  (event: E, context: Context): Promise<R>;
  /** The event ion this handler runs. */
  readonly ion: EventIon<E, R>;
}

/**
 * A failure casts an alert and then rejects, so that AWS sees the invocation fail and retries or
 * dead-letters the event as its configuration says.
 */
export function eventIon<E, R>(ion: EventIon<E, R>): EventLambdaHandler<E, R> {
  if (typeof ion !== 'function') throw new TypeError(`eventIon(ion) needs a function ({ event, context }) => result, got ${typeof ion}`);
  async function handler(event: E, context: Context): Promise<R> {
    try {
      return await ion({ event, context });
    } catch (error) {
      alert({ msg: 'event ion failed', ex: error, requestId: context?.awsRequestId });
      throw error;
    }
  }
  return Object.assign(handler, { ion });
}
