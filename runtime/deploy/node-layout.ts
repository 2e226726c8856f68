// Where things live on a compute node (EC2, set up by the stack's user data and the deploy hooks).
// The node service runs as the user `ions`, which owns NODE_HOME: the chunk cache, the fetched
// revisions, `current` (the link to the revision the node serves and restarts on) and the data. The
// node runtimes the deploys install, and the link to the one the service runs, are root's and outside
// NODE_HOME: the swap hook runs a runtime as root, so nothing the node's user can write may ever be one.
export const NODE_HOME = '/opt/ions';
/** The user the node service and the fetch and validate hooks run as. */
export const NODE_USER = 'ions';
/** The node's systemd service. */
export const NODE_SERVICE = 'ions-node';
/** The node binary the user data links from the installed Node.js. */
export const NODE_BIN = '/usr/local/bin/node';
/** Where the deploy hooks install node runtimes, one directory each (codedeploy-bundle.ts). */
export const NODE_RUNTIMES = '/usr/local/lib/ions/runtimes';
/** The runtime's one file inside a runtime directory (node-runtime.ts); `package.json` beside `bin/`. */
export const NODE_RUNTIME_FILE = 'bin/ions.mjs';
/** The directory of one installed runtime inside NODE_RUNTIMES: its version and the start of its hash. */
export const nodeRuntimeDirName = (version: string, sha256: string): string => `${version}-${sha256.slice(0, 16)}`;
/** How a runtime being installed is named in NODE_RUNTIMES until it is whole; a crash leaves one behind. */
export const NODE_RUNTIME_INCOMING = '.incoming-';
/** The link to the runtime the node service runs, pointed by the swap hook. */
export const NODE_RUNTIME_LINK = '/usr/local/lib/ions/runtime';
export const NODE_CURRENT = `${NODE_HOME}/current`;
export const NODE_DATA = `${NODE_HOME}/data`;
