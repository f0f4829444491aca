/**
 * Starts and stops test/bench/instance-host.ts (the callables served as one
 * production instance serves them) for the pairing part, and reads what its
 * functions logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATORS, PROJECT_ID, ROOT } from '../support/emulator.js';
import { logEntries, type LogEntry } from './function-log.js';

export interface InstanceHost {
  readonly host: string;
  readonly port: number;
  /** Characters of log written so far: an offset for `logSince`. */
  logSize(): number;
  /** The functions' structured log entries written after `offset`. */
  logSince(offset: number): LogEntry[];
  /** The largest resident memory of the process since the last call, in MiB (sampled from /proc every 100 ms). */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

export async function startInstance(port = 5011): Promise<InstanceHost> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'build', 'test', 'bench', 'instance-host.js'), String(port)], {
    cwd: ROOT,
    env: {
      ...process.env,
      FIRESTORE_EMULATOR_HOST: `${EMULATORS.firestore.host}:${EMULATORS.firestore.port}`,
      FIREBASE_AUTH_EMULATOR_HOST: `${EMULATORS.auth.host}:${EMULATORS.auth.port}`,
      GCLOUD_PROJECT: PROJECT_ID,
      FIREBASE_CONFIG: JSON.stringify({ projectId: PROJECT_ID }),
      // As on Cloud Run: not the emulator (the functions' logger writes JSON lines).
      FUNCTIONS_EMULATOR: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let errors = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance host did not start within 30 s: ${errors}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
      if (errors.includes(`ready ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance host exited (${code}): ${errors}`));
    });
  });
  const rssMiB = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    } catch {
      return NaN;
    }
  };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB() || 0)), 100);
  sampler.unref();
  return {
    host: '127.0.0.1',
    port,
    logSize: () => log.length,
    logSince: (offset) => logEntries(log.slice(offset)),
    peakRssMiB: () => {
      const value = Math.round(Math.max(peak, rssMiB() || 0));
      peak = 0;
      return value;
    },
    stop: async () => {
      clearInterval(sampler);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
