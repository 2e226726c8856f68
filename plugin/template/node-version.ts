// The Node.js the stack runs on AWS, one major for the generated Lambdas and the compute nodes. Lambda
// stops creating functions on a runtime a few months after deprecating it (nodejs20.x was deprecated
// on 2026-04-30), so a stack on it would no longer deploy; nodejs22.x is supported until 2027-04-30.
// Code built for Node 20 (the proxy bundle, revisions pushed from Node 20) runs unchanged on 22.
export const NODE_MAJOR = 22;
export const LAMBDA_RUNTIME = `nodejs${NODE_MAJOR}.x`;
