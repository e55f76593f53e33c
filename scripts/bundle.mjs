#!/usr/bin/env node
// Bundles the built CLI (dist/src/cli.js, from tsc) in its place, with what it imports lazily in
// chunks beside it (dist/src/cli-chunk-*.js), so that `serve` starts from a few files instead of
// resolving and reading ~600 modules (issue 11: exec → listening under 1 s on a Pi-class box), and
// holds in memory only what it uses. Worker threads (render, delivery) keep loading their own built
// files beside it; native modules stay external. `import.meta.url` in a bundled module is made to
// mean that module's own built file again, so paths relative to it (thread entries, assets,
// package.json) keep working wherever dist/ is installed.
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'dist/src/cli.js');

/**
 * Packages with native parts, loaded lazily by path, or only with TLS (@peculiar/x509 and its
 * decorators: loaded from node_modules when a certificate is made): required at run time, never bundled.
 */
const EXTERNAL = ['better-sqlite3', 'serialport', '@serialport/*', 'unix-dgram', '@sealsystems/ipp', 'bindings', 'file-uri-to-path', '@peculiar/x509', 'reflect-metadata'];

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // npm ci --omit=dev: the unbundled build runs as it is (it only starts slower).
  console.log('bundle: esbuild is not installed; dist/src/cli.js stays unbundled');
  process.exit(0);
}
if (!existsSync(entry)) {
  console.error('bundle: dist/src/cli.js is missing: run the TypeScript build first');
  process.exit(1);
}

const outDir = path.dirname(entry);
/** Each bundled module of ours sees its own URL as import.meta.url (relative to the bundle's). */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/](src|drivers)[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const relative = path.relative(outDir, args.path).split(path.sep).join('/');
      const expression = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', expression), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const source = readFileSync(entry, 'utf8');
if (source.includes('__printgate_bundle__')) {
  console.log('bundle: dist/src/cli.js is bundled already');
  process.exit(0);
}
// The same CLI loaded module by module, kept beside the bundle: its stack traces and CPU profiles
// name the built files (npm run bench -- profile runs it).
copyFileSync(entry, path.join(outDir, 'cli-modules.js'));

// Chunks of an earlier bundle (their names change with their contents).
for (const name of readdirSync(outDir)) if (name.startsWith('cli-chunk-')) rmSync(path.join(outDir, name));

await esbuild.build({
  entryPoints: { cli: entry },
  outdir: outDir,
  // What the code imports lazily (the other commands, TLS certificates, the renderers the main
  // thread seldom needs) stays in chunks of its own, loaded when first used: serve does not hold
  // them in memory. Chunks sit beside cli.js, so paths relative to import.meta.url hold.
  splitting: true,
  chunkNames: 'cli-chunk-[hash]',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  plugins: [ownUrl],
  // cli.js.map maps the bundle to the TypeScript sources (node --enable-source-maps reads it).
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module still call require() for Node's own modules.
  banner: {
    js: "const __printgate_bundle__ = true; import { createRequire as __pgCreateRequire } from 'node:module'; const require = __pgCreateRequire(import.meta.url);",
  },
});
console.log(`bundle: ${path.relative(root, entry)} (and cli-chunk-*.js beside it) now hold the CLI and its pure-JavaScript dependencies`);
