// Maps keyed by names from the wire (headers, query keys, cookies). Their prototype chain holds no
// `__proto__` setter and no `constructor`, so any key is just a key; unlike Object.create(null)
// objects, V8 keeps them in fast mode, which matters on the per-request path.

interface DictConstructor {
  new <T>(): Record<string, T>;
}

const Dict = function Dict() {} as unknown as DictConstructor;
Dict.prototype = Object.create(null) as object;

export function emptyMap<T>(): Record<string, T> {
  return new Dict<T>();
}
