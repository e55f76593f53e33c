import type { Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';
import type { HealthService } from '../../health/health-service.js';
import type { JobsService } from '../../jobs/jobs-service.js';
import type { Authenticator } from '../../keys/authenticator.js';
import type { KeyStore } from '../../keys/key-store.js';
import type { DevicesService } from '../../printers/devices-service.js';
import type { EventStream } from '../native/event-stream.js';
import { previewRoutes } from '../native/preview-routes.js';
import { callerKey, needs, PUBLIC, type RouteSpec } from '../route-spec.js';
import { RecentErrors } from './recent-errors.js';
import { isStatusAssetName, loadStatusAssets, type StatusAsset, type StatusAssetName } from './status-assets.js';
import { statusEventsRoute } from './status-events.js';
import { StatusSnapshot } from './status-snapshot.js';
import type { StatusPageSources } from './status-sources.js';

/**
 * The page may load only its own files, talk only to its own origin, show only its own images and
 * the previews it fetched (blob:), never be framed, and never submit a form anywhere: the sign-in
 * form is handled by the script, so without it the key cannot end up in a URL either.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function sendAsset(res: Response, asset: StatusAsset): void {
  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('Content-Security-Policy', PAGE_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  // Small files, changed only by an upgrade: the browser asks again each time.
  res.setHeader('Cache-Control', 'no-cache');
  res.status(200).end(asset.body);
}

export interface StatusRoutesDeps {
  devices: DevicesService;
  jobs: JobsService;
  keys: KeyStore;
  health: HealthService;
  stream: EventStream;
  authenticator: Pick<Authenticator, 'revalidate'>;
  /** TLS as served now (src/main.ts: statusPageSources). */
  sources: StatusPageSources;
  version: string;
  log: Logger;
  now: () => Date;
}

/**
 * The status page at `/`: its files (public: they hold no data), and its data for a key with
 * ViewStatus — GET /api/v1/status (everything the page shows), /api/v1/status/events (live), and
 * job previews. The recent-errors ring starts here, fed by the event stream.
 */
export function statusRoutes(deps: StatusRoutesDeps): RouteSpec[] {
  const { jobs, stream, log, now } = deps;
  const assets = loadStatusAssets();
  if (!assets) log.error({}, 'status page files missing (src/http/status/assets): GET / answers 404; reinstall');
  const asset = (name: StatusAssetName): StatusAsset => {
    const found = assets?.get(name);
    if (!found) throw new AppError('NOT_FOUND', 'the status page is not installed with this build (src/http/status/assets is missing); reinstall printgate');
    return found;
  };
  const errors = new RecentErrors({ stream, now });
  const snapshot = new StatusSnapshot({ ...deps, errors });
  const preview = previewRoutes({ jobs })[0]!;
  return [
    {
      method: 'get',
      path: '/',
      access: PUBLIC,
      summary: 'The status page (HTML; its data needs a key with ViewStatus, entered in the page)',
      handler: (_req, res) => sendAsset(res, asset('index.html')),
    },
    {
      method: 'get',
      path: '/status/:file',
      access: PUBLIC,
      summary: "The status page's script and style sheet (app.js, style.css)",
      handler: (req, res) => {
        const name = String(req.params.file);
        if (!isStatusAssetName(name)) throw new AppError('NOT_FOUND', `no status page file ${name.slice(0, 64)}`);
        sendAsset(res, asset(name));
      },
    },
    {
      method: 'get',
      path: '/api/v1/status',
      access: needs('ViewStatus'),
      summary: 'Everything the status page shows: gateway, printers with queues, recent jobs, keys (no secrets), cloud sync, TLS, recent errors',
      handler: (_req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        res.json(snapshot.build(callerKey(res)));
      },
    },
    statusEventsRoute({ stream, errors, snapshot, authenticator: deps.authenticator, log, now }),
    {
      ...preview,
      path: '/api/v1/status/jobs/:id/preview.png',
      access: needs('ViewStatus'),
      summary: "A job's preview for the status page (as /api/v1/jobs/{id}/preview.png, with ViewStatus)",
    },
  ];
}
