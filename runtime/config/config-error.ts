/** A config that cannot run, with the key path of the offending value: `ions.lambdas.web.fn`. */
export class IonsConfigError extends Error {
  override readonly name = 'IonsConfigError';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}
