// Where things live on a compute node (EC2, set up by the stack's user data and the deploy hooks): the
// node runtimes the deploys installed and the link to the one the node runs, and under the same home
// the chunk cache, the fetched revisions and `current`, the link to the revision the node serves (and
// restarts on).
export const NODE_HOME = '/opt/ions';
/** The node binary the user data links from the installed Node.js. */
export const NODE_BIN = '/usr/local/bin/node';
/** Where the deploy hooks install node runtimes, one directory each (codedeploy-bundle.ts). */
export const NODE_RUNTIMES = `${NODE_HOME}/runtimes`;
/** The runtime's one file inside a runtime directory (node-runtime.ts); `package.json` beside `bin/`. */
export const NODE_RUNTIME_FILE = 'bin/ions.mjs';
/** The directory of one installed runtime inside NODE_RUNTIMES: its version and the start of its hash. */
export const nodeRuntimeDirName = (version: string, sha256: string): string => `${version}-${sha256.slice(0, 16)}`;
/** The link to the runtime the node service runs, pointed by the swap hook. */
export const NODE_RUNTIME_LINK = `${NODE_HOME}/runtime`;
export const NODE_CURRENT = `${NODE_HOME}/current`;
export const NODE_DATA = `${NODE_HOME}/data`;
