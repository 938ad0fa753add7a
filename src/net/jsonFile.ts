import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Reads a JSON file; null when absent or unreadable (a corrupt cache is rebuilt, never fatal). */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Writes atomically (temp file + rename), so a crash never leaves half a file. */
export function writeJsonFile(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}
