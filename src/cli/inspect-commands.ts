import type { Config } from '../config/schema.js';
import { openDatabase } from '../db/open-database.js';
import { isJobState } from '../jobs/job-states.js';
import { JobStore } from '../jobs/job-store.js';
import { isAppError } from '../errors/app-error.js';
import { createLogger } from '../log/create-logger.js';
import { cliServices } from '../main.js';
import { jobView } from '../http/native/job-view.js';
import { formatTable, printJson, UsageError, type CliIo } from './cli-io.js';

/** config check: the effective configuration (secrets masked) and where it came from. */
export function runConfigCheck(config: Readonly<Config>, source: string | null, io: CliIo): void {
  const masked = { ...config, cloud: { ...config.cloud, tokenFile: config.cloud.tokenFile ? '(file: not read)' : undefined } };
  if (io.json) printJson(io, { ok: true, source, config: masked });
  else {
    io.out(`Configuration OK (${source ?? 'embedded defaults'}).`);
    io.out(JSON.stringify(masked, null, 2));
  }
}

/** printers list: configured printers with URI, language and the state recorded last. */
export function runPrintersList(config: Readonly<Config>, io: CliIo): void {
  const db = openDatabase({ dataDir: config.dataDir });
  try {
    const rows = db.prepare('SELECT id, name, group_path, app_id, uri, language, source, last_seen_at FROM printers ORDER BY id').all() as Record<string, string | null>[];
    const jobs = new JobStore({ db, now: () => new Date() });
    const data = rows.map((row) => ({
      id: row.id,
      name: row.name,
      group: row.group_path,
      appId: row.app_id,
      uri: row.uri,
      language: row.language,
      source: row.source,
      lastSeenAt: row.last_seen_at,
      queuedJobs: jobs.countQueued(String(row.id)),
    }));
    if (io.json) printJson(io, data);
    else
      io.out(
        data.length === 0
          ? 'No printers yet: add them under "printers:" in the config file and start serve once.'
          : formatTable(
              ['id', 'name', 'group', 'appId', 'uri', 'language', 'queued', 'lastSeen'],
              data.map((p) => [String(p.id), String(p.name), String(p.group), String(p.appId), String(p.uri), String(p.language), String(p.queuedJobs), p.lastSeenAt ?? '-']),
            ),
      );
  } finally {
    db.close();
  }
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
