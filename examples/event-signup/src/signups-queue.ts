// Event ion: sign-ups arriving as SQS messages, each a JSON object { name, email }. A message that is
// malformed, or that finds the event full, is reported back as a batch item failure, so only it
// returns to the queue (and, after its retries, to the dead-letter queue).
import { connection, signUp } from './attendees.js';
import { sqsBatch, sqsBodyJson } from './serverless-ions.js';
import { checkSignup } from './signup-input.js';

export const handler = sqsBatch(async ({ record }) => {
  const checked = checkSignup(sqsBodyJson(record));
  if (!checked.ok) {
    throw new Error(`message ${record.messageId}: ${Object.entries(checked.errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  }
  await signUp(await connection(), { ...checked.value, source: 'queue' });
});
