// Which Serverless event types a lambda ion may carry, by integration. An `api-gateway` ion is an
// ionized ring handler: it answers HTTP-shaped events only. Any other ion receives the raw event.
// Event types whose answer the proxy cannot relay (websocket routes, Alexa, Cognito triggers that
// must return a modified event within strict limits) are left out on purpose.

const HTTP_EVENT_TYPES = ['http', 'httpApi', 'alb'] as const;

const EVENT_ION_EVENT_TYPES = [
  's3',
  'sqs',
  'sns',
  'schedule',
  'eventBridge',
  'stream',
  'cloudwatchEvent',
  'cloudwatchLog',
  'kafka',
  'msk',
  'activemq',
  'rabbitmq',
  'iot',
] as const;

export const ALL_EVENT_TYPES: readonly string[] = [...HTTP_EVENT_TYPES, ...EVENT_ION_EVENT_TYPES];

export function isHttpEventType(type: string): boolean {
  return (HTTP_EVENT_TYPES as readonly string[]).includes(type);
}
