export { SyncTimeoutError } from './errors.js';
export { localForwarder } from './local-forwarder.js';
export { follow, type FollowOptions, type Follower, type ForwardedTx, type ForwardRequest, type Forwarder } from './follower.js';
export { ForwardError, remoteForwarder, type ForwardFailure, type RemoteForwarderOptions } from './remote-forwarder.js';
