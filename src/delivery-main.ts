import { parentPort, workerData } from 'node:worker_threads';
import { LANGUAGES, RENDER_WORKER_FILE, TRANSPORT_FACTORIES, cloudPrntTransportFactory } from '../drivers/index.js';
import { PASSIVE_CLOUDPRNT_MAILBOX } from './cloudprnt/passive-mailbox.js';
import type { DeliveryThreadData, FromDelivery, ToDelivery } from './delivery/delivery-messages.js';
import { BatchedPort } from './delivery/batched-port.js';
import { StatusBoard } from './delivery/status-board.js';
import { openDatabase, walPath } from './db/open-database.js';
import { WalSync } from './db/wal-sync.js';
import { WriteLock } from './db/write-lock.js';
import { CommitFence } from './jobs/commit-fence.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { JobEvents } from './jobs/job-events.js';
import { JobStore } from './jobs/job-store.js';
import { RenderPool } from './jobs/render-pool.js';
import { Spool } from './jobs/spool.js';
import { transportOpener } from './jobs/transport-opener.js';
import { LanguageRegistry } from './languages/language-registry.js';
import { createLogger, setLogLevel } from './log/create-logger.js';

/**
 * The composition root of the delivery thread: the printer workers of every printer the gateway
 * connects to (not CloudPRNT printers, whose mailbox is on the HTTP loop), on a core of their own
 * with their own database connection. The main thread hands jobs over by message with the database
 * as the record; job and printer changes go back to it by message (see DeliveryThread).
 */
const data = workerData as DeliveryThreadData;
const port = parentPort!;
const config = data.config;
const now = (): Date => new Date();
const log = createLogger({ level: config.log.level, journal: data.journal });
const out = new BatchedPort<FromDelivery>((batch) => port.postMessage(batch));

const db = openDatabase({ dataDir: config.dataDir, synchronous: 'normal' });
// The main thread's checkpoint thread checkpoints the WAL; a commit here only as a backstop.
db.pragma(`wal_autocheckpoint = ${2 * Number(db.pragma('wal_autocheckpoint', { simple: true }))}`);
const wal = new WalSync(walPath(config.dataDir));
const fence = new CommitFence(data.fence);
const jobs = new JobStore({
  db,
  now,
  writeLock: new WriteLock(data.writeLock),
  writer: {
    fence,
    onCountChange: (printerId, delta, write) => out.send({ type: 'count', printerId, delta, write }),
    onCountsLost: () => out.send({ type: 'countsLost' }),
  },
});
const board = new StatusBoard(data.printers, (printerId, change) => out.send({ type: 'status', printerId, change }));
const events = new JobEvents();
events.on((job) => out.send({ type: 'job', job }));
const languages = new LanguageRegistry(LANGUAGES, [...TRANSPORT_FACTORIES, cloudPrntTransportFactory(PASSIVE_CLOUDPRNT_MAILBOX)]);
const renderer = new RenderPool({ workerFile: RENDER_WORKER_FILE, timeoutMs: config.limits.render.timeoutSeconds * 1000, memoryMB: config.limits.render.memoryMB, log });
const dispatcher = new Dispatcher({
  jobs,
  spool: new Spool(config.dataDir),
  registry: board,
  events,
  renderer,
  durable: () => wal.sync(),
  probeMs: config.discovery.probeSeconds * 1000,
  onStorageFull: () => out.send({ type: 'storageFull' }),
  log,
  config,
  now,
  openTransport: transportOpener({ factories: TRANSPORT_FACTORIES, config, log }),
  languageOf: (printer) => languages.forPrinter(printer),
});

function tellRefusal(printerId: string): void {
  const refusal = dispatcher.refusal(printerId);
  out.send({ type: 'refusal', printerId, refusal: refusal ? { code: refusal.code, message: refusal.message } : null });
}

async function stop(graceMs: number): Promise<void> {
  await dispatcher.stop(graceMs);
  await renderer.close();
  await wal.sync().catch(() => undefined);
  await wal.close();
  db.close();
  out.send({ type: 'stopped' });
  out.flush();
  port.close();
}

async function handle(message: ToDelivery): Promise<void> {
  switch (message.type) {
    case 'wake':
      dispatcher.wake(message.printerId);
      return;
    case 'wakeAll':
      dispatcher.wakeAll();
      return;
    case 'abort':
      dispatcher.abort(message.printerId, message.jobId);
      return;
    case 'add':
      board.add(message.printer, message.status);
      dispatcher.addPrinter(message.printer);
      tellRefusal(message.printer.id);
      return;
    case 'remove':
      await dispatcher.removePrinter(message.printerId, message.graceMs);
      board.remove(message.printerId);
      out.send({ type: 'done', ask: message.ask });
      return;
    case 'status':
      board.applyRemote(message.printerId, message.change);
      return;
    case 'logLevel':
      setLogLevel(log, message.level);
      return;
    case 'stop':
      await stop(message.graceMs);
      return;
  }
}

port.on('message', (batch: ToDelivery[]) => {
  for (const message of batch) {
    handle(message).catch((error: unknown) => {
      log.error({ err: error, message: message.type }, 'delivery thread could not handle a message');
    });
  }
});

const { sameBoot } = dispatcher.recover(data.bootId, { cleanSpool: data.cleanSpool });
dispatcher.start();
for (const { printer } of data.printers) tellRefusal(printer.id);
out.send({ type: 'ready', sameBoot });
