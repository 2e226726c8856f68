// Watches a service's sources and calls back once a burst of changes has settled. Dependencies
// (node_modules) and dot-directories (.ions, .git, .serverless) are never watched: a recursive watch
// over node_modules would cost thousands of inotify watches and report nothing of interest.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface SourceWatcher {
  close(): void;
}

const skipped = (name: string) => name === 'node_modules' || name.startsWith('.');

export function watchSources(dir: string, onChange: (files: string[]) => void, debounceMs = 100): SourceWatcher {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const changed = (file: string) => {
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...pending];
      pending = new Set();
      onChange(files);
    }, debounceMs);
  };

  const subdirs = new Map<string, FSWatcher>();
  const watchSubdir = (name: string) => {
    if (subdirs.has(name) || skipped(name)) return;
    const path = join(dir, name);
    if (!existsSync(path) || !statSync(path).isDirectory()) return;
    const watcher = watch(path, { recursive: true }, (_type, file) => {
      if (file !== null && !file.split(/[/\\]/).some(skipped)) changed(join(name, file));
    });
    // A watched directory that goes away ends its watcher; the rebuild that follows says what is missing.
    watcher.on('error', () => {
      watcher.close();
      subdirs.delete(name);
      changed(name);
    });
    subdirs.set(name, watcher);
  };

  // The service directory itself only shallowly: serverless.yml, params.local.json, new directories.
  const top = watch(dir, (_type, name) => {
    if (name === null || skipped(name)) return;
    watchSubdir(name);
    changed(name);
  });
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) watchSubdir(entry.name);
  }

  return {
    close() {
      clearTimeout(timer);
      top.close();
      for (const watcher of subdirs.values()) watcher.close();
    },
  };
}
