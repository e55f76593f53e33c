import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/documents');

/** A 4×6-inch picture at 100 dpi: a colour (or grey) band and a dark frame, as a JPEG. */
function picture(grey: boolean): Buffer {
  const width = 400;
  const height = 600;
  const data = Buffer.alloc(width * height * 4, 255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const frame = x < 10 || y < 10 || x >= width - 10 || y >= height - 10;
      const band = y > 200 && y < 400;
      const [r, g, b] = frame ? [20, 20, 20] : band ? (grey ? [120, 120, 120] : [220, 40, 40]) : [255, 255, 255];
      data[i] = r!;
      data[i + 1] = g!;
      data[i + 2] = b!;
    }
  }
  return Buffer.from(jpeg.encode({ width, height, data }, 90).data);
}

/**
 * The documents CUPS's conformance files print (ipp-1.1.test: the -f file, color.jpg, gray.jpg,
 * document-a4.pdf, document-letter.pdf), made here: the tests run ipptool with this directory as
 * their working directory.
 */
export function ippDocuments(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-ipptool-'));
  writeFileSync(path.join(dir, 'color.jpg'), picture(false));
  writeFileSync(path.join(dir, 'gray.jpg'), picture(true));
  copyFileSync(path.join(FIXTURES, 'a4-2-pages.pdf'), path.join(dir, 'document-a4.pdf'));
  copyFileSync(path.join(FIXTURES, 'a4-2-pages.pdf'), path.join(dir, 'document-letter.pdf'));
  writeFileSync(path.join(dir, 'receipt.txt'), 'printgate IPP test\nline two\n');
  return dir;
}

export interface IpptoolRun {
  status: number | null;
  output: string;
  /** Test name → PASS / FAIL / SKIP, in the order run. */
  results: [string, 'PASS' | 'FAIL' | 'SKIP'][];
  /** The EXPECTED lines ipptool printed under each failed test. */
  expectedOf(test: string): string[];
}

/**
 * Runs ipptool (cups-ipp-utils) with a document from `dir` against `uri`, every test even after a
 * failure (-I). Asynchronous: the gateway under test runs in this process and must keep answering.
 */
export async function ipptool(uri: string, testFile: string, dir: string, file: string, timeoutMs = 240_000): Promise<IpptoolRun> {
  const child = spawn('ipptool', ['-tvI', '-f', file, uri, testFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  // stdout and stderr apart: ipptool's notes on stderr would split its result lines.
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`ipptool did not run (install cups-ipp-utils): ${error.message}`)));
    child.once('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  const output = `${stdout}\n${stderr}`;
  const lines = stdout.split('\n');
  const results: IpptoolRun['results'] = [];
  for (const line of lines) {
    const match = /^ {4}(\S.*?)\s+\[(PASS|FAIL|SKIP)\]\s*$/.exec(line);
    if (match) results.push([match[1]!, match[2] as 'PASS' | 'FAIL' | 'SKIP']);
  }
  return {
    status,
    output,
    results,
    expectedOf(test: string): string[] {
      const start = lines.findIndex((line) => line.startsWith(`    ${test}`) && line.includes('[FAIL]'));
      if (start < 0) return [];
      const expected: string[] = [];
      for (const line of lines.slice(start + 1)) {
        if (/^ {4}\S/.test(line) || /^"/.test(line)) break;
        const match = /^ {8}EXPECTED: (.*)$/.exec(line);
        if (match) expected.push(match[1]!);
      }
      return expected;
    },
  };
}

/** Throws naming the Debian package when a program is missing. */
export function requireProgram(program: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${program} is missing: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`);
  }
}
