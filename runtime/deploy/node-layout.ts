// Where things live on a compute node (EC2, set up by the stack's user data): the runtime installed
// once per instance, and under the same home the chunk cache, the fetched revisions and `current`,
// the link to the revision the node serves (and restarts on).
export const NODE_HOME = '/opt/ions';
/** `npm install --prefix` target of the serverless-ions runtime: its `ions` command is below. */
export const NODE_RUNTIME_PREFIX = `${NODE_HOME}/runtime`;
export const NODE_IONS_BIN = `${NODE_RUNTIME_PREFIX}/bin/ions`;
export const NODE_CURRENT = `${NODE_HOME}/current`;
export const NODE_DATA = `${NODE_HOME}/data`;
