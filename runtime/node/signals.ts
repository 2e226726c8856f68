// Graceful shutdown for a node process: on SIGTERM (CodeDeploy, systemd, ECS) or SIGINT, stop taking
// requests, let the running ones finish, then exit.
import type { RunningNode } from './start-node.js';

export function closeOnSignals(node: RunningNode, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const s of signals) process.off(s, onSignal);
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`ions node: shutting down on ${signal} failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
