import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The files of the status page: plain HTML, CSS and one ES module, no build step. */
export const STATUS_ASSETS = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

export type StatusAssetName = keyof typeof STATUS_ASSETS;

export interface StatusAsset {
  body: Buffer;
  contentType: string;
}

/**
 * Where the files are: beside this module (the source tree under vitest, and dist/ on an installed
 * box, where install.sh copies them), else the checkout's source tree seen from dist/ (`npm ci &&
 * npm start` serves them from src/, so an edit shows at the next start and nothing is stale).
 */
export function statusAssetsDir(moduleUrl: string = import.meta.url): string | null {
  const here = path.dirname(fileURLToPath(moduleUrl));
  const candidates = [path.join(here, 'assets'), path.resolve(here, '../../../../src/http/status/assets')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

/** Reads the page's files once (a few KiB), or null when they are not installed. */
export function loadStatusAssets(dir: string | null = statusAssetsDir()): Map<StatusAssetName, StatusAsset> | null {
  if (dir === null) return null;
  try {
    return new Map(
      (Object.entries(STATUS_ASSETS) as [StatusAssetName, string][]).map(([name, contentType]) => [name, { body: readFileSync(path.join(dir, name)), contentType }]),
    );
  } catch {
    return null;
  }
}

export function isStatusAssetName(name: string): name is StatusAssetName {
  return Object.hasOwn(STATUS_ASSETS, name);
}
