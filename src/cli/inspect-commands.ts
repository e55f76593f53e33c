import type { Config } from '../config/schema.js';
import { dataDirLockHolder } from '../db/data-dir-lock.js';
import { readPrinterStates } from '../http/status/printer-state-file.js';
import { isJobState } from '../jobs/job-states.js';
import { JobStore } from '../jobs/job-store.js';
import { isAppError } from '../errors/app-error.js';
import { createLogger } from '../log/create-logger.js';
import { cliServices } from '../main.js';
import { jobView } from '../http/native/job-view.js';
import { formatTable, printJson, UsageError, type CliIo } from './cli-io.js';
import { openReadOnlyDatabase } from './read-only-database.js';

/** config check: the effective configuration (secrets masked) and where it came from. */
export function runConfigCheck(config: Readonly<Config>, source: string | null, io: CliIo): void {
  const masked = { ...config, cloud: { ...config.cloud, tokenFile: config.cloud.tokenFile ? '(file: not read)' : undefined } };
  if (io.json) printJson(io, { ok: true, source, config: masked });
  else {
    io.out(`Configuration OK (${source ?? 'embedded defaults'}).`);
    io.out(JSON.stringify(masked, null, 2));
  }
}

/**
 * printers list: every printer the gateway keeps (configured, CloudPRNT, discovered), with its
 * queue and the state the running gateway recorded last (<dataDir>/printer-state.json, written on
 * every change, at most every 2 s). The data directory's lock says whether that gateway still
 * runs: if not, the states are the last it knew, and the header says so. Reads only.
 */
export function runPrintersList(config: Readonly<Config>, io: CliIo): void {
  const db = openReadOnlyDatabase(config.dataDir);
  const rows = db ? (db.prepare('SELECT id, name, group_path, app_id, uri, language, source, last_seen_at FROM printers ORDER BY id').all() as Record<string, string | null>[]) : [];
  const running = dataDirLockHolder(config.dataDir);
  const record = readPrinterStates(config.dataDir);
  const live = record !== null && running !== null && record.pid === running;
  let data;
  try {
    const jobs = db ? new JobStore({ db, now: () => new Date() }) : null;
    data = rows.map((row) => {
      const state = record?.printers[String(row.id)];
      return {
        id: row.id,
        name: row.name,
        group: row.group_path,
        appId: row.app_id,
        uri: row.uri,
        language: row.language,
        source: row.source,
        state: state?.state ?? null,
        reasons: state?.reasons ?? [],
        lastError: state?.lastError ?? null,
        stateSince: state?.since ?? null,
        /** True when the state comes from a gateway that runs now; false: the last a stopped one recorded. */
        live: live && state !== undefined,
        lastSeenAt: state?.lastSeenAt ?? row.last_seen_at,
        queuedJobs: jobs?.countQueued(String(row.id)) ?? 0,
      };
    });
  } finally {
    db?.close();
  }
  if (io.json) {
    printJson(io, data);
    return;
  }
  if (data.length === 0) {
    io.out('No printers yet: add them under "printers:" in the config file and start serve once.');
    return;
  }
  io.out(
    live
      ? `States from the running gateway (PID ${running}), recorded ${record!.writtenAt}.`
      : record
        ? `No gateway runs on ${config.dataDir}${running !== null ? ` with a state record (PID ${running} holds it)` : ''}: states are the last one recorded at ${record.writtenAt}.`
        : 'No state recorded yet: start the gateway (serve) to see printer states.',
  );
  io.out(
    formatTable(
      ['id', 'name', 'group', 'source', 'state', 'reasons', 'queued', 'lastSeen', 'lastError'],
      data.map((p) => [String(p.id), String(p.name), String(p.group), String(p.source), p.state ?? '-', p.reasons.join(',') || '-', String(p.queuedJobs), p.lastSeenAt ?? '-', p.lastError ?? '-']),
    ),
  );
}

export interface JobsArgs {
  sub: string | undefined;
  id: string | undefined;
  printer?: string | undefined;
  state?: string | undefined;
}

/** jobs list [--printer ID] [--state S] | jobs cancel ID | jobs release ID — the jobs service, as the API uses it. */
export function runJobsCommand(config: Readonly<Config>, args: JobsArgs, io: CliIo): void {
  const services = cliServices(config, createLogger({ level: 'silent' }));
  try {
    const { jobs } = services;
    const cliError = (error: unknown): never => {
      if (isAppError(error) && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT' || error.code === 'BAD_REQUEST')) throw new UsageError(error.message);
      throw error;
    };
    if (args.sub === 'list') {
      if (args.state !== undefined && !isJobState(args.state)) throw new UsageError(`--state must be pending, processing, completed, aborted, canceled or held`);
      const list = jobs.list({ printerId: args.printer, state: args.state, limit: 200 }).jobs;
      if (io.json) printJson(io, list.map(jobView));
      else
        io.out(
          formatTable(
            ['id', 'printer', 'state', 'reason', 'attempts', 'bytes', 'created'],
            list.map((j) => [j.id, j.printerId, j.state, j.stateReason ?? '-', String(j.attempts), String(j.bytes), j.createdAt]),
          ),
        );
      return;
    }
    if (args.sub === 'cancel') {
      if (!args.id) throw new UsageError('jobs cancel needs a job id');
      let job;
      try {
        job = jobs.cancel(args.id);
      } catch (error) {
        cliError(error);
      }
      if (io.json) printJson(io, jobView(job!));
      else io.out(`Canceled job ${job!.id}.`);
      return;
    }
    if (args.sub === 'release') {
      if (!args.id) throw new UsageError('jobs release needs a job id');
      let job;
      try {
        job = jobs.release(args.id);
      } catch (error) {
        cliError(error);
      }
      if (io.json) printJson(io, jobView(job!));
      else io.out(`Released job ${job!.id}: it prints when its printer is next free (a running gateway picks it up within a second).`);
      return;
    }
    throw new UsageError('jobs: use list, cancel or release');
  } finally {
    services.close();
  }
}
