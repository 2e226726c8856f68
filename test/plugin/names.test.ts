import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GROUP_NAME_PATTERN, LAMBDA_NAME_PATTERN } from '../../runtime/config/schema.js';
import { assertDistinct, LAMBDA_NAME_LIMIT, lambdaLogicalId, proxyFunctionName } from '../../plugin/names.js';

const fromPattern = (pattern: string, alphabet: string, max: number) =>
  fc
    .string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: max })
    .filter((text) => new RegExp(pattern).test(text));

const group = fromPattern(GROUP_NAME_PATTERN, 'abcdefghijklmnopqrstuvwxyz0123456789', 16);
// Few letters and long lengths, so that lambdas sharing long prefixes (the hard case for hashing) are common.
const lambda = fromPattern(LAMBDA_NAME_PATTERN, 'ab-_Z9', 64);
const serviceSegment = fc.string({ unit: fc.constantFrom(...'abc-1'), minLength: 1, maxLength: 40 });

describe('proxy function names', () => {
  it('keep a short name readable: <service>-<stage>-<group>-<name>', () => {
    expect(proxyFunctionName('signup', 'prod', 'main', 'web')).toBe('signup-prod-main-web');
  });

  it('hash a long name into exactly 64 characters, keeping a readable prefix', () => {
    const name = proxyFunctionName('a-rather-long-service-name', 'production', 'primary', 'the-import-of-attendee-lists');
    expect(name).toHaveLength(LAMBDA_NAME_LIMIT);
    expect(name).toMatch(/^a-rather-long-service-name-production-primary-t-[0-9a-f]{16}$/);
  });

  it('are at most 64 Lambda-legal characters, the same for the same input, and never collide within a service', () => {
    fc.assert(
      fc.property(
        serviceSegment,
        serviceSegment,
        fc.uniqueArray(fc.tuple(group, lambda), { minLength: 2, maxLength: 40, selector: ([g, l]) => `${g}/${l}` }),
        (service, stage, pairs) => {
          const names = pairs.map(([g, l]) => proxyFunctionName(service, stage, g, l));
          for (const name of names) {
            expect(name.length).toBeLessThanOrEqual(LAMBDA_NAME_LIMIT);
            expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
          }
          expect(pairs.map(([g, l]) => proxyFunctionName(service, stage, g, l))).toEqual(names);
          expect(new Set(names).size).toBe(names.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('use the natural form exactly when it fits below 64 characters, so the two forms never meet', () => {
    fc.assert(
      fc.property(serviceSegment, serviceSegment, group, lambda, (service, stage, g, l) => {
        const natural = `${service}-${stage}-${g}-${l}`;
        const name = proxyFunctionName(service, stage, g, l);
        if (natural.length < LAMBDA_NAME_LIMIT) expect(name).toBe(natural);
        else expect(name).toHaveLength(LAMBDA_NAME_LIMIT);
      }),
      { numRuns: 300 },
    );
  });
});

describe('lambda logical ids', () => {
  it('stay alphanumeric and distinct for names that differ only in punctuation', () => {
    const ids = ['a-b', 'a_b', 'ab', 'aB'].map((name) => lambdaLogicalId('IonsProxyRole', name));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]+$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('assertDistinct', () => {
  it('names the clash', () => {
    expect(() => assertDistinct(['x', 'y', 'x'], 'Lambda functions')).toThrow('two generated Lambda functions share the name x');
  });
});
