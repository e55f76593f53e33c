import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { makePng } from '../unit/render/document-fixtures.js';

let gateway: TestGateway;
const sinks: Record<'counter' | 'mini' | 'star' | 'raw', TcpSink> = {} as never;
let viewer: string;
let printOnly: string;
let otherStore: string;

beforeAll(async () => {
  for (const name of ['counter', 'mini', 'star', 'raw'] as const) sinks[name] = await startTcpSink();
  gateway = await startTestGateway({
    printers: [
      { name: 'Counter', group: 'store1', appId: 'counter01', uri: sinks.counter.uri, language: 'escpos', profile: 'generic-80mm' },
      { name: 'Mini', group: 'store1', appId: 'mini01', uri: sinks.mini.uri, language: 'escpos', profile: 'generic-58mm' },
      { name: 'Bar', group: 'store2', appId: 'bar01', uri: sinks.star.uri, language: 'starprnt', profile: 'star-tsp143-starprnt' },
      { name: 'Raw', group: 'store1', appId: 'raw01', uri: sinks.raw.uri, language: 'raw' },
    ],
  });
  viewer = gateway.createKey(['PrintToDevice', 'ViewJobs']).key;
  printOnly = gateway.createKey(['PrintToDevice']).key;
  otherStore = gateway.createKey(['ViewJobs'], { groups: ['store2'] }).key;
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(Object.values(sinks).map((sink) => sink.close()));
});

async function print(appId: string, group: string, body: string | Buffer, contentType: string): Promise<string> {
  const answer = await fetch(`${gateway.url}/v1/a/${group}/d/${appId}/q`, {
    method: 'POST',
    headers: { authorization: `Bearer ${viewer}`, 'content-type': contentType },
    body,
  });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { JobId: string }).JobId;
}

function getPreview(jobId: string, key: string | null = viewer): Promise<Response> {
  return fetch(`${gateway.url}/api/v1/jobs/${jobId}/preview.png`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
}

interface Picture {
  width: number;
  height: number;
  grey(x: number, y: number): number;
}

async function picture(answer: Response): Promise<Picture> {
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toBe('image/png');
  const png = PNG.sync.read(Buffer.from(await answer.arrayBuffer()));
  return { width: png.width, height: png.height, grey: (x, y) => png.data[(y * png.width + x) * 4]! };
}

/** Runs of rows holding a pixel of `value` (0 = printed dot, 160 = preview note), gaps under 5 rows joined. */
function rows(pic: Picture, value = 0): [number, number][] {
  const runs: [number, number][] = [];
  for (let y = 0; y < pic.height; y++) {
    let hit = false;
    for (let x = 0; x < pic.width && !hit; x++) hit = pic.grey(x, y) === value;
    if (!hit) continue;
    const last = runs.at(-1);
    if (last && last[1] >= y - 5) last[1] = y;
    else runs.push([y, y]);
  }
  return runs;
}

function span(pic: Picture, [top, bottom]: [number, number]): [number, number] {
  let left = pic.width;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    for (let x = 0; x < pic.width; x++) {
      if (pic.grey(x, y) !== 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return [left, right];
}

// 40 × 10 dots: the left quarter black, the rest white. At width 50% of 576 dots it prints 288 × 72
// dots, columns 0-71 black; black and white survive any dithering unchanged.
const LOGO = makePng(40, 10, (x) => x < 10).toString('base64');
const RECEIPT = [
  '[align: centre][bold]PRINTGATE CAFE[bold: off]',
  '[align: left][column: left Coffee; right 3.50]',
  `[image: url data:image/png;base64,${LOGO}; width 50%]`,
  '[align: centre][barcode: type qr; data https://example.com/r/42; cell 5]',
  '[align: left]Grüße € Ж Ωμέγα ｱｲｳ',
  '[cut: partial]',
].join('\n');

describe('GET /api/v1/jobs/{id}/preview.png', () => {
  it('draws a Star markup receipt at 576 dots: centred bold title, columns, the image as sent, the QR code, text in several scripts', async () => {
    const jobId = await print('counter01', 'store1', RECEIPT, 'text/vnd.star.markup');
    await sinks.counter.waitForJobs(1);
    const answer = await getPreview(jobId);
    expect(answer.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(answer.headers.get('preview-warnings')).toBeNull();
    const pic = await picture(answer);
    expect(pic.width).toBe(576);

    const ink = rows(pic);
    // Title, column line, image, QR code, text line: five bands of printed dots, top to bottom.
    expect(ink).toHaveLength(5);
    const [title, columns, image, qr, scripts] = ink as [number, number][] as [[number, number], [number, number], [number, number], [number, number], [number, number]];

    const [titleLeft, titleRight] = span(pic, title);
    expect(Math.abs(titleLeft + titleRight - (pic.width - 1))).toBeLessThanOrEqual(14);
    expect(titleRight - titleLeft).toBeGreaterThan(13 * 12);

    const [columnsLeft, columnsRight] = span(pic, columns);
    expect(columnsLeft).toBeLessThan(12);
    expect(columnsRight).toBeGreaterThan(pic.width - 13);

    expect(image[1] - image[0] + 1).toBe(72);
    for (let y = image[0]; y <= image[1]; y++) {
      for (let x = 0; x < pic.width; x++) expect(pic.grey(x, y), `${x},${y}`).toBe(x < 72 ? 0 : 255);
    }

    const [, scriptsRight] = span(pic, scripts);
    expect(scriptsRight).toBeGreaterThan(18 * 12);

    // The QR code: 24 bytes at level M is version 2, 25 modules of 5 dots, centred.
    expect(qr[1] - qr[0] + 1).toBe(125);
    const [qrLeft, qrRight] = span(pic, qr);
    expect(qrRight - qrLeft + 1).toBe(125);
    expect(Math.abs(qrLeft + qrRight - (pic.width - 1))).toBeLessThanOrEqual(1);
    const notes = rows(pic, 160);
    // The cut is the last grey mark.
    expect(notes.at(-1)![0]).toBeGreaterThan(scripts[1]);
  });

  it('is 384 dots wide for a 58 mm printer and 576 for a Star TSP143', async () => {
    const mini = await print('mini01', 'store1', 'Table 4\n', 'text/plain');
    const star = await print('bar01', 'store2', '[align: right]Table 4\n', 'text/vnd.star.markup');
    const miniPic = await picture(await getPreview(mini));
    expect(miniPic.width).toBe(384);
    expect(rows(miniPic)).toHaveLength(1);
    const starPic = await picture(await getPreview(star));
    expect(starPic.width).toBe(576);
    const [line] = rows(starPic);
    expect(span(starPic, line!)[1]).toBeGreaterThan(576 - 13);
  });

  it('answers 422 for raw jobs and for printers whose language draws no preview', async () => {
    const escposRaw = await print('counter01', 'store1', Buffer.from([0x1b, 0x40, 0x41, 0x0a]), 'application/vnd.escpos');
    const rawAnswer = await getPreview(escposRaw);
    expect(rawAnswer.status).toBe(422);
    const rawError = (await rawAnswer.json()) as { error: { code: string; message: string } };
    expect(rawError.error.code).toBe('DOCUMENT_FORMAT_ERROR');
    expect(rawError.error.message).toMatch(/no preview/);

    const rawPrinterJob = await print('raw01', 'store1', 'plain text\n', 'text/plain');
    const languageAnswer = await getPreview(rawPrinterJob);
    expect(languageAnswer.status).toBe(422);
    expect(((await languageAnswer.json()) as { error: { message: string } }).error.message).toMatch(/raw, which has no preview/);
  });

  it('404 for an unknown job and for a job of a group the key may not see; 401 without a key; 403 without ViewJobs', async () => {
    const jobId = await print('counter01', 'store1', 'hello\n', 'text/plain');
    const unknown = await getPreview('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await getPreview(jobId, otherStore)).status).toBe(404);
    expect((await getPreview(jobId, null)).status).toBe(401);
    const forbidden = await getPreview(jobId, printOnly);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('INSUFFICIENT_SCOPE');
    // The group-limited key sees the preview of its own group's job.
    const star = await print('bar01', 'store2', 'bar tab\n', 'text/plain');
    expect((await getPreview(star, otherStore)).status).toBe(200);
  });
});
