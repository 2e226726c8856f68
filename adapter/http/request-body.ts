// A request body as the handler sees it: the exact bytes, whichever way the gateway carried them.

export function decodeRequestBody(body: string | null | undefined, isBase64Encoded: boolean | undefined): Buffer | undefined {
  if (body == null || body === '') return undefined;
  return Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8');
}
