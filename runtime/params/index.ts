export { clearParamsCache, DEFAULT_PARAMS_TTL_MS, getParams, setLocalParams } from './get-params.js';
export type { GetParamsOptions } from './get-params.js';
export { LOCAL_PARAMS_FILE, readLocalParamsFile } from './local-params.js';
