import { spawn } from 'node:child_process';
import { DriverError } from '../../src/driver-api/index.js';
import { tooComplex } from './render-meter.js';

/** Most stdout kept (pdfinfo of a few hundred pages is a few tens of KiB). */
const MAX_STDOUT = 1024 * 1024;

export interface ProgramRun {
  /** The Debian package that provides the program, named when it is missing. */
  debianPackage: string;
  timeoutMs: number;
  /** What the program does, for messages: "rasterise the PDF". */
  purpose: string;
}

/**
 * Runs a helper program (pdfinfo, pdftoppm) with no stdin and a deadline, and resolves with its
 * stdout. Killed at the deadline (DOCUMENT_TOO_COMPLEX); a missing program names its Debian
 * package; a failure is DOCUMENT_FORMAT_ERROR with the first line the program wrote to stderr.
 */
export function runProgram(program: string, args: readonly string[], run: ProgramRun): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_STDOUT) stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(new DriverError('DOCUMENT_FORMAT_ERROR', `${program} is not installed (Debian package ${run.debianPackage}); cannot ${run.purpose}`));
      } else {
        reject(new DriverError('DOCUMENT_FORMAT_ERROR', `${program} failed to start: ${error.message}`, { cause: error }));
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        const seconds = run.timeoutMs / 1000;
        reject(tooComplex('timeoutSeconds', seconds, seconds, `${program} took longer than ${seconds} s to ${run.purpose}`));
      } else if (code !== 0) {
        reject(new DriverError('DOCUMENT_FORMAT_ERROR', `cannot ${run.purpose}: ${stderr.trim().split('\n')[0] || `${program} exited with ${code}`}`));
      } else {
        resolve(stdout);
      }
    });
  });
}
