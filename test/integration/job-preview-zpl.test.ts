import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeZplLabels, type DecodedLabel } from '../helpers/zpl-labels.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { makePng } from '../unit/render/document-fixtures.js';

let gateway: TestGateway;
const sinks: Record<'zebra203' | 'zebra300', TcpSink> = {} as never;
let viewer: string;

beforeAll(async () => {
  sinks.zebra203 = await startTcpSink();
  sinks.zebra300 = await startTcpSink();
  gateway = await startTestGateway({
    printers: [
      { name: 'Shipping', group: 'warehouse', appId: 'ship203', uri: sinks.zebra203.uri, language: 'zpl', profile: 'zebra-203dpi' },
      { name: 'Returns', group: 'warehouse', appId: 'ret300', uri: sinks.zebra300.uri, language: 'zpl', profile: 'zebra-300dpi' },
    ],
  });
  viewer = gateway.createKey(['PrintToDevice', 'ViewJobs']).key;
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(Object.values(sinks).map((sink) => sink.close()));
});

async function print(appId: string, body: string | Buffer, contentType: string): Promise<string> {
  const answer = await fetch(`${gateway.url}/v1/a/warehouse/d/${appId}/q`, {
    method: 'POST',
    headers: { authorization: `Bearer ${viewer}`, 'content-type': contentType },
    body,
  });
  expect(answer.status).toBe(201);
  return ((await answer.json()) as { JobId: string }).JobId;
}

/** Prints and returns the job id with the bytes the printer received for it. */
async function printAndReceive(sink: TcpSink, appId: string, body: string | Buffer, contentType: string): Promise<{ jobId: string; bytes: Buffer }> {
  const before = sink.jobs().length;
  const jobId = await print(appId, body, contentType);
  const jobs = await sink.waitForJobs(before + 1);
  return { jobId, bytes: jobs[before]! };
}

/** Prints a document the gateway renders and returns the job id with the labels the printer received. */
async function printLabels(sink: TcpSink, appId: string, body: string | Buffer, contentType: string): Promise<{ jobId: string; labels: DecodedLabel[] }> {
  const { jobId, bytes } = await printAndReceive(sink, appId, body, contentType);
  return { jobId, labels: decodeZplLabels(bytes.toString('utf8')) };
}

function getPreview(jobId: string): Promise<Response> {
  return fetch(`${gateway.url}/api/v1/jobs/${jobId}/preview.png`, { headers: { authorization: `Bearer ${viewer}` } });
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

// 60 × 30: a black square top left, a diagonal, white elsewhere; scaled to the label width.
const BADGE = makePng(60, 30, (x, y) => (x < 15 && y < 15) || Math.abs(x - 2 * y) < 2);

describe('GET /api/v1/jobs/{id}/preview.png for ZPL label printers', () => {
  for (const [sinkName, appId, width] of [
    ['zebra203', 'ship203', 832],
    ['zebra300', 'ret300', 1248],
  ] as const) {
    it(`draws a PNG label ${width} pixels wide at ${width} dots (1:1) as exactly the ^GF dots the printer received`, async () => {
      // As wide as the print head: printed (and drawn) one pixel one dot.
      const wide = makePng(width, 30, (x, y) => x < width / 2 || Math.abs(x - 2 * y) < 2);
      const { jobId, labels } = await printLabels(sinks[sinkName], appId, wide, 'image/png');
      expect(labels).toHaveLength(1);
      const [label] = labels as [DecodedLabel];
      const [graphic] = label.graphics;
      expect(label.width).toBe(width);
      expect(graphic!.width).toBe(width);

      const answer = await getPreview(jobId);
      expect(answer.headers.get('preview-warnings')).toBeNull();
      const pic = await picture(answer);
      expect(pic.width).toBe(width);
      expect(pic.height).toBe(label.length);
      let ink = 0;
      let mismatches = 0;
      for (let y = 0; y < graphic!.height; y++) {
        for (let x = 0; x < graphic!.width; x++) {
          const dot = graphic!.dots[y * graphic!.width + x]!;
          ink += dot;
          if (pic.grey(graphic!.x + x, graphic!.y + y) !== (dot ? 0 : 255)) mismatches += 1;
        }
      }
      expect(ink).toBeGreaterThan(width * 10);
      expect(mismatches).toBe(0);
    });
  }

  it('prints and draws a PNG 1:1 by default: 60 × 30 pixels are 60 × 30 dots', async () => {
    const { jobId, labels } = await printLabels(sinks.zebra203, 'ship203', BADGE, 'image/png');
    const [label] = labels as [DecodedLabel];
    expect([label.width, label.length]).toEqual([832, 30]);
    expect([label.graphics[0]!.width, label.graphics[0]!.height]).toEqual([64, 30]);
    const pic = await picture(await getPreview(jobId));
    expect([pic.width, pic.height]).toEqual([832, 30]);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 60; x++) expect(pic.grey(x, y)).toBe((x < 15 && y < 15) || Math.abs(x - 2 * y) < 2 ? 0 : 255);
  });

  it('draws a text label with each line at the ^FO origin and ^A0 height sent, and says the font is a stand-in', async () => {
    const { jobId, labels } = await printLabels(sinks.zebra300, 'ret300', 'SHIP TO\nErika Mustermann\n\nHauptstr. 1, Berlin\n', 'text/plain');
    const [label] = labels as [DecodedLabel];
    expect(label.texts.map((field) => field.text)).toEqual(['SHIP TO', 'Erika Mustermann', 'Hauptstr. 1, Berlin']);
    const answer = await getPreview(jobId);
    expect(answer.headers.get('preview-warnings')).toMatch(/^preview: text is drawn in the preview's monospace font/);
    const pic = await picture(answer);
    expect(pic.width).toBe(1248);
    expect(pic.height).toBe(label.length);
    for (const field of label.texts) {
      // Ink only inside the field's rows from its origin; none in the rows between fields.
      let inside = 0;
      for (let y = field.y; y < field.y + field.height; y++) for (let x = field.x; x < pic.width; x++) inside += pic.grey(x, y) === 0 ? 1 : 0;
      expect(inside, field.text).toBeGreaterThan(field.text.length * 20);
      for (let y = field.y; y < field.y + field.height; y++) for (let x = 0; x < field.x; x++) expect(pic.grey(x, y)).toBe(255);
    }
    for (let y = 0; y < pic.height; y++) {
      if (label.texts.some((field) => y >= field.y && y < field.y + field.height)) continue;
      for (let x = 0; x < pic.width; x += 3) expect(pic.grey(x, y), `${x},${y}`).toBe(255);
    }
  });

  it('draws what it can read of raw ZPL, names the rest in Preview-Warnings, and answers 422 for bytes without a label', async () => {
    const zpl = '^XA^PW832^LL240^FO20,20^GB792,200,4^FS^FO40,40^A0N,40,40^FDHello^FS^FO40,120^BCN,60,N^FD12345^FS^XZ';
    const { jobId, bytes } = await printAndReceive(sinks.zebra203, 'ship203', zpl, 'application/vnd.zebra.zpl');
    expect(bytes.toString('latin1')).toBe(zpl);
    const answer = await getPreview(jobId);
    expect(answer.headers.get('preview-warnings')).toMatch(/^preview: not drawn \(the preview does not read them\): \^BC \| preview: text is drawn/);
    const pic = await picture(answer);
    expect([pic.width, pic.height]).toEqual([832, 240]);
    // The box's top edge, four dots thick; the text inside it; nothing where the barcode would be.
    for (let y = 20; y < 24; y++) for (let x = 20; x < 812; x += 5) expect(pic.grey(x, y)).toBe(0);
    let text = 0;
    for (let y = 40; y < 80; y++) for (let x = 40; x < 200; x++) text += pic.grey(x, y) === 0 ? 1 : 0;
    expect(text).toBeGreaterThan(200);
    for (let y = 120; y < 180; y++) for (let x = 40; x < 780; x += 3) expect(pic.grey(x, y)).toBe(255);

    const { jobId: statusOnly } = await printAndReceive(sinks.zebra203, 'ship203', '~JA', 'application/vnd.zebra.zpl');
    const refused = await getPreview(statusOnly);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('DOCUMENT_FORMAT_ERROR');
    expect(body.error.message).toMatch(/no preview/);
  });
});
