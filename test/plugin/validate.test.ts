import { describe, expect, it } from 'vitest';
import { IonsConfigError } from '../../runtime/config/config-error.js';
import { validateIonsConfig } from '../../runtime/config/validate.js';
import { fileURLToPath } from 'node:url';

const serviceDir = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
const context = { serviceDir, service: 'shop', stage: 'test' };

type Config = Record<string, any>;

const valid = (): Config => ({
  app: 'shop',
  groups: {
    main: { topology: 'production', minSize: 2, maxSize: 4 },
    reports: { topology: 'production', queryGroup: true },
  },
  allow: ['src/fns.signup', 'src/fns.attendees'],
  lambdas: {
    web: {
      fn: 'src/web.handler',
      integration: 'api-gateway',
      events: [{ httpApi: 'GET /' }, { http: { method: 'post', path: 'signups' } }, { alb: { listenerArn: 'arn:x', priority: 1, conditions: { path: '/' } } }],
    },
    importer: { fn: 'src/fns.signup', group: 'reports', events: [{ sqs: 'arn:aws:sqs:us-east-1:1:q' }, { schedule: 'rate(1 hour)' }] },
    feed: {
      fn: 'src/web.other',
      integration: 'api-gateway',
      url: true,
      streaming: true,
    },
    download: { fn: 'src/web.other', integration: 'api-gateway', url: { authorizer: 'aws_iam' } },
  },
  httpDirect: { handler: 'src/web.other', throttleStatus: 429 },
  environment: { GREETING: 'hello' },
  parametersPath: '/shop/test/',
  storage: { type: 'dynamodb' },
});

// Each case breaks the valid config in one way and names the exact error it must give.
const broken: Array<[string, (c: Config) => unknown, string]> = [
  ['not an object', () => 'shop', "ions: expected an object, got 'shop'"],
  ['no app', (c) => { delete c.app; return c; }, 'ions.app: required'],
  ['app with capitals', (c) => ({ ...c, app: 'Shop' }), "ions.app: 'Shop' is not lower-case letters, digits and hyphens, starting with a letter, at most 40 characters"],
  ['app too long for AWS names', (c) => ({ ...c, app: 'a'.repeat(41) }), `ions.app: '${'a'.repeat(41)}' is not lower-case letters, digits and hyphens, starting with a letter, at most 40 characters`],
  ['unknown top-level key', (c) => ({ ...c, lambda: {} }), 'ions.lambda: unknown key (known keys: app, groups, allow, lambdas, httpDirect, environment, parametersPath, storage)'],
  ['group name with a hyphen', (c) => ({ ...c, groups: { 'main-1': { topology: 'solo' } } }), "ions.groups.main-1: 'main-1' is not a group name of lower-case letters and digits, starting with a letter, at most 16 characters"],
  ['unknown topology', (c) => { c.groups.main.topology = 'big'; return c; }, "ions.groups.main.topology: must be one of 'solo', 'production'; got 'big'"],
  ['solo with two nodes', (c) => ({ ...c, groups: { main: { topology: 'solo', minSize: 2 } } }), 'ions.groups.main.minSize: a solo group runs exactly one node; minSize must be 1, got 2'],
  ['negative revisions kept', (c) => { c.groups.main.keepRevisions = -1; return c; }, 'ions.groups.main.keepRevisions: must be at least 0, got -1'],
  ['fractional revisions kept', (c) => { c.groups.main.keepRevisions = 1.5; return c; }, 'ions.groups.main.keepRevisions: expected an integer, got number 1.5'],
  ['production with one node', (c) => { c.groups.main.minSize = 1; return c; }, 'ions.groups.main.minSize: a production group runs at least two nodes across zones; minSize must be 2 or more, got 1'],
  ['maxSize below minSize', (c) => { c.groups.main.minSize = 5; c.groups.main.maxSize = 3; return c; }, 'ions.groups.main.maxSize: 3 is below minSize 5'],
  ['bad instance type', (c) => { c.groups.main.instanceType = 'large'; return c; }, "ions.groups.main.instanceType: 'large' is not an EC2 instance type like t3.small or c7g.large"],
  ['production in one subnet', (c) => { Object.assign(c.groups.main, { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'] }); return c; }, 'ions.groups.main.subnetIds: a production group spreads over at least two zones; give at least two subnets'],
  ['subnets without vpcId', (c) => { c.groups.main.subnetIds = ['subnet-0123abcd', 'subnet-1123abcd']; return c; }, 'ions.groups.main.vpcId: required with subnetIds: the security groups are created in it'],
  ['the same subnet twice', (c) => { Object.assign(c.groups.main, { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd', 'subnet-0123abcd'] }); return c; }, 'ions.groups.main.subnetIds[1]: subnet-0123abcd is already listed at ions.groups.main.subnetIds[0]'],
  ['groups in two networks', (c) => {
    Object.assign(c.groups.main, { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd', 'subnet-1123abcd'] });
    Object.assign(c.groups.reports, { vpcId: 'vpc-9999abcd', subnetIds: ['subnet-0123abcd', 'subnet-1123abcd'] });
    return c;
  }, 'ions.groups.reports.vpcId: every group shares one network; vpc-9999abcd differs from ions.groups.main.vpcId vpc-0123abcd'],
  ['two primary groups', (c) => { c.groups.reports.queryGroup = false; return c; }, 'ions.groups: only one primary group is allowed, found main, reports; mark the others queryGroup: true'],
  ['only query groups', (c) => ({ ...c, groups: { reports: { topology: 'solo', queryGroup: true } }, lambdas: {}, httpDirect: undefined }), 'ions.groups: needs one primary group (without queryGroup: true) for query groups to forward transactions to'],
  ['lambdas without groups', (c) => { delete c.groups; return c; }, 'ions.groups: required: lambdas run on a compute group'],
  ['malformed function reference', (c) => { c.lambdas.web.fn = 'src/web'; return c; }, "ions.lambdas.web.fn: 'src/web' is not a function reference like src/web.handler (module path, a dot, an export name)"],
  ['missing module', (c) => { c.lambdas.web.fn = 'src/nope.handler'; return c; }, 'ions.lambdas.web.fn: module src/nope not found (looked for src/nope.ts, .mts, .js, .mjs)'],
  ['missing export', (c) => { c.lambdas.web.fn = 'src/web.nope'; return c; }, "ions.lambdas.web.fn: module src/web.ts has no export 'nope' (it exports handler, other)"],
  ['module that does not build', (c) => { c.lambdas.web.fn = 'src/broken.handler'; return c; }, 'ions.lambdas.web.fn: module src/broken.mjs does not build: Unexpected "=>" (src/broken.mjs:1:25)'],
  ['lambda name too long for AWS', (c) => { c.lambdas['x'.repeat(65)] = c.lambdas.web; delete c.lambdas.web; return c; }, `ions.lambdas.${'x'.repeat(65)}: '${'x'.repeat(65)}' is not a lambda name of letters, digits, - and _, starting with a letter, at most 64 characters`],
  ['names differing only in case', (c) => { c.lambdas.Web = { fn: 'src/fns.signup' }; return c; }, 'ions.lambdas.Web: differs from ions.lambdas.web only in case; names must differ beyond case'],
  ['unknown group reference', (c) => { c.lambdas.importer.group = 'nightly'; return c; }, "ions.lambdas.importer.group: unknown compute group 'nightly' (groups: main, reports)"],
  ['timeout beyond Lambda', (c) => { c.lambdas.importer.timeout = 901; return c; }, 'ions.lambdas.importer.timeout: must be at most 900, got 901'],
  ['memory below Lambda', (c) => { c.lambdas.importer.memorySize = 64; return c; }, 'ions.lambdas.importer.memorySize: must be at least 128, got 64'],
  ['zero concurrency', (c) => { c.lambdas.importer.concurrency = 0; return c; }, 'ions.lambdas.importer.concurrency: must be at least 1, got 0'],
  ['unknown event type', (c) => { c.lambdas.importer.events.push({ websocket: '$connect' }); return c; }, "ions.lambdas.importer.events[2].websocket: must be one of 'http', 'httpApi', 'alb', 's3', 'sqs', 'sns', 'schedule', 'eventBridge', 'stream', 'cloudwatchEvent', 'cloudwatchLog', 'kafka', 'msk', 'activemq', 'rabbitmq', 'iot'; got 'websocket'"],
  ['two event types in one entry', (c) => { c.lambdas.importer.events[0] = { sqs: 'arn:q', sns: 'arn:t' }; return c; }, "ions.lambdas.importer.events[0]: holds 'sqs', 'sns'; only 1 allowed"],
  ['http event on an event ion', (c) => { c.lambdas.importer.events.push({ http: 'GET jobs' }); return c; }, 'ions.lambdas.importer.events[2].http: a http event needs integration: api-gateway on this lambda (its handler must be an ionized ring handler)'],
  ['sqs event on an api-gateway ion', (c) => { c.lambdas.web.events.push({ sqs: 'arn:q' }); return c; }, 'ions.lambdas.web.events[3].sqs: an api-gateway ion answers HTTP events only (http, httpApi, alb); give sqs events to a lambda without integration'],
  ['api-gateway ion without a route', (c) => { c.lambdas.web.events = []; return c; }, 'ions.lambdas.web.events: integration is api-gateway but there is no http, httpApi or alb event and no url: nothing would route to it'],
  ['url false', (c) => { c.lambdas.web.url = false; return c; }, 'ions.lambdas.web.url: expected true, or an object like { authorizer: aws_iam }, got boolean false'],
  ['url as a string', (c) => { c.lambdas.web.url = 'public'; return c; }, "ions.lambdas.web.url: expected true, or an object like { authorizer: aws_iam }, got 'public'"],
  ['unknown url authorizer', (c) => { c.lambdas.download.url.authorizer = 'iam'; return c; }, "ions.lambdas.download.url.authorizer: must be one of 'none', 'aws_iam'; got 'iam'"],
  ['unknown url key', (c) => { c.lambdas.download.url.cors = true; return c; }, 'ions.lambdas.download.url.cors: unknown key (known keys: authorizer)'],
  ['url on an event ion', (c) => { c.lambdas.importer.url = true; return c; }, 'ions.lambdas.importer.url: a function URL sends HTTP requests, which only a web ion answers; set integration: api-gateway on this lambda'],
  ['streaming as a string', (c) => { c.lambdas.feed.streaming = 'yes'; return c; }, "ions.lambdas.feed.streaming: expected a boolean, got 'yes'"],
  ['streaming without a url or an http event', (c) => { delete c.lambdas.feed.url; return c; }, 'ions.lambdas.feed.streaming: a streaming ion needs somewhere to stream to: set url (true, or { authorizer: aws_iam }) or add a REST http event'],
  ['streaming event ion', (c) => { Object.assign(c.lambdas.importer, { url: true, streaming: true }); return c; }, 'ions.lambdas.importer.url: a function URL sends HTTP requests, which only a web ion answers; set integration: api-gateway on this lambda'],
  ['streaming with an httpApi event', (c) => { c.lambdas.feed.events = [{ httpApi: 'GET /feed' }]; return c; }, "ions.lambdas.feed.events[0].httpApi: HTTP APIs buffer a Lambda's answer and cannot stream it; a streaming ion answers through REST http events or its function URL; route this path to a lambda without streaming"],
  ['streaming with an alb event', (c) => { c.lambdas.feed.events = [{ alb: { listenerArn: 'arn:x', priority: 2, conditions: { path: '/feed' } } }]; return c; }, "ions.lambdas.feed.events[0].alb: ALBs buffer a Lambda's answer and cannot stream it; a streaming ion answers through REST http events or its function URL; route this path to a lambda without streaming"],
  ['streaming with an httpApi event beside a REST one, no url', (c) => { delete c.lambdas.feed.url; c.lambdas.feed.events = [{ http: 'GET feed' }, { httpApi: 'GET /feed' }]; return c; }, "ions.lambdas.feed.events[1].httpApi: HTTP APIs buffer a Lambda's answer and cannot stream it; a streaming ion answers through REST http events or its function URL; route this path to a lambda without streaming"],
  ['streaming REST event on a non-proxy integration', (c) => { c.lambdas.feed.events = [{ http: { method: 'get', path: 'feed', integration: 'lambda' } }]; return c; }, 'ions.lambdas.feed.events[0].http.integration: REST APIs stream only through the Lambda proxy integration, not lambda; remove integration (or set lambda-proxy)'],
  ['streaming REST event asking to buffer', (c) => { c.lambdas.feed.events = [{ http: { method: 'get', path: 'feed', response: { transferMode: 'buffered' } } }]; return c; }, "ions.lambdas.feed.events[0].http.response.transferMode: buffered would buffer a streaming ion's answer; remove it (every http event of a streaming ion streams)"],
  ['duplicate route', (c) => { c.lambdas.other = { fn: 'src/web.other', integration: 'api-gateway', events: [{ httpApi: { method: 'get', path: '/' } }] }; return c; }, 'ions.lambdas.other.events[0].httpApi: route GET / is already taken by ions.lambdas.web.events[0]'],
  ['http-direct on an unknown group', (c) => { c.httpDirect.group = 'edge'; return c; }, "ions.httpDirect.group: unknown compute group 'edge' (groups: main, reports)"],
  ['http-direct handler missing', (c) => { c.httpDirect.handler = 'src/web.missing'; return c; }, "ions.httpDirect.handler: module src/web.ts has no export 'missing' (it exports handler, other)"],
  ['throttle status not an error status', (c) => { c.httpDirect.throttleStatus = 200; return c; }, 'ions.httpDirect.throttleStatus: must be at least 400, got 200'],
  ['duplicate allow entry', (c) => { c.allow.push('src/fns.signup'); return c; }, 'ions.allow[2]: src/fns.signup is already listed at ions.allow[0]'],
  ['allow entry re-exported but misspelt', (c) => { c.allow.push('src/fns.attendee'); return c; }, "ions.allow[2]: module src/fns.ts has no export 'attendee' (it exports attendees, signup)"],
  ['reserved environment name', (c) => { c.environment.IONS_APP = 'x'; return c; }, 'ions.environment.IONS_APP: names starting with IONS_ are reserved (for serverless-ions and the AWS SDK)'],
  ['non-string environment value', (c) => { c.environment.PORT = 8080; return c; }, 'ions.environment.PORT: expected a string, got number 8080'],
  ['parameters path without trailing slash', (c) => ({ ...c, parametersPath: '/shop/test' }), "ions.parametersPath: '/shop/test' is not an SSM path that starts and ends with /, like /my-app/prod/"],
  ['postgres without its URL parameter', (c) => ({ ...c, storage: { type: 'postgres' } }), 'ions.storage.urlParameter: required for postgres storage: the SSM parameter holding the connection URL'],
  ['file storage for a production group', (c) => ({ ...c, storage: { type: 'file', dir: 'data' } }), 'ions.storage.type: file storage lives on one machine; production group main needs dynamodb or postgres'],
  ['dir on dynamodb storage', (c) => ({ ...c, storage: { type: 'dynamodb', dir: 'data' } }), 'ions.storage.dir: only file storage takes dir, not dynamodb'],
];

describe('validateIonsConfig', () => {
  it('accepts a full config, re-exports included, and returns it', () => {
    const config = valid();
    expect(validateIonsConfig(config, context)).toBe(config);
  });

  it('skips module checks when asked (a node validating a built revision)', () => {
    const config = valid();
    config.lambdas.web.fn = 'src/absent.handler';
    expect(validateIonsConfig(config, { ...context, checkModules: false })).toBe(config);
  });

  it('rejects a stage that cannot be part of AWS names', () => {
    expect(() => validateIonsConfig(valid(), { ...context, stage: 'my stage' })).toThrow("stage: 'my stage' must be letters, digits, '-' or '_'");
  });

  it('accepts a streaming ion on REST http events, with or without a function URL', () => {
    const config = valid();
    config.lambdas.feed.events = [
      { http: 'GET feed' },
      { http: { method: 'post', path: 'feed/{id}', integration: 'lambda-proxy', response: { transferMode: 'stream' } } },
    ];
    expect(validateIonsConfig(config, context)).toBe(config);
    delete config.lambdas.feed.url;
    expect(validateIonsConfig(config, context)).toBe(config);
  });

  it.each(broken)('%s', (_name, breakIt, message) => {
    let thrown: unknown;
    try {
      validateIonsConfig(breakIt(valid()), context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IonsConfigError);
    expect((thrown as Error).message).toBe(message);
    expect((thrown as IonsConfigError).path).toBe(message.slice(0, message.indexOf(':')));
  });
});
