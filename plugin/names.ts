// Names of generated things. Lambda function names are `<service>-<stage>-<group>-<name>` when that
// fits in 63 characters; otherwise a hashed form of exactly 64 characters: a readable prefix, a hyphen
// and 16 hex digits of a SHA-256 over all four parts. Natural names are never 64 characters long and
// hashed names always are, so the two forms cannot meet; natural names cannot meet each other because
// group names hold no hyphen; hashed names differ whenever their parts do (64-bit digest), and
// `assertDistinct` turns even that remote chance into an error instead of a clash.
import { createHash } from 'node:crypto';

export const LAMBDA_NAME_LIMIT = 64;
const DIGEST_CHARS = 16;

const digest = (parts: readonly string[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, DIGEST_CHARS);

/** A name of at most `limit` characters (Lambda's 64 by default), natural below the limit, hashed at exactly the limit. */
export function fitName(parts: readonly string[], limit: number = LAMBDA_NAME_LIMIT): string {
  const natural = parts.join('-');
  if (natural.length < limit) return natural;
  return `${natural.slice(0, limit - DIGEST_CHARS - 1)}-${digest(parts)}`;
}

export function proxyFunctionName(service: string, stage: string, group: string, lambda: string): string {
  return fitName([service, stage, group, lambda]);
}

/** The key of a generated function in `functions`: what `serverless logs -f` and friends take. */
export function proxyFunctionKey(group: string, lambda: string): string {
  return `ions-${group}-${lambda}`;
}

/** CloudFormation logical ids are alphanumeric; group names are lower-case alphanumeric already. */
export function groupLogicalId(group: string, suffix: string): string {
  return `Ions${group[0]!.toUpperCase()}${group.slice(1)}${suffix}`;
}

/** Lambda names may hold `-` and `_`: stripped for readability, with a digest so that ids stay distinct. */
export function lambdaLogicalId(prefix: string, lambda: string): string {
  const readable = lambda.replace(/[^A-Za-z0-9]/g, '');
  return `${prefix}${readable[0]!.toUpperCase()}${readable.slice(1)}${digest([lambda]).slice(0, 8)}`;
}

export function assertDistinct(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`two generated ${what} share the name ${name}`);
    seen.add(name);
  }
}
