// What a proxy makes of the node's whole (not streamed) answer, or of its absence.
import { fail, type Integration } from './failure.js';
import type { ForwardResult } from './forward.js';
import type { ProxySettings } from './settings.js';
import { logAlert } from './log-alert.js';

/** What the Lambda returns for the node's answer (or its absence); throws where an event must be retried. */
export function answer({ target, integration }: ProxySettings, event: unknown, result: ForwardResult): unknown {
  if (result.kind === 'unreachable') return failed(integration, event, 502, `ions node unreachable: ${result.message}`);
  if (result.kind === 'timeout') return failed(integration, event, 504, `ions node too slow: ${result.message}`);
  if (result.status === 200) {
    try {
      return JSON.parse(result.body) as unknown;
    } catch {
      return failed(integration, event, 502, `ions node answered ${target.name} with invalid JSON`);
    }
  }
  const reason = `ions node answered ${result.status} for ${target.name}: ${result.body}`;
  if (result.status === 429 || result.status === 503) {
    return failed(integration, event, 503, reason, result.retryAfter ?? '1');
  }
  // 500: the ion failed; 504: the deadline passed before it could start; anything else means this
  // proxy and the node disagree (key, target), which the client can only see as a bad gateway.
  const status = result.status === 500 || result.status === 504 ? result.status : 502;
  return failed(integration, event, status, reason);
}

export function failed(integration: Integration, event: unknown, status: number, reason: string, retryAfter?: string) {
  // The log keeps the detail that the client response leaves out.
  logAlert({ msg: 'ions proxy failed', status, reason });
  return fail(integration, event, status, reason, retryAfter);
}
